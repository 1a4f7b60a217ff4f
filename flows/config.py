"""Loads and validates the TOML configuration: sources.toml, settings.toml, lqs.toml.

Every error is a ConfigError whose message names the file, the entry and the key in one line;
the CLI prints it and exits 2.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.profile import LabelSpec

SOURCE_KEYS = {"id", "name", "url", "urls", "category", "adapter", "enabled", "annotations",
               "curated", "notes"}
ANNOTATION_KEYS = {"file", "url", "id_column", "label_column", "separator", "subject_column",
                   "background", "empty_by_design", "format", "item_unit"}
CURATED_KEYS = {"field", "value", "citation", "unit"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")

DEFAULT_SETTINGS: dict[str, dict[str, Any]] = {
    "warehouse": {"path": "var/warehouse.duckdb", "lock_timeout": 600.0},
    "archive": {"dir": "var/archive"},
    "http": {
        "user_agent": "lqs-harvester/0.1 (+https://github.com/lqs-harvester/lqs-harvester)",
        "connect_timeout": 10.0, "read_timeout": 30.0, "total_deadline": 120.0,
        "max_bytes": 50_000_000, "max_annotation_bytes": 500_000_000,
        "max_decompressed_bytes": 200_000_000, "max_redirects": 10, "retries": 3,
        "backoff_base": 0.5, "backoff_cap": 30.0, "retry_after_cap": 120.0,
        "allow_private_addresses": False,
    },
    "politeness": {
        "obey_robots": True, "ignore_robots_hosts": [], "per_host_concurrency": 2,
        "min_delay": 1.0, "global_concurrency": 8,
    },
    "hosts": {},
    "run": {"max_pages_per_source": 200, "batch_size": 50, "batch_workers": 2, "task_runner": "threads",
            "dask_address": "", "dask_workers": 2, "flow_timeout_seconds": 21600},
    "schedule": {"cron": "0 2 * * *", "timezone": "UTC"},
}
HOST_KEYS = {"token_env", "min_delay", "per_host_concurrency", "obey_robots", "user_agent"}


class ConfigError(Exception):
    """A configuration problem, one line naming file, entry and key."""


@dataclass(frozen=True)
class Annotations(LabelSpec):
    """The label file of a source: where it is (a name in the listing, or a URL) and how to read it."""
    file: str | None = None
    url: str | None = None
    format: str | None = None


@dataclass(frozen=True)
class Curated:
    field: str
    value: Any
    citation: str
    unit: str | None = None


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    url: str
    category: str
    adapter: str | None = None
    urls: tuple[str, ...] = ()
    enabled: bool = True
    annotations: Annotations | None = None
    curated: tuple[Curated, ...] = ()

    @property
    def all_urls(self) -> tuple[str, ...]:
        return (self.url, *self.urls)


@dataclass
class Config:
    dir: Path
    sources: list[Source]
    settings: dict[str, dict[str, Any]]
    lqs: dict[str, Any]
    categories: tuple[str, ...] = field(default=())

    def source(self, source_id: str) -> Source:
        for src in self.sources:
            if src.id == source_id:
                return src
        raise KeyError(source_id)

    def path(self, value: str | os.PathLike) -> Path:
        """Relative paths in settings are relative to the folder that holds config/."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.dir.parent / p)

    @property
    def warehouse_path(self) -> Path:
        return self.path(os.environ.get("LQS_WAREHOUSE") or self.settings["warehouse"]["path"])

    @property
    def archive_dir(self) -> Path:
        return self.path(os.environ.get("LQS_ARCHIVE") or self.settings["archive"]["dir"])


def default_dir() -> Path:
    env = os.environ.get("LQS_CONFIG")
    if env:
        return Path(env)
    # The bundled config/ sits beside flows/ (in a checkout and in site-packages alike). Found by
    # path, not `import config`: a flow run from a file entrypoint has flows/ on sys.path, where
    # that name is this module.
    return Path(__file__).resolve().parents[1] / "config"


def load(directory: str | os.PathLike | None = None) -> Config:
    cdir = Path(directory) if directory else default_dir()
    if not cdir.is_dir():
        raise ConfigError(f"{cdir}: config folder not found")
    lqs = _read(cdir / "lqs.toml", required=True)
    categories = tuple(lqs.get("size_adequacy", {}).get("targets", {}))
    settings = _settings(cdir / "settings.toml")
    sources = _sources(cdir / "sources.toml", categories)
    return Config(cdir, sources, settings, lqs, categories)


def _read(path: Path, required: bool) -> dict:
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: file not found")
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None


