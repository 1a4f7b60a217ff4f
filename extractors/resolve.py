"""Resolution: many facts about one dataset -> one value per field. The ONE place that decides.

Precedence (documented in README): basis first (measured > published > curated), then the kind
of place the fact was read from (structured API field > embedded structured data > text
pattern), then the order the facts were emitted. Losing facts stay facts; a loser whose value
differs from the winner is reported as a conflict, never averaged away.

resolve(facts) is used by every path that needs a decision, so they cannot disagree:
- `lqs extract` (extractors/document.py) prints record(), which is resolve()'s winners;
- the harvest (flows/harvest.py) stores resolve()'s facts with its two flags per fact: `winner`
  (the resolved value of its (record, field)) and `basis_best` (the value scoring reads for its
  (record, field, basis): the winner when it has that basis, else the basis's best by the same
  precedence);
- scoring (scoring/run.py) reads the rows flagged basis_best and decides nothing itself.
So the warehouse's winning facts of a record are exactly `lqs extract`'s record of that input.

Beyond picking, resolve() does three things, once, for every path:
- shapes values into the label format's shapes (shape(): ints, an upper-case sorted format set,
  a normalised DOI, one-line strings); a winner whose value cannot take its field's shape leaves
  the field without a winner (a warning says so) rather than publishing a malformed value;
- item_unit qualifies item_count: when the winning count states a unit, the item_unit winner is
  an item_unit fact with that value, else a derived fact carrying the count's unit (an
  item_unit fact of another, losing count must not describe the winning one);
- commercial_use follows from a clear licence (normalize.license.commercial_use) for the
  input's own record when no fact states it: a derived fact with the licence winner's basis
  and rank.
Derived facts come after the input's facts and name DERIVED as their extractor.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field, replace
from typing import Any, Iterable

from extractors.model import BASES, CANONICAL_FIELDS, Fact
from extractors.normalize import annotations as annotations_
from extractors.normalize import formats as formats_
from extractors.normalize.ids import normalize_doi
from extractors.normalize.license import commercial_use

BASIS_ORDER = {basis: len(BASES) - i for i, basis in enumerate(BASES)}   # measured 3 … curated 1
NUMERIC_TOLERANCE = 0.01  # relative; counts and sizes within 1% are the same claim
VERSION = "1"             # of these rules; part of every source's fingerprint (a change re-resolves all)
DERIVED = "derived@1"     # the extractor name of facts resolution adds

INT_FIELDS = {"size_bytes", "file_count", "item_count", "subject_count", "class_count"}
STR_FIELDS = {"title", "license", "release_date", "version", "publisher", "homepage",
              "item_unit", "access"}


def precedence(fact: Fact) -> tuple[int, int]:
    return BASIS_ORDER.get(fact.basis, 0), fact.rank or 0


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


# ------------------------------------------------------------------ shapes
def shape(field: str, value: Any) -> Any:
    """The label format's shape for one canonical field's value, or None when it cannot have
    it. Other fields' values are returned as they are."""
    if field in INT_FIELDS:
        return _as_int(value)
    if field == "commercial_use":
        return value if isinstance(value, bool) else None
    if field == "formats":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple, set)):
            return None
        names = formats_.sorted_set(str(v).strip().upper() for v in value
                                    if isinstance(v, str) and v.strip())
        return names or None
    if field == "annotations_creators":
        return annotations_.from_values(value) or None
    if field == "doi":
        return normalize_doi(value) if isinstance(value, str) else None
    if field in STR_FIELDS:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return None
        text = " ".join(str(value).split())
        return text or None
    return value


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


# ------------------------------------------------------------------ the decision
@dataclass
class Resolution:
    """The facts (the input's, values shaped where they take their field's shape, then the
    derived ones) and, per fact, whether it is its (record, field)'s winner and its
    (record, field, basis)'s best."""
    facts: list[Fact]
    winner: list[bool]
    basis_best: list[bool]
    derived: list[bool]
    warnings: list[str] = dc_field(default_factory=list)

    def record(self, key: str | None = None, fields: Iterable[str] = CANONICAL_FIELDS) -> dict[str, Any]:
        """The resolved canonical record of `key` (None: the input's own dataset)."""
        wanted = set(fields)
        values = {f.field: f.value for f, won in zip(self.facts, self.winner)
                  if won and f.record == key and f.field in wanted}
        return {name: values[name] for name in CANONICAL_FIELDS if name in values}


def resolve(facts: Iterable[Fact]) -> Resolution:
    facts = [_shaped(f) for f in facts]
    warnings: list[str] = []
    first = _pick(facts, warnings)
    # Derived facts read the first decision (the count and licence winners, which no derived
    # fact can change), then everything is decided again with them in.
    added = _item_units(facts, first) + _commercial_use(facts, first)
    derived = [False] * len(facts) + [True] * len(added)
    facts += added
    winner = _pick(facts, None)
    winner.update(_unit_winners(facts, winner))
    chosen = set(winner.values())
    return Resolution(facts, [i in chosen for i in range(len(facts))],
                      _basis_best(facts, winner), derived, warnings)


