"""LQS (../shared/docs/LQS.md): seven dimensions, composite, tier, coverage, status.

Pure: facts and file sizes in, scores out. Every weight, threshold and sentence comes from the
methodology config (config/lqs.toml, v1.1; config/lqs-1.toml keeps v1). For each dimension the
strongest evidence wins: measured > published > curated > default. The v1.1 inputs (published
missing values, annotations_creators, class share estimates, the rated/provisional status) are
read only when the config has their section, so an older methodology file scores as it did.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from extractors.model import BASES

DIMENSIONS = ("completeness", "uniqueness", "validation", "size_adequacy",
              "format_compliance", "label_density", "class_balance")
BASIS_ORDER = BASES   # strongest evidence first


@dataclass(frozen=True, init=False)
class Dimension:
    name: str
    score: int
    basis: str
    evidence: str

    def __init__(self, name: str, score: int, basis: str, evidence: str):
        # The generated frozen __init__ calls object.__setattr__ per field; seven of these are made
        # per dataset scored, so fill the instance dict at once (still frozen: no assignment).
        self.__dict__.update(name=name, score=score, basis=basis, evidence=evidence)


@dataclass
class Score:
    composite: int
    tier: str
    coverage: float
    methodology_version: str
    dimensions: list[Dimension] = field(default_factory=list)
    status: str = "rated"     # "rated" | "provisional" (fewer than min_rated_dimensions evidenced)
    evidenced: int = 0        # dimensions whose basis is not "default"


# The facts the formulas below read, besides the two lqs.toml names ([completeness]
# published_fact and [validation] mixed_fact): loaders fetch only these (see fields()). An
# Evidence built with `loaded` raises KeyError when a formula asks for a field not listed here.
FIELDS = frozenset({
    "fill_rate", "columns", "rows",                                          # completeness
    "hashes_verified", "duplicate_hash_pct", "dedup_method", "unique_ids",   # uniqueness
    "items_per_subject",
    "validation_kappa", "label_provenance",                                  # validation
    "item_count", "item_unit", "feature_count",                              # size adequacy
    "inner_format", "annotation_format", "formats",                          # format compliance
    "labels_per_item",                                                       # label density
    "gini", "max_min_ratio", "class_counts",                                 # class balance
    # v1.1
    "missing_values", "annotations_creators", "annotation_review", "class_share_estimate",
})


def fields(cfg: dict) -> frozenset[str]:
    """Every fact name the formulas read under this methodology config."""
    return FIELDS | {cfg["completeness"]["published_fact"], cfg["validation"]["mixed_fact"]}


@dataclass
class Evidence:
    """The facts of one dataset, best fact per (field, basis)."""
    facts: dict[str, dict[str, Any]]   # field -> basis -> value
    category: str
    files: list[dict] = field(default_factory=list)   # name, size_bytes, format
    loaded: frozenset[str] | None = None   # the fields a loader fetched (None: all of them)

    @classmethod
    def from_rows(cls, rows, category: str, files=()) -> "Evidence":
        """rows: (field, value, basis) in precedence order within a basis (first wins)."""
        facts: dict[str, dict[str, Any]] = {}
        for field_, value, basis in rows:
            facts.setdefault(field_, {}).setdefault(basis, value)
        return cls(facts, category, list(files))

    def best(self, name: str, bases=BASIS_ORDER) -> tuple[Any, str] | None:
        by_basis = self.facts.get(name)
        if by_basis:
            for basis in bases:
                if basis in by_basis:
                    return by_basis[basis], basis
        elif self.loaded is not None and name not in self.loaded:
            self._not_loaded(name)
        return None

    def get(self, name: str, basis: str = "measured") -> Any:
        by_basis = self.facts.get(name)
        if by_basis is None:
            if self.loaded is not None and name not in self.loaded:
                self._not_loaded(name)
            return None
        return by_basis.get(basis)

    @staticmethod
    def _not_loaded(name: str):
        raise KeyError(f"fact {name!r} was not loaded: add it to scoring.lqs.FIELDS")


def round_half_up(x: float) -> int:
    r = round(x, 9)
    # Fast path, exact: for 0 <= r < 1e6 the fraction r - int(r) is computed exactly, and when it
    # is clearly away from .5 the shortest decimal of r (what Decimal reads) rounds the same way.
    if (type(r) is float or type(r) is int) and 0 <= r < 1e6:
        whole = int(r)
        frac = r - whole
        if abs(frac - 0.5) > 1e-6:
            return whole + 1 if frac > 0.5 else whole
    return int(Decimal(repr(r)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _num(value) -> float | None:
    kind = type(value)
    if kind is float:      # the common cases first (exact types: bool and subclasses go below)
        return value
    if kind is int:
        return float(value)
    if value is None:
        return None        # float(str(None)) fails: the same answer, sooner
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except (TypeError, ValueError):
        return None


def _fmt_int(n: float) -> str:
    return f"{int(round(n)):,}"


# --------------------------------------------------------------------------- dimensions
def completeness(ev: Evidence, cfg: dict) -> Dimension:
    tpl = cfg["evidence"]
    fill = ev.get("fill_rate")
    if fill is not None:
        pct = _num(fill)
        text = tpl["completeness_measured"].format(
            pct=_trim(pct), columns=ev.get("columns") or "?", rows=_fmt_int(_num(ev.get("rows")) or 0))
        return Dimension("completeness", round_half_up(pct), "measured", text)
    found = ev.best(cfg["completeness"]["published_fact"], ("published", "curated"))
    if found:
        pct = _num(found[0])
        if pct is not None:
            text = tpl["completeness_published"].format(pct=_trim(pct))
            return Dimension("completeness", round_half_up(pct), found[1], text)
    missing = cfg["completeness"].get("missing_values")
    if missing:
        dim = _missing_values(ev, missing)
        if dim is not None:
            return dim
    return _default("completeness", cfg)


def _missing_values(ev: Evidence, m: dict) -> Dimension | None:
    """v1.1, the family of host statistics on missing cells (Hub /statistics nan_proportion of the
    label columns, OpenML NumberOfMissingValues over instances x features): score 100 - pct."""
    found = ev.best(m["fact"], ("published",))
    value = found[0] if found else None
    pct = _num(value.get("pct")) if isinstance(value, dict) else None
    if pct is None or not 0 <= pct <= 100:
        return None   # a share outside 0-100 is a broken statement, not evidence
    source = str(value.get("source") or "Host statistics")
    rows, split = _num(value.get("rows")), value.get("split")
    text = m["templates"].get(source, m["templates"]["other"]).format(
        source=source, pct=pct, pct_text=_trim(pct), columns=value.get("columns") or "?",
        rows=_fmt_int(rows) if rows is not None else "?",
        column_word="column" if value.get("columns") == 1 else "columns",
        split_note=f" ({split} split)" if split else "")
    return Dimension("completeness", round_half_up(100 - pct), found[1], text)


def uniqueness(ev: Evidence, cfg: dict) -> Dimension:
    u, tpl = cfg["uniqueness"], cfg["evidence"]
    penalty = u["duplicate_penalty_per_pct"]
    if ev.get("hashes_verified") is not None:
        dup = _num(ev.get("duplicate_hash_pct")) or 0.0
        text = tpl["uniqueness_hashes"].format(files=ev.get("hashes_verified"), dup_pct=_trim(dup))
        return Dimension("uniqueness", _floor0(u["hashes_verified"] - penalty * dup), "measured", text)
    documented = ev.best("dedup_method", ("published", "curated"))
    if documented:
        return Dimension("uniqueness", u["documented_exact_dedup"], documented[1],
                         tpl["uniqueness_documented"].format(dup_note=""))
    unique, rows = _num(ev.get("unique_ids")), _num(ev.get("rows"))
    if unique is not None and rows:
        dup = 100.0 * (rows - unique) / rows
        text = tpl["uniqueness_ids"].format(unique=_fmt_int(unique), rows=_fmt_int(rows),
                                            dup_pct=_trim(dup), leak_note=_leak_note(ev))
        return Dimension("uniqueness", _floor0(u["id_check"] - penalty * dup), "measured", text)
    return Dimension("uniqueness", u["unknown"], "default", cfg["evidence"]["no_evidence"])


def _leak_note(ev: Evidence) -> str:
    per = _num(ev.get("items_per_subject"))
    return f"; {_trim(per)} items per subject (leakage note, not a penalty)" if per else ""


def _floor0(x: float) -> int:
    return max(0, round_half_up(x))


def validation(ev: Evidence, cfg: dict) -> Dimension:
    v = cfg["validation"]
    kappa = ev.best("validation_kappa", ("measured",))
    if kappa and _num(kappa[0]) is not None:
        k = _num(kappa[0])
        text = cfg["evidence"]["validation_kappa"].format(kappa=f"{k:.2f}")
        return Dimension("validation", round_half_up(v["kappa_base"] + v["kappa_scale"] * k), "measured", text)
    mix = ev.best(v["mixed_fact"], ("published", "curated"))
    if mix and isinstance(mix[0], dict) and mix[0]:
        shares = {p: _num(s) or 0.0 for p, s in mix[0].items() if p in v["ladder"]}
        total = sum(shares.values())
        if total > 0:
            score = sum(v["ladder"][p] * s for p, s in shares.items()) / total
            parts = ", ".join(f"{_trim(100 * s / total)}% {p}" for p, s in shares.items())
            return Dimension("validation", round_half_up(score), mix[1], f"Mixed label provenance: {parts}.")
    # A stated label_provenance is read before a card's annotations_creators (v1.1) and a
    # curated one after it: published evidence first, the editor's statement last.
    creators = v.get("annotations_creators")
    steps = [("published",), "annotations_creators", ("curated",)] if creators else [("published", "curated")]
    for step in steps:
        if step == "annotations_creators":
            dim = _annotations_creators(ev, creators)
            if dim is not None:
                return dim
            continue
        prov = ev.best("label_provenance", step)
        if prov and prov[0] in v["ladder"]:
            return Dimension("validation", v["ladder"][prov[0]], prov[1], v["texts"][prov[0]])
    if creators:
        stated = ev.best(creators["fact"], ("published",))
        terms = _terms(stated[0]) if stated else []
        if terms and set(terms) <= set(creators["no_labels"]):
            text = creators["no_labels_text"].format(values=", ".join(terms))
            return Dimension("validation", v["ladder"]["unknown"], "default", text)
    return Dimension("validation", v["ladder"]["unknown"], "default", cfg["evidence"]["no_evidence"])


def _terms(value) -> list[str]:
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return sorted({str(x) for x in values if isinstance(x, str) and x})


def _annotations_creators(ev: Evidence, c: dict) -> Dimension | None:
    """v1.1, the family of card provenance vocabularies (Hugging Face annotations_creators, and
    Croissant RAI annotation fields mapped onto the same terms): each term's score, raised when
    annotation_review names a review that term counts; several terms: the lowest."""
    stated = ev.best(c["fact"], ("published",))
    terms = [t for t in _terms(stated[0]) if t in c["terms"]] if stated else []
    if not terms:
        return None
    review_found = ev.best(c["review_fact"], ("published",))
    review = set(_terms(review_found[0])) if review_found else set()
    scored = []
    for term in terms:
        rule = c["terms"][term]
        by = sorted(review & set(rule.get("reviewed_by", ())))
        if by:
            text = rule["reviewed_text"].format(review=" and ".join(x.replace("-", " ") for x in by), value=term)
            scored.append((rule["reviewed_score"], term, text))
        else:
            scored.append((rule["score"], term, rule["text"].format(value=term)))
    low, _, text = min(scored)
    if len(terms) > 1:
        text += c["several_note"].format(values=", ".join(terms))
    return Dimension("validation", low, stated[1], text)


def size_target(category: str, ev: Evidence, cfg: dict) -> float:
    s = cfg["size_adequacy"]
    target = s["targets"].get(category, s["unknown_category_target"])
    if category == "Tabular":
        features = _num((ev.best("feature_count") or (None,))[0]) or 0
        target = max(target, s["tabular_features_multiplier"] * features)
    return float(target)


def size_adequacy(ev: Evidence, cfg: dict) -> Dimension:
    found = ev.best("item_count")
    n = _num(found[0]) if found else None
    if not n or n <= 0:
        return _default("size_adequacy", cfg)
    s, category = cfg["size_adequacy"], ev.category
    target = size_target(category, ev, cfg)
    if n >= target:
        score = min(s["cap"], s["base"] + s["slope"] * math.log10(n / target))
        relation = "exceeds" if n > target else "meets"
    else:
        score = s["base"] * math.sqrt(n / target)
        relation = "below"
    unit = (ev.best("item_unit") or ("items",))[0]
    text = cfg["evidence"]["size"].format(count=_fmt_int(n), unit=unit, relation=relation,
                                          target=_fmt_int(target), category=category)
    return Dimension("size_adequacy", round_half_up(score), found[1], text)


def format_compliance(ev: Evidence, cfg: dict) -> Dimension:
    f = cfg["format_compliance"]
    primary = _primary_format(ev, f)
    if primary is None:
        return _default("format_compliance", cfg)
    name, basis = primary
    inner = ev.best("inner_format")
    if name in f["archives"] and inner:
        name, basis = str(inner[0]).upper(), inner[1]
    tiers = [_tier(name, ev.category, f)]
    annotation = ev.best("annotation_format")
    if annotation and str(annotation[0]).upper() != name:
        tiers.append(_tier(str(annotation[0]).upper(), ev.category, f))
    score = round_half_up(sum(tiers) / len(tiers))
    band = _nearest_band(tuple(f["evidence"]), score)  # nearest tier's sentence
    return Dimension("format_compliance", score, basis, f["evidence"][str(band)])


@lru_cache(maxsize=1024)
def _nearest_band(bands: tuple[str, ...], score: int) -> int:
    return min((int(k) for k in bands), key=lambda k: (abs(k - score), -k))


def _primary_format(ev: Evidence, f: dict) -> tuple[str, str] | None:
    """The format carrying most bytes in the file listing, else the stated formats."""
    by_format: dict[str, int] = {}
    for item in ev.files:
        name, size = item.get("format"), item.get("size_bytes")
        if name and size:
            by_format[name] = by_format.get(name, 0) + int(size)
    if by_format:
        return max(by_format, key=by_format.__getitem__), "published"   # the first of equals
    found = ev.best("formats")
    if found and isinstance(found[0], list) and found[0]:
        data = [x for x in found[0] if x not in ("CSV", "TSV", "JSON", "TXT", "PDF")] or found[0]
        return max(data, key=lambda x: _tier(x, ev.category, f)), found[1]
    return None


def _tier(name: str, category: str, f: dict) -> int:
    if category in f["medical_categories"] and name in f["medical_tier"]:
        return f["medical_tier"][name]
    if category in f["remote_sensing_categories"] and name in f["remote_sensing_tier"]:
        return f["remote_sensing_tier"][name]
    if name in f["archives"]:
        return f["archive_tier"]
    return f["tiers"].get(name, f["tiers"]["OTHER"])


def label_density(ev: Evidence, cfg: dict) -> Dimension:
    d = cfg["label_density"]
    found = ev.best("labels_per_item")
    L = _num(found[0]) if found else None
    if L is None or L <= 0:
        return _default("label_density", cfg)
    score = d["base"] + d["log_slope"] * math.log(L) if L >= 1 else d["base"] * L
    band = "sparse" if L < d["sparse_below"] else "high" if L >= d["high_from"] else "moderate"
    template = cfg["evidence"].get("density_published") if found[1] == "published" else None
    text = (template or cfg["evidence"]["density"]).format(labels=f"{L:.2f}", band=band)
    return Dimension("label_density", min(d["cap"], round_half_up(score)), found[1], text)


def class_balance(ev: Evidence, cfg: dict) -> Dimension:
    found = ev.best("gini")
    g = _num(found[0]) if found else None
    basis = found[1] if found else None
    ratio = _num((ev.best("max_min_ratio") or (None,))[0])
    if g is not None and not 0 <= g <= 1:
        g = None  # a Gini outside [0, 1] is a broken statement, not evidence of balance
    if g is None:
        counts = ev.best("class_counts")
        if counts and isinstance(counts[0], dict) and counts[0]:
            values = sorted(int(v) for v in counts[0].values() if _num(v))
            if values:
                from extractors.normalize.stats import gini

                g, basis = gini(values), counts[1]
                ratio = values[-1] / values[0] if values[0] else None
    estimate = None
    if g is None and cfg["class_balance"].get("share_estimate_fact"):
        estimate = _share_estimate(ev, cfg["class_balance"]["share_estimate_fact"])
        if estimate is not None:
            g, ratio, basis = estimate["gini"], estimate["ratio"], estimate["basis"]
    if g is None:
        return _default("class_balance", cfg)
    score = round_half_up(100 - cfg["class_balance"]["gini_scale"] * g)
    band = next(b["text"] for b in cfg["class_balance"]["bands"] if score >= b["min"])
    ratio_text = f"{ratio:.0f}" if ratio is not None else "?"
    if estimate is not None:
        text = cfg["evidence"]["balance_estimate"].format(
            band=band, gini=f"{g:.2f}", ratio=ratio_text, classes=estimate["classes"],
            majority=_trim(estimate["majority"]), minority=_trim(estimate["minority"]))
    else:
        text = cfg["evidence"]["balance"].format(band=band, gini=f"{g:.2f}", ratio=ratio_text)
    return Dimension("class_balance", score, basis, text)


def _share_estimate(ev: Evidence, name: str) -> dict | None:
    """v1.1, the family of summary class statistics (OpenML NumberOfClasses with Majority- and
    MinorityClassPercentage): the shares of the k classes are majority, minority and k - 2 equal
    shares of the rest; their Gini is an estimate. Inconsistent figures are no evidence."""
    found = ev.best(name, ("published", "curated"))
    value = found[0] if found else None
    if not isinstance(value, dict):
        return None
    k, high, low = _num(value.get("classes")), _num(value.get("majority_pct")), _num(value.get("minority_pct"))
    if k is None or high is None or low is None or k != int(k) or k < 2 or not 0 <= low <= high <= 100:
        return None
    k, rest = int(k), 100.0 - high - low
    slack = 0.5   # published shares are rounded: half a percentage point either way
    if k == 2 and abs(rest) > slack or k > 2 and not low - slack <= rest / (k - 2) <= high + slack:
        return None
    from extractors.normalize.stats import gini

    shares = [low, high] + ([rest / (k - 2)] * (k - 2) if k > 2 else [])
    return {"gini": gini(shares), "ratio": high / low if low else None, "basis": found[1],
            "classes": k, "majority": high, "minority": low}


def _default(name: str, cfg: dict) -> Dimension:
    return Dimension(name, cfg["defaults"][name], "default", cfg["evidence"]["no_evidence"])


def _trim(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


SCORERS = {"completeness": completeness, "uniqueness": uniqueness, "validation": validation,
           "size_adequacy": size_adequacy, "format_compliance": format_compliance,
           "label_density": label_density, "class_balance": class_balance}


# --------------------------------------------------------------------------- composite
def composite(scores: dict[str, float], cfg: dict) -> int:
    return round_half_up(sum(cfg["weights"][name] * scores[name] for name in DIMENSIONS))


def tier(value: int, cfg: dict) -> str:
    # The tier with the highest min <= value (the first such in config order on ties).
    found = None
    for t in cfg["tiers"]:
        if value >= t["min"] and (found is None or t["min"] > found["min"]):
            found = t
    return found["name"] if found is not None else cfg["tiers"][-1]["name"]


def status(evidenced: int, cfg: dict) -> str:
    """v1.1: "provisional" below min_rated_dimensions evidenced dimensions (none in v1)."""
    return "provisional" if evidenced < cfg.get("min_rated_dimensions", 0) else "rated"


def gap(d: Dimension, cfg: dict) -> str | None:
    """What would fill a dimension with no evidence ([gaps] in lqs.toml; None when evidenced or
    the methodology has no gap texts)."""
    gaps = cfg.get("gaps")
    if d.basis != "default" or not gaps:
        return None
    creators = cfg["validation"].get("annotations_creators")
    if d.name == "validation" and creators and d.evidence != cfg["evidence"]["no_evidence"]:
        return gaps.get("no_labels", gaps.get(d.name))   # the card says there are no labels
    return gaps.get(d.name)


def score(ev: Evidence, cfg: dict) -> Score:
    dims = [SCORERS[name](ev, cfg) for name in DIMENSIONS]
    value = composite({d.name: d.score for d in dims}, cfg)
    evidenced = sum(d.basis != "default" for d in dims)
    coverage = round(evidenced / len(dims), 4)
    state = status(evidenced, cfg)
    name = tier(value, cfg) if state == "rated" else cfg["provisional_tier"]
    return Score(value, name, coverage, str(cfg["methodology_version"]), dims, state, evidenced)
