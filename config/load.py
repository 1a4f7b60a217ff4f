"""Loads and validates the TOML configuration: sources.toml, settings.toml, lqs.toml.

Every error is a ConfigError whose message names the file, the entry and the key in one line;
the CLI prints it and exits 2.
"""
from __future__ import annotations

import ipaddress
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from extractors.profile import FORMATS as LABEL_FORMATS, LabelSpec

SOURCE_KEYS = {"id", "name", "url", "urls", "category", "adapter", "enabled", "annotations",
               "curated", "notes"}
ANNOTATION_KEYS = {"file", "files", "url", "id_column", "label_column", "separator", "subject_column",
                   "background", "empty_by_design", "format", "item_unit"}
ANNOTATION_LISTS = {"empty_by_design", "files"}
MAX_LABEL_FILES = 50
CURATED_KEYS = {"field", "value", "citation", "unit"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")

DEFAULT_SETTINGS: dict[str, dict[str, Any]] = {
    "warehouse": {"path": "var/warehouse.duckdb", "lock_timeout": 600.0},
    "archive": {"dir": "var/archive"},
    "http": {
        "user_agent": "lqs-harvester/0.1 (+https://github.com/lqs-harvester/lqs-harvester)",
        "connect_timeout": 10.0, "read_timeout": 30.0, "total_deadline": 120.0,
        "max_bytes": 50_000_000, "max_annotation_bytes": 500_000_000,
        "max_decompressed_bytes": 200_000_000, "max_archive_members": 10_000,
        "max_compression_ratio": 100.0, "max_redirects": 10, "retries": 3,
        "backoff_base": 0.5, "backoff_cap": 30.0, "retry_after_cap": 120.0,
        "allow_private_addresses": False,
    },
    "politeness": {
        "obey_robots": True, "ignore_robots_hosts": [], "per_host_concurrency": 2,
        "min_delay": 1.0, "global_concurrency": 8, "shared_limits": "auto",
    },
    "hosts": {},
    "run": {"max_pages_per_source": 200, "batch_size": 50, "batch_workers": 2, "task_runner": "threads",
            "dask_address": "", "dask_workers": 2, "flow_timeout_seconds": 21600,
            "extract_timeout": 10.0},
    "schedule": {"cron": "0 2 * * *", "timezone": "UTC"},
}


@dataclass(frozen=True)
class Range:
    """The allowed values of a number: above (exclusive) or at_least (inclusive), at_most."""
    above: float | None = None
    at_least: float | None = None
    at_most: float | None = None

    def problem(self, value: float) -> str | None:
        if not math.isfinite(value):
            return "must be a finite number"
        # `not value > x` rather than `value <= x`: also true for NaN.
        if self.above is not None and not value > self.above:
            return f"must be > {self.above:g}"
        if self.at_least is not None and not value >= self.at_least:
            return f"must be >= {self.at_least:g}"
        if self.at_most is not None and not value <= self.at_most:
            return f"must be <= {self.at_most:g}"
        return None


POSITIVE, NOT_NEGATIVE, AT_LEAST_ONE = Range(above=0), Range(at_least=0), Range(at_least=1)

# Every number of DEFAULT_SETTINGS has its range here (a test checks that none is missing).
RANGES: dict[str, dict[str, Range]] = {
    "warehouse": {"lock_timeout": NOT_NEGATIVE},     # 0: give up at once when another writer holds it
    "http": {
        "connect_timeout": POSITIVE, "read_timeout": POSITIVE, "total_deadline": POSITIVE,
        "max_bytes": AT_LEAST_ONE, "max_annotation_bytes": AT_LEAST_ONE,
        "max_decompressed_bytes": AT_LEAST_ONE, "max_archive_members": AT_LEAST_ONE,
        "max_compression_ratio": AT_LEAST_ONE,       # below 1 even a stored (uncompressed) member fails
        "max_redirects": NOT_NEGATIVE, "retries": NOT_NEGATIVE,
        "backoff_base": NOT_NEGATIVE, "backoff_cap": NOT_NEGATIVE, "retry_after_cap": NOT_NEGATIVE,
    },
    "politeness": {"per_host_concurrency": AT_LEAST_ONE, "min_delay": NOT_NEGATIVE,
                   "global_concurrency": AT_LEAST_ONE},
    "run": {"max_pages_per_source": AT_LEAST_ONE, "batch_size": AT_LEAST_ONE, "batch_workers": AT_LEAST_ONE,
            "dask_workers": AT_LEAST_ONE, "flow_timeout_seconds": POSITIVE, "extract_timeout": POSITIVE},
}
# Text settings with a fixed set of values, and text settings that must not be empty.
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {("run", "task_runner"): ("threads", "dask"),
                                                   ("politeness", "shared_limits"): ("auto", "prefect", "local")}
NOT_EMPTY = {("warehouse", "path"), ("archive", "dir"), ("http", "user_agent")}

# [hosts."name"] tables: each key's default (its type) and, for numbers, its range.
HOST_DEFAULTS: dict[str, Any] = {
    "token_env": "",               # the environment variable that holds the host's token
    "token_port": 443,             # the port the token is sent to (default: the scheme's own)
    "allow_http_token": False,     # the token may go over plain http (loopback tests only)
    "min_delay": 1.0, "per_host_concurrency": 2, "obey_robots": True, "user_agent": "",
}
HOST_KEYS = set(HOST_DEFAULTS)
HOST_RANGES: dict[str, Range] = {"token_port": Range(at_least=1, at_most=65535), "min_delay": NOT_NEGATIVE,
                                 "per_host_concurrency": AT_LEAST_ONE}
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CRON_ALIASES = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                "@hourly": "0 * * * *"}


