"""The static catalog site `lqs publish` writes next to the tables: index.html (every dataset,
sortable and filterable by a little inline JavaScript) and cards/<id>.html (the catalog card).

Pages are rendered by Jinja2 (autoescape on) from warehouse/templates/ and returned as bytes,
like every other publish output, so publish writes only what changed and lists them in the
manifest. Nothing in a page depends on the moment of publishing (only on the warehouse), rows
come in a fixed order, and a page needs no other file: CSS and script are inline, no CDN, no
fonts, no fetch(), so the folder works from file:// and from any static host.
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from scoring.lqs import DIMENSIONS
from warehouse.cards import card_history, conflict_details, formats_text, human_bytes, last_checked, score_line
from warehouse.history import describe

# Fields of the facts table in reading order (cards.CARD_FIELDS holds no more than these).
FACT_ORDER = ("title", "item_count", "item_unit", "subject_count", "class_count", "size_bytes", "file_count",
              "formats", "license", "commercial_use", "release_date", "publisher", "version", "doi",
              "homepage", "access")
HISTORY_LABELS = {"license": "Licence", "commercial_use": "Commercial use", "size_bytes": "Size",
                  "composite": "LQS", "tier": "Tier", "status": "Status"}


def pages(con, all_cards: dict[str, dict], stems: dict[str, str]) -> dict[str, bytes]:
    """index.html and cards/<stem>.html for these cards (stems: dataset id -> file stem)."""
    env = _environment()
    checked, history, conflicts = last_checked(con), card_history(con), conflict_details(con)
    rows = sorted((_row(card, stems[i], checked.get(i)) for i, card in all_cards.items()), key=_default_order)
    categories = sorted({row["category"] for row in rows})
    out = {"index.html": _render(env, "index.html.j2", rows=rows, categories=categories)}
    for dataset_id, card in sorted(all_cards.items()):
        page = _card_page(card, stems[dataset_id], checked.get(dataset_id), history.get(dataset_id, []),
                          conflicts.get(dataset_id, []))
        out[f"cards/{stems[dataset_id]}.html"] = _render(env, "card.html.j2", **page)
    return out


def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    # Autoescape everything: the templates are .html.j2, which select_autoescape would not match.
    env = Environment(loader=PackageLoader("warehouse", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["web_url"] = web_url
    return env


def _render(env, name: str, **context) -> bytes:
    return env.get_template(name).render(**context).encode("utf-8")


def web_url(value) -> str | None:
    """The value when it is an http(s) URL, else None: scraped text never becomes a javascript:
    or data: link (autoescape guards the markup, not the scheme)."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


# ---------------------------------------------------------------------------- the index
def _row(card: dict, stem: str, checked: str | None) -> dict:
    facts, lqs = card["facts"], card["lqs"]
    return {"href": f"cards/{stem}.html", "title": title(card), "category": card["category"],
            "lqs": lqs["composite"] if lqs else None, "tier": lqs["tier"] if lqs else None,
            "status": lqs["status"] if lqs else None,
            "evidence_text": f"{lqs['evidenced']} of {lqs['dimensions_total']} evidenced" if lqs else None,
            "license": facts.get("license"), "commercial": commercial_text(facts.get("commercial_use")),
            "size": human_bytes(facts["size_bytes"]) if facts.get("size_bytes") is not None else None,
            "size_bytes": facts.get("size_bytes"), "item_text": items_text(facts),
            "item_count": facts.get("item_count"), "checked": checked, "withdrawn": card["withdrawn"]}


def _default_order(row: dict):
    """Best score first, unrated last, then by title and link (the order the page opens in)."""
    return (row["lqs"] is None, -(row["lqs"] or 0), row["title"].casefold(), row["href"])


