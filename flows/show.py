"""Terminal output: the catalog card and query result tables."""
from __future__ import annotations

import csv
import json
import sys

DIM_LABELS = {"completeness": "Completeness", "uniqueness": "Uniqueness", "validation": "Validation",
              "size_adequacy": "Size adequacy", "format_compliance": "Format compliance",
              "label_density": "Label density", "class_balance": "Class balance"}
BASIS_MARK = {"measured": "measured", "published": "published", "curated": "curated", "default": "default"}


def human_bytes(n: int | None) -> str:
    if n is None:
        return "size unknown"
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.0f} {unit}" if n / scale >= 10 else f"{n / scale:.1f} {unit}"
    return f"{n} B"


def headline(card: dict) -> str:
    f = card["facts"]
    parts = []
    if f.get("item_count") is not None:
        text = f"{f['item_count']:,} {f.get('item_unit') or 'items'}"
        if f.get("subject_count"):
            text += f" from {f['subject_count']:,} subjects"
        parts.append(text)
    if f.get("class_count"):
        parts.append(f"{f['class_count']} classes")
    if f.get("size_bytes") is not None:
        parts.append(human_bytes(f["size_bytes"]))
    if f.get("formats"):
        parts.append(" · ".join(f["formats"]))
    if f.get("license"):
        commercial = {True: " (commercial OK)", False: " (non-commercial)"}.get(f.get("commercial_use"), "")
        parts.append(f"{f['license']}{commercial}")
    if f.get("release_date"):
        parts.append(f"released {str(f['release_date'])[:4]}")
    if f.get("publisher"):
        parts.append(f"maintainer {f['publisher']}")
    return ", ".join(parts)


def render(card: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    title = card["facts"].get("title") or card["name"]
    console.print(f"[bold]{card['name']}[/bold]" + (f" ({title})" if title != card["name"] else ""))
    console.print(headline(card) or "[dim]no facts yet[/dim]")
    console.print(f"source {card['source_url']} · category {card['category']}")
    if card.get("withdrawn"):
        console.print("[red]withdrawn: the source answered 404/410 in its last two runs[/red]")
    if card["conflicts"]:
        console.print(f"[yellow]conflicting sources for: {', '.join(card['conflicts'])}[/yellow]")
    lqs = card["lqs"]
    if lqs is None:
        console.print("[dim]not scored yet[/dim]")
        return
    console.print(f"[bold]LQS {lqs['composite']} · {lqs['tier']}[/bold]  coverage {lqs['coverage']:.0%}, "
                  f"methodology v{lqs['methodology_version']}, scored {lqs['scored_at'][:19]}")
    table = Table(show_header=True, box=None, pad_edge=False)
    for col in ("dimension", "score", "", "basis", "evidence"):
        table.add_column(col, overflow="fold")
    for d in card["dimensions"]:
        bar = "█" * round(d["score"] / 5) + "·" * (20 - round(d["score"] / 5))
        table.add_row(DIM_LABELS.get(d["dimension"], d["dimension"]), str(d["score"]), bar,
                      BASIS_MARK.get(d["basis"], d["basis"]), d["evidence"])
    console.print(table)
    facts = Table(show_header=True, box=None, pad_edge=False, title="facts")
    for col in ("field", "value", "basis", "from"):
        facts.add_column(col, overflow="fold")
    for field, value in card["facts"].items():
        prov = card["provenance"][field]
        mark = " ⚠ conflict" if field in card["conflicts"] else ""
        facts.add_row(field, json.dumps(value, ensure_ascii=False) + mark, prov["basis"], prov["extractor"] or "")
    console.print(facts)


def print_rows(columns: list[str], rows: list[tuple], mode: str = "table") -> None:
    if mode == "json":
        print(json.dumps([dict(zip(columns, r)) for r in rows], indent=2, ensure_ascii=False, default=str))
        return
    if mode == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*["" if v is None else str(v) for v in r])
    Console().print(table)
    print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
