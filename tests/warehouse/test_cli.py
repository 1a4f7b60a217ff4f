"""The warehouse commands are registered on `lqs`, keep `lqs --help` light, and also answer as
`python -m cli` (cli.py then runs as __main__, a second module object)."""
from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from cli import app


def test_help_lists_the_warehouse_commands():
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for command in ("diff", "publish", "query", "migrate", "show"):
        assert f" {command} " in result.output


def test_importing_the_cli_loads_no_heavy_module():
    code = ("import sys, cli; "
            "print(sorted(m for m in ('duckdb', 'pyarrow', 'mlcroissant', 'warehouse.db', 'warehouse.publish') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_python_dash_m_knows_the_warehouse_commands():
    done = subprocess.run([sys.executable, "-m", "cli", "publish", "--help"],
                          capture_output=True, text=True, env={"COLUMNS": "200", "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert "--out" in done.stdout
