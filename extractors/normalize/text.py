"""Bytes -> text, and bytes -> JSON, for response bodies. Never raises from `decode`.

Charset order in `decode` (why it differs a little from "header first"):
1. A byte-order mark. A BOM is part of the bytes and cannot be wrong; the WHATWG encoding
   standard lets it override the Content-Type header for the same reason.
2. The Content-Type header's charset, if Python knows it and the body decodes strictly with it.
   A legacy single-byte declaration (ISO-8859-1/windows-1252/ASCII) on a body that is valid
   UTF-8 with non-ASCII bytes is read as UTF-8: servers label UTF-8 as ISO-8859-1 by default
   all the time, while real Latin-1 text is practically never valid multi-byte UTF-8.
   A UTF-8 declaration is final (WHATWG "decode"): invalid bytes become U+FFFD. One stray
   byte in a UTF-8 page is far likelier than a wrong label, and sending the whole body to
   detection for it misreads every other character ("Zürich" -> "ZÃ¼rich").
3. An HTML `<meta charset>`/http-equiv or an XML declaration in the first 2 KB (same checks).
4. Bodies with no usable declaration (none, or a legacy one they do not fit): strict UTF-8
   (RFC 8259 requires it for JSON; most of the web is UTF-8). Detection is asked only after
   this, because on short bodies it misguesses valid UTF-8 as a legacy code page.
5. charset_normalizer detection.
6. UTF-8 with invalid bytes replaced by U+FFFD.
A leading BOM character is never part of the returned text.
"""
from __future__ import annotations

import codecs
import contextlib
import contextvars
import json
import re
from typing import Any

from extractors.model import ExtractionError

_SNIFF_BYTES = 2048
MAX_JSON_DEPTH = 200   # real metadata nests < 30 deep; adapters walk JSON recursively

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_LEGACY_SINGLE_BYTE = {"latin-1", "iso8859-1", "cp1252", "ascii"}
_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_RE = re.compile(
    rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)"
    rb"|<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)[\"']",
    re.I,
)


def decode(body, content_type: str | None = None) -> str:
    """Text of a response body (see the module docstring for the charset order)."""
    try:
        return _decode(body, content_type)
    except Exception:  # never raise: fall back to the most common encoding
        try:
            return bytes(body).decode("utf-8", errors="replace").lstrip("\ufeff")
        except Exception:
            return ""


def _decode(body, content_type: str | None) -> str:
    if body is None:
        return ""
    if isinstance(body, str):
        return body.lstrip("\ufeff")
    data = bytes(body)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    for declared in (_header_charset(content_type), _sniffed_charset(data)):
        text = _try_declared(data, declared)
        if text is not None:
            return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    detected = _detect(data)
    if detected is not None:
        return detected
    return data.decode("utf-8", errors="replace")


def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None


def _header_charset(content_type: str | None) -> str | None:
    if not isinstance(content_type, str):
        return None
    m = _HEADER_CHARSET_RE.search(content_type)
    return _codec(m.group(1)) if m else None


def _sniffed_charset(data: bytes) -> str | None:
    m = _META_RE.search(data[:_SNIFF_BYTES])
    if not m:
        return None
    codec = _codec((m.group(1) or m.group(2)).decode("ascii", "replace"))
    # A UTF-16 label inside an ASCII-readable document is wrong by construction (WHATWG).
    return "utf-8" if codec and codec.startswith("utf-16") else codec


def _try_declared(data: bytes, codec: str | None) -> str | None:
    if not codec:
        return None
    if codec == "utf-8":
        return data.decode("utf-8", errors="replace")   # final: see the module docstring
    if codec in _LEGACY_SINGLE_BYTE and not data.isascii():
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None   # the declaration is wrong: let the next step decide


_ASCII_PROBE = b'abcXYZ019 {}[]<>"=:/.'


def _ascii_compatible(codec: str) -> bool:
    """False for EBCDIC and UTF-16/32 guesses: in them ASCII bytes mean something else."""
    try:
        return _ASCII_PROBE.decode(codec) == _ASCII_PROBE.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


