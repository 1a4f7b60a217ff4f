"""Warehouse commands of `lqs` (history, publishing); registered on the main app.

DuckDB, pyarrow and the warehouse modules are imported inside the commands (`lqs --help` stays fast).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from cli.app import _config, _echo_json, _source_ids, _warehouse, app

KIND_LABEL = {"dataset": "dataset", "fact": "field", "lqs": "LQS", "dimension": "dimension"}


def diff(since: Optional[str] = typer.Option(
             None, "--since", help="A run id (that run and later) or a UTC date (YYYY-MM-DD[THH:MM]). "
                                   "Default: the latest harvest/refresh run and the score runs after it."),
         dataset: Optional[str] = typer.Option(None, "--dataset", help="Only this dataset id."),
         as_json: bool = typer.Option(False, "--json", help="Print the changes as JSON.")) -> None:
    """What changed: fields that appeared, disappeared or changed, LQS and tier moves, withdrawn
    sources. Licence and commercial-use changes come first."""
    from warehouse.history import changes_since

    config = _config()
    if dataset:
        _source_ids(config, [dataset])
    with _warehouse(config).reader() as con:
        rows = changes_since(con, since, dataset)
    if as_json:
        _echo_json(rows)
        return
    _print_changes(rows)


def _print_changes(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from warehouse.history import describe

    console = Console()
    if not rows:
        console.print("no changes in this window")
        return
    table = Table(show_lines=False)
    for col in ("", "when", "dataset", "what", "change", "old → new", "run"):
        table.add_column(col, overflow="fold")
    for r in rows:
        mark = "[bold red]⚠ licence[/bold red]" if r["flagged"] else ""
        what = f"{KIND_LABEL.get(r['kind'], r['kind'])} {r['item'] or ''}".strip()
        table.add_row(mark, str(r["changed_at"])[:19], r["dataset_id"], what, r["change"],
                      escape(describe(r)), r["run_id"])
    console.print(table)
    flagged = sum(r["flagged"] for r in rows)
    console.print(f"{len(rows)} change{'s' if len(rows) != 1 else ''}"
                  + (f", {flagged} licence/commercial-use" if flagged else ""))


def publish(out: Path = typer.Option(..., "--out", help="Folder to publish into (created if missing)."),
            as_json: bool = typer.Option(False, "--json", help="Print the publish report as JSON.")) -> None:
    """Write the catalog, latest LQS, changes since the last publish, one card and one Croissant
    JSON-LD per dataset, and manifest.json into a folder. Unchanged files are left as they are."""
    from warehouse.publish import publish as run_publish
    from warehouse.publish import report_dict

    config = _config()
    report = run_publish(_warehouse(config), out)
    if as_json:
        _echo_json(report_dict(report))
        return
    window = f"since {report.changes_since[:19]}" if report.changes_since else "since the first run"
    typer.echo(f"published {len(report.files)} files to {report.out_dir}: {len(report.written)} written, "
               f"{len(report.files) - len(report.written)} unchanged, {len(report.removed)} removed; "
               f"{report.changes} change{'s' if report.changes != 1 else ''} {window}")


def compact(keep_runs: Optional[int] = typer.Option(
                None, "--keep-runs", help="Keep the bookkeeping of the N latest runs; compact the older ones."),
            before: Optional[str] = typer.Option(
                None, "--before", help="Compact runs started before this UTC date (YYYY-MM-DD[THH:MM])."),
            dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be removed; change nothing."),
            as_json: bool = typer.Option(False, "--json", help="Print the report as JSON.")) -> None:
    """Drop old runs' bookkeeping that nothing needs (fetch ledger rows, unchanged source runs,
    empty run rows), keep the change history, and give the space back (the file is rewritten)."""
    from warehouse.compact import compact as run_compact
    from warehouse.compact import parse_before

    config = _config()
    cut = parse_before(before) if before is not None else None
    report = run_compact(_warehouse(config), keep_runs, cut, dry_run)
    if as_json:
        _echo_json(report.as_dict())
        return
    verb = "would remove" if dry_run else "removed"
    typer.echo(f"{verb} from {report.runs_before_cut} run(s) before the cut: {report.fetches} fetch ledger rows, "
               f"{report.source_runs} unchanged source runs, {report.runs} run rows")
    if not dry_run:
        typer.echo(f"{report.path}: {_mb(report.bytes_before)} -> {_mb(report.bytes_after)}")


def _mb(size: int | None) -> str:
    return f"{(size or 0) / 1e6:.1f} MB"


app.command()(diff)
app.command()(publish)
app.command()(compact)
