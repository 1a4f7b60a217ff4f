"""The LQS formulas (../shared/docs/LQS.md) as ONE DuckDB query over every dataset at once.

This is the only implementation of the formulas: scoring a warehouse runs the query over all
datasets inside DuckDB (no Python per dataset), and scoring one Evidence (tests, tools) loads it
into an in-memory DuckDB and runs the same query. Every number and sentence comes from the
methodology config (config/lqs.toml); this module turns that data into SQL.

The query reads two relations the caller names:
- `evidence(dataset_id, category, field, basis, value JSON)`: the best value per (dataset, field,
  basis), as extractors/resolve.py flagged it (basis_best) — scoring decides no precedence itself;
  a dataset with current facts but none the formulas read has one row with field NULL;
- `listing(dataset_id, pos, size_bytes, format)`: the file listing in listing order.
It returns one row per dataset: composite, tier, status, evidenced, coverage,
methodology_version and `dims`, a list of seven structs (dimension, score, basis, evidence) in
DIMENSIONS order.

For each dimension the strongest evidence wins: measured > published > curated > default.
"""
from __future__ import annotations

import string
import threading

DIMENSIONS = ("completeness", "uniqueness", "validation", "size_adequacy",
              "format_compliance", "label_density", "class_balance")
BASES = ("measured", "published", "curated")

# The facts the formulas read, besides the lqs.toml names ([completeness] published_fact and
# [validation] mixed_fact): loaders fetch only these (see fields()).
FIELDS = frozenset({
    "fill_rate", "columns", "rows", "missing_values",                        # completeness
    "hashes_verified", "duplicate_hash_pct", "dedup_method", "unique_ids",   # uniqueness
    "items_per_subject",
    "validation_kappa", "label_provenance", "annotations_creators",          # validation
    "annotation_review",
    "item_count", "item_unit", "feature_count",                              # size adequacy
    "inner_format", "annotation_format", "formats",                          # format compliance
    "labels_per_item",                                                       # label density
    "gini", "max_min_ratio", "class_counts", "class_share_estimate",         # class balance
})


def fields(cfg: dict) -> frozenset[str]:
    """Every fact name the formulas read under this methodology config."""
    return FIELDS | {cfg["completeness"]["published_fact"], cfg["validation"]["mixed_fact"]}


# --------------------------------------------------------------------------- SQL pieces
def lit(value) -> str:
    """A SQL literal of a str/int/float/None from config."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    return "'" + str(value).replace("'", "''") + "'"


def col(field: str, basis: str) -> str:
    return f'"{field}__{basis}"'


def num(expr: str) -> str:
    """Python's float(str(value).replace(',', '')) of a JSON value: numbers and numeric strings;
    booleans, lists and objects are not numbers."""
    return f"try_cast(replace(json_extract_string({expr}, '$'), ',', '') as double)"


def text(expr: str) -> str:
    return f"json_extract_string({expr}, '$')"


class Best:
    """A fact at the strongest basis among `bases` that states it: its JSON value, that value as
    a number or as text, and the basis — each a column of the `best` stage, computed once per
    dataset rather than in every formula that reads it. query() collects the parts the formulas
    use, and only those are computed (and only the typed columns they read)."""
    used: dict[tuple, None] | None = None   # (field, bases, part) read while query() builds

    def __init__(self, field: str, bases=BASES):
        self.field, self.bases = field, tuple(bases)

    def _part(self, part: str) -> str:
        if Best.used is not None:
            Best.used.setdefault((self.field, self.bases, part))
        return f'"b:{self.field}:{"".join(b[0] for b in self.bases)}:{part}"'

    json = property(lambda self: self._part("json"))
    num = property(lambda self: self._part("num"))
    text = property(lambda self: self._part("text"))
    basis = property(lambda self: self._part("basis"))


def best_columns(used) -> dict[str, str]:
    """The best columns the formulas read: a fact's JSON value at the strongest basis stating it
    (the first non-NULL of its basis columns), that value parsed as a number or as text (parsed
    once, after the pick: the pick looks only at which basis states the fact), and that basis."""
    best = {}
    for field, bases, part in used:
        name = Best(field, bases)._part(part)
        if part == "basis":
            best[name] = "case " + " ".join(f"when {col(field, b)} is not null then '{b}'" for b in bases) + " end"
            continue
        value = col(field, bases[0]) if len(bases) == 1 else f"coalesce({', '.join(col(field, b) for b in bases)})"
        best[name] = {"json": value, "num": num(value), "text": text(value)}[part]
    return best


def round_half_up(expr: str) -> str:
    """scoring's rounding: to 9 decimals first (float noise), then halves away from zero."""
    return f"cast(sign(round({expr}, 9)) * floor(abs(round({expr}, 9)) + 0.5) as bigint)"


