"""reStructuredText read by structure (docutils): the document title, sections, field lists,
definition lists, bullet lists, tables, links and plain prose.

Serves the family of RST dataset descriptions: scikit-learn `datasets/descr/*.rst`
("**Data Set Characteristics:**" then a field list ":Number of Instances: 150"), Sphinx dataset
pages and RST READMEs. A field is found by its name, not by a pattern over the whole text.

docutils is run so that it can do nothing but parse: no file inclusion, no raw passthrough, no
messages written to stderr (report_level 5), never halting (halt_level 5), no configuration files
read. Unknown directives and roles (Sphinx's `.. dropdown::`, `:func:`) become system messages,
which are dropped. Input is capped. Pure: text in, values out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_TEXT = 300_000   # characters parsed: an RST description is never bigger
MAX_NODES = 50_000   # nodes walked

SETTINGS = {
    "report_level": 5, "halt_level": 5, "warning_stream": False, "file_insertion_enabled": False,
    "raw_enabled": False, "_disable_config": True, "docinfo_xform": False,
    "input_encoding": "unicode", "embed_stylesheet": False, "traceback": True,
    "line_length_limit": 20_000,
}
# Sections and rubrics whose content is other works (their years, counts and URLs are not ours).
REFERENCE_HEADINGS = re.compile(r"^\s*(?:references?|citations?|bibliography|citing|"
                                r"relevant papers|papers? citing)\b", re.I)


@dataclass
class Section:
    title: str                  # "" for content before the first section
    level: int                  # 0 for the document level
    prose: list[str] = field(default_factory=list)   # paragraphs / list items, one per entry
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, body) of field lists
    items: list[tuple[str, list[str]]] = field(default_factory=list)  # (term or field, its list)
    tables: list[list[list[str]]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, uri)


@dataclass
class Document:
    title: str | None
    sections: list[Section]

    @property
    def fields(self) -> list[tuple[str, str]]:
        return [f for s in self.sections for f in s.fields]

    @property
    def links(self) -> list[tuple[str, str]]:
        return [link for s in self.sections for link in s.links]

    @property
    def tables(self) -> list[list[list[str]]]:
        return [t for s in self.sections for t in s.tables]

    @property
    def items(self) -> list[tuple[str, list[str]]]:
        return [i for s in self.sections for i in s.items]

    @property
    def prose(self) -> str:
        return "\n".join(p for s in self.sections for p in s.prose)


def parse(text: str) -> Document | None:
    """The document, or None when docutils cannot parse it at all."""
    from docutils import nodes  # imported here: only RST inputs pay for docutils
    from docutils.core import publish_doctree

    if not isinstance(text, str):
        return None
    try:
        tree = publish_doctree(text[:MAX_TEXT], settings_overrides=dict(SETTINGS))
    except Exception:  # docutils raises its own errors on pathological input
        return None
    title = tree.get("title") if any(isinstance(c, nodes.title) for c in tree.children) else None
    out = Document(_flat(title) if title else None, [Section("", 0)])
    _walk(tree, out, nodes)
    return out


def _flat(text: str) -> str:
    return " ".join(text.split())


def _walk(tree, out: Document, nodes) -> None:
    """Depth-first over the tree with an explicit stack (deep nesting cannot recurse)."""
    stack = [(child, 0) for child in reversed(tree.children)]
    seen = 0
    skipping_rubric = False
    while stack and seen < MAX_NODES:
        node, level = stack.pop()
        seen += 1
        current = out.sections[-1]
        if isinstance(node, (nodes.system_message, nodes.comment, nodes.literal_block,
                             nodes.raw, nodes.substitution_definition, nodes.target,
                             nodes.citation, nodes.footnote)):
            continue
        if isinstance(node, nodes.section):
            heading = next((c for c in node.children if isinstance(c, nodes.title)), None)
            name = _flat(heading.astext()) if heading is not None else ""
            if REFERENCE_HEADINGS.match(name):
                continue  # a reference list: none of it describes this dataset
            out.sections.append(Section(name, level + 1))
            skipping_rubric = False
            stack.extend((c, level + 1) for c in reversed(node.children)
                         if not isinstance(c, nodes.title))
            continue
        if isinstance(node, nodes.rubric):
            skipping_rubric = bool(REFERENCE_HEADINGS.match(node.astext()))
            continue
        if skipping_rubric:
            continue
        if isinstance(node, nodes.field):
            name = _flat(node.children[0].astext()) if node.children else ""
            body = node.children[1] if len(node.children) > 1 else None
            current.fields.append((name, _flat(_text(body, nodes)) if body is not None else ""))
            if body is not None:
                _list_under(current, name, body, nodes)
                _collect_links(current, body, nodes)
            continue
        if isinstance(node, nodes.definition_list_item):
            term = next((c for c in node.children if isinstance(c, nodes.term)), None)
            definition = next((c for c in node.children if isinstance(c, nodes.definition)), None)
            if term is not None and definition is not None:
                name = _flat(term.astext())
                current.fields.append((name.rstrip(":"), _flat(_text(definition, nodes))))
                _list_under(current, name, definition, nodes)
                _collect_links(current, definition, nodes)
            continue
        if isinstance(node, nodes.table):
            rows = [[_flat(entry.astext()) for entry in row.children]
                    for row in node.findall(nodes.row)]
            current.tables.append(rows)
            current.prose.extend(" | ".join(r) for r in rows if any(r))
            continue
        if isinstance(node, nodes.paragraph):
            current.prose.append(_flat(_text(node, nodes)))
            _collect_links(current, node, nodes)
            continue
        if isinstance(node, nodes.Element):
            stack.extend((c, level) for c in reversed(node.children))


def _text(node, nodes) -> str:
    """A node's text without system messages or literal blocks."""
    parts = []
    for sub in node.findall(nodes.Text):
        if not any(isinstance(a, (nodes.system_message, nodes.literal_block, nodes.comment))
                   for a in _ancestors(sub, node)):
            parts.append(str(sub))
    return " ".join(parts)


def _ancestors(node, stop):
    parent = node.parent
    while parent is not None and parent is not stop:
        yield parent
        parent = parent.parent


def _list_under(section: Section, name: str, body, nodes) -> None:
    """Bullet lists inside a field or definition body: ("class:", [values]) pairs, nested too."""
    for blist in body.findall(nodes.bullet_list):
        values = [_flat(item.children[0].astext()) for item in blist.children
                  if item.children and isinstance(item.children[0], nodes.paragraph)]
        owner = blist.parent.parent if isinstance(blist.parent, nodes.definition) else None
        term = next((c for c in owner.children if isinstance(c, nodes.term)), None) \
            if owner is not None else None
        section.items.append((_flat(term.astext()) if term is not None else name, values))


def _collect_links(section: Section, node, nodes) -> None:
    for ref in node.findall(nodes.reference):
        uri = ref.get("refuri")
        if uri:
            section.links.append((_flat(ref.astext()), uri))
