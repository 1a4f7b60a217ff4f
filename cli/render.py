"""Terminal output: the catalog card and query result tables."""
from __future__ import annotations

import csv
import json
import sys

from warehouse.cards import headline, score_line


def render(card: dict) -> None:
    from rich.console import Console
    from rich.markup import escape   # page and config text may hold [brackets]
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
    console.print(f"[bold]{score_line(lqs)}[/bold]  {lqs['status']}, coverage {lqs['coverage']:.0%}, "
                  f"methodology v{lqs['methodology_version']}, scored {lqs['scored_at'][:19]}")
    table = Table(show_header=True, box=None, pad_edge=False)
    for col in ("dimension", "score", "", "basis", "evidence"):
        table.add_column(col, overflow="fold")
    for d in card["dimensions"]:
        bar = "█" * round(d["score"] / 5) + "·" * (20 - round(d["score"] / 5))
        table.add_row(d["dimension"].replace("_", " ").capitalize(), str(d["score"]), bar,
                      d["basis"], escape(d["evidence"]))
    console.print(table)
    if card.get("evidence_gaps"):
        gaps = Table(show_header=True, box=None, pad_edge=False, title="Evidence gaps")
        gaps.add_column("dimension", overflow="fold")
        gaps.add_column("what would fill it", overflow="fold")
        for g in card["evidence_gaps"]:
            gaps.add_row(g["dimension"].replace("_", " ").capitalize(), escape(g["gap"] or ""))
        console.print(gaps)
    facts = Table(show_header=True, box=None, pad_edge=False, title="facts")
    for col in ("field", "value", "basis", "from"):
        facts.add_column(col, overflow="fold")
    for field, value in card["facts"].items():
        prov = card["provenance"][field]
        mark = " ⚠ conflict" if field in card["conflicts"] else ""
        facts.add_row(field, json.dumps(value, ensure_ascii=False) + mark, prov["basis"], prov["extractor"] or "")
    console.print(facts)


def print_rows(columns: list[str], rows: list[tuple], mode: str = "table", whole: tuple[str, ...] = ()) -> None:
    """rows as JSON, CSV or a table. In a table the `whole` columns (short codes, numbers) keep
    their full width and the others fold onto more lines: nothing is cut to a few letters."""
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

    cells = [["" if v is None else str(v) for v in r] for r in rows]
    table = Table(show_lines=False)
    widths = []
    for i, col in enumerate(columns):
        longest = max([len(col), *(len(c[i]) for c in cells)])
        widths.append(longest if col in whole else min(12, longest))
        if col in whole:
            table.add_column(col, no_wrap=True, min_width=widths[-1])
        else:
            table.add_column(col, overflow="fold", min_width=widths[-1])
    for c in cells:
        table.add_row(*c)
    console = Console()
    needed = sum(widths) + 3 * len(widths) + 1   # cells, their padding and the borders
    if needed > console.width:   # wider than the terminal: let it wrap lines rather than crop cells
        console = Console(width=needed)
    console.print(table)
    print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