def trim2(expr: str) -> str:
    """f'{x:.2f}' without trailing zeros and dot."""
    return f"regexp_replace(regexp_replace(format('{{:.2f}}', ({expr})::double), '0+$', ''), '\\.$', '')"


def thousands(expr: str) -> str:
    """f'{int(round(x)):,}' (Python's round is half even)."""
    x = f"round_even(({expr})::double, 0)"
    # Python's int has no limit; a HUGEINT holds every count a page could mean (below 1.7e38).
    return f"coalesce(format('{{:,}}', try_cast({x} as hugeint)), format('{{:.0f}}', {x}))"


def template(tpl: str, **parts: str) -> str:
    """A str.format template of lqs.toml as SQL concat of its literal text and the given SQL parts."""
    pieces = []
    for literal, name, spec, _ in string.Formatter().parse(tpl):
        if literal:
            pieces.append(lit(literal))
        if name is not None:
            # DuckDB's format() reads Python's format-spec language ({:.1f}, {:,}).
            pieces.append(f"format('{{:{spec}}}', ({parts[name]}))" if spec else f"({parts[name]})")
    return "concat(" + ", ".join(pieces) + ")" if pieces else "''"


def case_map(expr: str, mapping: dict, default: str = "NULL") -> str:
    """CASE expr WHEN key THEN value ... of a config table."""
    if not mapping:
        return default
    whens = " ".join(f"when {lit(k)} then {lit(v)}" for k, v in mapping.items())
    return f"(case {expr} {whens} else {default} end)"


def dim(score: str, basis: str, evidence: str) -> str:
    return f"{{'score': {score}, 'basis': {basis}, 'evidence': {evidence}}}"


def first_of(cases: list[tuple[str, str]], default: str) -> str:
    """The first (condition, struct) that holds, else default."""
    return "case " + " ".join(f"when {c} then {s}" for c, s in cases) + f" else {default} end"


def default_dim(name: str, cfg: dict) -> str:
    return dim(lit(cfg["defaults"][name]), "'default'", lit(cfg["evidence"]["no_evidence"]))


def greatest0(expr: str) -> str:
    return f"greatest(0, {round_half_up(expr)})"


def in_list(expr: str, values) -> str:
    values = list(values)
    return f"({expr} in ({', '.join(lit(v) for v in values)}))" if values else "false"


# --------------------------------------------------------------------------- dimensions
def completeness(cfg: dict) -> str:
    tpl = cfg["evidence"]
    fill, columns, rows = (Best(f, ("measured",)) for f in ("fill_rate", "columns", "rows"))
    measured = dim(round_half_up(fill.num), "'measured'", template(
        tpl["completeness_measured"], pct=trim2(fill.num),
        columns=f"coalesce(nullif({columns.text}, '0'), '?')",
        rows=thousands(f"coalesce({rows.num}, 0)")))
    stated = Best(cfg["completeness"]["published_fact"], ("published", "curated"))
    published = dim(round_half_up(stated.num), stated.basis,
                    template(tpl["completeness_published"], pct=trim2(stated.num)))
    cases = [(f"{fill.json} is not null", measured), (f"{stated.num} is not null", published)]
    if cfg["completeness"].get("missing_values"):
        cases.append(missing_values(cfg["completeness"]["missing_values"]))
    return first_of(cases, default_dim("completeness", cfg))


