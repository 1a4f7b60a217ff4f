"""What free text states about its dataset: the one set of prose rules every adapter reads.

ENTRY POINT for any adapter with free text (descriptions, cards, READMEs, datasheets):

    add_prose_facts(ex, text, evidence_prefix="", rank=RANK_TEXT, record=None, skip=(),
                    links=(), annotations=True) -> set of fields added

It adds licence statements (SPDX via normalize/license.py, + commercial_use; a non-commercial-
only clause alone gives commercial_use false), a homepage stated as such ("URL:"/"Homepage:"
lines, links named "homepage"), the dataset's own release year ("the dataset was released in
2017"), access "registered" ("requires registration / a login"), formats from a file-type line
("Image Type : jpeg"), annotations_creators (normalize/annotations.from_text), how the labels
were checked (annotation_review: normalize/annotations.review_from_text) and every count
of `add_prose_counts` below. Each statement must be about the dataset: sentences about code,
models or papers, and sentences naming several licences, state nothing. `field_count` and
`names_fields` read "Name: value" statements (RST field lists, UCI ".names" lines,
characteristics tables: ":Number of Instances: 150"); openml shares the UCI_*_RE patterns.

For counts alone, two readers, because prose comes in two kinds:

- Count mentions (`count_mentions`, `prose_counts`, `add_prose_counts`, `subject_counts`): any
  prose about a dataset (landing pages, descriptions, markdown). Deliberately conservative: a
  count is only taken when a number is directly followed by an item noun ("112,120 images"),
  never from years, versions, percentages, ranks, bounds, splits, per-item ratios or citations.
  Two rules join counts of one phrase:
  * A qualifier before an item count (a bound "more than", a subset "of these", a reference)
    covers the subject count of the same "N items from M subjects" phrase: "more than 160,000
    images from 67,000 patients" states neither total (the 67,000 is as rounded as the 160,000).
    Class counts do not inherit it: classes are enumerated, exact even when items are rounded.
  * Class counts of different named kinds listed with "and" are parts of one label set and
    are summed: "22 local labels (...) and 6 global labels" -> 28, "10 object, 5 scene and 3
    weather categories" -> 18. Otherwise the first count of a sentence is kept: a first count
    with no kind word is the total and later ones break it down ("3 classes: 2 disease classes
    and 1 normal class" -> 3); kinds not listed with "and", or levels of one hierarchy ("100
    fine-grained and 20 coarse categories"), keep the first with a warning.
  `single_subject_phrase` reads the one-subject statement that has no number ("the experimental
  subject is the author").
- Stated totals (`stated_totals`, `split_total`, `class_vote`): dataset cards and API
  descriptions, whose authors state totals with a containment verb ("consists of 70,000
  images") or by naming the whole ("is a collection of 1 million conversations"), list splits
  in one sentence, and repeat the class count in several places.

Used by: readme (every text document, through add_prose_facts), html (pages), croissant (descriptions, with single subjects), zenodo
(one unambiguous subject count), huggingface (cards) and openml (descriptions, after its UCI
".names" lines).

Everything here is pure (text in, values out); `add_prose_counts` only appends facts to the
Extraction it is given. Prose counts are the weakest evidence: RANK_TEXT unless told otherwise.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Iterable

from extractors.model import RANK_TEXT, Extraction
from extractors.normalize import formats
from extractors.normalize.annotations import from_text, review_from_text
from extractors.normalize.counts import parse_count
from extractors.normalize.ids import normalize_doi
from extractors.normalize.license import commercial_use, normalize_license

MAX_PROSE = 300_000       # characters of prose scanned (real descriptions and READMEs are < 100 KB)
MAX_EVIDENCE = 300
MAX_COUNTS_PER_FIELD = 5  # distinct values kept per count field (the first one wins)


# =============================================================================== count mentions

@dataclass(frozen=True)
class Count:
    field: str          # item_count, subject_count or class_count
    value: int
    unit: str | None    # the item noun for item_count
    evidence: str       # the sentence, <= 300 chars
    split: str | None = None  # "train"/"validation"/"test" when the count is one split's
    sentence: int = 0   # index of the sentence it was read from (splits are summed per sentence)
    phrase: str = ""    # the words matched ("21 healthy participants"), for short evidence
    kind: str = ""      # words between number and noun ("local" of "22 local labels")
    note: str = ""      # a doubt about the value, for add_prose_counts to warn about


# Item nouns -> the unit recorded. Only plurals: a total of one item is never a dataset, and a
# singular noun after a number modifies the next word ("10 image classes").
ITEM_NOUNS = {
    "images": "images", "photos": "images", "photographs": "images", "pictures": "images",
    "radiographs": "images", "x-rays": "images", "xrays": "images",
    "scans": "scans", "samples": "samples", "examples": "examples", "instances": "instances",
    "records": "records", "rows": "rows", "entries": "rows", "conversations": "conversations",
    "dialogues": "conversations", "dialogs": "conversations", "documents": "documents",
    "videos": "videos", "clips": "clips", "recordings": "recordings",
    # remote sensing and pathology sets count image tiles: "590,326 Sentinel-2 image patches"
    "patches": "patches",
    # question-answering sets count their questions: "5,957 4-way multiple choice questions"
    "questions": "questions",
}
# The people a dataset was collected from (single_subject reads the singular forms).
SUBJECT_NOUNS = {"patients", "subjects", "participants", "volunteers", "individuals", "donors",
                 # face and person datasets count the people shown: "10,177 identities"
                 "identities"}
CLASS_NOUNS = {"classes", "categories", "labels", "class labels"}

_NOUN_ALTERNATION = "|".join(sorted(
    {re.escape(n) for n in list(ITEM_NOUNS) + list(SUBJECT_NOUNS) + list(CLASS_NOUNS)},
    key=len, reverse=True))

# A number: grouped thousands with one separator kind ("112,120", "327.680", "1 281 167" with
# narrow/no-break spaces), or plain digits with an optional decimal part ("1.2" of "1.2 million").
# It must not continue a word, version, range or identifier ("v1.2", "top-5", "CS-2", "#3").
_NUMBER = (r"(?<![\w.,/#$€£§+\-–])(?<!\d\s)"
           r"(?P<num>\d{1,3}(?P<sep>[,.\u00a0\u202f\u2009'’])\d{3}(?:(?P=sep)\d{3})*"
           r"|\d+(?:\.\d+)?)"
           r"(?:\s*(?P<mult>million|billion|thousand|mio|mln|bn)\b|(?P<abbr>[kKMB])(?![\w]))?"
           r"(?![\w%‰]|[.,]\d)")
# Spelled-out numbers are read for class counts only ("three classes").
_WORD_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
                 "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
                 "nineteen": 19, "twenty": 20}
_COUNT = re.compile(
    r"(?:" + _NUMBER + r"|(?<![\w-])(?P<word>" + "|".join(_WORD_NUMBERS) + r"))"
    # "202,599 number of face images" (a datasheet list written as "N number of <items>")
    r"\s+(?:number\s+of\s+)?(?P<mods>(?:[^\s,;:!?()\[\]{}\"]+\s+){0,4}?)"
    r"(?P<noun>" + _NOUN_ALTERNATION + r")(?![\w-])",
    re.I)
_BINARY = re.compile(r"\bbinary(?:[\s-]+class)?[\s-]+(?:label|labels|classification|classes|"
                     r"target|outcome|task)\b", re.I)
_N_CLASS = re.compile(r"(?<![\w.,\-])(?P<num>\d{1,5})-class\s+(?:classification|problem|task|"
                      r"dataset|benchmark)\b", re.I)

# Words that may stand between a number and its noun ("327.680 color images") are adjectives;
# these words instead mean the number counts something else, a part, or a bound.
STOP_MODIFIERS = {
    "of", "from", "in", "with", "and", "or", "to", "the", "a", "an", "than", "for", "by", "at",
    "on", "per", "each", "every", "are", "were", "is", "was", "be", "been", "have", "has", "had",
    "more", "most", "less", "least", "fewer", "top", "other", "additional", "extra", "new",
    "remaining", "first", "last", "next", "previous", "same", "these", "those", "their", "its",
    "our", "which", "that", "this", "who", "all", "only", "about", "over", "under", "up", "as",
    "into", "out", "not", "no", "selected", "excluded", "removed", "discarded", "common",
    "example", "sample", "random", "randomly", "representative", "we", "you", "they", "it",
    "per-class", "such", "similar", "like", "times", "x", "×", "million", "thousand", "billion",
    # units of measure: "5 MB images", "30 s clips" state a size or duration, not a count
    "b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "bytes", "px", "pixels", "bit",
    "bits", "mm", "cm", "m", "km", "hz", "khz", "mhz", "s", "sec", "seconds", "min", "minutes",
    "h", "hours", "days", "weeks", "months", "years", "%", "percent",
}
SPLIT_WORDS = {"train": "train", "training": "train", "trainval": "train",
               "validation": "validation", "val": "validation", "valid": "validation",
               "dev": "validation", "development": "validation", "test": "test",
               "testing": "test", "held-out": "test", "holdout": "test", "eval": "test",
               "evaluation": "test"}
_DIMENSION = re.compile(r"^\d+(?:[x×]\d+)+(?:px|pixels?)?$", re.I)
_WORD = re.compile(r"^[^\W\d_][\w'’-]*$")

# Before the number: bounds, subsets and references make it something other than a total.
_BEFORE_REJECT = re.compile(
    r"(?:(?<![\w])(?:more\s+than|over|at\s+least|up\s+to|upto|less\s+than|fewer\s+than|nearly|almost|"
    r"under|exceeding|above|below|beyond|of\s+these|of\s+which|of\s+them|among|including|"
    r"excluding|except|removed|discarded|excluded|remaining|additional|another|figure|fig\.?|"
    r"table|section|sec\.?|chapter|page|step|version|release|top|rank|no\.|number|id|ref\.?|"
    r"equation|eq\.?|appendix|aged?|ages|age\s+of|per|every|each\s+with|x|average|avg|mean|"
    # "labelling 416 images" counts a step of the annotation work, not the dataset
    r"median|in\s+addition|population\s+of|labell?ing|annotating)|[<>≤≥×*]|\d\s+to"
    # "between 40 and 258 images" (a range); "20% (1016 images)" (a share of the data)
    r"|between\s+[\d.,]+\s+and|%\s*\()[\s,]*$",
    re.I)
# After the noun: a rate or a per-unit figure ("5 images per patient", "3 scans each").
# ("10 classes where each class refers to a digit" is not one: a clause starts before "each").
_AFTER_REJECT = re.compile(r"^\s*(?:(?!where\b|which\b|whereby\b)\w+\s+){0,3}?(?:per|each|every)\b|^\s*(?:a\s+day|an\s+hour)\b"
                           r"|^\s*/"
                           # "about 3500 examples contain no label": a subset with a property
                           r"|^\s*(?:contain|have|has)\s+no\b"
                           # "2 instances of \"frog\"": the members of one named value, a part
                           r"|^\s*of\s+[\"'“‘]", re.I)
_PARENTHETICAL = re.compile(r"^\s*\([^()]{0,200}\)")
# Before the number: the subject of the sentence is one split ("the test set [contains] 10,000").
_BEFORE_SPLIT = re.compile(
    r"\b(?P<split>train|training|validation|val|valid|dev|test|testing|held-out|evaluation)"
    r"\s+(?:set|split|data|dataset|subset|partition|portion)\s+(?:[a-z]+\s+){0,2}$", re.I)
_AFTER_SPLIT = re.compile(
    r"^\W{0,3}(?:(?:are\s+|were\s+)?(?:in|for|of|from|used\s+for)\s+(?:the\s+)?)?"
    r"(?P<split>train|training|validation|val|valid|dev|test|testing|held-out|evaluation)\b",
    re.I)
# Numbers 1900-2100 written without a separator are read as years unless a containment verb
# directly precedes them ("consists of 2000 images").
_YEAR_OK_BEFORE = re.compile(r"(?:contains?|containing|consists?\s+of|comprises?|comprising|"
                             r"includes?|total\s+of|totals?|with|has|have|"
                             # "is a dataset of 2000 images" (TFDS / card openings)
                             r"(?:data\s?set|collection|corpus|database)\s+of)\s*$", re.I)
# A sentence that cites another work: its numbers belong to that work.
_CITATION = re.compile(r"\bet\s+al\b|\bproceedings\b|\barxiv\b|doi\.org/|\bdoi:|\bpp\.\s*\d|"
                       r"\bvol\.\s*\d|\bIn:\s", re.I)
# After these, counts describe a source dataset this one was derived from.
_SOURCE_CUE = re.compile(r"\bbased\s+on\b|\bderived\s+from\b|\b(?:prior|previous|original|"
                         r"source|parent|earlier|existing)\s+(?:data\s?set|collection|database|"
                         r"corpus|study)\b", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")
# A sentence about one builder configuration ("in `5shot` configuration, ... 5000 images are
# sampled"): its counts are that configuration's, not the dataset's (TFDS / HF READMEs).
_CONFIG_SENTENCE = re.compile(r"\bconfig(?:uration)?s?\b", re.I)
# A sentence whose subject is one class, category or subset ("Each class contains 30,000
# training samples", "The class with the most images contains 1,280 examples"): its counts
# describe that part, not the dataset (TFDS / card / RST descriptions).
_PART_SUBJECT = re.compile(r"^\W*(?:each|every|the|a|one|any)\s+(?:[\w-]+\s+)?"
                           r"(?:class|category|label|subset|split|folder)\b(?!\s*-)", re.I)
# A full stop after these is not a sentence end ("Wang X, et al. (2017) ...", "e.g. 5").
_ABBREVIATION = re.compile(r"(?:\b(?:et\s+al|e\.g|i\.e|etc|cf|vs|fig|figs|no|nos|vol|pp|eq|ca|"
                           r"approx|dr|prof|inc|ltd|co|st|jr|sr)|\b[A-Z])\.$", re.I)
# Collapse ASCII whitespace only: narrow and no-break spaces are thousands separators.
_ASCII_SPACE = re.compile(r"[ \t\r\f\v]+")


def sentences(text: str):
    """Sentences of prose: one block per line, split after ., ! or ? (not after "et al.")."""
    for block in text.split("\n"):
        block = _ASCII_SPACE.sub(" ", block).strip()
        start = 0
        for end in _SENTENCE_END.finditer(block):
            if _ABBREVIATION.search(block, max(0, end.start() - 12), end.start()):
                continue
            yield block[start:end.start()]
            start = end.end()
        if block[start:]:
            yield block[start:]


def count_mentions(text: str) -> list[Count]:
    """Every count the rules accept, in reading order. Sentences citing other works are
    skipped, and so is what follows a source cue ("based on a prior dataset of ..."). Class
    counts of several kinds joined by "and" are one mention: their sum."""
    out: list[Count] = []
    if not isinstance(text, str):
        return out
    for index, sentence in enumerate(sentences(text[:MAX_PROSE])):
        if len(sentence) > 5000 or _CITATION.search(sentence) or \
                _CONFIG_SENTENCE.search(sentence) or _PART_SUBJECT.search(sentence):
            continue
        cue = _SOURCE_CUE.search(sentence)
        limit = cue.start() if cue else len(sentence)
        found = sorted(_sentence_counts(sentence), key=lambda cp: cp[1])
        for count, _ in _join_label_kinds(sentence, [cp for cp in found if cp[1] < limit]):
            out.append(replace(count, sentence=index))
    return out


def prose_counts(text: str) -> list[Count]:
    """Counts stated in free text, in reading order, split counts marked. After a sentence's
    first total of a kind, further ones break it down ("3 classes: 2 disease classes and ...")
    and are not totals; split counts are all kept. A later class count of another kind that
    was not summed with the first (see _join_label_kinds) leaves a note on the first, which is
    kept."""
    out: list[Count] = []
    sentence, first_of = None, {}
    for count in count_mentions(text):
        if count.sentence != sentence:
            sentence, first_of = count.sentence, {}
        if count.split is not None:
            out.append(count)
        elif count.field not in first_of:
            first_of[count.field] = len(out)
            out.append(count)
        elif _other_kind(out[first_of[count.field]], count):
            first = out[first_of[count.field]]
            out[first_of[count.field]] = replace(first, note=(
                f"class counts of several kinds in one sentence, not an 'and' list of disjoint "
                f"kinds: kept {first.phrase!r}, not {count.phrase!r}"))
    return out


def _other_kind(first: Count, later: Count) -> bool:
    return (first.field == "class_count" and bool(first.kind) and bool(later.kind)
            and later.kind != first.kind and not first.note)


# Between two class counts of a list, after any parenthetical aside: "and" (or "plus", "as well
# as") and, before the last item, a comma ("10 object, 5 scene and 3 weather categories").
_KIND_AND = re.compile(r"\s*,?\s*(?:and|plus|as\s+well\s+as)\s+", re.I)
_KIND_COMMA = re.compile(r"\s*,\s*")
# Kind words naming a level of one hierarchy ("20 fine-grained and 5 coarse categories" label
# the same items twice): such counts are not disjoint and are never summed.
LEVEL_WORDS = {"fine", "fine-grained", "coarse", "coarse-grained", "top-level", "high-level",
               "low-level", "mid-level", "main", "major", "minor", "sub", "super", "parent",
               "child", "broad", "detailed", "leaf", "root", "top", "first-level", "second-level"}


def _join_label_kinds(sentence: str, found: list[tuple[Count, int]]) -> list[tuple[Count, int]]:
    """Class counts of different named kinds listed with "and" ("22 local labels (...) and 6
    global labels") become one count, their sum; the other counts pass unchanged."""
    out: list[tuple[Count, int]] = []
    run: list[tuple[Count, int]] = []
    last_join = None
    for item in found:
        join = _kind_join(sentence, run, item)
        if join:
            run.append(item)
            last_join = join
        else:
            out += _sum_of_kinds(sentence, run, last_join)
            run, last_join = [item], None
    return out + _sum_of_kinds(sentence, run, last_join)


def _kind_join(sentence: str, run: list[tuple[Count, int]], item: tuple[Count, int]) -> str | None:
    """"and" or "," when `item` is a class count of a new kind right after the run's last."""
    if not run:
        return None
    (last, start), (count, pos) = run[-1], item
    if not (_is_kind_count(last) and _is_kind_count(count)) or count.kind in {c.kind for c, _ in run}:
        return None
    gap = sentence[start + len(last.phrase):pos]
    aside = _PARENTHETICAL.match(gap)
    gap = gap[aside.end():] if aside else gap
    if _KIND_AND.fullmatch(gap):
        return "and"
    return "," if _KIND_COMMA.fullmatch(gap) else None


def _is_kind_count(count: Count) -> bool:
    return (count.field == "class_count" and count.split is None and bool(count.kind)
            and not LEVEL_WORDS & set(count.kind.split()))


def _sum_of_kinds(sentence: str, run: list[tuple[Count, int]], last_join: str | None):
    """The run as one count when it is a list ending in "and"; else its counts as they are."""
    if len(run) < 2 or last_join != "and":
        return run
    first, start = run[0]
    counts = [c for c, _ in run]
    phrase = " + ".join(c.phrase for c in counts)
    evidence = f"sum of {phrase}: {_snippet(sentence, start, start + len(first.phrase))}"
    return [(replace(first, value=sum(c.value for c in counts), phrase=phrase,
                     kind=" + ".join(c.kind for c in counts), evidence=evidence[:MAX_EVIDENCE]),
             start)]


# Words joining an item count to the people it came from: "160,000 images from 67,000 patients".
_FROM_SUBJECTS = re.compile(r"\s*(?:\([^()]{0,200}\))?\s*(?:from|of|in|across|among)\s+", re.I)


def _sentence_counts(sentence: str):
    pos = 0
    qualified_end = -1   # end of the last item count a qualifier before it rejected
    while True:
        m = _COUNT.search(sentence, pos)
        if m is None:
            break
        count = _read_match(sentence, m)
        if count is not None and count.field == "subject_count" and qualified_end >= 0 \
                and _FROM_SUBJECTS.fullmatch(sentence, qualified_end, m.start()):
            count = None   # "more than N images from M patients": the qualifier covers M too
        if count is not None:
            yield count, m.start()
            pos = m.end()
        else:
            if _qualified_items(sentence, m):
                qualified_end = m.end()
            # A rejected candidate may span a valid one ("1,000 of 30,805 patients"): retry
            # from the next character instead of after the whole candidate.
            pos = m.start() + 1
    for m in _BINARY.finditer(sentence):
        yield Count("class_count", 2, None, _snippet(sentence, m.start(), m.end())), m.start()
    for m in _N_CLASS.finditer(sentence):
        value = int(m.group("num"))
        if value >= 2:
            yield Count("class_count", value, None,
                        _snippet(sentence, m.start(), m.end())), m.start()


def _qualified_items(sentence: str, m: re.Match) -> bool:
    """An item count with a bound, subset or reference word before it ("more than 160,000")."""
    noun = " ".join(m.group("noun").lower().split())
    return noun in ITEM_NOUNS and bool(_BEFORE_REJECT.search(sentence[max(0, m.start() - 40):m.start()]))


def _read_match(sentence: str, m: re.Match) -> Count | None:
    noun = " ".join(m.group("noun").lower().split())
    value = _number_value(m)
    if value is None or value < 2:
        return None
    mods = m.group("mods").split()
    if not _plain_modifiers(mods):
        return None
    before = sentence[max(0, m.start() - 40):m.start()]
    if _BEFORE_REJECT.search(before):
        return None
    if m.group("num") and _is_year(m) and not _YEAR_OK_BEFORE.search(before):
        return None
    # A parenthesis right after the noun is an aside: "7,000 images (6,000 train ...) per class".
    after = sentence[m.end():m.end() + 300]
    after = after[_PARENTHETICAL.match(after).end():] if _PARENTHETICAL.match(after) else after
    after = after[:60]
    if _AFTER_REJECT.search(after):
        return None
    split = next((SPLIT_WORDS[w.lower()] for w in mods if w.lower() in SPLIT_WORDS), None)
    for found in (_AFTER_SPLIT.match(after), _BEFORE_SPLIT.search(before)):
        if split is None and found:
            split = SPLIT_WORDS[found.group("split").lower()]
    evidence = _snippet(sentence, m.start(), m.end())
    field_, unit = _field_of(noun, value, mods, m.group("word") is not None)
    if field_ is None:
        return None
    return Count(field_, value, unit, evidence, split, phrase=m.group(0), kind=" ".join(mods).lower())


def _field_of(noun: str, value: int, mods: list[str], spelled: bool):
    """Which count a noun states; spelled-out numbers ("three classes") only for classes."""
    if noun in CLASS_NOUNS:
        if noun == "labels" and not mods and value > 1000:
            return None, None  # "20,000 labels" are annotations, not label kinds
        return "class_count", None
    if spelled:
        return None, None
    if noun in SUBJECT_NOUNS:
        return "subject_count", None
    return "item_count", ITEM_NOUNS[noun]


def _plain_modifiers(mods: list[str]) -> bool:
    for i, word in enumerate(mods):
        low = word.lower()
        if low in _PAIRED_ADJECTIVE_JOINS and _joins_adjectives(mods, i):
            continue   # "50,889 black and white sketch images"
        if low in STOP_MODIFIERS:
            return False
        if not (_WORD.match(word) or _DIMENSION.match(word) or _NUMBERED_ADJECTIVE.match(word)):
            return False
    return True


# "and"/"or" between two adjectives is one modifier ("black and white", "healthy or diseased"),
# not a second count; only between two plain words, never first or last.
_PAIRED_ADJECTIVE_JOINS = {"and", "or"}
# A hyphenated number-word adjective: "5,957 4-way multiple choice questions", "10 5-second clips".
_NUMBERED_ADJECTIVE = re.compile(r"^\d{1,3}-[^\W\d_][\w-]*$")


def _joins_adjectives(mods: list[str], i: int) -> bool:
    if i == 0 or i == len(mods) - 1:
        return False
    left, right = mods[i - 1], mods[i + 1]
    return all(_WORD.match(w) and w.lower() not in STOP_MODIFIERS for w in (left, right))


def _number_value(m: re.Match) -> int | None:
    if m.group("word"):
        return _WORD_NUMBERS[m.group("word").lower()]
    text = m.group("num")
    mult = m.group("mult") or m.group("abbr")
    if mult:
        text = f"{text} {mult}"
    elif not m.group("sep") and "." in text:
        return None  # "2.5 images" is not a count
    value = parse_count(text)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _is_year(m: re.Match) -> bool:
    raw = m.group("num")
    return raw.isdigit() and len(raw) == 4 and 1900 <= int(raw) <= 2100 and \
        not (m.group("mult") or m.group("abbr"))


def _snippet(sentence: str, start: int, end: int) -> str:
    """The sentence, or a window of it around the match when it is longer than 300 chars."""
    if len(sentence) <= MAX_EVIDENCE:
        return sentence
    left = max(0, min(start - 100, len(sentence) - MAX_EVIDENCE))
    return sentence[left:left + MAX_EVIDENCE]


def add_prose_counts(ex: Extraction, text: str, evidence_prefix: str = "",
                     record: str | None = None, rank: int = RANK_TEXT, skip: Iterable[str] = (),
                     single_subject: bool = False) -> set[str]:
    """Add the item/subject/class counts stated in `text` to `ex`, as facts of `record` (None:
    the input's own dataset) whose evidence starts with `evidence_prefix`. Split counts
    ("60,000 training images") are not totals; when no total is stated, the splits of one
    sentence are summed. Fields in `skip` were read from an earlier text and are not added
    again. single_subject: also read a one-subject statement that has no number ("a single
    participant") when no subject count was stated. Returns the fields added."""
    put = _FactSink(ex, evidence_prefix, record, rank, frozenset(skip))
    counts = prose_counts(text)
    kept: dict[str, list[int]] = {}
    for c in counts:
        if c.split is not None:
            continue
        seen = kept.setdefault(c.field, [])
        if c.value in seen or len(seen) >= MAX_COUNTS_PER_FIELD:
            continue
        seen.append(c.value)
        put(c.field, c.value, c.evidence, unit=c.unit)
        if c.note and c.field not in put.skip:
            ex.warn(c.note[:MAX_EVIDENCE])
        if c.field == "item_count" and len(seen) == 1:
            put("item_unit", c.unit, c.evidence)
    if "item_count" not in kept:
        _add_split_sum(put, [c for c in counts if c.split and c.field == "item_count"])
    if "item_count" not in kept and "item_count" not in put.added:
        _add_stated_total(put, text)
    if single_subject and "subject_count" not in put.added | put.skip:
        phrase = single_subject_phrase(text)
        if phrase:
            put("subject_count", 1, phrase)
    return put.added


@dataclass
class _FactSink:
    """ex.add for one record and rank, with the evidence prefix and the skipped fields applied."""
    ex: Extraction
    prefix: str
    record: str | None
    rank: int
    skip: frozenset
    added: set = field(default_factory=set)

    def __call__(self, field_: str, value, evidence: str, unit: str | None = None) -> None:
        if field_ in self.skip or value is None:
            return
        self.ex.add(field_, value, _clip(self.prefix + evidence), rank=self.rank, unit=unit,
                    record=self.record)
        self.added.add(field_)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_EVIDENCE else text[:MAX_EVIDENCE - 1] + "…"


def _add_stated_total(put: _FactSink, text: str) -> None:
    """Last resort: a total stated with a containment verb and a unit the mention reader does
    not know ("The dataset consists of 3,848,330 posts", TFDS / card descriptions), read by
    stated_totals in sentences that cite no other work, name no configuration or part, and
    mention no split (a split's own size is not the total)."""
    for sentence in paragraph_sentences(text):
        if len(sentence) > 5000 or _CITATION.search(sentence) or _CONFIG_SENTENCE.search(sentence) \
                or _PART_SUBJECT.search(sentence) or _SPLIT_RE.search(sentence):
            continue
        cue = _SOURCE_CUE.search(sentence)
        for value, unit, phrase in stated_totals(sentence[:cue.start()] if cue else sentence):
            put("item_count", value, _snippet(sentence, 0, len(phrase)), unit=unit)
            put("item_unit", unit, _snippet(sentence, 0, len(phrase)))
            return


def _add_split_sum(put: _FactSink, splits: list[Count]) -> None:
    by_sentence: dict[tuple[int, str | None], dict[str, Count]] = {}
    for c in splits:
        by_sentence.setdefault((c.sentence, c.unit), {}).setdefault(c.split, c)
    for (_, unit), parts in by_sentence.items():
        if len(parts) >= 2:
            evidence = next(iter(parts.values())).evidence
            total = sum(c.value for c in parts.values())
            put("item_count", total, f"sum of splits: {evidence}"[:MAX_EVIDENCE], unit=unit)
            put("item_unit", unit, evidence)
            return


def subject_counts(text: str) -> dict[int, str]:
    """The distinct numbers of people the text states, each with the first phrase stating it
    (for adapters that keep a subject count only when the text states exactly one)."""
    found: dict[int, str] = {}
    for c in count_mentions(text):
        if c.field == "subject_count":
            found.setdefault(c.value, c.phrase)
    return found


# "The experimental subject is the author", "a single participant": one subject, stated without
# a number (the readers above only read numbers, and a total of one is never an item count).
_SINGLE_SUBJECT = re.compile(
    r"\b(?:(?:the|a) (?:single|sole|only|experimental)|only one|one single) (?:human )?"
    r"(?:subject|participant|patient|volunteer|individual|donor|speaker)\b", re.I)


# "15K images of 20 people", "a total of 20 people": people counted as those the data show. A
# bare "N people" is not read: it is as often a team, the annotators or the users.
_PEOPLE_SUBJECTS = re.compile(
    r"(?:\b(?:images|photos|photographs|pictures|videos|clips|recordings|scans|faces|sequences)"
    r"\s+(?:of|from)|\ba\s+total\s+of)\s+(?P<num>\d{1,3}(?:,\d{3})+|\d{1,7})\s+"
    r"(?:people|persons)\b", re.I)


def people_subject_counts(text: str) -> dict[int, str]:
    """Numbers of people the data were taken from ("images of 20 people"), each with its
    phrase. Any prose about a dataset (cards, descriptions, landing pages)."""
    found: dict[int, str] = {}
    if isinstance(text, str):
        for m in _PEOPLE_SUBJECTS.finditer(text[:MAX_PROSE]):
            value = parse_count(m.group("num"))
            if isinstance(value, int) and value >= 2:
                found.setdefault(value, m.group(0))
    return found


def single_subject_phrase(text: str) -> str | None:
    """The words stating that the data come from one subject, or None."""
    if not isinstance(text, str):
        return None
    found = _SINGLE_SUBJECT.search(text)
    return found.group(0) if found else None


# =============================================================================== stated totals
# Cards and API descriptions. Their own vocabulary on purpose: units are kept as written
# ("sentences", "data points"), and "eval" is a split of its own next to "test" (cards list
# both), where the mention reader above folds eval into test.

# Item nouns of a stated total, kept as written (the unit recorded is the noun itself).
TOTAL_UNITS = (r"images|photos|photographs|pictures|examples|samples|instances|rows|records|"
               r"documents|sentences|pairs|questions|videos|clips|recordings|utterances|dialogues|"
               r"dialogs|conversations|articles|reviews|scans|tweets|posts|entries|observations|"
               r"texts|abstracts|passages|queries|data points")
_TOTAL_NUMBER = (r"(?<![\w.,])(?P<num>\d{1,3}(?:[,.\u00a0\u202f]\d{3})+|\d+(?:\.\d+)?)"
                 r"(?:\s*(?P<mult>million|billion|thousand)\b|(?P<suffix>[kKM])\b)?")
_SPLIT = r"train|training|validation|valid|val|dev|development|test|testing|eval|evaluation"
_SPLIT_RE = re.compile(rf"\b(?:{_SPLIT})\b", re.I)
# A modifier between number and noun ("70,000 28x28 black-and-white images"): a word that is not
# a joining word and not a bare number (so "3 classes of 50 instances" is not "3 ... instances").
_MOD = r"(?!(?:of|in|for|and|or|with|from|per|each|to|the|a|an|are|were)\b)(?!\d+\b)[\w][\w-]*"
# Words before a number that make it a bound, not a count.
_HEDGE = re.compile(r"(?:more than|over|at least|up to|nearly|almost|less than|fewer than|"
                   r"under|below|above|upwards of|>|<)\s*$", re.I)
# Naming the whole dataset states its total: "is a collection of 1 million conversations". Only
# with "a"/"an" (what the dataset is); "a sample/subset of" would name a part.
_WHOLE_OF = (r"an?\s+(?:[\w-]+\s+){0,2}?(?:collection|corpus|data\s?set|database|compilation)"
             r"\s+of")
_TOTAL_RE = re.compile(
    rf"\b(?P<trigger>consists?\s+of|consisting\s+of|contains?|containing|comprises?|comprising|"
    rf"composed\s+of|made\s+up\s+of|a\s+total\s+of|totals?|totall?ing|there\s+are|{_WHOLE_OF})\s+"
    rf"(?P<pre>[^\d\n]{{0,25}}?){_TOTAL_NUMBER}\s+(?P<mods>(?:{_MOD}\s+){{0,3}}?)"
    rf"(?P<unit>{TOTAL_UNITS})\b", re.I)
_SPLIT_COUNT_RE = re.compile(
    rf"{_TOTAL_NUMBER}\s+(?:(?P<split>{_SPLIT})\s+(?:{_MOD}\s+){{0,2}}?(?P<unit>{TOTAL_UNITS})\b"
    rf"|(?:{_MOD}\s+){{0,2}}?(?P<unit2>{TOTAL_UNITS})\s+(?:are\s+)?(?:in|for|from)\s+the\s+"
    rf"(?P<split2>{_SPLIT})\b)", re.I)
_CLASS_RE = re.compile(
    rf"{_TOTAL_NUMBER}\s+(?:{_MOD}\s+)?(?:distinct\s+)?(?:classes|categories|class labels)\b", re.I)
_EACH_BEFORE = re.compile(r"\b(?:each|every)\s+(?:[\w-]+\s+)?$", re.I)
_OF_NAMED = re.compile(r"\s+of\s+[\"'“‘]")
_TOTAL_LEADS = {"", "a total of", "in total", "about", "approximately", "around", "roughly",
                "some", "~"}
_PER_RE = re.compile(r"^[\s)\],]*(?:per\b|each\b|for each\b|in each\b|/)", re.I)
CARD_SPLITS = {"train": "train", "training": "train", "validation": "validation",
               "valid": "validation", "val": "validation", "dev": "validation",
               "development": "validation", "test": "test", "testing": "test",
               "eval": "eval", "evaluation": "eval"}


def paragraph_sentences(text: str) -> list[str]:
    """Sentences of markdown-like text: paragraphs (blank-line separated) are joined onto one
    line, since authors wrap sentences across lines, then split after ., ! or ?."""
    out: list[str] = []
    if not isinstance(text, str):
        return out
    for paragraph in re.split(r"\n\s*\n", text):
        flat = " ".join(paragraph.split())
        if flat:
            out += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z(\[])", flat) if s]
    return out


def _total_value(m: re.Match) -> int | None:
    num = m.group("num")
    mult = m.group("mult") or m.group("suffix")
    return parse_count(f"{num} {mult}" if mult else num)


def _after_is_per(text: str, end: int) -> bool:
    return bool(_PER_RE.match(text[end:end + 20]))


def stated_totals(sentence: str) -> list[tuple[int, str, str]]:
    """(count, unit, phrase) for each total the sentence states with a containment verb
    ("consists of 70,000 images"); bounds, splits and per-item figures are not totals."""
    if not isinstance(sentence, str):
        return []
    out: list[tuple[int, str, str]] = []
    for m in _TOTAL_RE.finditer(sentence):
        # Words between verb and number: only approximations pass, so bounds ("more than",
        # "up to") and unrelated phrases never make a total.
        if m.group("pre").strip() not in _TOTAL_LEADS:
            continue
        # "a training set of ..." / "60,000 training images" / "... per class": no total.
        if _SPLIT_RE.search(m.group("trigger") + " " + m.group("mods")) or _after_is_per(sentence, m.end()):
            continue
        # "The training set contains 60,000 images": a split, not the total.
        if _SPLIT_RE.search(sentence[max(0, m.start() - 30):m.start()]):
            continue
        if re.match(r"\s+(?:are\s+)?(?:in|for|from)\s+the\s+(?:" + _SPLIT + r")\b",
                    sentence[m.end():], re.I):
            continue
        # "there are 2 instances of \"frog\"" (UCI/OpenML notes): one named value's members
        if _OF_NAMED.match(sentence, m.end()):
            continue
        # "67 sub-datasets, each containing 1000 minimal pairs": a part's size, not the total
        if _EACH_BEFORE.search(sentence, max(0, m.start() - 25), m.start()):
            continue
        count = _total_value(m)
        if count:
            out.append((count, m.group("unit").lower(), m.group(0)))
    return out


def split_total(sentence: str) -> list[tuple[int, str, str]]:
    """'1,281,167 training images, 50,000 validation images and 100,000 test images'."""
    if not isinstance(sentence, str):
        return []
    parts, units = {}, set()
    for m in _SPLIT_COUNT_RE.finditer(sentence):
        if _after_is_per(sentence, m.end()):
            return []   # "(6,000 train images and 1,000 test images) per class"
        split = CARD_SPLITS[(m.group("split") or m.group("split2")).lower()]
        count = _total_value(m)
        if count is None or split in parts:
            return []
        parts[split] = count
        units.add((m.group("unit") or m.group("unit2")).lower())
    if len(parts) < 2 or len(units) != 1:
        return []
    return [(sum(parts.values()), units.pop(), sentence[:200])]


def class_vote(sentences: list[str]) -> tuple[int, str] | None:
    """'N classes' said most often (earliest on a tie): a card names its class count in several
    places, while stray numbers ('3 people categories') appear once."""
    votes: Counter = Counter()
    first: dict[int, str] = {}
    if not isinstance(sentences, list):
        return None
    for sentence in (s for s in sentences if isinstance(s, str)):
        for m in _CLASS_RE.finditer(sentence):
            if _HEDGE.search(sentence[max(0, m.start() - 15):m.start()]):
                continue
            count = _total_value(m)
            if count and count >= 2:
                votes[count] += 1
                first.setdefault(count, m.group(0))
    if not votes:
        return None
    order = list(first)
    best = max(votes, key=lambda c: (votes[c], -order.index(c)))
    return best, first[best]



# =============================================================================== all prose facts
# Dataset READMEs, datasheets, RST descriptions, UCI ".names" files and card/API descriptions
# state more than counts in words: the licence ("released under CC BY 4.0"), the homepage
# ("URL: http://..."), the access condition ("requires registration"), the file type ("Image
# Type : jpeg"), a release year ("the dataset was released in 2017") and who annotated.
# `add_prose_facts` reads all of it; each rule insists that the statement is about the dataset.

# Words naming the dataset (or its content) as the subject of a statement.
_DATA_WORDS = re.compile(r"\b(?:data\s?sets?|data|corpus|corpora|database|collection|benchmark|"
                         r"images|annotations|labels|recordings|files|archive|records|"
                         r"this\s+work)\b", re.I)
# Words naming something else a licence or statement may be about: code, models, papers.
_OTHER_WORKS = re.compile(r"\b(?:code|source|software|scripts?|implementation|library|package|"
                          r"tool(?:kit|s)?|models?|weights|checkpoints?|paper|website|repository "
                          r"code|api|sdk|plugin|notebooks?)\b", re.I)
# Words that make a licence mention a licence (not a place or a person).
_LICENSE_CUE = re.compile(r"licen[cs]\w*|creative\s+commons|\bcc[\s-]?(?:by|0|zero)\b|"
                          r"public\s+domain|\b(?:odc|pddl|odbl|cdla|gpl|apache|mit|bsd)\b", re.I)
# "License: MIT", "**Licence** - CC BY 4.0", "- License: Community Data License Agreement ..."
_LICENSE_LINE = re.compile(r"^[\s>*\-+]*(?:\*\*|__)?(?:data(?:set)?\s+)?licen[cs]e(?:\s+information)?"
                           r"(?:\*\*|__)?\s*[:\-–—]\s*(?P<text>\S.{0,200})$", re.I | re.M)
# "... under the terms of the X License", "licensed under CC BY-SA 3.0", "is under MIT licence"
_UNDER = re.compile(r"\bunder\s+(?:the\s+)?(?:terms\s+(?:and\s+conditions\s+)?of\s+(?:the\s+)?)?"
                    r"(?P<lic>(?:[^.;:()\[\]\n]|\.(?=\d)){2,160})", re.I)
_LICENSE_WORD_END = re.compile(r"licen[cs]e\b", re.I)
_PUBLIC_DOMAIN = re.compile(r"\b(?:is|are|was|were|been)\s+(?:placed\s+|released\s+|dedicated\s+)?"
                            r"(?:in|into|to)\s+the\s+public\s+domain\b", re.I)
# Use restricted to non-commercial purposes: "made available for non-commercial use such as
# research", "for non-commercial research purposes only", "may not be used for commercial ...".
_NON_COMMERCIAL = re.compile(
    r"\b(?:(?:only|solely|exclusively|strictly)\s+(?:for|to)\s+non[\s-]?commercial"
    r"|(?:available|licensed|provided|released|distributed|granted|free|permitted|allowed)\s+"
    r"(?:only\s+)?(?:for|to)\s+(?:\w+\s+){0,2}?non[\s-]?commercial\s+(?:\w+\s+){0,2}?"
    r"(?:use|uses|purposes?|research|applications?)"
    r"|non[\s-]?commercial\s+(?:\w+\s+){0,3}?(?:use|uses|usage|purposes?)\s+only"
    r"|(?:not|never)\s+(?:be\s+)?(?:used|allowed|permitted)\s+for\s+(?:any\s+)?commercial"
    r"|commercial\s+(?:use|usage|purposes?)\s+(?:is|are)\s+(?:not\s+(?:permitted|allowed)|"
    r"prohibited|forbidden|strictly\s+prohibited)"
    r"|no\s+commercial\s+use)\b", re.I)
# "for commercial and non-commercial use" restricts nothing.
_BOTH_USES = re.compile(r"\bcommercial\s+(?:and|or|&)\s+non[\s-]?commercial\b"
                        r"|\bnon[\s-]?commercial\s+(?:and|or|&)\s+commercial\b", re.I)
# "URL: http://bigearth.net/", "Homepage: <https://...>", "* Website: https://..." on a line alone;
# TFDS READMEs also write "Dataset URL: <url> \" (a Markdown hard break) and, rewrapped,
# "Dataset URL: <url> License:" with the licence on the next line.
_HOMEPAGE_LINE = re.compile(
    r"^[\s>*\-+]*(?:\*\*|__)?(?:url|home\s?page|website|web\s?site|project\s+(?:page|website)|"
    r"dataset\s+(?:homepage|website|page|url))(?:\*\*|__)?\s*:\s*<?(?P<url>https?://[^\s<>\"']{3,300}?)"
    r">?[.,;]?(?:\s*\\)?(?:\s*$|\s+(?=licen[cs]e\s*:))", re.I | re.M)
# "all details are available on the official website: http://..." (RST/Markdown prose, the URL
# possibly on the next line): "official" says the page is the dataset's own.
_OFFICIAL_SITE = re.compile(
    r"\bofficial\s+(?:web\s?site|home\s?page|project\s+page)\s*(?::|at|is)?\s*<?"
    r"(?P<url>https?://[^\s<>\"'`]{3,300}?)>?[.,;]?(?=\s|$)", re.I)
# "License: http://creativecommons.org/licenses/by/4.0" anywhere on a line (rewrapped TFDS
# READMEs put it after the dataset URL): a licence URL after "License:" names the licence.
_LICENSE_URL = re.compile(r"\blicen[cs]e\s*:\s*<?(?P<url>https?://[^\s<>\"']{3,300})", re.I)
# Link texts that name the dataset's home page: "dataset's homepage", "project page".
_HOMEPAGE_TEXT = re.compile(r"^(?:the\s+)?(?:(?:data\s?set|project|official)(?:'s)?\s+)?"
                            r"(?:home\s?page|website|web\s?site|project\s+page)$", re.I)
# "The dataset was (first) released in (March) 2017": the dataset as the subject, a year.
_RELEASED = re.compile(
    r"\b(?:data\s?set|corpus|database|benchmark)\s+(?:was|were)\s+(?:first\s+|originally\s+|"
    r"publicly\s+|initially\s+)?released\s+(?:in|on)\s+(?:[A-Z][a-z]{2,8}\.?\s+)?(?:\d{1,2},?\s+)?"
    r"(?P<year>(?:19|20)\d{2})\b")
# "requires registration", "you need to register", "requires users to setup a login".
_REGISTER = re.compile(
    r"\b(?:requires?|required|need(?:s)?\s+to|must|have\s+to|has\s+to)\b[^.!?\n]{0,50}?"
    r"\b(?:regist(?:er|ration)|sign[\s-]?(?:up|in)|log[\s-]?in|an?\s+account|credentials)\b", re.I)
_NOT_REQUIRED = re.compile(r"\b(?:no|not|without|never|n't)\b[^.!?\n]{0,30}?"
                           r"\b(?:requires?|required|need|regist|sign|log[\s-]?in|account)", re.I)
# "Image Type : jpeg", "File format: PNG, CSV" on a line alone (TFDS and datasheet lists).
_FORMAT_LINE = re.compile(r"^[\s>*\-+]*(?:image|file|data|audio|video)\s+(?:type|format)s?\s*:\s*"
                          r"(?P<value>[A-Za-z0-9 ,/.+]{2,60})\s*$", re.I | re.M)


@dataclass(frozen=True)
class Statement:
    field: str
    value: object
    evidence: str


def license_statements(text: str) -> list[Statement]:
    """The licence a text states for its dataset, as license + commercial_use statements.
    A "License: ..." line, or a sentence saying the data are "(released|licensed|...) under" a
    licence or are in the public domain. Sentences about code, models or papers, and sentences
    naming two different licences, state nothing. A non-commercial-only clause without a licence
    id gives commercial_use false."""
    if not isinstance(text, str):
        return []
    text = text[:MAX_PROSE]
    found: dict[str, str] = {}
    for m in _LICENSE_LINE.finditer(text):
        spdx = _license_of(m.group("text"))
        if spdx:
            found.setdefault(spdx, m.group(0).strip())
    if not found:
        for m in _LICENSE_URL.finditer(text):
            spdx = normalize_license(m.group("url").rstrip(".,;)>"))
            if spdx and not spdx.startswith("LicenseRef-"):
                found.setdefault(spdx, m.group(0).strip())
    if not found:
        for sentence in paragraph_sentences(text):
            ids = _sentence_licenses(sentence)
            if len(ids) == 1:
                found.setdefault(ids.pop(), sentence)
            elif len(ids) > 1:
                return []   # a list of the licences of several things: none is the dataset's
    if len(found) > 1:
        return []
    if found:
        spdx, evidence = next(iter(found.items()))
        out = [Statement("license", spdx, _clip(evidence))]
        allowed = commercial_use(spdx)
        if allowed is not None:
            out.append(Statement("commercial_use", allowed, _clip(evidence)))
        return out
    for sentence in paragraph_sentences(text):
        if _restricts_use(sentence) and _DATA_WORDS.search(sentence) \
                and not _OTHER_WORKS.search(sentence):
            return [Statement("commercial_use", False, _clip(sentence))]
    return []


def _restricts_use(sentence: str) -> bool:
    return bool(_NON_COMMERCIAL.search(sentence)) and not _BOTH_USES.search(sentence)


def noncommercial_terms(text) -> str | None:
    """The sentence restricting use to non-commercial purposes, read on text that IS licence
    terms (a card's 'Licensing Information' section, a DatasetInfo `license` string, a
    `rights` field): there no sentence needs to name the data. None when nothing restricts."""
    if not isinstance(text, str):
        return None
    for sentence in paragraph_sentences(text[:5000]):
        if _restricts_use(sentence):
            return _clip(sentence)
    return None


def _license_of(phrase: str) -> str | None:
    phrase = phrase.strip().rstrip(".").strip()
    if not phrase or not _LICENSE_CUE.search(phrase):
        return None
    return normalize_license(phrase)


def _phrase_license(phrase: str) -> str | None:
    """The licence a phrase after "under" names: cut after a "License" word first ("the MIT
    License and ..."), else the whole phrase up to punctuation."""
    cuts = [phrase[:m.end()] for m in _LICENSE_WORD_END.finditer(phrase)][:5]
    joint = _PHRASE_JOINT.search(phrase)
    cuts.append(phrase[:joint.start()] if joint else phrase)
    cuts.append(phrase)
    for cut in cuts:
        spdx = _license_of(cut)
        # "A AND B" read from a sentence is two things' licences, not one dataset's
        if spdx and not re.search(r"\s(?:AND|OR|WITH)\s", spdx):
            return spdx
    return None


# Where the licence name of an "under ..." phrase ends and the sentence goes on.
_PHRASE_JOINT = re.compile(r",|\s(?<!dedication\s)(?:and|or|but|while|whereas|which|that|for|"
                           r"with|except|unless|if)\s", re.I)


def _sentence_licenses(sentence: str) -> set[str]:
    """Licence ids a sentence states for data: "under <licence>" or "in the public domain"."""
    ids: set[str] = set()
    # Every "under", also one inside a phrase an earlier match ran over ("A under X and B under Y")
    starts = [u.start() for u in re.finditer(r"\bunder\b", sentence, re.I)][:20]
    for m in filter(None, (_UNDER.match(sentence, pos) for pos in starts)):
        subject = sentence[:m.start()]
        spdx = _phrase_license(m.group("lic"))
        if spdx and _DATA_WORDS.search(subject) and not _OTHER_WORKS.search(subject):
            ids.add(spdx)
    m = _PUBLIC_DOMAIN.search(sentence)
    if m and _DATA_WORDS.search(sentence[:m.start()]) and \
            not _OTHER_WORKS.search(sentence[:m.start()]):
        ids.add(normalize_license("public domain"))
    ids.discard(None)
    return ids


def homepage_statement(text: str, links: Iterable[tuple[str, str]] = ()) -> Statement | None:
    """A homepage stated as such: a "URL:" / "Homepage:" line holding only the URL, or a link
    whose text is "homepage" / "dataset's homepage" / "project page" (links: (text, target)
    pairs from a Markdown or RST parse). Bare URLs in prose (sources, papers) are not read."""
    if isinstance(text, str):
        m = _HOMEPAGE_LINE.search(text[:MAX_PROSE]) or _OFFICIAL_SITE.search(text[:MAX_PROSE])
        if m:
            return Statement("homepage", m.group("url"), _clip(m.group(0).strip()))
    for label, target in links:
        if isinstance(label, str) and isinstance(target, str) and \
                _HOMEPAGE_TEXT.match(" ".join(label.split())) and \
                target.startswith(("http://", "https://")):
            return Statement("homepage", target, _clip(f"link '{label}': {target}"))
    return None


def release_statement(text: str) -> Statement | None:
    """The year the text says the dataset itself was released ("The dataset was released in
    2017"); a release of a config, split or paper, or an acquisition period, is not read."""
    if not isinstance(text, str):
        return None
    for sentence in paragraph_sentences(text[:MAX_PROSE]):
        m = _RELEASED.search(sentence)
        if m and not _CITATION.search(sentence):
            return Statement("release_date", m.group("year"), _clip(sentence))
    return None


# Access statements may name the website to register on; only code and models are other works.
_OTHER_ACCESS = re.compile(r"\b(?:code|software|scripts?|models?|weights|checkpoints?|api|sdk)\b",
                           re.I)


def access_statement(text: str) -> Statement | None:
    """"registered" when the text says getting the data requires registering or logging in."""
    if not isinstance(text, str):
        return None
    for sentence in paragraph_sentences(text[:MAX_PROSE]):
        m = _REGISTER.search(sentence)
        if m and _DATA_WORDS.search(sentence) and not _NOT_REQUIRED.search(sentence) \
                and not _OTHER_ACCESS.search(sentence):
            return Statement("access", "registered", _clip(sentence))
    return None


def format_statements(text: str) -> Statement | None:
    """Formats a "Image Type : jpeg" / "File format: PNG, CSV" line names (known ones only)."""
    if not isinstance(text, str):
        return None
    for m in _FORMAT_LINE.finditer(text[:MAX_PROSE]):
        names = [formats.from_filename("x." + w.strip(" .").lower())
                 for w in re.split(r"[,/]|\s+and\s+|\s+", m.group("value")) if w.strip(" .")]
        if names and all(names):
            return Statement("formats", formats.sorted_set(names), _clip(m.group(0).strip()))
    return None


def _doi_of(home: Statement | None) -> Statement | None:
    """A stated homepage that is a DOI link ("Dataset URL: http://doi.org/10.14459/...", TFDS
    READMEs) also states the dataset's DOI."""
    if home is None or not re.match(r"https?://(?:dx\.)?doi\.org/", str(home.value), re.I):
        return None
    doi = normalize_doi(str(home.value))
    return Statement("doi", doi, home.evidence) if doi else None


def add_prose_facts(ex: Extraction, text: str, evidence_prefix: str = "", rank: int = RANK_TEXT,
                    record: str | None = None, skip: Iterable[str] = (),
                    links: Iterable[tuple[str, str]] = (), annotations: bool = True,
                    single_subject: bool = False) -> set[str]:
    """THE entry point for free text: add to `ex` everything `text` states about its dataset —
    licence (+ commercial_use), homepage (also from `links`, (text, target) pairs), release
    year, access ("registered"), formats from a file-type line, annotations_creators and
    annotation_review (via normalize/annotations, unless annotations=False) and the counts of
    `add_prose_counts` — as facts of `record` at `rank`, evidence starting with
    `evidence_prefix`. Fields in `skip` were read from structured data and are not added.
    Returns the fields added."""
    if not isinstance(text, str):
        return set()
    text = text[:MAX_PROSE]
    put = _FactSink(ex, evidence_prefix, record, rank, frozenset(skip))
    statements = license_statements(text)
    home = homepage_statement(text, links)
    for found in (home, _doi_of(home), release_statement(text),
                  access_statement(text), format_statements(text)):
        if found:
            statements.append(found)
    for st in statements:
        put(st.field, st.value, st.evidence)
    if annotations:
        terms, evidence = annotation_terms(text)
        if terms:
            put("annotations_creators", terms, evidence)
        terms, evidence = annotation_review(text)
        if terms:
            put("annotation_review", terms, evidence)
    added = add_prose_counts(ex, text, evidence_prefix, record, rank, skip=set(skip) | put.added,
                             single_subject=single_subject)
    return put.added | added


def annotation_terms(text: str) -> tuple[list[str], str]:
    """(annotations_creators terms, the sentences stating them) from prose, one sentence at a
    time (normalize/annotations.py from_text): who annotated and the annotating must be said in
    the same sentence. Sentences citing other works are left out."""
    terms: set[str] = set()
    evidence = []
    for sentence in paragraph_sentences(text):
        found = [] if _CITATION.search(sentence) else from_text(sentence)
        if found:
            terms.update(found)
            evidence.append(sentence)
    return sorted(terms), _clip(" … ".join(evidence))


MAX_REVIEW_SENTENCE = 5_000


def annotation_review(text: str) -> tuple[list[str], str]:
    """(annotation_review terms, the sentences stating them): how the labels were checked, one
    sentence at a time (normalize/annotations.py review_from_text: multiple readers,
    adjudication, redundancy, gold questions, an authoritative named source). Sentences citing
    other works are left out."""
    terms: set[str] = set()
    evidence = []
    if not isinstance(text, str):
        return [], ""
    for sentence in paragraph_sentences(text[:MAX_PROSE]):
        sentence = sentence[:MAX_REVIEW_SENTENCE]   # a statement is short; a run-on line is not prose
        found = {} if _CITATION.search(sentence) else review_from_text(sentence)
        if found:
            terms.update(found)
            evidence.append(sentence)
    return sorted(terms), _clip(" … ".join(evidence))


def add_review_facts(ex: Extraction, text: str, evidence_prefix: str = "", rank: int = RANK_TEXT,
                     record: str | None = None) -> set[str]:
    """Only the annotation_review statements of `text` (for readers that take the other prose
    facts elsewhere, e.g. a dataset card's body); add_prose_facts includes them."""
    terms, evidence = annotation_review(text)
    if not terms:
        return set()
    ex.add("annotation_review", terms, _clip(evidence_prefix + evidence), rank=rank, record=record)
    return {"annotation_review"}


# =============================================================================== stated fields
# "Name: value" statements of dataset documents: RST field lists (":Number of Instances: 150"),
# two-column characteristics tables ("Samples total | 581012"), UCI ".names" lines
# ("5. Number of Instances: 150") and datasheet lists. One mapping serves them all; openml reads
# its descriptions' ".names" lines with the patterns below.

_NUMBER_TEXT = r"(\d{1,3}(?:[,.\u00a0\u202f]\d{3})+|\d+)"
# LibSVM-derived descriptions (OpenML) write "# of data: 690", "# of classes: 2".
UCI_INSTANCES_RE = re.compile(
    rf"(?:number|#)\s+of\s+(?:instances|examples|records|rows|data)\s*:\s*{_NUMBER_TEXT}\b", re.I)
UCI_FEATURES_RE = re.compile(rf"number\s+of\s+(?:attributes|features)\s*:\s*{_NUMBER_TEXT}\b",
                             re.I)
UCI_CLASSES_RE = re.compile(rf"(?:number|#)\s+of\s+classes\s*:\s*{_NUMBER_TEXT}\b", re.I)

# Field names (lower case, single spaces) -> (field, unit).
FIELD_COUNTS = {
    "number of instances": ("item_count", "instances"), "instances": ("item_count", "instances"),
    "number of examples": ("item_count", "examples"), "number of samples": ("item_count", "samples"),
    "samples total": ("item_count", "samples"), "total samples": ("item_count", "samples"),
    "number of records": ("item_count", "records"), "number of rows": ("item_count", "rows"),
    "number of images": ("item_count", "images"), "total images": ("item_count", "images"),
    "number of classes": ("class_count", None), "classes": ("class_count", None),
    "number of attributes": ("feature_count", None), "number of features": ("feature_count", None),
    "number of subjects": ("subject_count", None), "number of participants": ("subject_count", None),
    "number of patients": ("subject_count", None),
}
# A field's value starts with its count: "150 (50 in each of three classes)", "8 numeric, ...".
_LEADING_COUNT = re.compile(rf"^\s*{_NUMBER_TEXT}(?![\d.,]*\d)(?!\s*%)(?!\.\d)(?:\s|\(|,|;|$)")
# "5. Number of Instances: 150", "Title: Iris Plants Database" at the start of a line.
_NAMES_LINE = re.compile(r"^[ \t]*(?:\d{1,2}\.[ \t]*)?(?P<name>[A-Za-z][A-Za-z ]{1,40}?)[ \t]*:"
                         r"[ \t]*(?P<value>\S[^\n]{0,300})$", re.M)


def field_count(name: str, value: str) -> tuple[str, int, str | None] | None:
    """(field, count, unit) a "Name: value" statement gives, or None."""
    if not isinstance(name, str) or not isinstance(value, str):
        return None
    key = " ".join(name.lower().replace(":", " ").split())
    target = FIELD_COUNTS.get(key)
    m = _LEADING_COUNT.match(value)
    if not target or not m:
        return None
    count = parse_count(m.group(1))
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        return None
    return target[0], count, target[1]


def names_fields(text: str) -> list[tuple[str, str, str]]:
    """(name, value, line) of the "N. Name: value" lines of a UCI ".names" file or datasheet."""
    if not isinstance(text, str):
        return []
    return [(m.group("name").strip(), m.group("value").strip(), m.group(0).strip())
            for m in _NAMES_LINE.finditer(text[:MAX_PROSE])][:2000]