def _detect(data: bytes) -> str | None:
    """charset_normalizer's best guess among ASCII-compatible charsets, except that
    windows-1252 wins when it reads the body with no more "mess" than the guess: on short
    Western text the detector ties cp1250/cp1257/... with cp1252 (or misses cp1252 entirely),
    and cp1252 is by far the most common legacy charset on the web (WHATWG's default)."""
    try:
        from charset_normalizer import from_bytes
        from charset_normalizer.md import mess_ratio
        candidates = [r for r in from_bytes(data) if _ascii_compatible(r.encoding)
                      or (b"\x00" in data and r.encoding.startswith(("utf_16", "utf_32")))]
    except Exception:
        return None
    best = min(candidates, key=lambda r: r.chaos, default=None)
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None:
        try:
            western_mess = mess_ratio(western)
        except Exception:
            western_mess = 1.0
        if (best is None and western_mess < 0.1) or (best is not None and western_mess <= best.chaos):
            return western
    if best is None:
        return None
    try:
        return data.decode(best.encoding, errors="replace")
    except (LookupError, TypeError):
        return None


_WIDE_CODECS = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
# The first characters of a JSON or XML document; with them the zero bytes of a BOM-less UTF-16/32
# body tell its encoding (RFC 4627 section 3, XML 1.0 appendix F).
_DOCUMENT_STARTS = "{[<"
_WIDE_PATTERNS = (  # (first 4 bytes -> which are zero), codec; UTF-32 first: it also fits UTF-16's
    ((True, True, True, False), "utf-32-be"), ((False, True, True, True), "utf-32-le"),
    ((True, False, True, False), "utf-16-be"), ((False, True, False, True), "utf-16-le"),
)
_CHARSET_PARAM_RE = re.compile(r"charset\s*=\s*[\"']?[\w.:-]*[\"']?", re.I)


def wide_codec(body: bytes) -> str | None:
    """The UTF-16/UTF-32 codec of a body that announces one: by its byte-order mark, or (without
    one) by the zero bytes around a first `{`, `[` or `<`. None for every other body."""
    head = bytes(body[:4])
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec if codec in _WIDE_CODECS else None
    if len(head) < 4:
        return None
    zeros = tuple(b == 0 for b in head)
    for pattern, codec in _WIDE_PATTERNS:
        if zeros == pattern and head.decode(codec, "replace")[:1] in _DOCUMENT_STARTS:
            return codec
    return None


def as_utf8(body: bytes, content_type: str | None = None) -> tuple[bytes, str | None]:
    """(body, content_type) with a UTF-16/UTF-32 body re-encoded as UTF-8 (BOM dropped) and its
    charset parameter set to utf-8; other bodies unchanged. Sniffers and parsers look at bytes
    (`{`, `<?xml`, `---`): given this, every one of them reads wide encodings the same way.
    A body that does not decode strictly in its announced codec is left as it is."""
    codec = wide_codec(body)
    if codec is None:
        return body, content_type
    data = bytes(body)
    for bom, _ in _BOMS:
        if data.startswith(bom):
            data = data[len(bom):]
            break
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return body, content_type
    if isinstance(content_type, str):
        content_type = _CHARSET_PARAM_RE.sub("charset=utf-8", content_type)
    return text.encode("utf-8", "surrogatepass"), content_type


def head_text(body, content_type: str | None = None, n: int = 4096) -> str:
    """The first `n` characters of a body as text, BOM stripped, wide encodings decoded: for
    sniffers that must not be fooled by the bytes of a UTF-16/32 body."""
    data = bytes(body[:4 * n + 4]) if not isinstance(body, str) else body[:n]
    return decode(data, content_type)[:n].lstrip("\ufeff")


# Set during detection (registry.detect): every sniffer that parses the body as JSON gets the
# one parse (a 50 MB body took ~0.5 s per sniffer). Sniffers only read the value. After
# detection the parses are handed off: the first load_json of the same body object (the detected
# adapter's, in registry.run) takes its value, later ones parse afresh, so no adapter ever sees
# another adapter's changes. registry.run drops what was not taken.
_SNIFF_CACHE: contextvars.ContextVar[dict | None] = contextvars.ContextVar("lqs_sniff_json", default=None)
_HANDOFF: contextvars.ContextVar[dict | None] = contextvars.ContextVar("lqs_json_handoff", default=None)


