"""`lqs harvest --url`: any URL harvested as a normal run (adapter detected, id from the URL),
its card printed, and `--save` appending a checked [[source]] to sources.toml with its comments
kept. The CLI runs as a real process against the demo archive, in Prefect's ephemeral mode."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from config.edit import adhoc_entry, append_source, same_url, url_id
from config.load import ConfigError, load

ROOT = Path(__file__).resolve().parents[1]
DEMO = str(ROOT / "demo" / "demo.warc.gz")
MNIST = "https://huggingface.co/api/datasets/ylecun/mnist"
MNIST_ID = "huggingface.co-api-datasets-ylecun-mnist"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """One Prefect home for the module (started fresh once), a warehouse of its own."""
    tmp = tmp_path_factory.mktemp("harvest-url")
    out = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")}
    out.update({"PREFECT_HOME": str(tmp / "prefect"), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "LQS_WAREHOUSE": str(tmp / "w.duckdb"),
                "LQS_ARCHIVE": str(tmp / "archive"), "PYTHONPATH": str(ROOT)})
    return out


def without_mnist(config_dir: Path) -> Path:
    """The config copy with its MNIST entry removed, so MNIST's URL is one no config names."""
    path = config_dir / "sources.toml"
    text, n = re.subn(r'\[\[source\]\]\nid = "mnist"\n(?:.+\n)*\n', "", path.read_text())
    assert n == 1
    path.write_text(text)
    return config_dir


def lqs(*args, env, timeout=300):
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=timeout)


# ------------------------------------------------------------------ ids and the sources.toml writer
@pytest.mark.parametrize("url, expected", [
    (MNIST, MNIST_ID),
    ("https://www.openml.org/api/v1/json/data/61", "openml.org-api-v1-json-data-61"),
    ("https://Zenodo.org/records/1234/", "zenodo.org-records-1234"),
    ("https://dataverse.harvard.edu/dataset.xhtml?persistentId=doi:10.7910/DVN/DBW86T",
     "dataverse.harvard.edu-dataset.xhtml-persistentid-doi-10.7910-dvn-dbw86t"),
    ("http://127.0.0.1:8080/a/b", "127.0.0.1-8080-a-b"),
])
def test_url_id_is_a_readable_slug_of_host_and_path(url, expected):
    assert url_id(url) == expected == url_id(url)   # deterministic


def test_url_id_is_a_valid_unique_source_id(config_dir):
    from config.load import ID_RE

    long = "https://example.org/" + "very-long-path/" * 20
    assert len(url_id(long)) <= 100 and ID_RE.match(url_id(long))
    assert url_id(long) != url_id(long + "x")
    taken = url_id("https://example.org/a")   # another URL has that id already: a hash tells them apart
    other = url_id("https://example.org/a", {taken})
    assert other.startswith("example.org-a-") and other != taken and ID_RE.match(other)
    assert same_url("https://HuggingFace.co/api/x/", "https://huggingface.co/api/x")


def test_append_keeps_comments_and_layout_and_refuses_duplicates(config_dir):
    path = config_dir / "sources.toml"
    before = path.read_text()
    config = load(config_dir)
    entry = adhoc_entry("https://example.org/data/set-1", "Tabular", url_id("https://example.org/data/set-1"))
    entry["name"] = 'A "quoted" name'
    append_source(config, entry)
    after = path.read_text()
    assert after.startswith(before.rstrip("\n") + "\n\n[[source]]\n")   # every byte before it kept
    assert "# The source catalog: one [[source]] per dataset." in after
    src = load(config_dir).source("example.org-data-set-1")
    assert (src.name, src.url, src.category, src.adapter) == ('A "quoted" name', entry["url"], "Tabular", None)
    with pytest.raises(ConfigError, match="id 'example.org-data-set-1' exists already; not saved"):
        append_source(load(config_dir), entry)
    with pytest.raises(ConfigError, match="is a url of source 'mnist' already; not saved"):
        append_source(load(config_dir), adhoc_entry(MNIST + "/", "Tabular", "fresh-id"))
    with pytest.raises(ConfigError, match="bad 'category'"):
        append_source(load(config_dir), adhoc_entry("https://example.org/z", "Nope", "z"))
    assert path.read_text() == after


