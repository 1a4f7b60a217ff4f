"""Commands that run the harvest: harvest, refresh, score and serve (Prefect flows in process)."""
from __future__ import annotations

import contextlib
import os
import re
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
    try:   # a missing extra is one line, before any server, lock or fetch
        prefect_flows.check_extras(config)
    except prefect_flows.MissingExtra as exc:
        raise UserError(str(exc)) from None
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
    """The run as a table that fits the terminal: short columns whole, the id and the reason a
    source failed folded onto more lines, never cut (the full summary is `--json`)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{summary['kind']} {summary['run_id']}", show_lines=False)
    table.add_column("source", overflow="fold", min_width=8)
    for col in ("status", "facts", "pages", "LQS"):
        table.add_column(col, no_wrap=True)
    table.add_column("error", overflow="fold", min_width=20, ratio=1)
    for s in summary["per_source"]:
        lqs = "" if s["lqs_after"] is None else f"{s['lqs_after']} {s['tier_after']}"
        table.add_row(s["dataset_id"], s["status"], str(s["facts"]), str(s["pages"]), lqs, s["error"] or "")
    console = Console()
    console.print(table)
    console.print(f"{summary['sources_ok']} ok ({summary['sources_unchanged']} unchanged), "
                  f"{summary['sources_failed']} failed, {summary['facts']} facts, "
                  f"{summary['bytes']:,} bytes, {summary['seconds']} s")
    for host, outcomes in sorted(summary.get("hosts", {}).items()):
        console.print(f"  {host}: " + ", ".join(f"{o} {n}" for o, n in sorted(outcomes.items())))


@app.command()
def harvest(source_id: Optional[str] = typer.Argument(None, help="Source id from sources.toml (or use --url)."),
            url: Optional[str] = typer.Option(None, "--url", help="Harvest this URL, which sources.toml need not name; prints its card."),
            category: Optional[str] = typer.Option(None, "--category", help="With --url: the LQS category (one of lqs.toml's; needed unless sources.toml names the URL)."),
            save: bool = typer.Option(False, "--save", help="With --url: append the source to sources.toml after a successful harvest."),
            replay: Optional[list[Path]] = typer.Option(None, "--replay", help="Serve requests from this WARC archive (a file, or a folder of *.warc.gz; repeatable)."),
            as_json: bool = typer.Option(False, "--json", help="Print the run summary (with --url: the card) as JSON.")) -> None:
    """Harvest one source now (a Prefect flow run of harvest-source): a source id, or any URL with --url."""
    if (source_id is None) == (url is None):
        raise UserError("give a source id or --url URL, not both" if source_id else "give a source id or --url URL")
    if source_id is not None:
        if category is not None or save:
            raise UserError("--category and --save go with --url only")
        _source_ids(_config(), [source_id])
        summary = _run_flow(lambda flows: flows.harvest_source, source_id=source_id, replay=_replay_paths(replay))
        _echo_json(summary) if as_json else _print_summary(summary)
        if summary["sources_failed"]:
            raise typer.Exit(1)
        return
    _harvest_url(url, category, save, _replay_paths(replay), as_json)


def _harvest_url(url: str, category: Optional[str], save: bool, replay: Optional[list[str]], as_json: bool) -> None:
    """`lqs harvest --url`: a URL sources.toml names is harvested as that source; any other as
    an ad hoc source whose id is derived from the URL. Then the card, as `lqs show` prints it."""
    from config import edit

    config = _config()
    url = url.strip()
    if not re.match(r"^https?://[^/\s]+", url):
        raise UserError(f"--url must be an http(s) URL (got {url!r})")
    known = edit.configured(config, url)
    if known is not None:
        if save:
            raise UserError(f"{url} is source {known.id!r} in sources.toml already; not saved")
        if category is not None and edit.category_named(config, category) != known.category:
            raise UserError(f"{url} is source {known.id!r} in sources.toml, category {known.category!r}; "
                            "change it there")
        summary = _run_flow(lambda flows: flows.harvest_source, source_id=known.id, replay=replay)
        dataset_id = known.id
    else:
        if category is None:
            raise UserError(f"--category is needed for a URL sources.toml does not name "
                            f"(one of: {', '.join(config.categories)})")
        entry = edit.adhoc_entry(url, edit.category_named(config, category), _new_id(config, url))
        if save:  # refused before the run, not after it
            edit.refuse_duplicate(config, entry)
        summary = _run_flow(lambda flows: flows.harvest_source, source=entry, replay=replay)
        dataset_id = entry["id"]
    if summary["sources_failed"]:
        _echo_json(summary) if as_json else _print_summary(summary)
        if save:
            typer.echo("lqs: not saved to sources.toml: the harvest failed", err=True)
        raise typer.Exit(1)
    data = _card(config, dataset_id)
    if as_json:
        _echo_json(data)
    else:
        from cli.render import render

        render(data)
    if save:
        title = data["facts"].get("title")
        if isinstance(title, str) and title.strip():   # the page's own name reads better than the URL
            entry["name"] = title.strip()
        path = edit.append_source(config, entry)
        typer.echo(f"saved [[source]] id = {entry['id']!r} to {path}", err=True)


def _new_id(config, url: str) -> str:
    """The id url_id derives, unique among configured sources and datasets of other URLs in the
    warehouse (an earlier ad hoc harvest of this URL keeps its id)."""
    from config import edit
    from warehouse.db import WarehouseError

    taken = {s.id for s in config.sources}
    try:
        with _warehouse(config).reader() as con:
            rows = con.execute("select dataset_id, source_url from datasets").fetchall()
    except WarehouseError:   # no warehouse yet: nothing stored to clash with
        rows = []
    taken |= {d for d, u in rows if not edit.same_url(u or "", url)}
    return edit.url_id(url, taken)


def _card(config, dataset_id: str) -> dict:
    from warehouse.cards import card

    with _warehouse(config).reader() as con:
        return card(con, dataset_id)


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
    from scoring.lqs import DIMENSIONS
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
        typer.echo(f"{dataset_id}: LQS {s['composite']} · {s['tier']} "
                   f"({s['evidenced']} of {len(DIMENSIONS)} dimensions have evidence)")
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
