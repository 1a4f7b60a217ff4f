"""Finds adapters, decides which one reads a document, and runs it safely.

An adapter is any module or package in extractors/adapters/ that defines NAME, VERSION,
CLAIMS (extractors/claims.py: the URL patterns, content types and content probe it recognises)
and extract(url, body, content_type) -> Extraction; optionally combine(parts) -> Extraction to
merge the pages of one source. Adding a module is all it takes to register a new source kind.

Which adapter reads a document (detect), decided from the CLAIMS alone:
  1. a URL claim: the first adapter, in the order below, whose match_url claims the URL, unless
     its accepts() says the body is not its kind (then the body is probed as if no URL matched);
  2. else the highest Confidence any probe returns; a tie goes to the adapter asked first;
  3. else the html fallback.
The order adapters are asked in is `ordered()`: highest declared confidence first, ties broken
by NAME (the one tie rule). `lqs adapters` prints that order with each adapter's claims.

run() stamps every result with the adapter that was run (NAME, VERSION) and the input URL.
Delegation: an adapter that hands a body to another adapter (huggingface -> croissant for
Croissant JSON-LD) returns that adapter's Extraction with meta["read_by"] = "<name>@<version>";
when that names a known adapter, run() keeps it as the result's adapter and version, so facts
are attributed to the code that really read them.

combine() keeps the same convention for a source of several pages: the pages are merged by the
adapter that read them. When every page was read by one adapter (a delegate included: several
Croissant pages that huggingface handed to croissant), that adapter's combine hook (or plain
concatenation) runs and its name and version stay on the result, exactly as for one page. Pages
read by different adapters (a Hub API page read by huggingface next to a delegated Croissant
page) are merged by the adapter the flow named, and carry its name and version: one merged
result has one reader of record, and that is the code that merged it.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from types import ModuleType

from extractors.claims import Claims, Confidence, summary
from extractors.model import Extraction, ExtractionError, concat
from extractors.normalize import text

FALLBACK = "html"


def module_names() -> list[str]:
    """Adapter names from extractors/adapters/, without importing any adapter (config validation
    stays cheap). Every entry there is an adapter named after its NAME; a test checks that."""
    from extractors import adapters

    return sorted(info.name for info in pkgutil.iter_modules(adapters.__path__)
                  if not info.name.startswith("_"))


@lru_cache(maxsize=1)
def _modules() -> dict[str, ModuleType]:
    found: dict[str, ModuleType] = {}
    for name in module_names():
        module = importlib.import_module(f"extractors.adapters.{name}")
        found[module.NAME] = module
    return found


def names() -> list[str]:
    return sorted(_modules())


def get(name: str) -> ModuleType:
    try:
        return _modules()[name]
    except KeyError:
        raise KeyError(f"unknown adapter {name!r} (known: {', '.join(names())})") from None


def version(name: str) -> str:
    return get(name).VERSION


def claims(name: str) -> Claims:
    return get(name).CLAIMS


def ordered() -> list[ModuleType]:
    """Adapters in the order the registry asks them: the highest confidence their probe may
    return first; ties by NAME. Adapters without a probe come last."""
    def key(module: ModuleType):
        top = module.CLAIMS.top
        return (-(top if top is not None else 0), module.NAME)
    return sorted(_modules().values(), key=key)


def describe() -> list[dict]:
    """What each adapter claims, in the order the registry asks them (`lqs adapters`)."""
    out = []
    for module in ordered():
        claims = module.CLAIMS
        out.append({
            "name": module.NAME, "version": module.VERSION,
            "urls": list(claims.urls),
            "url_check": summary(claims.accepts.__doc__) if claims.accepts else "",
            "content_types": list(claims.content_types),
            "levels": [level.name for level in claims.levels],
            "probe": claims.description,
        })
    return out


def detect_url(url: str | None) -> str | None:
    """The adapter whose URL pattern claims this URL, if any (the first one asked)."""
    if not url:
        return None
    for module in ordered():
        match = module.CLAIMS.match_url
        if match and _safe(match, url):
            return module.NAME
    return None


def detect(url: str | None, body: bytes, content_type: str | None = None) -> str:
    """A URL claim the body does not veto, then the highest-confidence probe, then the html
    fallback (see the module docstring). A UTF-16/32 body is probed as UTF-8 (text.as_utf8),
    the way run() reads it."""
    text.drop_shared_json()   # an earlier detection's parse, never taken by a run
    body, content_type = text.as_utf8(body, content_type)
    by_url = detect_url(url)
    if by_url:
        # A URL claim stands unless the adapter can tell the body is not its kind.
        accepts = get(by_url).CLAIMS.accepts
        if accepts is None or _safe(accepts, body, content_type):
            return by_url
    with text.shared_json():   # one JSON parse for all probes
        best = _best_probe(body, content_type)
    if best:
        return best
    return FALLBACK if FALLBACK in _modules() else names()[0]


def _best_probe(body: bytes, content_type: str | None) -> str | None:
    """The adapter whose probe returns the highest confidence (the first asked on a tie). Asks
    in ordered() order and stops once no adapter left could return more than the best so far."""
    best, best_level = None, None
    for module in ordered():
        claims = module.CLAIMS
        if claims.probe is None or claims.top is None:
            continue
        if best_level is not None and claims.top <= best_level:
            break
        level = _safe_level(claims.probe, body, content_type)
        if level is not None and (best_level is None or level > best_level):
            best, best_level = module.NAME, level
    return best


def _safe(fn, *args) -> bool:
    try:
        return bool(fn(*args))
    except Exception:  # a detector that trips on odd input simply does not claim it
        return False


def _safe_level(probe, body: bytes, content_type: str | None) -> Confidence | None:
    try:
        level = probe(body, content_type)
    except Exception:  # a probe that trips on odd input simply does not claim it
        return None
    return Confidence(level) if level else None


def run(name: str, url: str | None, body: bytes, content_type: str | None = None) -> Extraction:
    """Run one adapter. Never raises for bad input: errors become Extraction.error. A UTF-16/32
    body reaches the adapter re-encoded as UTF-8; parse warnings (an unrepresentable number)
    join the result's warnings."""
    module = get(name)
    body, content_type = text.as_utf8(body, content_type)
    try:
        with text.collect_warnings() as parse_warnings:
            result = module.extract(url, body, content_type)
        result.warnings.extend(w for w in parse_warnings if w not in result.warnings)
    except ExtractionError as exc:
        result = Extraction(module.NAME, module.VERSION, url=url, error=str(exc))
    except RecursionError:
        result = Extraction(module.NAME, module.VERSION, url=url, error="input nested too deeply")
    except Exception as exc:  # an adapter bug must not take the run down with it
        result = Extraction(module.NAME, module.VERSION, url=url,
                            error=f"{type(exc).__name__}: {exc}"[:500])
    finally:
        text.drop_shared_json()   # detection's parses serve this one run only
    result.adapter, result.version = _reader(result, module)
    result.url = url
    return result