def missing_values(m: dict) -> tuple[str, str]:
    """v1.1, the family of host statistics on missing cells (Hub /statistics nan_proportion of the
    label columns, OpenML NumberOfMissingValues over instances x features): score 100 - pct; a
    share outside 0-100 is a broken statement, not evidence."""
    found = Best(m["fact"], ("published",))
    pct = num(f"json_extract({found.json}, '$.pct')")
    rows = num(f"json_extract({found.json}, '$.rows')")
    source = f"coalesce(nullif(json_extract_string({found.json}, '$.source'), ''), 'Host statistics')"
    split = f"nullif(json_extract_string({found.json}, '$.split'), '')"
    parts = dict(source=source, pct=pct, pct_text=trim2(pct),
                 columns=f"coalesce(nullif(json_extract_string({found.json}, '$.columns'), '0'), '?')",
                 rows=f"coalesce({thousands(rows)}, '?')",
                 column_word=(f"case when json_type({found.json}, '$.columns') in ('UBIGINT', 'BIGINT', 'DOUBLE') "
                              f"and {num(f'json_extract({found.json}, {chr(39)}$.columns{chr(39)})')} = 1 "
                              f"then 'column' else 'columns' end"),
                 split_note=f"coalesce(' (' || {split} || ' split)', '')")
    templates = {k: template(v, **parts) for k, v in m["templates"].items()}
    text = "case " + " ".join(f"when {source} = {lit(k)} then {v}" for k, v in templates.items()
                              if k != "other") + f" else {templates['other']} end"
    return (f"{pct} between 0 and 100", dim(round_half_up(f"100 - {pct}"), found.basis, text))


def uniqueness(cfg: dict) -> str:
    u, tpl = cfg["uniqueness"], cfg["evidence"]
    penalty = u["duplicate_penalty_per_pct"]
    hashed = Best("hashes_verified", ("measured",))
    dup_hash = f"coalesce({Best('duplicate_hash_pct', ('measured',)).num}, 0)"
    hashes = dim(greatest0(f"{u['hashes_verified']} - {penalty} * {dup_hash}"), "'measured'", template(
        tpl["uniqueness_hashes"], files=hashed.text, dup_pct=trim2(dup_hash)))
    dedup = Best("dedup_method", ("published", "curated"))
    documented = dim(lit(u["documented_exact_dedup"]), dedup.basis,
                     template(tpl["uniqueness_documented"], dup_note="''"))
    unique, rows = Best("unique_ids", ("measured",)).num, Best("rows", ("measured",)).num
    dup = f"(100.0 * ({rows} - {unique}) / {rows})"
    per = Best("items_per_subject", ("measured",)).num
    leak = (f"case when coalesce({per}, 0) <> 0 then concat('; ', {trim2(per)}, "
            f"' items per subject (leakage note, not a penalty)') else '' end")
    ids = dim(greatest0(f"{u['id_check']} - {penalty} * {dup}"), "'measured'", template(
        tpl["uniqueness_ids"], unique=thousands(unique), rows=thousands(rows), dup_pct=trim2(dup),
        leak_note=leak))
    unknown = dim(lit(u["unknown"]), "'default'", lit(cfg["evidence"]["no_evidence"]))
    return first_of([(f"{hashed.json} is not null", hashes),
                     (f"{dedup.json} is not null", documented),
                     (f"{unique} is not null and coalesce({rows}, 0) <> 0", ids)], unknown)


