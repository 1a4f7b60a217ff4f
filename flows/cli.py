"""`lqs`: the command line. Thin: each command parses, calls the library, prints.

Prefect and DuckDB are imported inside the commands that need them, so `lqs --help` and
`lqs query` start fast. User errors print one line and exit 2; no stack traces.
"""
from __future__ import annotations

import contextlib
import difflib
import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Harvest dataset metadata into a DuckDB warehouse and score it with LQS.")
STATE: dict = {"config_dir": None}


class UserError(Exception):
    """Printed as one line; exit code 2."""


@app.callback()
def main_options(config: Optional[Path] = typer.Option(
        None, "--config", help="Config folder (default: env LQS_CONFIG, else the bundled config/).")) -> None:
    STATE["config_dir"] = str(config) if config else None
    if config:  # flows and served deployments read the same folder
        os.environ["LQS_CONFIG"] = str(config.resolve())


# ------------------------------------------------------------------------ helpers
def _config():
    from flows.config import load

    return load(STATE["config_dir"])


def _source_ids(config, ids: list[str]) -> list[str]:
    known = [s.id for s in config.sources]
    for source_id in ids:
        if source_id not in known:
            close = difflib.get_close_matches(source_id, known, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(known[:10])}"
            raise UserError(f"unknown source id {source_id!r}{hint}")
    return ids


def _warehouse(config):
    from warehouse.db import Warehouse

    return Warehouse(config.warehouse_path, config.settings["warehouse"]["lock_timeout"])


def _replay_paths(replay: Optional[list[Path]]) -> Optional[list[str]]:
    if not replay:
        return None
    for path in replay:
        if not path.exists():
            raise UserError(f"{path}: replay archive not found")
    return [str(p) for p in replay]


def _echo_json(value) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _run_flow(flow_name: str, **params) -> dict:
    """Run a Prefect flow in-process (ephemeral API unless PREFECT_API_URL is set)."""
    from flows.prefect_flows import prepare_environment

    prepare_environment()
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows import prefect_flows

    config = _config()
    flow_obj = prefect_flows.configured(getattr(prefect_flows, flow_name), config)
    # The writer lock first: a busy warehouse is one line, before any server or flow run starts.
    with _warehouse(config).reserve(f"lqs {flow_name.replace('_', '-')}"):
        prefect_flows.start_temporary_server()
        with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}), _progress():
            return flow_obj(config_dir=STATE["config_dir"], **params)


