"""The `lqs` application: the Typer app, the helpers every command shares, and main(), which
turns user errors into one line and exit code 2. The commands live in cli/read.py, cli/run.py and
cli/warehouse.py; each parses, calls the library, prints.

Prefect and DuckDB are imported inside the commands that need them, so `lqs --help` and
`lqs query` start fast. User errors print one line and exit 2; no stack traces.
"""
from __future__ import annotations

import difflib
import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Harvest dataset metadata into a DuckDB warehouse and score it with LQS.")
STATE: dict = {"config_dir": None, "config": None}


class UserError(Exception):
    """Printed as one line; exit code 2."""


@app.callback()
def main_options(config: Optional[Path] = typer.Option(
        None, "--config", help="Config folder (default: env LQS_CONFIG, else the bundled config/).")) -> None:
    STATE["config_dir"] = str(config) if config else None
    STATE["config"] = None
    if config:  # flows and served deployments read the same folder
        os.environ["LQS_CONFIG"] = str(config.resolve())


# ------------------------------------------------------------------------ helpers
def _config():
    """The command's configuration, loaded once and passed down from here."""
    if STATE.get("config") is None:
        from config.load import load

        STATE["config"] = load(STATE["config_dir"])
    return STATE["config"]


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


def _user_error_types() -> tuple:
    """User-facing error classes of the modules loaded so far (imports stay lazy)."""
    from config.load import ConfigError

    types = [UserError, ConfigError]
    if "warehouse.db" in sys.modules:
        types.append(sys.modules["warehouse.db"].WarehouseError)
    if "fetch.archive" in sys.modules:
        types.append(sys.modules["fetch.archive"].ArchiveError)
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