def validation_columns(cfg: dict) -> list[dict[str, str]]:
    """Stage columns of validation: the shares of a provenance mix (the ladder's provenances, in
    the order the fact lists them) and, in v1.1, the card's provenance terms and review terms."""
    v = cfg["validation"]
    mix = Best(v["mixed_fact"], ("published", "curated"))
    first = {"val_shares": (f"list_transform(list_filter(map_entries(try(json_transform({mix.json}, "
                            f"'\"MAP(VARCHAR, JSON)\"'))), lambda e: {in_list('e.key', v['ladder'])}), "
                            f"lambda e: {{'p': e.key, 's': coalesce({num('e.value')}, 0)}})")}
    c = v.get("annotations_creators")
    if c:
        first["val_stated"] = terms_of(Best(c["fact"], ("published",)).json)
        first["val_review"] = f"coalesce({terms_of(Best(c['review_fact'], ('published',)).json)}, [])"
    second = {"val_total": "list_sum(list_transform(val_shares, lambda e: e.s))"}
    if c:
        second["val_terms"] = f"list_filter(val_stated, lambda t: {in_list('t', c['terms'])})"
    third = {"val_lowest": lowest_term(c)} if c else {}
    return [first, second, third]


def validation(cfg: dict) -> str:
    v, tpl = cfg["validation"], cfg["evidence"]
    ladder = v["ladder"]
    kappa = Best("validation_kappa", ("measured",)).num
    by_kappa = dim(round_half_up(f"{v['kappa_base']} + {v['kappa_scale']} * {kappa}"), "'measured'",
                   template(tpl["validation_kappa"], kappa=f"format('{{:.2f}}', {kappa})"))
    mix = Best(v["mixed_fact"], ("published", "curated"))
    mixed_score = f"list_sum(list_transform(val_shares, lambda e: {case_map('e.p', ladder, '0')} * e.s)) / val_total"
    parts = f"array_to_string(list_transform(val_shares, lambda e: concat({trim2('100 * e.s / val_total')}, '% ', e.p)), ', ')"
    mixed = dim(round_half_up(mixed_score), mix.basis, f"concat('Mixed label provenance: ', {parts}, '.')")
    cases = [(f"{kappa} is not null", by_kappa), (f"{mix.json} is not null and coalesce(val_total, 0) > 0", mixed)]
    unknown = dim(lit(ladder["unknown"]), "'default'", lit(tpl["no_evidence"]))
    creators = v.get("annotations_creators")
    # A stated label_provenance is read before a card's annotations_creators (v1.1) and a
    # curated one after it: published evidence first, the editor's statement last.
    for step in ([("published",), "creators", ("curated",)] if creators else [("published", "curated")]):
        if step == "creators":
            cases.append(annotations_creators(creators))
            continue
        prov = Best("label_provenance", step)
        cases.append((in_list(prov.text, ladder),
                       dim(case_map(prov.text, ladder), prov.basis, case_map(prov.text, v["texts"]))))
    if creators:
        cases.append(no_labels(creators, ladder["unknown"]))
    return first_of(cases, unknown)


def terms_of(json_value: str) -> str:
    """The distinct non-empty strings of a JSON string or list, sorted."""
    return (f"list_sort(list_distinct(list_filter(case when json_type({json_value}) = 'VARCHAR' "
            f"then [json_extract_string({json_value}, '$')] "
            f"else try(json_transform({json_value}, '[\"VARCHAR\"]')) end, lambda x: x <> '')))")


def lowest_term(c: dict) -> str:
    """v1.1, the family of card provenance vocabularies (Hugging Face annotations_creators, and
    Croissant RAI annotation fields mapped onto the same terms): each term's score, raised when
    annotation_review names a review that term counts; several terms: the lowest (score, term,
    sentence)."""
    whens = []
    for term, rule in c["terms"].items():
        plain = f"{{'s': {rule['score']}, 't': t, 'x': {template(rule['text'], value='t')}}}"
        by = rule.get("reviewed_by") or []
        if by:
            hits = f"list_sort(list_filter(val_review, lambda r: {in_list('r', by)}))"
            phrase = f"array_to_string(list_transform({hits}, lambda r: replace(r, '-', ' ')), ' and ')"
            reviewed = (f"{{'s': {rule['reviewed_score']}, 't': t, "
                        f"'x': {template(rule['reviewed_text'], review=phrase, value='t')}}}")
            whens.append(f"when t = {lit(term)} then case when len({hits}) > 0 then {reviewed} else {plain} end")
        else:
            whens.append(f"when t = {lit(term)} then {plain}")
    return f"list_min(list_transform(val_terms, lambda t: case {' '.join(whens)} end))"


