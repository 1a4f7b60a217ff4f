"""Config validation: each mistake is one line naming the file, the entry and the key."""
from __future__ import annotations

import subprocess
import sys

import pytest

from flows.config import ConfigError, load

GOOD = '''
[[source]]
id = "a"
name = "A"
url = "https://example.org/a"
category = "Medical Imaging"
'''


def write_sources(config_dir, text):
    (config_dir / "sources.toml").write_text(text, encoding="utf-8")


def test_bundled_config_loads():
    config = load()
    nih = config.source("nih-chestxray14")
    assert nih.adapter == "box"
    assert nih.annotations.label_column == "Finding Labels"
    assert {c.field for c in nih.curated} >= {"label_provenance", "inner_format"}
    assert all(c.citation for c in nih.curated)
    assert config.lqs["methodology_version"] == "1"


@pytest.mark.parametrize("text, message", [
    (GOOD.replace('category = "Medical Imaging"', 'category = "Medical Imaging"\ncolour = "red"'),
     "sources.toml: source #1 (a): unknown key 'colour'"),
    (GOOD + GOOD, "sources.toml: source #2 (a): duplicate id 'a'"),
    (GOOD.replace('url = "https://example.org/a"\n', ""), "sources.toml: source #1 (a): missing or empty 'url'"),
    (GOOD.replace("Medical Imaging", "Pottery"), "sources.toml: source #1 (a): bad 'category' 'Pottery'"),
    (GOOD.replace("https://example.org/a", "ftp://example.org/a"), "'url' must be an http(s) URL"),
    (GOOD + 'adapter = "nope"\n', "unknown 'adapter' 'nope'"),
    (GOOD + '[source.annotations]\nlabel_column = "x"\n', "annotations: needs 'file'"),
    (GOOD + '[[source.curated]]\nfield = "license"\nvalue = "MIT"\n', "curated #1: missing 'citation'"),
    ("[[source]\n", "sources.toml: invalid TOML"),
])
def test_config_errors_name_file_entry_and_key(config_dir, text, message):
    write_sources(config_dir, text)
    with pytest.raises(ConfigError) as err:
        load(config_dir)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_settings_unknown_key_and_wrong_type(config_dir):
    (config_dir / "settings.toml").write_text("[http]\nretries = 3\ncolour = 1\n")
    with pytest.raises(ConfigError, match=r"settings.toml: \[http\]: unknown key 'colour'"):
        load(config_dir)
    (config_dir / "settings.toml").write_text("[http]\nretries = 'many'\n")
    with pytest.raises(ConfigError, match=r"\[http\] retries: expected int"):
        load(config_dir)


def test_cli_reports_config_error_in_one_line_with_exit_2(config_dir):
    write_sources(config_dir, GOOD + GOOD)
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "--config", str(config_dir), "sources"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "lqs: error: sources.toml: source #2 (a): duplicate id 'a'"
    assert "Traceback" not in proc.stderr


def test_env_overrides_warehouse_path(config_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("LQS_WAREHOUSE", str(tmp_path / "w.duckdb"))
    assert load(config_dir).warehouse_path == tmp_path / "w.duckdb"
    monkeypatch.delenv("LQS_WAREHOUSE")
    assert load(config_dir).warehouse_path == config_dir.parent / "var" / "warehouse.duckdb"
