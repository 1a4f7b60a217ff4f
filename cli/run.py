"""Commands that run the harvest: harvest, refresh, score and serve (Prefect flows in process)."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from cli.app import STATE, UserError, _config, _echo_json, _replay_paths, _source_ids, _warehouse, app

def _run_flow(flow_of, **params) -> dict:
    """Run a Prefect flow in-process (ephemeral API unless PREFECT_API_URL is set). flow_of picks
    the flow object from flows.prefect_flows, which is imported only here (Prefect is slow to
    import)."""
    from flows.prefect_flows import prepare_environment

    prepare_environment()
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows import prefect_flows

    config = _config()
    flow = flow_of(prefect_flows)
    flow_obj = prefect_flows.configured(flow, config)
    # The writer lock first: a busy warehouse is one line, before any server or flow run starts.
    with _warehouse(config).reserve(f"lqs {flow.name}"):
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


@app.command()
def harvest(source_id: str = typer.Argument(..., help="Source id from sources.toml."),
            replay: Optional[list[Path]] = typer.Option(None, "--replay", help="Serve requests from this WARC archive (a file, or a folder of *.warc.gz; repeatable)."),
            as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON.")) -> None:
    """Harvest one source now (a Prefect flow run of harvest-source)."""
    _source_ids(_config(), [source_id])
    summary = _run_flow(lambda flows: flows.harvest_source, source_id=source_id, replay=_replay_paths(replay))
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
    summary = _run_flow(lambda flows: flows.refresh_catalog, only=ids, replay=_replay_paths(replay))
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