def annotations_creators(c: dict) -> tuple[str, str]:
    stated = Best(c["fact"], ("published",))
    several = template(c["several_note"], values="array_to_string(val_terms, ', ')")
    text = f"concat(val_lowest.x, case when len(val_terms) > 1 then {several} else '' end)"
    return ("len(val_terms) > 0", dim("val_lowest.s", stated.basis, text))


def no_labels(c: dict, unknown: int) -> tuple[str, str]:
    """A card that states only "no-annotation": the dimension stays default, and says why."""
    text = template(c["no_labels_text"], values="array_to_string(val_stated, ', ')")
    return (f"len(val_stated) > 0 and len(list_filter(val_stated, lambda t: not {in_list('t', c['no_labels'])})) = 0",
            dim(lit(unknown), "'default'", text))


def size_target_column(cfg: dict) -> str:
    s = cfg["size_adequacy"]
    target = case_map("category", s["targets"], lit(float(s["unknown_category_target"])))
    features = f"coalesce({Best('feature_count').num}, 0)"
    return (f"(case when category = 'Tabular' then greatest({target}, "
            f"{s['tabular_features_multiplier']} * {features}) else {target} end)::double")


def size_adequacy(cfg: dict) -> str:
    s = cfg["size_adequacy"]
    count = Best("item_count")
    n, target = count.num, "size_target"   # a stage column (size_target_column)
    score = (f"case when {n} >= {target} then least({s['cap']}, {s['base']} + {s['slope']} * log10({n} / {target})) "
             f"else {s['base']} * sqrt({n} / {target}) end")
    relation = f"case when {n} > {target} then 'exceeds' when {n} = {target} then 'meets' else 'below' end"
    unit = f"coalesce({Best('item_unit').text}, 'items')"
    found = dim(round_half_up(score), count.basis, template(
        cfg["evidence"]["size"], count=thousands(n), unit=unit, relation=relation,
        target=thousands(target), category="category"))
    return first_of([(f"coalesce({n}, 0) > 0", found)], default_dim("size_adequacy", cfg))


def format_tier(name: str, cfg: dict) -> str:
    f = cfg["format_compliance"]
    return (f"(case when {in_list('category', f['medical_categories'])} and {in_list(name, f['medical_tier'])} "
            f"then {case_map(name, f['medical_tier'])} "
            f"when {in_list('category', f['remote_sensing_categories'])} and {in_list(name, f['remote_sensing_tier'])} "
            f"then {case_map(name, f['remote_sensing_tier'])} "
            f"when {in_list(name, f['archives'])} then {f['archive_tier']} "
            f"else {case_map(name, f['tiers'], lit(f['tiers']['OTHER']))} end)")


# Stated formats that describe labels or docs rather than the data, unless nothing else is stated.
SIDE_FORMATS = ("CSV", "TSV", "JSON", "TXT", "PDF")


def format_columns(cfg: dict) -> list[dict[str, str]]:
    """Stage columns of format compliance: the primary format (most bytes in the listing, else the
    stated format of highest tier), an archive read as its declared inner format, and the score
    (averaged with the annotation format's tier when that differs)."""
    f = cfg["format_compliance"]
    stated = Best("formats")
    stated_basis = stated.basis
    names = f"try(json_transform({stated.json}, '[\"VARCHAR\"]'))"
    data = f"list_filter({names}, lambda x: not {in_list('x', SIDE_FORMATS)})"
    chosen = f"(case when len({data}) > 0 then {data} else {names} end)"
    by_tier = (f"list_max(list_transform({chosen}, lambda x, i: "
               f"{{'t': {format_tier('x', cfg)}, 'i': -i, 'x': x}})).x")
    inner = Best("inner_format")
    annotation = f"upper({Best('annotation_format').text})"
    archive = f"{in_list('fmt_name0', f['archives'])} and {inner.json} is not null"
    return [
        {"fmt_name0": f"coalesce(primary_file, {by_tier})",
         "fmt_basis0": f"case when primary_file is not null then 'published' else {stated_basis} end",
         "fmt_annotation": annotation},
        {"fmt_name": f"case when {archive} then upper({inner.text}) else fmt_name0 end",
         "fmt_basis": f"case when {archive} then {inner.basis} else fmt_basis0 end"},
        {"fmt_score": round_half_up(
            f"case when fmt_annotation is not null and fmt_annotation <> fmt_name "
            f"then ({format_tier('fmt_name', cfg)} + {format_tier('fmt_annotation', cfg)}) / 2.0 "
            f"else {format_tier('fmt_name', cfg)} end")},
    ]