def _reader(result: Extraction, module: ModuleType) -> tuple[str, str]:
    """(adapter, version) to stamp: the delegate named in meta["read_by"] when it is a known
    adapter, else the module that was run."""
    read_by = result.meta.get("read_by") if isinstance(result.meta, dict) else None
    name, _, version = read_by.partition("@") if isinstance(read_by, str) else ("", "", "")
    if name in _modules() and version:
        return name, version
    return module.NAME, module.VERSION


def combine(name: str, parts: list[Extraction]) -> Extraction:
    """Merge the pages one source produced with one adapter (see the module docstring for which
    adapter merges, and is stamped on the result, when pages were delegated)."""
    module = get(_common_reader(name, parts))
    hook = getattr(module, "combine", None)
    if hook is not None and parts:
        try:
            return hook(parts)
        except Exception as exc:
            merged = _concat(module, parts)
            merged.error = f"combine failed: {type(exc).__name__}: {exc}"[:500]
            return merged
    return _concat(module, parts)


def _common_reader(name: str, parts: list[Extraction]) -> str:
    """The known adapter that read every page (run() stamped it), else `name`."""
    readers = {part.adapter for part in parts}
    if len(readers) == 1 and next(iter(readers)) in _modules():
        return readers.pop()
    return name


def _concat(module: ModuleType, parts: list[Extraction]) -> Extraction:
    return concat(module.NAME, module.VERSION, parts)
