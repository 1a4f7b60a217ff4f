"""Fixtures for the warehouse tests: a two-source test site written as WARC archives (one per
run, so each replayed refresh sees a different state of the web), a config that points at it,
and warehouses built by running the real pipeline (run_locally, no Prefect) over those archives.

The site:
- `birds`: a Croissant file (main URL) plus a DataCite record of the same dataset. The two
  disagree on licence and size (conflicts) and agree on title, formats and release date once
  case, spacing, order and date precision are ignored (no conflicts there).
- `soil`: a repository landing page with schema.org JSON-LD. Between v1 and v2 its licence,
  version and file list change; in v3 and v4 the page answers 404 (withdrawn after v4).
"""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIRDS_URL = "https://birds.example.org/croissant.json"
BIRDS_DOI_URL = "https://api.datacite.org/dois/10.5072/birds.2022"
SOIL_URL = "https://repo.example.org/dataset/abc123"
SHA_AUDIO = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
SHA_META = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

SOURCES_TOML = f"""
[[source]]
id = "birds"
name = "Bird Sounds"
url = "{BIRDS_URL}"
urls = ["{BIRDS_DOI_URL}"]
category = "Audio classification"
adapter = "croissant"

[[source]]
id = "soil"
name = "Alpine Soil Moisture"
url = "{SOIL_URL}"
category = "Tabular"
"""

# One source per batch: a refresh writes (and scores) birds, then soil, so a crash test can stop
# it between the two.
SETTINGS_TOML = """
[warehouse]
lock_timeout = 30.0
[http]
retries = 0
[run]
batch_size = 1
"""


def birds_croissant() -> dict:
    return {
        "@context": {"@language": "en", "@vocab": "https://schema.org/", "sc": "https://schema.org/",
                     "cr": "http://mlcommons.org/croissant/", "dct": "http://purl.org/dc/terms/",
                     "conformsTo": "dct:conformsTo", "md5": "cr:md5"},
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": "Bird Sounds Archive",
        "description": "Field recordings of bird songs.",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "url": "https://birds.example.org/",
        "datePublished": "2022-02-02",
        "version": "1.0",
        "publisher": {"@type": "sc:Organization", "name": "Example Ornithology Society"},
        "distribution": [
            {"@type": "cr:FileObject", "@id": "audio.zip", "name": "audio.zip",
             "contentUrl": "https://birds.example.org/dl/audio.zip", "contentSize": "1120335512 B",
             "encodingFormat": "application/zip", "sha256": SHA_AUDIO},
            {"@type": "cr:FileObject", "@id": "metadata.csv", "name": "metadata.csv",
             "contentUrl": "https://birds.example.org/dl/metadata.csv", "contentSize": "15700000 B",
             "encodingFormat": "text/csv", "sha256": SHA_META},
            {"@type": "cr:FileObject", "@id": "notes.txt", "name": "notes.txt",
             "contentUrl": "https://birds.example.org/dl/notes.txt", "contentSize": "1000 B",
             "encodingFormat": "text/plain", "md5": "d41d8cd98f00b204e9800998ecf8427e"},
        ],
    }


def birds_datacite() -> dict:
    return {"data": {"id": "10.5072/birds.2022", "type": "dois", "attributes": {
        "doi": "10.5072/birds.2022",
        "titles": [{"title": "bird sounds  ARCHIVE"}],
        "publisher": {"name": "Example Ornithology Society"},
        "publicationYear": 2022,
        "types": {"resourceTypeGeneral": "Dataset"},
        "sizes": ["1200000000 B"],
        "formats": ["text/plain", "application/zip", "text/csv"],
        "rightsList": [{"rights": "Creative Commons Attribution Non Commercial 4.0 International",
                        "rightsUri": "https://creativecommons.org/licenses/by-nc/4.0/legalcode",
                        "rightsIdentifier": "cc-by-nc-4.0", "rightsIdentifierScheme": "SPDX"}],
        "url": "https://birds.example.org/",
    }}}


def soil_page(version: int) -> str:
    licence = "https://creativecommons.org/licenses/by/4.0/" if version == 1 else \
        "https://creativecommons.org/licenses/by-nc/4.0/"
    files = [("moisture_2015_2019.csv", 2048000), ("plots.geojson", 1500)]
    if version > 1:
        files.append(("moisture_2020.csv", 512000))
    doc = {
        "@context": "https://schema.org", "@type": "Dataset",
        "name": "Soil moisture in alpine meadows",
        "description": "Volumetric soil moisture at 12 plots, logged every 30 minutes.",
        "url": SOIL_URL, "version": str(version), "datePublished": "2020-02-29",
        "license": {"@type": "CreativeWork", "url": licence},
        "publisher": {"@type": "Organization", "name": "Example Data Repository"},
        "distribution": [{"@type": "DataDownload", "name": name, "contentSize": size,
                          "encodingFormat": "text/csv" if name.endswith(".csv") else "application/geo+json",
                          "contentUrl": f"https://repo.example.org/files/{name}"} for name, size in files],
    }
    return ("<!DOCTYPE html><html><head><title>Soil moisture</title>"
            f'<script type="application/ld+json">{json.dumps(doc)}</script></head>'
            "<body><h1>Soil moisture in alpine meadows</h1></body></html>")