def format_compliance(cfg: dict) -> str:
    f = cfg["format_compliance"]
    bands = sorted((int(k) for k in f["evidence"]), reverse=True)
    band = f"list_min(list_transform({bands}, lambda k: {{'d': abs(k - fmt_score), 'nk': -k, 'k': k}})).k"
    texts = {int(k): v for k, v in f["evidence"].items()}
    found = dim("fmt_score", "fmt_basis", case_map(band, texts))
    return first_of([("fmt_name is not null", found)], default_dim("format_compliance", cfg))


def label_density(cfg: dict) -> str:
    d = cfg["label_density"]
    density = Best("labels_per_item")
    L, basis = density.num, density.basis
    score = f"case when {L} >= 1 then {d['base']} + {d['log_slope']} * ln({L}) else {d['base']} * {L} end"
    band = f"case when {L} < {d['sparse_below']} then 'sparse' when {L} >= {d['high_from']} then 'high' else 'moderate' end"
    parts = dict(labels=f"format('{{:.2f}}', {L})", band=band)
    text = template(cfg["evidence"]["density"], **parts)
    if cfg["evidence"].get("density_published"):   # v1.1: a published density says so
        text = (f"case when {basis} = 'published' then {template(cfg['evidence']['density_published'], **parts)} "
                f"else {text} end")
    found = dim(f"least({d['cap']}, {round_half_up(score)})", basis, text)
    return first_of([(f"coalesce({L}, 0) > 0", found)], default_dim("label_density", cfg))


def gini_of(values: str) -> str:
    """extractors.normalize.stats.gini of a list of counts, in SQL."""
    ordered, n = f"list_sort({values})", f"len({values})"
    weighted = f"list_sum(list_transform({ordered}, lambda x, i: (2 * (i - 1) - {n} + 1) * x))"
    return f"(case when {n} = 0 or list_sum({values}) = 0 then 0.0 else {weighted} / ({n} * list_sum({values}))::double end)"


def balance_columns(cfg: dict) -> list[dict[str, str]]:
    """Stage columns of class balance: a stated Gini in [0, 1] (a Gini outside it is a broken
    statement, not evidence), else the Gini of stated or measured class counts, else (v1.1) the
    estimate from majority and minority class shares."""
    stated, counted = Best("gini"), Best("class_counts")
    counts = (f"list_sort(list_transform(list_filter(map_values(try(json_transform({counted.json}, "
              f"'\"MAP(VARCHAR, JSON)\"'))), lambda v: coalesce({num('v')}, 0) <> 0), "
              f"lambda v: trunc({num('v')})))")
    share = cfg["class_balance"].get("share_estimate_fact")
    estimate = Best(share, ("published", "curated")) if share else None
    first = {"bal_stated": f"case when {stated.num} between 0 and 1 then {stated.num} end",
             "bal_counts": counts}
    if estimate:
        for key, name in (("classes", "bal_k"), ("majority_pct", "bal_high"), ("minority_pct", "bal_low")):
            first[name] = num(f"json_extract({estimate.json}, '$.{key}')")
    second = {
        "bal_g": f"case when bal_stated is not null then bal_stated "
                 f"when len(bal_counts) > 0 then {gini_of('bal_counts')} "
                 + (f"when bal_estimated then {gini_of('bal_shares')} " if estimate else "") + "end",
        "bal_basis": f"case when bal_stated is not null then {stated.basis} "
                     f"when len(bal_counts) > 0 then {counted.basis} "
                     + (f"when bal_estimated then {estimate.basis} " if estimate else "") + "end",
        "bal_ratio": f"case when bal_stated is not null then {Best('max_min_ratio').num} "
                     f"when len(bal_counts) > 0 then bal_counts[-1] / bal_counts[1] "
                     + ("when bal_estimated then bal_high / nullif(bal_low, 0) " if estimate else "") + "end"}
    stages = [first]
    if estimate:
        stages.append(share_estimate_columns())
    return stages + [second, {"bal_score": round_half_up(f"100 - {cfg['class_balance']['gini_scale']} * bal_g")}]