@contextlib.contextmanager
def shared_json():
    """Within the block, load_json parses a given body (same object) once."""
    _HANDOFF.set(None)
    cache: dict = {}
    token = _SNIFF_CACHE.set(cache)
    try:
        yield
    finally:
        _SNIFF_CACHE.reset(token)
        _HANDOFF.set(cache or None)


def drop_shared_json() -> None:
    """Forget the parses detection handed off (called when an adapter run ends)."""
    _HANDOFF.set(None)


def load_json(body, content_type: str | None = None, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parsed JSON of a body. Raises ExtractionError with a one-line message for anything that
    is not JSON, and for nesting deeper than `max_depth` (arrays/objects)."""
    key = (id(body), len(body), content_type, max_depth)
    cache = _SNIFF_CACHE.get()
    if cache is None:
        handoff = _HANDOFF.get()
        if not handoff or key not in handoff:
            return _load_json(body, content_type, max_depth)
        entry = handoff.pop(key)
    else:
        if key not in cache:
            cache[key] = _cached_parse(body, content_type, max_depth)
        entry = cache[key]
    _, value, error, notes = entry
    for note in notes:   # the parse's warnings reach every run that uses it
        warn(note)
    if error is not None:
        raise ExtractionError(error)
    return value


def _cached_parse(body, content_type: str | None, max_depth: int) -> tuple:
    """(body, value, error, warnings) of one parse; the body is kept so its id stays unique."""
    with collect_warnings() as notes:
        try:
            return body, _load_json(body, content_type, max_depth), None, notes
        except ExtractionError as exc:
            return body, None, str(exc), notes


def _load_json(body, content_type: str | None, max_depth: int) -> Any:
    text = decode(body, content_type).lstrip("\ufeff")
    if not text.strip():
        raise ExtractionError("not JSON: empty body")
    try:
        value = _loads(text)
    except json.JSONDecodeError as exc:
        raise ExtractionError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:   # json's own guard, near the interpreter's recursion limit
        raise ExtractionError("JSON nested too deeply") from None
    except ValueError as exc:   # e.g. an integer longer than Python's digit limit
        raise ExtractionError(f"not JSON: {str(exc).splitlines()[0][:200]}") from None
    if _depth_exceeds(text, max_depth):
        raise ExtractionError(f"JSON nested too deeply (more than {max_depth} levels)")
    return value


def _loads(text: str) -> Any:
    """json.loads; an integer too long for Python (int max str digits, 4300 by default) is read as
    None with a warning (see warnings_of) instead of failing the whole document. The plain parse
    runs first: the per-integer hook costs time only on the rare document that needs it."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:
        if "digits" not in str(exc):
            raise
    return json.loads(text, parse_int=_parse_int)


def _parse_int(digits: str) -> int | None:
    try:
        return int(digits)
    except ValueError:
        warn(f"a JSON number of {len(digits.lstrip('-'))} digits cannot be represented; read as missing")
        return None


# Warnings raised while parsing, collected per adapter run (registry.run) without an Extraction
# being passed down to every parser.
_WARNINGS: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("lqs_text_warnings", default=None)


def warn(message: str) -> None:
    """Record a parse warning for the adapter run in progress (dropped outside one)."""
    sink = _WARNINGS.get()
    if sink is not None and message not in sink:
        sink.append(message)


@contextlib.contextmanager
def collect_warnings():
    """Collects the parse warnings raised inside the block into the yielded list."""
    sink: list[str] = []
    token = _WARNINGS.set(sink)
    try:
        yield sink
    finally:
        _WARNINGS.reset(token)


# Every byte except the structural ones: quotes, brackets and the separators ":" and ",".
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}:,')
_OBJECTS_AS_ARRAYS = bytes.maketrans(b"{}", b"[]")