def site(version: int) -> list[tuple[str, int, str, bytes]]:
    """(url, status, content type, body) of every response the harvest of `version` needs."""
    out = [(BIRDS_URL, 200, "application/ld+json", json.dumps(birds_croissant()).encode()),
           (BIRDS_DOI_URL, 200, "application/vnd.api+json", json.dumps(birds_datacite()).encode())]
    if version <= 2:
        out.append((SOIL_URL, 200, "text/html; charset=utf-8", soil_page(version).encode()))
    else:
        out.append((SOIL_URL, 404, "text/html", b"<html><body>Not found</body></html>"))
    return out


def write_warc(path: Path, responses) -> Path:
    """A replayable archive with fixed dates and record ids (the same bytes every time)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for n, (url, status, content_type, body) in enumerate(responses):
        reason = {200: "OK", 404: "Not Found", 410: "Gone"}[status]
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body),
            http_headers=StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2026-01-01T00:00:00Z",
                               "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>"})
        writer.write_record(record)
    path.write_bytes(buffer.getvalue())
    return path


# ---------------------------------------------------------------------------- the site
@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    """config/ for the test site and archives/v1..v4.warc.gz."""
    base = tmp_path_factory.mktemp("site")
    config = base / "config"
    config.mkdir()
    shutil.copy(ROOT / "config" / "lqs.toml", config / "lqs.toml")
    (config / "sources.toml").write_text(SOURCES_TOML)
    (config / "settings.toml").write_text(SETTINGS_TOML)
    (base / "archives").mkdir()
    for version in (1, 2, 3, 4):
        write_warc(base / "archives" / f"v{version}.warc.gz", site(version))
    return base


class Env:
    """One warehouse + archive folder, with the helpers the tests share."""

    def __init__(self, site_dir: Path, var: Path):
        self.site_dir = site_dir
        self.var = var
        self.warehouse_path = var / "warehouse.duckdb"
        self.environ = {**os.environ, "LQS_WAREHOUSE": str(self.warehouse_path),
                        "LQS_ARCHIVE": str(var / "archive"), "LQS_CONFIG": str(site_dir / "config")}

    def archive(self, version: int) -> str:
        return str(self.site_dir / "archives" / f"v{version}.warc.gz")

    def config(self):
        from config.load import load

        return load(self.site_dir / "config")

    def refresh(self, version: int) -> dict:
        """One refresh in this process (environment set only for the call)."""
        from flows.pipeline import run_locally

        saved = {k: os.environ.get(k) for k in ("LQS_WAREHOUSE", "LQS_ARCHIVE")}
        os.environ.update({k: self.environ[k] for k in saved})
        try:
            config = self.config()
            return run_locally(config, config.sources, "refresh", replay=[self.archive(version)])
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def warehouse(self, lock_timeout: float = 30.0):
        from warehouse.db import Warehouse

        return Warehouse(self.warehouse_path, lock_timeout)

    def query(self, sql: str, params=()) -> list[tuple]:
        with self.warehouse().reader() as con:
            return con.execute(sql, list(params)).fetchall()

    def counts(self) -> dict[str, int]:
        """Row counts of every base table and of the views facts, files and label_stats (the
        rows per run that readers see; migration 008 stores each change once behind them)."""
        with self.warehouse().reader() as con:
            tables = [r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_type = 'BASE TABLE' "
                "or table_name in ('facts', 'files', 'label_stats') order by 1").fetchall()]
            return {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}

    def lqs(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        """`lqs ARGS` in a child process against this warehouse."""
        return run_lqs(args, self.environ, check=check, timeout=timeout)

    def lqs_start(self, *args: str) -> subprocess.Popen:
        """`lqs ARGS` started in a child process (finish it with communicate())."""
        return subprocess.Popen([sys.executable, "-c", LQS_ENTRY, *args], env=self.environ, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def driver(self, *args: str, extra_env: dict | None = None) -> subprocess.Popen:
        """Start tests/warehouse/driver.py in a child process (see its docstring)."""
        return subprocess.Popen([sys.executable, str(HERE / "driver.py"), *args],
                                env={**self.environ, **(extra_env or {})}, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# Exactly what the installed `lqs` script runs (cli:main), whatever the venv's bin/ holds.
LQS_ENTRY = "import sys; from cli import main; sys.argv[0] = 'lqs'; main()"


def run_lqs(args, env, check=True, timeout=60) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-c", LQS_ENTRY, *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"lqs {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture
def env(site_dir, tmp_path) -> Env:
    """An empty warehouse location for one test."""
    return Env(site_dir, tmp_path / "var")


@pytest.fixture(scope="session")
def two_runs_template(site_dir, tmp_path_factory) -> Path:
    """A warehouse after refreshes v1 and v2 (soil's licence changed; both sources present)."""
    built = Env(site_dir, tmp_path_factory.mktemp("two-runs") / "var")
    built.refresh(1)
    built.refresh(2)
    return built.warehouse_path


@pytest.fixture
def two_runs(site_dir, tmp_path, two_runs_template) -> Env:
    env = Env(site_dir, tmp_path / "var")
    env.var.mkdir(parents=True)
    shutil.copyfile(two_runs_template, env.warehouse_path)
    return env