# ------------------------------------------------------------------ the command, one-line errors
@pytest.mark.parametrize("args, message", [
    (("harvest",), "lqs: error: give a source id or --url URL"),
    (("harvest", "mnist", "--url", MNIST), "lqs: error: give a source id or --url URL, not both"),
    (("harvest", "mnist", "--save"), "lqs: error: --category and --save go with --url only"),
    (("harvest", "--url", "ftp://example.org/x"), "lqs: error: --url must be an http(s) URL"),
    (("harvest", "--url", "https://example.org/x"),
     "lqs: error: --category is needed for a URL sources.toml does not name (one of: Medical Imaging, "),
    (("harvest", "--url", "https://example.org/x", "--category", "Cats"), "lqs: error: unknown category 'Cats'"),
    (("harvest", "--url", MNIST, "--save"), "lqs: error: https://huggingface.co/api/datasets/ylecun/mnist is "
                                            "source 'mnist' in sources.toml already; not saved"),
])
def test_bad_use_is_one_line_with_exit_2(env, args, message):
    proc = lqs(*args, env=env, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith(message) and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert not Path(env["PREFECT_HOME"]).exists() or not list(Path(env["PREFECT_HOME"]).glob("*.db")), \
        "a flow ran for a command refused up front"


# ------------------------------------------------------------------ real runs
def test_a_configured_url_prints_that_sources_card(env):
    """The issue's done-when: MNIST's URL is in the bundled sources.toml, so it is harvested as
    that source, under its id and category."""
    proc = lqs("harvest", "--url", MNIST, "--replay", DEMO, "--json", env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    card = json.loads(proc.stdout)
    assert (card["dataset_id"], card["name"], card["category"]) == ("mnist", "MNIST", "Computer Vision")
    assert card["facts"]["item_count"] == 70000 and card["facts"]["license"] == "MIT"
    assert card["lqs"]["composite"] is not None


def test_an_unknown_url_is_harvested_shown_and_saved(env, config_dir):
    config_dir = without_mnist(config_dir)
    before = (config_dir / "sources.toml").read_text()
    proc = lqs("--config", str(config_dir), "harvest", "--url", MNIST, "--category", "computer vision",
               "--replay", DEMO, "--json", "--save", env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    card = json.loads(proc.stdout)   # stdout is the card alone
    assert (card["dataset_id"], card["category"], card["source_url"]) == (MNIST_ID, "Computer Vision", MNIST)
    assert card["facts"]["item_count"] == 70000 and card["provenance"]["item_count"]["extractor"].startswith("huggingface@")
    assert f"saved [[source]] id = '{MNIST_ID}'" in proc.stderr

    after = (config_dir / "sources.toml").read_text()
    assert after.startswith(before.rstrip("\n")) and "# Starter catalog (issue 3)" in after
    saved = load(config_dir).source(MNIST_ID)
    assert (saved.name, saved.url, saved.category) == ("MNIST", MNIST, "Computer Vision")

    # A normal run in the warehouse, and the card is there for `lqs show` and `lqs fetches`.
    runs = lqs("--config", str(config_dir), "query", "select kind, status from runs order by started_at", "--json",
               env=env)
    assert json.loads(runs.stdout)[-1] == {"kind": "harvest", "status": "ok"}
    show = lqs("--config", str(config_dir), "show", MNIST_ID, "--json", env=env)
    assert show.returncode == 0 and json.loads(show.stdout)["facts"]["item_count"] == 70000

    again = lqs("--config", str(config_dir), "harvest", "--url", MNIST, "--save", env=env, timeout=60)
    assert again.returncode == 2
    assert again.stderr.strip() == (f"lqs: error: {MNIST} is source {MNIST_ID!r} in sources.toml already; "
                                    "not saved")


def test_a_failed_url_harvest_says_why_and_saves_nothing(env, config_dir):
    url = "https://example.org/not/in/the/archive"
    before = (config_dir / "sources.toml").read_text()
    proc = lqs("--config", str(config_dir), "harvest", "--url", url, "--category", "Tabular", "--replay", DEMO,
               "--save", env={**env, "COLUMNS": "100"})
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "example.org-not-in-the-archive" in proc.stdout and "not in the replay archive" in proc.stdout
    assert "Error" not in proc.stdout   # a reason, not an exception class
    assert "not saved to sources.toml: the harvest failed" in proc.stderr
    assert (config_dir / "sources.toml").read_text() == before
