"""Markdown read by structure (markdown-it-py, CommonMark plus tables): front matter, sections by
heading, plain prose without markup, links, tables.

Serves every family of Markdown dataset documents: Hugging Face dataset cards, TFDS and GitHub
READMEs, datasheets. A section is found by its heading ("Licensing Information", "Citation",
"Dataset Summary"), not by a pattern over the whole text; code blocks and HTML comments never
reach the prose. Pure: text in, values out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt

MAX_TEXT = 200_000     # characters parsed: a README or dataset card is never bigger (real ones < 100 KB)
# markdown-it costs ~15 µs for every markup character ("[", "*", "&", "<", ":" ...: each one is
# tried by every inline rule and often becomes a token of its own), so 500 KB of "[" or "*a " took
# 8-14 s. A real README has a few thousand of them (an awesome-list of 100 KB ~7,500); the text
# is cut where it has used this many, with a warning, so parsing stays under ~0.5 s whatever
# the input.
MAX_MARKUP = 8_000
# markdown-it looks for the end of every "[" link label it meets, so the cost grows with the
# square of the number of "[" (100 KB of "[" took ~2 s, 500 KB ~11 s). A README with more than
# this many is no README (awesome-lists have a few thousand links): its brackets are read as text.
MAX_BRACKETS = 20_000
# markdown-it's inline "terminator" characters (markdown_it.rules_inline.text): where its text
# rule stops and every other inline rule is tried.
_MARKUP = re.compile(r"[\n!#$%&*+\-:<=>@\[\\\]^_`{}~]")
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_SPACES = re.compile(r"[ \t]+")


@dataclass
class Section:
    heading: str            # the heading's plain text ("" for text before the first heading)
    level: int              # 1-6 (0 for text before the first heading)
    path: tuple[str, ...]   # headings from the top down to this one
    prose: str = ""         # paragraphs, list items and table cells as plain text, one block a line
    links: list[tuple[str, str]] = field(default_factory=list)   # (link text, target)
    tables: list[list[list[str]]] = field(default_factory=list)  # rows of cells
    code: list[str] = field(default_factory=list)                 # fenced or indented blocks
    # Paragraphs and list items one per entry, wrapped lines joined with spaces (prose keeps the
    # source line breaks); a paragraph of "Key: value" lines keeps one entry per line.
    blocks: list[str] = field(default_factory=list)


@dataclass
class Document:
    front_matter: str | None
    sections: list[Section]

    @property
    def title(self) -> str | None:
        """The first level-1 heading, else the first heading of any level."""
        headed = [s for s in self.sections if s.level]
        top = [s for s in headed if s.level == 1]
        return (top or headed or [None])[0].heading if headed else None

    def section(self, *names: str) -> Section | None:
        """The first section whose heading is one of names (case and punctuation ignored)."""
        wanted = {_key(n) for n in names}
        return next((s for s in self.sections if _key(s.heading) in wanted), None)

    def under(self, section: Section) -> str:
        """The section's prose with that of its subsections."""
        out, inside = [], False
        for s in self.sections:
            if s is section:
                inside = True
            elif inside and (s.level <= section.level or s.level == 0):
                break
            if inside:
                out.append(s.prose)
        return "\n".join(p for p in out if p)

    @property
    def prose(self) -> str:
        return "\n".join(s.prose for s in self.sections if s.prose)

    @property
    def links(self) -> list[tuple[str, str]]:
        return [link for s in self.sections for link in s.links]

    @property
    def blocks(self) -> list[str]:
        return [b for s in self.sections for b in s.blocks]


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(YAML front matter or None, the rest)."""
    m = _FRONT_MATTER.match(text)
    return (m.group(1), text[m.end():]) if m else (None, text)


def _bounded_brackets(body: str) -> str:
    """The body, with every "[" escaped (plain text, no links) when there are more than
    MAX_BRACKETS of them: parsing stays linear, and a warning says the links were not read."""
    count = body.count("[")
    if count <= MAX_BRACKETS:
        return body
    from extractors.normalize.text import warn
    warn(f"markdown: {count} '[' characters (more than {MAX_BRACKETS}); read as text, links not read")
    return body.replace("\\[", "[").replace("[", "\\[")


def _bounded_markup(text: str) -> str:
    """The text up to its MAX_MARKUP-th markup character (all of it when it has fewer), with a
    warning when cut: the work markdown-it does is bounded by that count, not by the bytes."""
    for count, m in enumerate(_MARKUP.finditer(text), 1):
        if count > MAX_MARKUP:
            from extractors.normalize.text import warn
            warn(f"markdown: more than {MAX_MARKUP} markup characters; read the first "
                 f"{m.start()} characters")
            return text[:m.start()]
    return text


def parse(text: str) -> Document:
    if len(text) > MAX_TEXT:
        from extractors.normalize.text import warn
        warn(f"markdown: {len(text)} characters; read the first {MAX_TEXT}")
        text = text[:MAX_TEXT]
    front, body = split_front_matter(text)
    body = _bounded_markup(_COMMENT.sub("", body))
    sections = [Section("", 0, ())]
    path: list[tuple[int, str]] = []
    tokens = _parser().parse(_bounded_brackets(body))
    row: list[str] | None = None
    table: list[list[str]] | None = None
    heading_level = 0
    for tok in tokens:
        current = sections[-1]
        if tok.type == "heading_open":
            heading_level = int(tok.tag[1])
        elif tok.type == "inline" and heading_level:
            heading = _plain(tok)
            path = [p for p in path if p[0] < heading_level] + [(heading_level, heading)]
            sections.append(Section(heading, heading_level, tuple(p[1] for p in path)))
            heading_level = 0
        elif tok.type == "table_open":
            table = []
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "inline" and row is not None:
            row.append(_plain(tok))
            current.links.extend(_links(tok))
        elif tok.type == "tr_close" and table is not None and row is not None:
            table.append(row)
            row = None
        elif tok.type == "table_close" and table is not None:
            current.tables.append(table)
            current.prose += "".join(" | ".join(r) + "\n" for r in table)
            current.blocks.extend(" | ".join(r) for r in table)
            table = None
        elif tok.type == "inline":
            current.prose += _plain(tok) + "\n"
            current.blocks.extend(_block_lines(_plain(tok)))
            current.links.extend(_links(tok))
        elif tok.type in ("fence", "code_block"):
            current.code.append(tok.content)
        elif tok.type == "html_block":
            current.prose += re.sub(r"<[^>]*>", " ", tok.content).strip() + "\n"
            current.blocks.append(" ".join(re.sub(r"<[^>]*>", " ", tok.content).split()))
    for s in sections:
        s.prose = s.prose.strip()
    return Document(front, [s for s in sections if s.level or s.prose or s.links or s.code])


_KEY_LINE = re.compile(r"^[^\W\d][\w '’/()-]{0,40}\s*:\s")


def _block_lines(text: str) -> list[str]:
    """A paragraph as one line, or as its lines when every line is "Key: value"."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if len(lines) > 1 and all(_KEY_LINE.match(ln) for ln in lines):
        return lines
    return [" ".join(lines)] if lines else []


def _plain(inline) -> str:
    """An inline token's text without markup: link text kept, images and HTML tags dropped."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(" ")
    return _SPACES.sub(" ", "".join(parts)).strip()


def _links(inline) -> list[tuple[str, str]]:
    out, target, words = [], None, []
    for child in inline.children or []:
        if child.type == "link_open":
            target, words = child.attrs.get("href"), []
        elif child.type == "link_close" and target:
            out.append((" ".join("".join(words).split()), str(target)))
            target = None
        elif target is not None and child.type in ("text", "code_inline"):
            words.append(child.content)
    return out