class ConfigError(Exception):
    """A configuration problem, one line naming file, entry and key."""


@dataclass(frozen=True)
class Annotations(LabelSpec):
    """The label file of a source: where it is (a name in the listing, or a URL) and how to read it.
    files: the files of one label set (names in the listing or URLs), profiled as their union."""
    file: str | None = None
    url: str | None = None
    format: str | None = None
    files: tuple[str, ...] = ()


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
    # The bundled TOML files sit beside this module (in a checkout and in site-packages alike).
    return Path(__file__).resolve().parent


def load(directory: str | os.PathLike | None = None) -> Config:
    cdir = Path(directory) if directory else default_dir()
    if not cdir.is_dir():
        raise ConfigError(f"{cdir}: config folder not found")
    lqs = _read(cdir / "lqs.toml", required=True)
    categories = tuple(lqs.get("size_adequacy", {}).get("targets", {}))
    settings = _settings(cdir / "settings.toml")
    sources = _sources(cdir / "sources.toml", categories)
    return Config(cdir, sources, settings, lqs, categories)


def load_settings(directory: str | os.PathLike | None = None) -> dict[str, dict[str, Any]]:
    """settings.toml alone, checked (for commands that need no sources, e.g. `lqs extract`)."""
    cdir = Path(directory) if directory else default_dir()
    if not cdir.is_dir():
        raise ConfigError(f"{cdir}: config folder not found")
    return _settings(cdir / "settings.toml")


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
            merged["hosts"] = {host: _host_table(path.name, host, opts) for host, opts in values.items()}
            continue
        for key, value in values.items():
            if key not in DEFAULT_SETTINGS[section]:
                raise ConfigError(f"{path.name}: [{section}]: unknown key {key!r}")
            merged[section][key] = _setting(f"{path.name}: [{section}] {key}", DEFAULT_SETTINGS[section][key],
                                            value, RANGES.get(section, {}).get(key))
            _check_text(path.name, section, key, value)
    _check_schedule(path.name, merged["schedule"])
    return merged


def _setting(label: str, default: Any, value: Any, allowed: Range | None) -> Any:
    """value, checked against the type of its default and its range (floats as float)."""
    if not _same_kind(default, value):
        raise ConfigError(f"{label}: expected {type(default).__name__}, got {type(value).__name__}")
    if allowed is not None:
        problem = allowed.problem(value)
        if problem:
            raise ConfigError(f"{label} {problem} (got {value!r})")
    return float(value) if isinstance(default, float) else value


def _check_text(fname: str, section: str, key: str, value: Any) -> None:
    choices = CHOICES.get((section, key))
    if choices and value not in choices:
        raise ConfigError(f"{fname}: [{section}] {key} must be one of {', '.join(choices)} (got {value!r})")
    if (section, key) in NOT_EMPTY and not value.strip():
        raise ConfigError(f"{fname}: [{section}] {key} must not be empty")
    if (section, key) == ("politeness", "ignore_robots_hosts") and \
            not all(isinstance(h, str) and h.strip() for h in value):
        raise ConfigError(f"{fname}: [{section}] {key} must be a list of host names (got {value!r})")


