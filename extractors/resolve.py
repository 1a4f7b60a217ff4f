"""Resolution: many facts about one dataset -> one value per field.

Precedence (documented in README): basis first (measured > published > curated), then the kind
of place the fact was read from (structured API field > embedded structured data > text
pattern), then the order the adapter emitted them. Losing facts stay facts; a loser whose value
differs from the winner is reported as a conflict, never averaged away. One field depends on
another: item_unit is the unit of the winning item_count fact when that fact states one.
"""
from __future__ import annotations

from typing import Any, Iterable

from extractors.model import BASES, CANONICAL_FIELDS, Fact

BASIS_ORDER = {basis: len(BASES) - i for i, basis in enumerate(BASES)}   # measured 3 … curated 1
NUMERIC_TOLERANCE = 0.01  # relative; counts and sizes within 1% are the same claim


def precedence(fact: Fact) -> tuple[int, int]:
    return BASIS_ORDER.get(fact.basis, 0), fact.rank


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if a == b:
            return True
        return abs(a - b) <= NUMERIC_TOLERANCE * max(abs(a), abs(b))
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.casefold().split()) == " ".join(b.casefold().split())
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return a == b


def winners(facts: Iterable[Fact]) -> dict[str, Fact]:
    """The winning fact per field (stable: earlier facts win ties)."""
    best: dict[str, Fact] = {}
    for fact in facts:
        current = best.get(fact.field)
        if current is None or precedence(fact) > precedence(current):
            best[fact.field] = fact
    return best


def conflicts(facts: Iterable[Fact]) -> list[dict]:
    facts = list(facts)
    best = winners(facts)
    out = []
    for fact in facts:
        win = best[fact.field]
        if fact is not win and not same_value(fact.value, win.value):
            out.append({"field": fact.field, "value": win.value, "evidence": win.evidence,
                        "other_value": fact.value, "other_evidence": fact.evidence})
    return out


def record(facts: Iterable[Fact], fields: Iterable[str] = CANONICAL_FIELDS,
           key: str | None = None) -> dict[str, Any]:
    """The resolved view of one record (default: the input's own dataset, record None) in the
    label format's field names and value shapes."""
    best = winners(f for f in facts if f.record == key)
    values = {name: fact.value for name, fact in best.items()}
    # item_unit qualifies item_count: the winning count's own unit, when it states one, beats
    # an item_unit fact that may belong to another (losing) count.
    count = best.get("item_count")
    if count is not None and count.unit:
        values["item_unit"] = count.unit
    wanted = set(fields)
    return {name: values[name] for name in CANONICAL_FIELDS if name in values and name in wanted}


def by_record(facts: Iterable[Fact]) -> dict[str | None, list[Fact]]:
    grouped: dict[str | None, list[Fact]] = {}
    for fact in facts:
        grouped.setdefault(fact.record, []).append(fact)
    return grouped