def _settings(path: Path) -> dict[str, dict[str, Any]]:
    raw = _read(path, required=False)
    merged = {k: dict(v) for k, v in DEFAULT_SETTINGS.items()}
    for section, values in raw.items():
        if section not in DEFAULT_SETTINGS:
            raise ConfigError(f"{path.name}: unknown section [{section}]")
        if not isinstance(values, dict):
            raise ConfigError(f"{path.name}: [{section}] must be a table")
        if section == "hosts":
            for host, opts in values.items():
                bad = set(opts) - HOST_KEYS if isinstance(opts, dict) else {"(not a table)"}
                if bad:
                    raise ConfigError(f"{path.name}: [hosts.\"{host}\"]: unknown key {sorted(bad)[0]!r}")
            merged["hosts"] = dict(values)
            continue
        for key, value in values.items():
            if key not in DEFAULT_SETTINGS[section]:
                raise ConfigError(f"{path.name}: [{section}]: unknown key {key!r}")
            default = DEFAULT_SETTINGS[section][key]
            if not _same_kind(default, value):
                raise ConfigError(f"{path.name}: [{section}] {key}: expected "
                                  f"{type(default).__name__}, got {type(value).__name__}")
            merged[section][key] = float(value) if isinstance(default, float) else value
    return merged


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(default))


def _sources(path: Path, categories: tuple[str, ...]) -> list[Source]:
    raw = _read(path, required=True)
    extra = set(raw) - {"source"}
    if extra:
        raise ConfigError(f"{path.name}: unknown top-level key {sorted(extra)[0]!r} (expected [[source]])")
    entries = raw.get("source", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path.name}: 'source' must be an array of tables ([[source]])")
    seen: set[str] = set()
    sources = []
    for index, entry in enumerate(entries, 1):
        src = _source(path.name, index, entry, categories)
        if src.id in seen:
            raise ConfigError(f"{path.name}: source #{index} ({src.id}): duplicate id {src.id!r}")
        seen.add(src.id)
        sources.append(src)
    return sources


def _source(fname: str, index: int, entry: Any, categories: tuple[str, ...]) -> Source:
    label = f"{fname}: source #{index}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{label}: must be a table")
    if isinstance(entry.get("id"), str):
        label = f"{fname}: source #{index} ({entry['id']})"
    unknown = set(entry) - SOURCE_KEYS
    if unknown:
        raise ConfigError(f"{label}: unknown key {sorted(unknown)[0]!r}")
    for key in ("id", "name", "url", "category"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ConfigError(f"{label}: missing or empty {key!r}")
    if not ID_RE.match(entry["id"]):
        raise ConfigError(f"{label}: 'id' must be lower-case letters, digits, '.', '_' or '-'")
    urls = [entry["url"], *entry.get("urls", [])]
    for url in urls:
        if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
            raise ConfigError(f"{label}: 'url' must be an http(s) URL, got {url!r}")
    if entry["category"] not in categories:
        raise ConfigError(f"{label}: bad 'category' {entry['category']!r} "
                          f"(one of: {', '.join(categories)})")
    adapter = entry.get("adapter")
    if adapter is not None:
        from extractors import registry

        known = registry.module_names()  # no adapter import: `lqs query` starts fast
        if adapter not in known:
            raise ConfigError(f"{label}: unknown 'adapter' {adapter!r} (one of: {', '.join(known)})")
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{label}: 'enabled' must be true or false")
    return Source(
        id=entry["id"], name=entry["name"].strip(), url=entry["url"], category=entry["category"],
        adapter=adapter, urls=tuple(urls[1:]), enabled=enabled,
        annotations=_annotations(label, entry.get("annotations")),
        curated=_curated(label, entry.get("curated", [])),
    )


def _annotations(label: str, value: Any) -> Annotations | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ConfigError(f"{label}: 'annotations' must be a table")
    unknown = set(value) - ANNOTATION_KEYS
    if unknown:
        raise ConfigError(f"{label}: annotations: unknown key {sorted(unknown)[0]!r}")
    if not value.get("file") and not value.get("url"):
        raise ConfigError(f"{label}: annotations: needs 'file' (a name in the listing) or 'url'")
    for key in ANNOTATION_KEYS - {"empty_by_design"}:
        if key in value and not isinstance(value[key], str):
            raise ConfigError(f"{label}: annotations: {key!r} must be a string")
    empty = value.get("empty_by_design", [])
    if not isinstance(empty, list) or not all(isinstance(c, str) for c in empty):
        raise ConfigError(f"{label}: annotations: 'empty_by_design' must be a list of column names")
    fields = {k: v for k, v in value.items() if k != "empty_by_design"}
    return Annotations(**fields, empty_by_design=tuple(empty))


def _curated(label: str, value: Any) -> tuple[Curated, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{label}: 'curated' must be an array of tables ([[source.curated]])")
    out = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, dict):
            raise ConfigError(f"{label}: curated #{i}: must be a table")
        unknown = set(item) - CURATED_KEYS
        if unknown:
            raise ConfigError(f"{label}: curated #{i}: unknown key {sorted(unknown)[0]!r}")
        for key in ("field", "value", "citation"):
            if key not in item or item[key] in ("", None):
                raise ConfigError(f"{label}: curated #{i}: missing {key!r}")
        out.append(Curated(item["field"], item["value"], item["citation"], item.get("unit")))
    return tuple(out)
