"""Sources that no config names yet: an id derived from a URL, the entry `lqs harvest --url`
builds and checks, and appending that entry to sources.toml with its comments and layout kept.

Entries are checked by the same rules as load() (config/load.py `_source`), so an ad hoc source
and a saved one can never differ from what loading sources.toml would accept.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from config.load import ID_RE, Config, ConfigError, Source, _source, _sources

MAX_ID = 100   # ID_RE allows 1 + 99 characters


def url_id(url: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A readable, deterministic id for url: the lower-case host (without "www.") and path (and
    query), runs of other characters as one '-'. Ids in `taken` (sources of other URLs) and slugs
    cut to fit get the URL's hash appended, so two URLs never share an id."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port:
        host += f"-{parts.port}"
    rest = parts.path + (f"-{parts.query}" if parts.query else "")
    slug = re.sub(r"[^a-z0-9.]+", "-", f"{host}/{rest}".lower()).strip("-.")
    slug = re.sub(r"\.{2,}", ".", slug) or "source"
    if len(slug) <= MAX_ID and slug not in taken and ID_RE.match(slug):
        return slug
    digest = hashlib.sha256(url.strip().encode()).hexdigest()[:8]
    return f"{slug[:MAX_ID - 9].rstrip('-.')}-{digest}"


def same_url(a: str, b: str) -> bool:
    """Equal as a harvester would fetch them: scheme and host in any case, a trailing '/' or a
    fragment makes no difference."""
    def key(url: str) -> tuple:
        p = urlsplit(url.strip())
        return (p.scheme.lower(), (p.netloc or "").lower(), p.path.rstrip("/") or "/", p.query)
    return key(a) == key(b)


def configured(config: Config, url: str) -> Source | None:
    """The configured source whose main url is url, if any."""
    return next((s for s in config.sources if same_url(s.url, url)), None)


def category_named(config: Config, name: str) -> str:
    """The lqs.toml category name matches, in any case; a ConfigError listing them otherwise."""
    for category in config.categories:
        if category.lower() == name.strip().lower():
            return category
    raise ConfigError(f"unknown category {name!r} (one of: {', '.join(config.categories)})")


def adhoc_entry(url: str, category: str, source_id: str) -> dict[str, Any]:
    """The [[source]] entry of a URL harvested ad hoc; the name until an editor gives one is the
    URL without its scheme."""
    parts = urlsplit(url.strip())
    name = (parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")).rstrip("/")
    return {"id": source_id, "name": name or url, "url": url.strip(), "category": category}


def checked(config: Config, entry: dict[str, Any]) -> Source:
    """entry as a Source, by load()'s rules (ConfigError naming the entry otherwise)."""
    return _source("ad hoc source", 1, entry, config.categories)


def append_source(config: Config, entry: dict[str, Any]) -> Path:
    """Append entry as a [[source]] to config/sources.toml, keeping its comments and layout.
    Refused (ConfigError) when its id or url is already there; the new file is loaded by the
    same rules before it replaces the old one, atomically."""
    import tomlkit

    path = config.dir / "sources.toml"
    checked(config, entry)
    refuse_duplicate(config, entry)
    text = path.read_text(encoding="utf-8")
    # Text appended after the file as it is (tomlkit only renders the entry, quoting and
    # escaping as TOML wants): every comment and blank line of the editor's file stays put.
    block = tomlkit.aot()
    block.append(tomlkit.item(entry))
    new_text = text.rstrip("\n") + "\n\n" + tomlkit.dumps({"source": block}).lstrip("\n")
    _check_file(path, new_text, config.categories)
    _replace(path, new_text)
    return path


def refuse_duplicate(config: Config, entry: dict[str, Any]) -> None:
    """A ConfigError when sources.toml has entry's id, or its url as any source's url or urls."""
    path = config.dir / "sources.toml"
    for src in config.sources:
        if src.id == entry["id"]:
            raise ConfigError(f"{path}: id {entry['id']!r} exists already; not saved")
        if any(same_url(u, entry["url"]) for u in src.all_urls):
            raise ConfigError(f"{path}: {entry['url']} is a url of source {src.id!r} already; not saved")


def _check_file(path: Path, text: str, categories: tuple[str, ...]) -> None:
    """The whole new file passes load()'s checks (read from a temporary copy)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        copy.write_text(text, encoding="utf-8")
        _sources(copy, categories)


def _replace(path: Path, text: str) -> None:
    """Write beside the file, then rename over it: a reader sees the old file or the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".sources.", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