# Published class shares are rounded: half a percentage point either way.
SHARE_SLACK = 0.5


def share_estimate_columns() -> dict[str, str]:
    """v1.1, the family of summary class statistics (OpenML NumberOfClasses with Majority- and
    MinorityClassPercentage): the shares of the k classes are majority, minority and k - 2 equal
    shares of the rest; their Gini is an estimate. Inconsistent figures are no evidence."""
    rest = "(100.0 - bal_high - bal_low)"
    valid = (f"bal_k is not null and bal_high is not null and bal_low is not null and bal_k = trunc(bal_k) "
             f"and bal_k >= 2 and 0 <= bal_low and bal_low <= bal_high and bal_high <= 100 "
             f"and not (bal_k = 2 and abs({rest}) > {SHARE_SLACK}) "
             f"and not (bal_k > 2 and not ({rest} / greatest(bal_k - 2, 1) between bal_low - {SHARE_SLACK} "
             f"and bal_high + {SHARE_SLACK}))")
    shares = (f"list_concat([bal_low, bal_high], list_transform(range(cast(greatest(bal_k - 2, 0) as bigint)), "
              f"lambda i: {rest} / (bal_k - 2)))")
    return {"bal_estimated": f"coalesce({valid}, false)",
            "bal_shares": f"case when coalesce({valid}, false) then {shares} end"}


def class_balance(cfg: dict) -> str:
    bands = " ".join(f"when bal_score >= {x['min']} then {lit(x['text'])}" for x in cfg["class_balance"]["bands"])
    parts = dict(band=f"case {bands} end", gini="format('{:.2f}', bal_g)",
                 ratio="coalesce(format('{:.0f}', bal_ratio), '?')")
    text = template(cfg["evidence"]["balance"], **parts)
    if cfg["class_balance"].get("share_estimate_fact"):
        estimated = template(cfg["evidence"]["balance_estimate"], classes="cast(bal_k as bigint)",
                             majority=trim2("bal_high"), minority=trim2("bal_low"), **parts)
        text = (f"case when bal_stated is null and coalesce(len(bal_counts), 0) = 0 and bal_estimated "
                f"then {estimated} else {text} end")
    found = dim("bal_score", "bal_basis", text)
    return first_of([("bal_g is not null", found)], default_dim("class_balance", cfg))


SCORERS = {"completeness": completeness, "uniqueness": uniqueness, "validation": validation,
           "size_adequacy": size_adequacy, "format_compliance": format_compliance,
           "label_density": label_density, "class_balance": class_balance}


# --------------------------------------------------------------------------- the query
_BUILDING = threading.Lock()   # Best.used collects the columns of one query at a time
def _stage(columns: dict[str, str]) -> str:
    return ", ".join(f"{expr} as {name}" for name, expr in columns.items())


def composite_sql(cfg: dict, member: str = "") -> str:
    """The weighted sum of the seven dimension scores (columns d_<name><member>), rounded."""
    return round_half_up(" + ".join(f"{float(cfg['weights'][name])!r} * d_{name}{member}" for name in DIMENSIONS))


def gap_sql(name: str, cfg: dict) -> str:
    """What would fill a dimension with no evidence ([gaps] in lqs.toml; NULL when evidenced or
    the methodology has no gap texts). A validation left default by a card that states there are
    no labels says so."""
    gaps = cfg.get("gaps")
    if not gaps:
        return "NULL"
    text = lit(gaps.get(name))
    if name == "validation" and cfg["validation"].get("annotations_creators"):
        text = (f"case when d_{name}.evidence <> {lit(cfg['evidence']['no_evidence'])} "
                f"then {lit(gaps.get('no_labels', gaps.get(name)))} else {text} end")
    return f"case when d_{name}.basis = 'default' then {text} end"


