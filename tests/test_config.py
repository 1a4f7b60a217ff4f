"""Config validation: each mistake is one line naming the file, the entry and the key; every
number in settings.toml has a range, the cron and time zone parse, host tables are checked."""
from __future__ import annotations

import subprocess
import sys

import pytest

from config.load import DEFAULT_SETTINGS, HOST_DEFAULTS, HOST_RANGES, RANGES, ConfigError, load

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
    assert config.lqs["methodology_version"] == "1.1"


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
    proc = subprocess.run([sys.executable, "-m", "cli", "--config", str(config_dir), "sources"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "lqs: error: sources.toml: source #2 (a): duplicate id 'a'"
    assert "Traceback" not in proc.stderr


def test_env_overrides_warehouse_path(config_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("LQS_WAREHOUSE", str(tmp_path / "w.duckdb"))
    assert load(config_dir).warehouse_path == tmp_path / "w.duckdb"
    monkeypatch.delenv("LQS_WAREHOUSE")
    assert load(config_dir).warehouse_path == config_dir.parent / "var" / "warehouse.duckdb"


# --------------------------------------------------------------------------- settings ranges

def write_settings(config_dir, text):
    (config_dir / "settings.toml").write_text(text, encoding="utf-8")


def numeric(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def out_of_range(allowed) -> int:
    """A value just outside the range (the bound itself when the bound is exclusive)."""
    if allowed.above is not None:
        return int(allowed.above)
    if allowed.at_least is not None:
        return int(allowed.at_least) - 1
    return int(allowed.at_most) + 1


NUMBERS = [(section, key) for section, values in DEFAULT_SETTINGS.items() if section != "hosts"
           for key, value in values.items() if numeric(value)]


def test_every_number_in_the_settings_has_a_range():
    assert NUMBERS and all(key in RANGES.get(section, {}) for section, key in NUMBERS), \
        [f"[{s}] {k}" for s, k in NUMBERS if k not in RANGES.get(s, {})]
    assert {k for k, v in HOST_DEFAULTS.items() if numeric(v)} == set(HOST_RANGES)


def test_the_defaults_and_the_shipped_settings_pass(config_dir):
    from pathlib import Path

    shipped = load(Path(__file__).resolve().parents[1] / "config").settings   # config/settings.toml as shipped
    assert shipped["http"]["max_archive_members"] == DEFAULT_SETTINGS["http"]["max_archive_members"]
    write_settings(config_dir, "")              # the defaults alone
    assert load(config_dir).settings["http"]["read_timeout"] == DEFAULT_SETTINGS["http"]["read_timeout"]


@pytest.mark.parametrize("section, key", NUMBERS, ids=[f"{s}.{k}" for s, k in NUMBERS])
def test_a_number_out_of_range_is_one_line(config_dir, section, key):
    allowed = RANGES[section][key]
    bad = out_of_range(allowed)
    write_settings(config_dir, f"[{section}]\n{key} = {bad}\n")
    with pytest.raises(ConfigError) as err:
        load(config_dir)
    bound = f"> {allowed.above:g}" if allowed.above is not None else f">= {allowed.at_least:g}"
    assert str(err.value) == f"settings.toml: [{section}] {key} must be {bound} (got {bad})"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_float_setting_must_be_finite(config_dir, value):
    write_settings(config_dir, f"[http]\nread_timeout = {value}\n")
    with pytest.raises(ConfigError, match=r"^settings.toml: \[http\] read_timeout must be a finite number"):
        load(config_dir)


@pytest.mark.parametrize("text, message", [
    ("[http]\nretries = true\n", "[http] retries: expected int, got bool"),
    ("[http]\nmax_redirects = 2.5\n", "[http] max_redirects: expected int, got float"),
    ('[run]\ntask_runner = "processes"\n', "[run] task_runner must be one of threads, dask (got 'processes')"),
    ('[http]\nuser_agent = " "\n', "[http] user_agent must not be empty"),
    ('[warehouse]\npath = ""\n', "[warehouse] path must not be empty"),
    ("[politeness]\nignore_robots_hosts = [1]\n", "[politeness] ignore_robots_hosts must be a list of host names"),
    ('[schedule]\ncron = "61 2 * * *"\n', "[schedule] cron is not a valid cron expression"),
    ('[schedule]\ncron = "0 2 * *"\n', "[schedule] cron is not a valid cron expression"),
    ('[schedule]\ncron = "H 2 * * *"\n', "[schedule] cron is not a valid cron expression"),
    ('[schedule]\ntimezone = "Mars/Olympus"\n',
     "[schedule] timezone is not a known IANA time zone (got 'Mars/Olympus')"),
    ('[schedule]\ntimezone = "../../etc/passwd"\n', "[schedule] timezone is not a known IANA time zone"),
    ('[schedule]\ntimezone = ""\n', "[schedule] timezone is not a known IANA time zone"),
])
def test_other_bad_settings_are_one_line(config_dir, text, message):
    write_settings(config_dir, text)
    with pytest.raises(ConfigError) as err:
        load(config_dir)
    assert str(err.value).startswith(f"settings.toml: {message}") and "\n" not in str(err.value)


@pytest.mark.parametrize("cron", ["0 2 * * *", "*/15 * * * 1-5", "0 3 1 jan *", "@daily", "@hourly"])
def test_good_cron_expressions_and_zones_pass(config_dir, cron):
    write_settings(config_dir, f'[schedule]\ncron = "{cron}"\ntimezone = "Europe/Berlin"\n')
    assert load(config_dir).settings["schedule"]["cron"] == cron


HOST = '[hosts."huggingface.co"]\n'


@pytest.mark.parametrize("text, message", [
    (HOST + "min_delay = -1\n", '[hosts."huggingface.co"] min_delay must be >= 0 (got -1)'),
    (HOST + "per_host_concurrency = 0\n", '[hosts."huggingface.co"] per_host_concurrency must be >= 1 (got 0)'),
    (HOST + "token_port = 0\n", '[hosts."huggingface.co"] token_port must be >= 1 (got 0)'),
    (HOST + "token_port = 70000\n", '[hosts."huggingface.co"] token_port must be <= 65535 (got 70000)'),
    (HOST + 'allow_http_token = "yes"\n', '[hosts."huggingface.co"] allow_http_token: expected bool, got str'),
    (HOST + "obey_robots = 1\n", '[hosts."huggingface.co"] obey_robots: expected bool, got int'),
    (HOST + "token_env = 5\n", '[hosts."huggingface.co"] token_env: expected str, got int'),
    (HOST + 'token_env = "HF TOKEN"\n', '[hosts."huggingface.co"] token_env must name an environment variable'),
    (HOST + 'user_agent = ""\n', '[hosts."huggingface.co"] user_agent must not be empty'),
    (HOST + "colour = 1\n", "[hosts.\"huggingface.co\"]: unknown key 'colour'"),
    ('[hosts]\n"huggingface.co" = 1\n', '[hosts."huggingface.co"] must be a table'),
    ('[hosts."https://huggingface.co"]\ntoken_env = "X"\n', '[hosts."https://huggingface.co"]: not a bare'),
    ('[hosts."huggingface.co:443"]\ntoken_env = "X"\n', '[hosts."huggingface.co:443"]: not a bare'),
    ('[hosts."HuggingFace.co"]\ntoken_env = "X"\n', '[hosts."HuggingFace.co"]: not a bare'),
])
def test_bad_host_tables_are_one_line(config_dir, text, message):
    write_settings(config_dir, text)
    with pytest.raises(ConfigError) as err:
        load(config_dir)
    assert str(err.value).startswith(f"settings.toml: {message}") and "\n" not in str(err.value)


def test_good_host_tables_pass(config_dir):
    write_settings(config_dir, HOST + 'token_env = "HF_TOKEN"\ntoken_port = 8443\nallow_http_token = false\n'
                   'min_delay = 0\nper_host_concurrency = 1\n[hosts."::1"]\nobey_robots = false\n')
    hosts = load(config_dir).settings["hosts"]
    assert hosts["huggingface.co"] == {"token_env": "HF_TOKEN", "token_port": 8443, "allow_http_token": False,
                                       "min_delay": 0.0, "per_host_concurrency": 1}
    assert hosts["::1"] == {"obey_robots": False}


def test_lqs_sources_refuses_a_bad_setting_in_one_line_with_exit_2(config_dir):
    write_settings(config_dir, "[http]\nread_timeout = -1\n")
    proc = subprocess.run([sys.executable, "-m", "cli", "--config", str(config_dir), "sources"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "lqs: error: settings.toml: [http] read_timeout must be > 0 (got -1)"
