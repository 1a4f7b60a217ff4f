"""BibTeX / BibLaTeX text -> plain entries, with bibtexparser v2.

`parse(text) -> list[Entry]`: every entry the parser could read, in file order, as a plain
Entry(type, key, fields). Entry types and field names are lower-cased (`@ONLINE` -> "online",
`Title` -> "title"); values have their enclosing braces or quotes removed by the parser.
Blocks the parser cannot read (an unterminated entry, garbage) are skipped, never raised.

Text fields are decoded from LaTeX with `text()` ("Sch{\\"o}n" -> "Schön", "{{Double}}" ->
"Double"); URLs are read with `url()`, which does NOT run the LaTeX decoder (it would turn the
"~" of a user path into a space) but unwraps `\\url{...}` / `\\href{...}{...}` and takes a bare URL.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

MAX_TEXT = 2_000_000        # a citation file is small; more is not a citation file
MAX_ENTRIES = 500
MAX_FIELD = 10_000          # characters of one field value that are read

# An entry start: "@type{" or "@type (" (BibTeX allows spaces and round brackets).
ENTRY_START = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]", re.M)
_URL_MACRO = re.compile(r"\\(?:url|href)\s*\{([^{}\s]+)\}")
_BARE_URL = re.compile(r"https?://[^\s{}\"'<>\\]+", re.I)
_NON_ENTRIES = {"comment", "preamble", "string"}


class _QuietFailedBlocks(logging.Filter):
    """bibtexparser logs a WARNING (to stderr, with no handler set) for every block it cannot
    read; parse() already skips those blocks, so a harvest of many files is not flooded."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "aborted on line" not in record.getMessage()


logging.getLogger("bibtexparser.splitter").addFilter(_QuietFailedBlocks())


@dataclass(frozen=True)
class Entry:
    type: str                      # lower-case entry type: "article", "misc", "online", ...
    key: str
    fields: dict = field(default_factory=dict)   # lower-case field name -> raw value (str)

    def get(self, name: str) -> str | None:
        value = self.fields.get(name)
        return value if isinstance(value, str) and value.strip() else None


def looks_like_bibtex(text: str) -> bool:
    """The first line that is not blank and not a `%` comment starts a BibTeX entry
    (`@misc{`, `@ONLINE {`, `@article(`). Only the start is checked: a Markdown or prose file
    that merely quotes a citation further down is not a BibTeX file."""
    for line in text.splitlines()[:200]:
        stripped = line.strip()
        if not stripped or stripped.startswith("%"):
            continue
        # @comment/@string/@preamble blocks (JabRef, KBibTeX headers) are BibTeX too
        return bool(ENTRY_START.match(stripped))
    return False


def parse(text: str) -> list[Entry]:
    """The readable entries of a BibTeX text (none for anything else); never raises."""
    if not isinstance(text, str) or not text.strip():
        return []
    text = text[:MAX_TEXT]
    try:
        import bibtexparser
        library = bibtexparser.parse_string(text)
    except Exception:   # the parser's own failures on garbage: nothing readable
        return []
    entries = []
    for block in library.entries[:MAX_ENTRIES]:
        entry_type = str(getattr(block, "entry_type", "") or "").lower()
        if not entry_type or entry_type in _NON_ENTRIES:
            continue
        fields = {}
        for item in getattr(block, "fields", []) or []:
            name = str(getattr(item, "key", "") or "").strip().lower()
            value = getattr(item, "value", None)
            if name and name not in fields and isinstance(value, (str, int)):
                fields[name] = str(value)[:MAX_FIELD]
        entries.append(Entry(entry_type, str(getattr(block, "key", "") or ""), fields))
    return entries


def text(value: str | None) -> str | None:
    """A field value as plain text: LaTeX accents and escapes decoded, grouping braces dropped,
    white space collapsed. None for an empty value."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        from pylatexenc.latex2text import LatexNodes2Text
        plain = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True).latex_to_text(value)
    except Exception:   # a value the decoder trips on: keep it, minus the braces
        plain = value.replace("{", "").replace("}", "")
    plain = " ".join(plain.split())
    return plain or None


def url(value: str | None) -> str | None:
    """The URL a field states: the target of \\url{...}/\\href{...}, else the first bare http(s)
    URL in it; None when it states none."""
    if not isinstance(value, str):
        return None
    m = _URL_MACRO.search(value)
    candidate = m.group(1) if m else None
    if candidate is None or not candidate.lower().startswith(("http://", "https://")):
        bare = _BARE_URL.search(value)
        candidate = bare.group(0) if bare else None
    if not candidate:
        return None
    return candidate.replace("\\_", "_").replace("\\%", "%").replace("\\&", "&").rstrip(".,;")
