"""`lqs`, the command line: a thin shell over the library. Prefect and DuckDB are imported inside
the commands that need them, so `lqs --help` starts fast."""
from cli.app import app, main

from cli import read, run, warehouse  # noqa: E402,F401  (each module registers its commands)

__all__ = ["app", "main"]
