"""`lqs query` cannot leave the warehouse: every probe of issue 11 against a real warehouse, run as a
real `lqs` process in an empty folder. Each is refused with one line and exit 2, nothing is written
(the folder stays empty, the warehouse is byte-identical) and nothing read leaks into the output.
Ordinary read queries keep working. The reader and writer connections themselves are sandboxed
too (show, diff, fetches and publish use them)."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_cli import warehouse_env  # noqa: F401  (the fixture: one demo refresh, no Prefect)

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "secret-test-token"
REFUSED = "lqs: error: only read queries are allowed (got "


def lqs_in(folder: Path, env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`lqs ARGS` with folder as the working directory (relative paths in SQL land there)."""
    code = "import sys; from cli import main; sys.argv[0] = 'lqs'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env={**env, "HF_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}, cwd=folder,
                          timeout=timeout)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256(p) if p.is_file() else "dir" for p in sorted(folder.rglob("*"))}


@pytest.fixture
def sandbox(warehouse_env, tmp_path):  # noqa: F811
    """An empty working folder, a copy of settings.toml to attack, and a check that after the
    test neither the folder nor the warehouse folder changed."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    settings = tmp_path / "settings.toml"
    settings.write_bytes((ROOT / "config" / "settings.toml").read_bytes())
    warehouse = Path(warehouse_env["LQS_WAREHOUSE"])
    before = (tree(cwd), tree(warehouse.parent), settings.read_bytes())
    yield cwd, settings
    assert (tree(cwd), tree(warehouse.parent), settings.read_bytes()) == before


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lqs: error: "), proc.stderr
    assert TOKEN not in proc.stderr
    return lines[0]


@pytest.mark.parametrize("sql, kind", [
    ("COPY (select 1) TO 'x.csv'", "COPY"),
    ("select 1; COPY (select 1) TO 'x.csv'; select 3", "COPY"),
    ("EXPORT DATABASE 'exp'", "EXPORT"),
    ("ATTACH 'o.duckdb' AS o (READ_WRITE)", "ATTACH"),
    ("INSTALL httpfs", "LOAD"),
    ("LOAD httpfs", "LOAD"),
    ("SET enable_external_access = true", "SET"),
    ("SET lock_configuration = false", "SET"),
    ("PRAGMA enable_profiling", "PRAGMA"),
    ("create table x (a int)", "CREATE"),
    ("checkpoint", "CALL"),
    ("explain analyze COPY (select 1) TO 'x.csv'", "EXPLAIN COPY"),
])
def test_statements_that_are_not_reads_are_refused(sandbox, warehouse_env, sql, kind):  # noqa: F811
    line = one_line_error(lqs_in(sandbox[0], warehouse_env, "query", sql))
    assert line == f"{REFUSED}{kind})"


def test_copy_onto_a_settings_file_is_refused(sandbox, warehouse_env):  # noqa: F811
    cwd, settings = sandbox
    sql = (f"COPY (select 'allow_private_addresses = true' as line) TO '{settings}' "
           "(HEADER false, QUOTE '')")
    assert one_line_error(lqs_in(cwd, warehouse_env, "query", sql)) == f"{REFUSED}COPY)"
    # the fixture checks the file is byte-identical


def test_several_reads_in_one_go_are_refused(sandbox, warehouse_env):  # noqa: F811
    line = one_line_error(lqs_in(sandbox[0], warehouse_env, "query", "select 1; select 2"))
    assert line == "lqs: error: only one statement at a time is allowed (got 2)"


@pytest.mark.parametrize("sql, path", [
    ("select * from read_csv('/etc/passwd')", "/etc/passwd"),
    ("select * from read_text('/etc/shadow')", "/etc/shadow"),
    ("select * from glob('/root/**')", "/root/**"),
    ("select content from read_text('/proc/self/environ')", "/proc/self/environ"),
    ("with e as (select * from read_text('/proc/self/environ')) select * from e", "/proc/self/environ"),
    ("select * from 'x.parquet'", "x.parquet"),
    ("select * from duckdb_extensions()", ".duckdb/extensions"),
])
def test_reads_outside_the_warehouse_fail(sandbox, warehouse_env, sql, path):  # noqa: F811
    """These are SELECTs: DuckDB's enable_external_access = false stops them."""
    line = one_line_error(lqs_in(sandbox[0], warehouse_env, "query", sql, "--json"))
    assert line.startswith("lqs: error: query failed: Permission Error: Cannot access ")
    assert path in line and "disabled by configuration" in line


