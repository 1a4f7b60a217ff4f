"""Commands that read: sources, show, query, extract, fetches and migrate."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from cli.app import STATE, UserError, _config, _echo_json, _source_ids, _warehouse, app

@app.command()
def sources(wide: bool = typer.Option(False, "--wide", help="Also the adapter and enabled columns."),
            as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the catalog's sources."""
    config = _config()
    rows = [{"id": s.id, "name": s.name, "category": s.category, "adapter": s.adapter or "auto",
             "enabled": s.enabled, "url": s.url} for s in config.sources]
    if as_json:
        _echo_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    # Four columns fit 80 characters; a disabled source says so beside its id.
    table = Table(title=f"{len(rows)} sources ({config.dir / 'sources.toml'})")
    columns = ("id", "name", "category", "adapter", "enabled", "url") if wide else ("id", "name", "category", "url")
    for col in columns:
        table.add_column(col, overflow="fold", min_width=8, ratio=2 if col == "url" else 1)
    for r in rows:
        cells = {**r, "enabled": "yes" if r["enabled"] else "no"}
        if not wide and not r["enabled"]:
            cells["id"] = f"{r['id']} (disabled)"
        table.add_row(*[cells[c] for c in columns])
    Console().print(table)


@app.command()
def show(source_id: str = typer.Argument(..., help="Dataset id."),
         as_json: bool = typer.Option(False, "--json", help="Print the card as JSON.")) -> None:
    """Show a dataset's catalog card: facts, the seven dimensions with evidence, LQS, tier and
    status (rated, or provisional and unrated), and the evidence gaps: what would fill each
    dimension that has no evidence."""
    from warehouse.cards import card

    config = _config()
    if not _stored(config, source_id):
        _source_ids(config, [source_id])
    with _warehouse(config).reader() as con:
        data = card(con, source_id)
    if data is None or not data["facts"] and data["lqs"] is None:
        raise UserError(f"{source_id}: not harvested yet (run `lqs harvest {source_id}`)")
    if as_json:
        _echo_json(data)
    else:
        from cli.render import render

        render(data)


def _stored(config, source_id: str) -> bool:
    """True for a dataset the warehouse holds that sources.toml does not name (one harvested by
    `lqs harvest --url`): its card can be shown too."""
    from warehouse.db import WarehouseError

    if any(s.id == source_id for s in config.sources):
        return False
    try:
        with _warehouse(config).reader() as con:
            return bool(con.execute("select count(*) from datasets where dataset_id = ?", [source_id]).fetchone()[0])
    except WarehouseError:
        return False


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
    from cli.render import print_rows

    print_rows(columns, rows, "json" if as_json else "csv" if as_csv else "table")


@app.command()
def extract(file: str = typer.Argument(..., help="A saved page or API response; - reads standard input."),
            url: Optional[str] = typer.Option(None, "--url", help="The URL it was served from."),
            adapter: Optional[str] = typer.Option(None, "--adapter", help="Force an adapter."),
            content_type: Optional[str] = typer.Option(None, "--content-type", help="The Content-Type it was served with.")) -> None:
    """Extract facts from one file, offline, and print them as JSON."""
    from extractors import registry
    from config.load import load_settings
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
def adapters(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the adapters in the order detection asks them, with what each claims."""
    from extractors import registry
    from extractors.claims import Confidence

    rows = registry.describe()
    if as_json:
        _echo_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Adapters, in the order detection asks them: a URL claim (unless the body "
                        "is vetoed), else the highest confidence a probe returns (ties by name), "
                        "else html")
    for col in ("adapter", "claims URLs", "content types", "probe"):
        table.add_column(col, overflow="fold")
    for r in rows:
        levels = ", ".join(f"{name} ({Confidence[name].meaning})" for name in r["levels"])
        urls = "\n".join(r["urls"]) + (f"\nunless: {r['url_check']}" if r["url_check"] else "")
        table.add_row(f"{r['name']} {r['version']}", urls, "\n".join(r["content_types"]),
                      f"{levels}: {r['probe']}" if levels else "")
    Console().print(table)


@app.command()
def fetches(run: Optional[str] = typer.Option(None, "--run", help="Run id (default: the latest run)."),
            host: Optional[str] = typer.Option(None, "--host", help="Only this host."),
            wide: bool = typer.Option(False, "--wide", help="Every column of the ledger (the default fits 80 columns)."),
            as_json: bool = typer.Option(False, "--json", help="Print rows as JSON (every column).")) -> None:
    """List the fetch ledger of a run: every attempt with its outcome."""
    from cli.render import print_rows

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
    if as_json or wide:
        print_rows(columns, rows, "json" if as_json else "table", whole=("outcome",))
    else:
        _print_fetches(columns, rows)
    if not as_json:
        typer.echo(f"run {run_id}: " + "; ".join(f"{h} {o} {n}" for h, o, n in per_host))


FETCH_COLUMNS = ("dataset_id", "url", "outcome", "status", "ms")


def _print_fetches(columns: list[str], rows: list[tuple]) -> None:
    """The narrow ledger: who, what, how it went; then each distinct reason a fetch failed, once,
    in plain words (`--wide` has the raw error of every row, `--json` everything)."""
    from types import SimpleNamespace

    from cli.render import print_rows
    from flows.harvest import fetch_reason

    pick = [columns.index(c) for c in FETCH_COLUMNS]
    print_rows(["dataset", "url", "outcome", "status", "ms"], [tuple(r[i] for i in pick) for r in rows],
               whole=("outcome", "status", "ms"))
    reasons: dict[str, int] = {}
    for r in rows:
        row = dict(zip(columns, r))
        if row["error"]:
            got = SimpleNamespace(url=row["url"], outcome=row["outcome"], error=row["error"])
            why = f"{row['outcome']}: {fetch_reason(got)}"
            reasons[why] = reasons.get(why, 0) + 1
    for why, n in reasons.items():
        typer.echo(f"  {why}" + (f" (×{n})" if n > 1 else ""))


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