def _host_table(fname: str, host: str, opts: Any) -> dict[str, Any]:
    """One [hosts."name"] table: a bare host name, known keys, their types and ranges."""
    label = f'{fname}: [hosts."{host}"]'
    if not isinstance(opts, dict):
        raise ConfigError(f"{label} must be a table")
    if not _bare_host(host):
        raise ConfigError(f"{label}: not a bare lower-case host name (no scheme, port or path, "
                          'e.g. [hosts."huggingface.co"])')
    bad = set(opts) - HOST_KEYS
    if bad:
        raise ConfigError(f"{label}: unknown key {sorted(bad)[0]!r}")
    checked = {key: _setting(f"{label} {key}", HOST_DEFAULTS[key], value, HOST_RANGES.get(key))
               for key, value in opts.items()}
    if "token_env" in checked and not ENV_NAME_RE.match(checked["token_env"]):
        raise ConfigError(f"{label} token_env must name an environment variable (got {checked['token_env']!r})")
    if "user_agent" in checked and not checked["user_agent"].strip():
        raise ConfigError(f"{label} user_agent must not be empty")
    return checked


def _bare_host(host: str) -> bool:
    """A host as URLs name it (lower case; an IPv6 address without brackets): the key the
    fetcher looks hosts up by."""
    if not host or host != host.lower() or any(c in host for c in "/@?#[] \t"):
        return False
    if ":" in host:   # only an IPv6 address has a colon
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
    return True


def _check_schedule(fname: str, schedule: dict[str, Any]) -> None:
    """Parse the cron expression and the time zone now, not when `lqs serve` first needs them.
    cronsim, not Prefect's own croniter: that is vendored into a package that takes seconds to
    import."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    cron, zone = schedule["cron"], schedule["timezone"]
    problem = _cron_problem(CRON_ALIASES.get(cron.strip().lower(), cron))
    if problem:
        raise ConfigError(f"{fname}: [schedule] cron is not a valid cron expression ({problem}) (got {cron!r})")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{fname}: [schedule] timezone is not a known IANA time zone (got {zone!r})") from None


def _cron_problem(expression: str) -> str | None:
    """Why expression is no cron expression Prefect's Cron schedule takes, or None."""
    from cronsim import CronSim, CronSimError

    try:   # cronsim knows neither of croniter's random (R) and hashed (H) fields, which Prefect refuses
        CronSim(expression, datetime(2000, 1, 1))
    except (CronSimError, ValueError) as exc:
        return str(exc) or "unreadable"
    return None


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
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
    if not value.get("file") and not value.get("url") and not value.get("files"):
        raise ConfigError(f"{label}: annotations: needs 'file' (a name in the listing), 'url' or 'files'")
    for key in ANNOTATION_KEYS - ANNOTATION_LISTS:
        if key in value and not isinstance(value[key], str):
            raise ConfigError(f"{label}: annotations: {key!r} must be a string")
    empty = value.get("empty_by_design", [])
    if not isinstance(empty, list) or not all(isinstance(c, str) for c in empty):
        raise ConfigError(f"{label}: annotations: 'empty_by_design' must be a list of column names")
    files = value.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) and f.strip() for f in files):
        raise ConfigError(f"{label}: annotations: 'files' must be a list of file names or URLs")
    if len(files) > MAX_LABEL_FILES:
        raise ConfigError(f"{label}: annotations: 'files' lists {len(files)} files, at most {MAX_LABEL_FILES}")
    if "files" in value and ("file" in value or "url" in value):
        raise ConfigError(f"{label}: annotations: give 'files' or 'file'/'url', not both")
    if "format" in value and value["format"].lower() not in LABEL_FORMATS:
        raise ConfigError(f"{label}: annotations: 'format' must be one of {', '.join(LABEL_FORMATS)}, "
                          f"not {value['format']!r}")
    fields = {k: v for k, v in value.items() if k not in ANNOTATION_LISTS}
    if "format" in fields:
        fields["format"] = fields["format"].lower()
    return Annotations(**fields, empty_by_design=tuple(empty), files=tuple(files))


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