def _shaped(fact: Fact) -> Fact:
    if fact.field not in CANONICAL_FIELDS:
        return fact
    value = shape(fact.field, fact.value)
    if value is None or (value == fact.value and type(value) is type(fact.value)):
        return fact   # unshapeable values stay as stated; they cannot win (below)
    return replace(fact, value=value)


def _best(indexes: Iterable[int], facts: list[Fact]) -> int | None:
    """The strongest of these facts; the earliest among equals."""
    best = None
    for i in indexes:
        if best is None or precedence(facts[i]) > precedence(facts[best]):
            best = i
    return best


def _pick(facts: list[Fact], warnings: list[str] | None) -> dict:
    """{(record, field): index of its winner} by precedence. A field whose strongest fact has
    no valid shape has no winner."""
    groups: dict[tuple, list[int]] = {}
    for i, fact in enumerate(facts):
        groups.setdefault((fact.record, fact.field), []).append(i)
    out = {}
    for key, indexes in groups.items():
        best = _best(indexes, facts)
        fact = facts[best]
        if fact.field in CANONICAL_FIELDS and shape(fact.field, fact.value) is None:
            if warnings is not None:
                warnings.append(f"{fact.field}: value {str(fact.value)[:80]!r} has the wrong shape; dropped")
            continue
        out[key] = best
    return out


def _counted_units(facts: list[Fact], winner: dict) -> Iterable[tuple[str | None, Fact, str]]:
    """(record, winning count, its shaped unit) for each record whose winning count states one."""
    for (record, field), index in winner.items():
        count = facts[index]
        if field == "item_count" and count.unit:
            unit = shape("item_unit", count.unit)
            if unit is not None:
                yield record, count, unit


def _units_stated(facts: list[Fact]) -> dict[tuple, list[int]]:
    """{(record, item_unit value): indexes of the item_unit facts stating it}."""
    out: dict[tuple, list[int]] = {}
    for i, fact in enumerate(facts):
        if fact.field == "item_unit" and isinstance(fact.value, str):
            out.setdefault((fact.record, fact.value), []).append(i)
    return out


def _item_units(facts: list[Fact], winner: dict) -> list[Fact]:
    """A derived item_unit fact for each winning count whose unit no item_unit fact states."""
    stated = _units_stated(facts)
    return [Fact("item_unit", unit, f"unit of the winning item_count ({count.evidence})"[:1000],
                 None, count.basis, count.rank, record)
            for record, count, unit in _counted_units(facts, winner) if (record, unit) not in stated]


def _unit_winners(facts: list[Fact], winner: dict) -> dict:
    """item_unit follows the winning count's unit: the strongest item_unit fact with that value
    (there is one: _item_units made it when no input fact had it)."""
    stated = _units_stated(facts)
    out = {}
    for record, count, unit in _counted_units(facts, winner):
        if (record, unit) in stated:
            out[(record, "item_unit")] = _best(stated[(record, unit)], facts)
    return out


def _commercial_use(facts: list[Fact], winner: dict) -> list[Fact]:
    """commercial_use follows from the own record's licence when nothing states it and the
    licence is clear."""
    if any(f.field == "commercial_use" and f.record is None for f in facts):
        return []
    index = winner.get((None, "license"))
    if index is None:
        return []
    licence = facts[index]
    allowed = commercial_use(licence.value)
    if allowed is None:
        return []
    return [Fact("commercial_use", allowed, f"follows from licence {licence.value}", None,
                 licence.basis, licence.rank, None)]


def _basis_best(facts: list[Fact], winner: dict) -> list[bool]:
    """Per (record, field, basis): the winner when it has that basis, else the strongest."""
    groups: dict[tuple, list[int]] = {}
    for i, fact in enumerate(facts):
        groups.setdefault((fact.record, fact.field, fact.basis), []).append(i)
    flags = [False] * len(facts)
    for (record, field, basis), indexes in groups.items():
        won = winner.get((record, field))
        chosen = won if won is not None and facts[won].basis == basis else _best(indexes, facts)
        flags[chosen] = True
    return flags


# ------------------------------------------------------------------ views of the decision
def winners(facts: Iterable[Fact]) -> dict[str, Fact]:
    """The strongest fact per field by precedence alone (stable: earlier facts win ties); the
    adapters' tests use it to see which of their own facts is strongest."""
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
    return resolve(f for f in facts if f.record == key).record(key, fields)


def by_record(facts: Iterable[Fact]) -> dict[str | None, list[Fact]]:
    grouped: dict[str | None, list[Fact]] = {}
    for fact in facts:
        grouped.setdefault(fact.record, []).append(fact)
    return grouped