def test_a_runaway_query_is_stopped_by_the_timeout(sandbox, warehouse_env):  # noqa: F811
    started = time.monotonic()
    proc = lqs_in(sandbox[0], warehouse_env, "query", "select sum(i) from range(100000000000) t(i)",
                  "--timeout", "2")
    elapsed = time.monotonic() - started
    assert one_line_error(proc) == ("lqs: error: query stopped after the 2 s time limit "
                                    "(raise it with --timeout SECONDS)")
    assert elapsed < 60  # a bound that catches a hang, not a speed measurement


def test_a_timeout_must_be_positive(sandbox, warehouse_env):  # noqa: F811
    line = one_line_error(lqs_in(sandbox[0], warehouse_env, "query", "select 1", "--timeout", "0"))
    assert line == "lqs: error: --timeout must be > 0 seconds (got 0)"


@pytest.mark.parametrize("sql, check", [
    ("select count(*) as n from facts", lambda rows: rows[0]["n"] > 0),
    ("describe catalog", lambda rows: "dataset_id" in {r["column_name"] for r in rows}),
    ("show tables", lambda rows: {"facts", "catalog", "runs"} <= {r["name"] for r in rows}),
    ("summarize catalog", lambda rows: "dataset_id" in {r["column_name"] for r in rows}),
    ("explain select 1", lambda rows: rows and "explain_value" in rows[0]),
    ("explain analyze select count(*) from facts", lambda rows: rows),
    ("with x as (select 1 as a) select * from x", lambda rows: rows == [{"a": 1}]),
    ("from catalog limit 1", lambda rows: len(rows) == 1 and "dataset_id" in rows[0]),
    ("/* the top one */\nselect dataset_id from catalog order by lqs desc nulls last limit 1",
     lambda rows: rows == [{"dataset_id": "nih-chestxray14"}]),
    ("pragma table_info('catalog')", lambda rows: "dataset_id" in {r["name"] for r in rows}),
    ("pragma show_tables", lambda rows: "facts" in {r["name"] for r in rows}),
    ("pragma database_size", lambda rows: len(rows) == 1),
    ("select current_setting('enable_external_access') as on", lambda rows: rows == [{"on": False}]),
])
def test_read_queries_still_work(warehouse_env, tmp_path, sql, check):  # noqa: F811
    as_json = lqs_in(tmp_path, warehouse_env, "query", sql, "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert check(json.loads(as_json.stdout)), as_json.stdout
    as_csv = lqs_in(tmp_path, warehouse_env, "query", sql, "--csv")
    assert as_csv.returncode == 0 and as_csv.stdout.strip(), as_csv.stderr
    assert list(tmp_path.iterdir()) == []


def test_reader_and_writer_connections_are_sandboxed(warehouse_env, tmp_path):  # noqa: F811
    """Below the statement check: the connections show, diff, fetches and publish use cannot
    touch files or turn the sandbox off either."""
    import shutil

    import duckdb

    from warehouse.db import Warehouse

    copy = tmp_path / "w.duckdb"
    shutil.copyfile(warehouse_env["LQS_WAREHOUSE"], copy)
    warehouse = Warehouse(copy, lock_timeout=5)
    target = tmp_path / "out.csv"
    with warehouse.reader() as con:
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"COPY (select 1) TO '{target}'")
        with pytest.raises(duckdb.InvalidInputException, match="locked"):
            con.execute("SET enable_external_access = true")
    with warehouse.writer("test") as w:
        with pytest.raises(duckdb.PermissionException):
            w.con.execute("select * from read_text('/etc/hostname')")
        with pytest.raises(duckdb.Error):
            w.con.execute(f"COPY (select 1) TO '{target}'")
    assert not target.exists()