# ---------------------------------------------------------------------------- one card
def _card_page(card: dict, stem: str, checked: str | None, history: list[dict], conflicts: list[dict]) -> dict:
    facts = card["facts"]
    dimensions = [{**d, "label": dimension_label(d["dimension"])} for d in card["dimensions"]]
    return {
        "card": card, "stem": stem, "title": title(card), "checked": checked,
        "summary": _summary(card),
        "dimensions": dimensions,
        "score_line": score_line(card["lqs"]) if card["lqs"] else None,
        "gaps": _gaps(card, dimensions),
        "facts": [{"field": f, "value": fact_text(f, facts[f]), "url": web_url(facts[f]),
                   **card["provenance"].get(f, {})} for f in _fact_fields(facts)],
        "conflicts": [{"field": c["field"], "sides": [{**s, "text": fact_text(c["field"], s["value"])}
                                                      for s in c["sides"]]} for c in conflicts],
        "history": [{"when": h["changed_at"].strftime("%Y-%m-%d %H:%M"),
                     "what": HISTORY_LABELS.get(h["item"], h["item"]), "change": _history_text(h),
                     "flagged": h["flagged"], "evidence": h["evidence"]} for h in history],
        "dimension_names": [dimension_label(d) for d in DIMENSIONS],
    }


def _gaps(card: dict, dimensions: list[dict]) -> list[dict]:
    """The dimensions scored by default, each with what would fill it (the evidence_gaps view)."""
    fill = {g["dimension"]: g["gap"] for g in card.get("evidence_gaps", [])}
    return [{**d, "gap": fill.get(d["dimension"]) or d["evidence"]} for d in dimensions if d["basis"] == "default"]


def _fact_fields(facts: dict) -> list[str]:
    return [f for f in FACT_ORDER if f in facts] + sorted(f for f in facts if f not in FACT_ORDER)


def _summary(card: dict) -> list[tuple[str, str]]:
    """The card's headline facts as (label, text); unknown ones say so rather than vanish."""
    f = card["facts"]
    unknown = "not stated"
    licence = f.get("license")
    return [
        ("Items", items_text(f) or unknown),
        ("Subjects", f"{f['subject_count']:,}" if f.get("subject_count") is not None else unknown),
        ("Classes", f"{f['class_count']:,}" if f.get("class_count") is not None else unknown),
        ("Size", size_text(f.get("size_bytes")) or unknown),
        ("Files", f"{f['file_count']:,}" if f.get("file_count") is not None else unknown),
        ("Formats", formats_text(card) or unknown),
        ("Licence", f"{licence} ({commercial_text(f.get('commercial_use'))})" if licence else unknown),
        ("Release year", str(f["release_date"])[:4] if f.get("release_date") else unknown),
        ("Maintainer", f.get("publisher") or unknown),
    ]


def _history_text(change: dict) -> str:
    if change["kind"] == "fact" and change["item"] == "size_bytes" and change["change"] == "changed":
        return f"{size_text(change['old_value'])} → {size_text(change['new_value'])}"
    if change["kind"] == "fact" and change["item"] == "commercial_use" and change["change"] == "changed":
        return f"{commercial_text(change['old_value'])} → {commercial_text(change['new_value'])}"
    if change["kind"] == "dataset" and change["change"] == "added":
        return "first harvested"
    return describe(change)


# ---------------------------------------------------------------------------- text
def title(card: dict) -> str:
    """The display title: the editor's name for the source (the page's own title is a fact)."""
    return card["name"] or card["facts"].get("title") or card["dataset_id"]


def dimension_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def commercial_text(value) -> str:
    return {True: "commercial use OK", False: "non-commercial"}.get(value, "commercial use unknown")


def items_text(facts: dict) -> str | None:
    if facts.get("item_count") is None:
        return None
    return f"{facts['item_count']:,} {facts.get('item_unit') or 'items'}"


def size_text(value) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return f"{human_bytes(value)} ({value:,} bytes)"


def fact_text(field: str, value) -> str:
    if value is None:
        return "—"
    if field == "size_bytes":
        return size_text(value) or str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return " · ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