def tier_sql(value: str, cfg: dict) -> str:
    """The tier with the highest min <= value (the first such in config order on ties)."""
    tiers = sorted(enumerate(cfg["tiers"]), key=lambda t: (-t[1]["min"], t[0]))
    whens = " ".join(f"when {value} >= {t['min']} then {lit(t['name'])}" for _, t in tiers)
    return f"case {whens} else {lit(cfg['tiers'][-1]['name'])} end"


def query(cfg: dict, evidence: str = "evidence", listing: str = "listing") -> str:
    """One row per dataset of `evidence`: dataset_id, composite, tier, status, evidenced, coverage,
    methodology_version, dims (a list of structs dimension, score, basis, evidence)."""
    with _BUILDING:
        Best.used = {}
        try:
            stages = [{"size_target": size_target_column(cfg)}]
            parts = [format_columns(cfg), balance_columns(cfg), validation_columns(cfg)]
            for i in range(max(map(len, parts))):   # the dimensions' stages side by side
                stages.append({k: e for columns in parts if i < len(columns) for k, e in columns[i].items()})
            dims = ", ".join(f"{SCORERS[name](cfg)} as d_{name}" for name in DIMENSIONS)
            used = list(Best.used)
        finally:
            Best.used = None
    stages = [best_columns(used)] + stages
    # PIVOT with its columns listed (only the (field, basis) pairs the formulas read): far faster
    # here than one filtered aggregate per column.
    pairs = sorted({(field, b) for field, bases, _ in used for b in bases})
    pivot = ", ".join(lit(f"{f}__{b}") for f, b in pairs)
    withs = [f"""primary_files as (   -- the format carrying most bytes (the first of equals)
        select dataset_id, max_by(format, {{'total': total, 'first': -first}}) as primary_file
        from (select dataset_id, format, sum(size_bytes) as total, min(pos) as first
              from {listing} where coalesce(format, '') <> '' and coalesce(size_bytes, 0) <> 0
              group by dataset_id, format)
        group by dataset_id)""",
             f"""s0 as (
        pivot (select dataset_id, category, field || '__' || basis as key, value from {evidence})
        on key in ({pivot}) using any_value(value) group by dataset_id, category)""",
             "s1 as (select s0.*, p.primary_file from s0 left join primary_files p using (dataset_id))"]
    previous = "s1"
    for i, columns in enumerate(stages, start=2):
        withs.append(f"s{i} as materialized (select *, {_stage(columns)} from {previous})")
        previous = f"s{i}"
    withs.append(f"scored as (select dataset_id, category, {dims} from {previous})")

    evidenced = " + ".join(f"(d_{name}.basis <> 'default')::integer" for name in DIMENSIONS)
    listed = ", ".join(f"{{'dimension': '{name}', 'score': d_{name}.score::bigint, "
                       f"'basis': d_{name}.basis::varchar, 'evidence': d_{name}.evidence::varchar, "
                       f"'gap': {gap_sql(name, cfg)}::varchar}}"
                       for name in DIMENSIONS)
    needed = cfg.get("min_rated_dimensions", 0)
    withs.append(f"""totals as (
        select dataset_id, {composite_sql(cfg, '.score')} as composite, {evidenced} as evidenced, [{listed}] as dims
        from scored)""")
    return f"""with {', '.join(withs)}
    select dataset_id, composite,
           case when evidenced >= {needed} then {tier_sql('composite', cfg)}
                else {lit(cfg.get('provisional_tier', 'unrated'))} end as tier,
           case when evidenced >= {needed} then 'rated' else 'provisional' end as status,
           evidenced, round(evidenced / {len(DIMENSIONS)}, 4) as coverage,
           {lit(str(cfg['methodology_version']))} as methodology_version, dims
    from totals"""