@contextlib.contextmanager
def _progress():
    """A progress bar over sources written, on a terminal only (logs and pipes stay clean)."""
    if not sys.stdout.isatty():
        yield
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.pipeline import PROGRESS_HOOKS

    with Progress(TextColumn("sources"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task("harvest", total=None)

        def hook(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        PROGRESS_HOOKS.append(hook)
        try:
            yield
        finally:
            PROGRESS_HOOKS.remove(hook)


def _print_summary(summary: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{summary['kind']} {summary['run_id']}", show_lines=False)
    for col in ("source", "status", "facts", "pages", "LQS", "error"):
        table.add_column(col)
    for s in summary["per_source"]:
        lqs = "" if s["lqs_after"] is None else f"{s['lqs_after']} {s['tier_after']}"
        table.add_row(s["dataset_id"], s["status"], str(s["facts"]), str(s["pages"]), lqs, (s["error"] or "")[:80])
    console = Console()
    console.print(table)
    console.print(f"{summary['sources_ok']} ok ({summary['sources_unchanged']} unchanged), "
                  f"{summary['sources_failed']} failed, {summary['facts']} facts, "
                  f"{summary['bytes']:,} bytes, {summary['seconds']} s")
    for host, outcomes in sorted(summary.get("hosts", {}).items()):
        console.print(f"  {host}: " + ", ".join(f"{o} {n}" for o, n in sorted(outcomes.items())))


# ------------------------------------------------------------------------ commands
@app.command()
def sources(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the catalog's sources."""
    config = _config()
    rows = [{"id": s.id, "name": s.name, "category": s.category, "adapter": s.adapter or "auto",
             "enabled": s.enabled, "url": s.url} for s in config.sources]
    if as_json:
        _echo_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} sources ({config.dir / 'sources.toml'})")
    for col in ("id", "name", "category", "adapter", "enabled", "url"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["id"], r["name"], r["category"], r["adapter"], "yes" if r["enabled"] else "no", r["url"])
    Console().print(table)


@app.command()
def harvest(source_id: str = typer.Argument(..., help="Source id from sources.toml."),
            replay: Optional[list[Path]] = typer.Option(None, "--replay", help="Serve requests from this WARC archive (a file, or a folder of *.warc.gz; repeatable)."),
            as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON.")) -> None:
    """Harvest one source now (a Prefect flow run of harvest-source)."""
    _source_ids(_config(), [source_id])
    summary = _run_flow("harvest_source", source_id=source_id, replay=_replay_paths(replay))
    _echo_json(summary) if as_json else _print_summary(summary)
    if summary["sources_failed"]:
        raise typer.Exit(1)


@app.command()
def refresh(replay: Optional[list[Path]] = typer.Option(None, "--replay", help="Serve requests from this WARC archive (a file, or a folder of *.warc.gz; repeatable)."),
            only: Optional[str] = typer.Option(None, "--only", help="Comma-separated source ids."),
            as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON.")) -> None:
    """Refresh the whole catalog (a Prefect flow run of refresh-catalog)."""
    config = _config()
    ids = _source_ids(config, [s.strip() for s in only.split(",") if s.strip()]) if only else None
    summary = _run_flow("refresh_catalog", only=ids, replay=_replay_paths(replay))
    _echo_json(summary) if as_json else _print_summary(summary)
    if summary["sources_failed"] and not summary["sources_ok"]:
        raise typer.Exit(1)


@app.command()
def score(source_id: Optional[str] = typer.Argument(None, help="Only this dataset.")) -> None:
    """Rescore datasets from the facts already in the warehouse."""
    from flows.pipeline import new_run_id
    from scoring.run import score_datasets
    from warehouse.load import finish_run, start_run

    config = _config()
    ids = _source_ids(config, [source_id]) if source_id else None
    run_id = new_run_id()
    with _warehouse(config).writer(f"score run {run_id}") as w:
        start_run(w, run_id, "score", None, None)
        out = score_datasets(w, run_id, config.lqs, ids)
        finish_run(w, run_id, "ok", {"scored": len(out)})
    for dataset_id, s in sorted(out.items()):
        typer.echo(f"{dataset_id}: LQS {s['composite']} {s['tier']} (coverage {s['coverage']:.0%})")
    if not out:
        typer.echo("nothing to score: no harvested facts yet")


@app.command()
def show(source_id: str = typer.Argument(..., help="Dataset id."),
         as_json: bool = typer.Option(False, "--json", help="Print the card as JSON.")) -> None:
    """Show a dataset's catalog card: facts, the seven dimensions with evidence, LQS and tier."""
    from warehouse.cards import card

    config = _config()
    _source_ids(config, [source_id])
    with _warehouse(config).reader() as con:
        data = card(con, source_id)
    if data is None or not data["facts"] and data["lqs"] is None:
        raise UserError(f"{source_id}: not harvested yet (run `lqs harvest {source_id}`)")
    if as_json:
        _echo_json(data)
    else:
        from flows.show import render

        render(data)


@app.command()
def query(sql: Optional[str] = typer.Argument(None, help="SQL to run: one read statement."),
          file: Optional[Path] = typer.Option(None, "--file", help="Read the SQL from a file."),
          as_json: bool = typer.Option(False, "--json", help="Print rows as JSON."),
          as_csv: bool = typer.Option(False, "--csv", help="Print rows as CSV."),
          timeout: float = typer.Option(30.0, "--timeout", metavar="SECONDS",
                                        help="Stop the query after this many seconds.")) -> None:
    """Run one read-only SQL statement (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN,
    read-only PRAGMAs) against the warehouse. It cannot read or write other files, load
    extensions or change settings."""
    if file is not None:
        if not file.is_file():
            raise UserError(f"{file}: query file not found")
        sql = file.read_text("utf-8")
    if not sql or not sql.strip():
        raise UserError("no SQL given (pass it as an argument or with --file)")
    if not timeout > 0:
        raise UserError(f"--timeout must be > 0 seconds (got {timeout:g})")
    from warehouse.db import run_read_query

    config = _config()
    with _warehouse(config).reader() as con:
        columns, rows = run_read_query(con, sql, timeout)
    from flows.show import print_rows

    print_rows(columns, rows, "json" if as_json else "csv" if as_csv else "table")


@app.command()
def extract(file: str = typer.Argument(..., help="A saved page or API response; - reads standard input."),
            url: Optional[str] = typer.Option(None, "--url", help="The URL it was served from."),
            adapter: Optional[str] = typer.Option(None, "--adapter", help="Force an adapter."),
            content_type: Optional[str] = typer.Option(None, "--content-type", help="The Content-Type it was served with.")) -> None:
    """Extract facts from one file, offline, and print them as JSON."""
    from extractors import registry
    from flows.config import load_settings
    from flows.extract_budget import Budget, ExtractTimeout, extract_document

    seconds = load_settings(STATE["config_dir"])["run"]["extract_timeout"]
    try:
        body = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        _echo_json({"error": f"{file}: {exc.strerror or exc}"})
        raise typer.Exit(2)
    try:
        if adapter is not None and adapter not in registry.module_names():
            registry.get(adapter)   # KeyError naming the known adapters
        # The same budget as a harvest: a runaway document ends with one line, not a hang.
        with Budget(seconds) as budget:
            out = budget.call(extract_document, body, url, adapter, content_type, what=file)
    except KeyError as exc:
        _echo_json({"error": str(exc.args[0]) if exc.args else "unknown adapter"})
        raise typer.Exit(2)
    except ExtractTimeout as exc:
        raise UserError(f"extraction of {file} took longer than {exc.seconds:g} s ({exc.reason})") from None
    _echo_json(out)
    if out.get("error"):
        raise typer.Exit(2)


@app.command()
def fetches(run: Optional[str] = typer.Option(None, "--run", help="Run id (default: the latest run)."),
            host: Optional[str] = typer.Option(None, "--host", help="Only this host."),
            as_json: bool = typer.Option(False, "--json", help="Print rows as JSON.")) -> None:
    """List the fetch ledger of a run: every attempt with its outcome."""
    from flows.show import print_rows

    config = _config()
    with _warehouse(config).reader() as con:
        run_id = run or (con.execute("select run_id from runs where kind <> 'score' order by started_at desc limit 1").fetchone() or [None])[0]
        if run_id is None:
            raise UserError("no runs yet")
        if not con.execute("select count(*) from runs where run_id = ?", [run_id]).fetchone()[0]:
            raise UserError(f"unknown run {run_id!r}")
        params = [run_id] + ([host] if host else [])
        cur = con.execute(f"""select dataset_id, url, purpose, attempt, status, outcome, bytes, round(elapsed_ms) as ms,
                                    retry_after, error from fetches where run_id = ?
                                    {'and host = ?' if host else ''} order by fetched_at""", params)
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
        per_host = con.execute(f"""select host, outcome, count(*) from fetches where run_id = ?
                                   {'and host = ?' if host else ''} group by all order by 1, 2""", params).fetchall()
    print_rows(columns, rows, "json" if as_json else "table")
    if not as_json:
        typer.echo(f"run {run_id}: " + "; ".join(f"{h} {o} {n}" for h, o, n in per_host))


@app.command()
def migrate(dry_run: bool = typer.Option(False, "--dry-run", help="Only show what would run.")) -> None:
    """Apply pending warehouse migrations (schema upgrades in place)."""
    config = _config()
    todo = _warehouse(config).migrate_in_place(dry_run=dry_run)
    verb = "would apply" if dry_run else "applied"
    if not todo:
        typer.echo("warehouse schema is up to date")
    for m in todo:
        typer.echo(f"{verb} {m.version:03d}_{m.name}")


# Command groups kept in their own modules (cheap to import: heavy imports stay inside commands).
from flows import cli_warehouse  # noqa: E402,F401  (registers diff, publish)


@app.command()
def serve() -> None:
    """Serve the deployments from this process: refresh-catalog on its schedule, harvest-source on demand."""
    from flows.prefect_flows import prepare_environment

    prepare_environment()
    if not os.environ.get("PREFECT_API_URL"):
        raise UserError("set PREFECT_API_URL to a Prefect server (`prefect server start`); schedules need one")
    from prefect import serve as prefect_serve

    from flows import prefect_flows

    config = _config()
    schedule = config.settings["schedule"]
    typer.echo(f"serving refresh-catalog/{prefect_flows.REFRESH_DEPLOYMENT} (cron {schedule['cron']!r} "
               f"{schedule['timezone']}) and harvest-source/{prefect_flows.HARVEST_DEPLOYMENT}")
    prefect_serve(*prefect_flows.deployments(config))


def _user_error_types() -> tuple:
    """User-facing error classes of the modules loaded so far (imports stay lazy)."""
    from flows.config import ConfigError

    types = [UserError, ConfigError]
    if "warehouse.db" in sys.modules:
        types.append(sys.modules["warehouse.db"].WarehouseError)
    if "flows.archive" in sys.modules:
        types.append(sys.modules["flows.archive"].ArchiveError)
    return tuple(types)


def main() -> None:
    """Entry point: runs the app and turns user errors into one line and exit code 2."""
    try:
        app(standalone_mode=True)
    except KeyboardInterrupt:
        typer.echo("lqs: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if isinstance(exc, _user_error_types()):
            typer.echo(f"lqs: error: {exc}", err=True)
            sys.exit(2)
        raise


if __name__ == "__main__":
    # `python -m flows.cli` runs this file as __main__, a second copy of the module; use the
    # imported flows.cli so its commands and error classes are the ones registered and caught.
    from flows.cli import main as _main

    _main()