def _depth_exceeds(text: str, limit: int) -> bool:
    """Whether arrays/objects in `text` (JSON that json.loads accepted) nest deeper than `limit`.

    Done on the bytes with C-speed operations only (a walk over the parsed value in Python cost
    as much as the parse). Multi-byte UTF-8 never contains ASCII bytes, so no character is
    mistaken for a quote or bracket."""
    data = text.encode("utf-8", "surrogatepass")
    return _bracket_depth_exceeds(_brackets_outside_strings(data), limit)


def _brackets_outside_strings(data: bytes) -> bytes:
    """The brackets of valid JSON that are not inside strings, objects written as arrays."""
    # After dropping escaped backslashes, then escaped quotes, every quote delimits a string.
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    data = data.translate(None, _NOT_STRUCTURE)
    # Two strings are always separated by ":" or ",", so each '""' left is one string with no
    # structural character inside: most strings go in one cheap pass.
    data = data.replace(b'""', b"")
    if b'"' in data:   # the rest: every other piece between quotes is outside a string
        data = b"".join(data.split(b'"')[::2])
    return data.translate(_OBJECTS_AS_ARRAYS, b":,")


def _bracket_depth_exceeds(brackets: bytes, limit: int) -> bool:
    """Depth of balanced brackets ("[[][]]" is 2) above `limit`? A run of more than `limit`
    openers answers at once (the usual bomb). Otherwise each pass of replace() removes every
    innermost "[]" pair - exactly one level - so a string still non-empty after `limit` passes
    nests deeper than that."""
    if b"[" * (limit + 1) in brackets:
        return True
    for _ in range(limit):
        if not brackets:
            return False
        brackets = brackets.replace(b"[]", b"")
    return bool(brackets)


MAX_YAML_DEPTH = 64   # real descriptors and card front matter nest < 15 deep
_YAML_FLOW = bytes.maketrans(b"{}", b"[]")
_YAML_NOT_FLOW = bytes(set(range(256)) - set(b"[]{}"))
_YAML_BLOCK_PREFIX = re.compile(r"^[ \t]*(?:[-?:][ \t]+)*", re.M)


def yaml_too_deep(text: str, limit: int = MAX_YAML_DEPTH) -> bool:
    """Whether YAML collections nest deeper than `limit`. PyYAML's composer recurses once per
    level in Python: 10,000 nested "[" took 6.5 s before failing.
    Flow collections: the running depth of "[{" minus "]}" anywhere in the text (brackets inside
    quoted strings count too: no real document has `limit` unmatched ones). Block collections:
    a line's indentation and "- " run bound its depth; only a document whose lines go that far
    is scanned token by token (yaml.scan, linear for block documents, stops at the limit)."""
    depth = 0
    for byte in text.encode("utf-8", "surrogatepass").translate(_YAML_FLOW, _YAML_NOT_FLOW):
        depth += 1 if byte == 0x5B else -1
        if depth > limit:
            return True
    widest = max((len(m.group()) for m in _YAML_BLOCK_PREFIX.finditer(text)), default=0)
    return widest > 2 * limit and _scanned_depth_exceeds(text, limit)


def _scanned_depth_exceeds(text: str, limit: int) -> bool:
    import yaml

    opens = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken,
             yaml.BlockSequenceStartToken, yaml.BlockMappingStartToken)
    closes = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)
    depth = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, opens):
                depth += 1
                if depth > limit:
                    return True
            elif isinstance(token, closes):
                depth -= 1
    except yaml.YAMLError:
        return False   # not YAML: the loader reports it
    return False


_LEADING_SPACE = b"\xef\xbb\xbf \t\r\n"


def starts_like_html(body: bytes, also: tuple[bytes, ...] = ()) -> bool:
    """Whether a body opens as an HTML page (`<!doctype html`, `<html`, or one of `also`), after
    a byte-order mark and white space: the check every adapter makes to tell an API response
    from an error page or a web UI served at the same URL."""
    head = bytes(body[:512]).lstrip(_LEADING_SPACE).lower()
    return head.startswith((b"<!doctype html", b"<html") + also)


def as_dict(value) -> dict:
    """value when it is a JSON object, else an empty one (API fields that are sometimes null)."""
    return value if isinstance(value, dict) else {}
