"""XML -> a nested dict of local names, parsed safely with lxml.

`parse(body) -> (root_name, dict)`: the root element's local name and its content as a dict, so
metadata readers can walk XML with the same code as JSON/YAML. Namespaces are dropped (the local
name `eml:eml` -> "eml", `dc:title` -> "title"). Per element:
  - a leaf with no attributes -> its text (str);
  - otherwise a dict: child local name -> value (a list when the name repeats), attributes as
    "@name", and the element's whole text (its own and its children's, white space collapsed)
    as "#text" when it has any. "#text" is how mixed content (an EML <para> with an <ulink>
    inside) stays readable as one sentence.

Safety: no entity expansion, no network, no huge trees; DOCTYPE-declared entities are refused by
the parser settings. Work is bounded: at most MAX_ELEMENTS elements and MAX_DEPTH levels are
turned into dicts; deeper or further content is dropped.
"""
from __future__ import annotations

MAX_BODY = 20_000_000
MAX_DEPTH = 40
MAX_ELEMENTS = 200_000
MAX_TEXT = 20_000     # characters of one "#text"


class XMLError(ValueError):
    """The body is not well-formed XML (or is refused)."""


def local(tag) -> str:
    """The local name of an lxml tag ("{ns}title" -> "title", "dc:title" -> "title")."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def parse_root(body: bytes):
    """The lxml root element of a body, parsed with entities, network and huge trees off."""
    from lxml import etree

    if len(body) > MAX_BODY:
        raise XMLError(f"XML body too large ({len(body)} bytes)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, dtd_validation=False, recover=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise XMLError(f"not XML: {' '.join(str(exc).split())[:160]}") from None
    except ValueError as exc:   # e.g. a str with an encoding declaration
        raise XMLError(f"not XML: {exc}"[:200]) from None
    if root is None:
        raise XMLError("not XML: empty document")
    return root


def parse(body: bytes) -> tuple[str, dict | str]:
    """(root local name, root content) — see the module docstring for the shape."""
    root = parse_root(body)
    budget = [MAX_ELEMENTS]
    return local(root.tag), to_dict(root, budget)


def to_dict(element, budget: list[int] | None = None, depth: int = 0):
    """One element as a str (plain leaf) or dict (see module docstring)."""
    if budget is None:
        budget = [MAX_ELEMENTS]
    budget[0] -= 1
    attributes = {"@" + local(k): v for k, v in element.attrib.items() if local(k)}
    children = [c for c in element if isinstance(c.tag, str)]   # no comments / PIs
    # Whole text only where the element itself holds text (a leaf, or mixed content such as
    # <para>see <ulink/>.</para>): a pure container's text is its children's, read there.
    own = (element.text or "").strip() or any((c.tail or "").strip() for c in children)
    text = _all_text(element) if own or not children else ""
    if not children and not attributes:
        return text
    out: dict = dict(attributes)
    if depth < MAX_DEPTH:
        for child in children:
            if budget[0] <= 0:
                break
            name = local(child.tag)
            if not name or name.startswith(("@", "#")):
                continue
            value = to_dict(child, budget, depth + 1)
            if name in out:
                if not isinstance(out[name], list):
                    out[name] = [out[name]]
                out[name].append(value)
            else:
                out[name] = value
    if text:
        out["#text"] = text
    return out


def _all_text(element) -> str:
    parts = []
    size = 0
    for piece in element.itertext():
        parts.append(piece)
        size += len(piece)
        if size > MAX_TEXT:
            break
    return " ".join(" ".join(parts).split())[:MAX_TEXT]
