"""Fixtures of the fetch tests: loopback sites, fetchers closed after the test, temp configs.
The helpers they build on (Site, Reply, box_page, quick_settings, ...) are in fetchkit.py."""
from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

# The suite imports test modules by path (--import-mode=importlib), so a sibling helper module is
# only importable once its folder is on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fetchkit import ROOT, Site, quick_settings, self_signed, settings_toml, sources_toml  # noqa: E402
from config.load import load  # noqa: E402
from fetch.http import Fetcher  # noqa: E402


@pytest.fixture(scope="session")
def tls_pair(tmp_path_factory):
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls(tls_pair, monkeypatch):
    """A server TLS context whose self-signed certificate requests trusts for this test."""
    context, cert_file = tls_pair
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_file))
    return context


@pytest.fixture
def make_site():
    sites: list[Site] = []

    def make(host_name: str = "127.0.0.1", tls=None) -> Site:
        sites.append(Site(host_name, tls))
        return sites[-1]

    yield make
    for site in sites:
        site.close()


@pytest.fixture
def site(make_site) -> Site:
    return make_site()


@pytest.fixture
def make_fetcher():
    made: list[Fetcher] = []

    def make(settings: dict | None = None, **kwargs) -> Fetcher:
        made.append(Fetcher(settings or quick_settings(), **kwargs))
        return made[-1]

    yield make
    for fetcher in made:
        fetcher.close()


@pytest.fixture
def make_config(tmp_path, monkeypatch):
    """A temp config folder (settings, sources, the bundled lqs.toml) -> a loaded Config whose
    warehouse and archive live under tmp_path."""
    monkeypatch.delenv("LQS_WAREHOUSE", raising=False)
    monkeypatch.delenv("LQS_ARCHIVE", raising=False)

    def make(sources: list[dict], settings: dict | None = None):
        settings = copy.deepcopy(settings or quick_settings())
        settings["warehouse"] = {"path": str(tmp_path / "var" / "warehouse.duckdb"), "lock_timeout": 30.0}
        settings["archive"] = {"dir": str(tmp_path / "var" / "archive")}
        folder = tmp_path / "config"
        folder.mkdir(exist_ok=True)
        (folder / "lqs.toml").write_text((ROOT / "config" / "lqs.toml").read_text())
        (folder / "settings.toml").write_text(settings_toml(settings))
        (folder / "sources.toml").write_text(sources_toml(sources))
        return load(folder)

    return make
