"""Who made a dataset's labels, in the Hugging Face card vocabulary (`annotations_creators`).

Three families of input state it:
- dataset cards' YAML (`annotations_creators: [expert-generated]`) and other metadata using the
  same vocabulary or its spelling variants ("expert generated", "crowd-sourced") -> `from_values`;
- Croissant RAI fields (`rai:dataAnnotationPlatform`, `rai:dataAnnotationAnalysis`, ...) and
  any prose about annotation -> `from_text`, which maps only sentences that talk about
  annotating, labelling or rating and name who did it unambiguously ("crowdworker annotators",
  "annotated by radiologists", "labels were generated automatically").

Precision first: a sentence that mentions experts without saying they annotated, or crowds
without saying they labelled, maps to nothing.
"""
from __future__ import annotations

import re
from typing import Iterable

VOCABULARY = ("crowdsourced", "expert-generated", "found", "machine-generated", "no-annotation",
              "other")

_SPELLINGS = {
    "crowdsourced": "crowdsourced", "crowd-sourced": "crowdsourced", "crowd sourced": "crowdsourced",
    "crowdsourcing": "crowdsourced",
    "expert-generated": "expert-generated", "expert generated": "expert-generated",
    "expert": "expert-generated", "experts": "expert-generated",
    "found": "found",
    "machine-generated": "machine-generated", "machine generated": "machine-generated",
    "automatic": "machine-generated", "automatically generated": "machine-generated",
    "no-annotation": "no-annotation", "no annotation": "no-annotation", "none": "no-annotation",
    "other": "other",
}


def from_values(values) -> list[str]:
    """Vocabulary terms from a card-style value (a string or a list of strings); unknown words
    are dropped, never guessed."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple)):
        return []
    found = {_SPELLINGS.get(" ".join(str(v).casefold().replace("_", "-").split()))
             for v in values if isinstance(v, str)}
    return sorted(found - {None})


# A sentence is about annotation when it says so; only then may it name who annotated.
_ABOUT_ANNOTATION = re.compile(
    r"\b(?:annotat\w*|label(?:l?ed|l?ing|s)?|rated|ratings?|raters?|tagged|transcrib\w*)\b", re.I)
_CROWD = re.compile(r"\b(?:crowd[\s-]?workers?|crowd[\s-]?sourc\w*|crowd\s+of|rater\s+crowd|"
                    r"mechanical\s+turk|mturk|amazon\s+turk|prolific|figure\s+eight|"
                    r"crowdflower|appen\b|toloka|crowd\s+annotators?)", re.I)
_EXPERT = re.compile(r"\b(?:experts?|radiologists?|pathologists?|dermatologists?|clinicians?|"
                     r"physicians?|linguists?|ophthalmologists?|cardiologists?|"
                     r"professional\s+annotators?|trained\s+annotators?|domain\s+specialists?)\b",
                     re.I)
_MACHINE = re.compile(r"\b(?:automatically\s+(?:annotated|labell?ed|generated|extracted)|"
                      r"machine[\s-]generated\s+(?:labels|annotations)|"
                      r"(?:labels|annotations)\s+(?:were|are)\s+(?:generated|produced|extracted)\s+"
                      r"automatically|pseudo[\s-]labels?|weak(?:ly)?\s+(?:labels|supervis\w+))", re.I)
_NEGATED = re.compile(r"\b(?:not|no|never|without|non)[\s-]+(?:\w+\s+){0,2}?"
                      r"(?:experts?|crowd\w*|automatic\w*)", re.I)
WINDOW = 60   # characters between the annotating word and who did it
# A sentence about how an evaluation subset was labelled ("radiologist-labeled reference standard
# evaluation sets", "the test set was annotated by three experts") describes that subset, not the
# dataset's labels (family: medical and benchmark pages whose training labels come from elsewhere).
_SUBSET = re.compile(r"\b(?:evaluation|test|testing|validation|hold[\s-]?out|reference)\s+"
                     r"(?:sets?|splits?|subsets?|standard)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n{2,}")


def from_text(text: str) -> list[str]:
    """Vocabulary terms that prose about annotation states unambiguously."""
    if not isinstance(text, str) or not text:
        return []
    found: set[str] = set()
    for sentence in _SENTENCE.split(text[:200_000]):
        if _NEGATED.search(sentence) or _SUBSET.search(sentence):
            continue
        acts = [m.start() for m in _ABOUT_ANNOTATION.finditer(sentence)][:50]
        for term, pattern in (("crowdsourced", _CROWD), ("expert-generated", _EXPERT)):
            if any(_near(m.start(), acts) for m in pattern.finditer(sentence)):
                found.add(term)
        if _MACHINE.search(sentence):
            found.add("machine-generated")
    return sorted(found)


def _near(position: int, acts: list[int]) -> bool:
    """Who and the annotating within one clause's reach ("annotated by two radiologists",
    "crowdworker annotators", "labels were collected on Amazon Mechanical Turk"); a crowd or an
    expert mentioned further away in a long sentence may be doing something else."""
    return any(abs(position - act) <= WINDOW for act in acts)


def merge(*groups: Iterable[str]) -> list[str]:
    return sorted({term for group in groups for term in group if term in VOCABULARY})


# ------------------------------------------------------------------------- annotation review
# How the labels were checked (`annotation_review`), in a fixed vocabulary. Read from sentences
# of dataset cards, READMEs, descriptions and Croissant RAI fields (`review_from_text`, one
# sentence at a time; prose.annotation_review runs it over a text). Each term has its own
# statements, and only these; a sentence that negates the statement states nothing:
# - multiple-readers: a small panel named as annotating the same data: "two independent
#   radiologists", "annotated by three readers", "multiple annotators" (2-9 or multiple). A pool
#   ("a pool of 104 raters") or one of several ("read by one of three radiologists") is not,
#   nor is a subset re-annotated to measure agreement.
# - redundancy: each item annotated more than once: "each image was labelled by 3 workers",
#   "five independent annotations per image", "3 readers per image", "majority vote of 5
#   annotators" ("2 labels per image" is label density and states nothing).
# - adjudication: "adjudicated", "disagreements were resolved by a senior radiologist",
#   "by consensus" / "consensus reading", in a sentence about labelling.
# - gold-questions: "gold questions", "gold-standard questions", "honeypot" tasks, "test
#   questions with known answers" (crowd quality control; "gold labels" of a test set are not).
# - authoritative-source: labels stated to be taken from a named source ("the labels were
#   derived from the National Land Cover Database"): the source starts with a capital.

REVIEW_VOCABULARY = ("adjudication", "authoritative-source", "gold-questions",
                     "multiple-readers", "redundancy")

_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "multiple": 2, "several": 2}
_N = r"(?P<n>\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|multiple|several)"
_READERS = (r"(?:neuro)?radiologists?|pathologists?|dermatologists?|ophthalmologists?|"
            r"cardiologists?|clinicians?|physicians?|doctors?|experts?|linguists?|annotators?|readers?|"
            r"raters?|graders?|label(?:l)?ers?|specialists?|sonographers?|workers?|"
            r"crowd[\s-]?workers?|turkers?|judges?")
_READER_WORDS = re.compile(rf"\b(?:{_READERS})\b", re.I)
_QUALIFIERS = (r"(?:(?:independent|different|separate|expert|trained|senior|experienced|"
               r"board[\s-]certified|certified|human|medical|clinical|professional|qualified)"
               r"\s+){0,3}")
# A reading or labelling verb (beyond _ABOUT_ANNOTATION's words): "read by", "graded".
_READ_ACT = re.compile(r"\b(?:read|reviewed|graded|interpreted|assessed|segmented|delineated|"
                       r"outlined|scored|classified|judged|evaluated|verified)\b", re.I)
_PANEL = re.compile(rf"(?<![\w-]){_N}\s+{_QUALIFIERS}(?:{_READERS})\b", re.I)
# "one of three radiologists", "a pool of 104 raters": the count is not of readers per item.
_NOT_A_PANEL = re.compile(r"\b(?:(?:one|either|any|each|none|neither)\s+of\s+(?:the\s+)?|"
                          r"(?:pool|team|group|crowd|total)\s+of\s+)$", re.I)
_ITEMS = (r"(?:images?|items?|examples?|samples?|instances?|sentences?|texts?|utterances?|"
          r"x-?rays?|exams?|examinations?|photos?|photographs?|pictures?|patches|tiles?|"
          r"questions?|pairs?|clips?|videos?|conversations?|dialogues?|documents?|tweets?|"
          r"posts?|records?|stud(?:y|ies)|scans?|cases?|radiographs?|responses?|answers?|"
          r"slides?|frames?|recordings?|reviews?|comments?|passages?|prompts?|hits?)")
_EACH_BY_N = re.compile(
    rf"\b(?:each|every)\s+(?:[\w-]+\s+){{0,2}}?{_ITEMS}\s+(?:was|were|is|are|has\s+been|"
    rf"have\s+been|got|received)?\s*(?:independently\s+|separately\s+)?(?:label(?:l)?ed|"
    rf"annotated|rated|read|reviewed|graded|judged|scored|classified|evaluated|tagged|assessed|"
    rf"segmented)\s+(?:independently\s+|separately\s+)?by\s+(?:at\s+least\s+|exactly\s+|"
    rf"between\s+|up\s+to\s+)?{_N}\b", re.I)
_N_PER_ITEM = re.compile(
    # "2 labels per image" is label density, not redundancy: labels and annotations count
    # only when said to be independent
    rf"(?<![\w.,-]){_N}\s+(?:(?:independent|separate|redundant)\s+(?:annotations|labels)|"
    rf"(?:independent\s+)?(?:ratings|judg(?:e)?ments|votes|reads|readings|grades|{_READERS}))"
    rf"\s+(?:per|for\s+each|for\s+every|"
    rf"on\s+each|of\s+each)\s+(?:[\w-]+\s+)?{_ITEMS}\b", re.I)
_MAJORITY_OF_N = re.compile(
    rf"\bmajority\s+(?:vot(?:e|ing)|label|decision)\s+(?:of|among|across|from|over|between)\s+"
    rf"(?:the\s+)?{_N}\s+(?:[\w-]+\s+){{0,2}}?(?:{_READERS}|votes|annotations|labels|"
    rf"judg(?:e)?ments|ratings)\b", re.I)
_LABEL_WORDS = re.compile(r"\b(?:label\w*|annotat\w*|ground[\s-]truth|diagnos[ie]s)\b", re.I)
_ADJUDICATED = re.compile(r"\badjudicat\w*|\barbitrat\w*", re.I)
# "Disagreements were resolved by a third reader" says by itself that labels were compared.
_RESOLVED = re.compile(r"\b(?:disagreements?|discrepanc(?:y|ies)|discordan\w+)\b"
                       r"[^.;]{0,80}?\b(?:were|was|are|is)\s+(?:\w+\s+)?(?:resolved|settled|"
                       r"reconciled|adjudicated)\b", re.I)
# "by consensus" needs a sentence about labelling.
_CONSENSUS = re.compile(r"\b(?:by|through|via)\s+(?:a\s+|the\s+)?consensus\b|"
                        r"\bconsensus\s+(?:reading|review|read|meeting|panel|discussion|label)", re.I)
_GOLD = re.compile(r"\bgold(?:en)?(?:[\s-]+standard)?(?:[\s-]+test)?[\s-]+questions\b|"
                   r"\bhoney[\s-]?pots?\b|\b(?:test|control|check|quality[\s-]control)\s+"
                   r"questions\s+with\s+known\s+(?:correct\s+)?answers\b", re.I)
# "The labels were derived from the National Land Cover Database": a labels-word subject, a
# taking verb, then a capitalised name (case matters: "derived from the annotators" is no
# named source).
_AUTHORITY = re.compile(
    r"(?i:\b(?:labels?|class\s+labels?|ground[\s-]truth|annotations?|diagnos[ie]s|targets?)\b"
    r"[^.;]{0,60}?\b(?:were|was|are|is)\s+(?:\w+\s+)?(?:derived|obtained|taken|extracted|"
    r"sourced|determined|copied|imported)\s+(?:directly\s+)?from\s+(?:the\s+)?)"
    r"(?P<source>(?:[A-Z][\w&'.-]*|\([A-Z]{2,}\))(?:\s+(?:(?:of|for|and|on|the|&)\s+)*"
    r"(?:[A-Z][\w&'.-]*|\([A-Z]{2,}\)))*)")
_NOT_SOURCES = {"We", "Our", "They", "These", "This", "It", "Amazon", "Mechanical", "Turk",
                "MTurk", "Crowd", "Crowdworkers", "Human", "Experts"}
# A statement about part of the data ("a random subset was re-annotated by two linguists to
# measure agreement") says nothing about how the labels themselves were made.
_PART = re.compile(r"\b(?:subset|sub-set|random\s+sample|sample\s+of|portion|fraction)\b",
                   re.I)
# Negation shortly before a statement: "were not adjudicated", "no gold questions", "without".
_NEGATION_BEFORE = re.compile(r"\b(?:not|no|never|without|nor|neither|n't|lacks?|lacking)\b"
                              r"[^.;,]{0,40}$", re.I)


def review_from_text(sentence: str) -> dict[str, str]:
    """{review term: the words stating it} for one sentence (empty when it states none)."""
    if not isinstance(sentence, str) or not sentence:
        return {}
    sentence = sentence[:5_000]
    about = bool(_ABOUT_ANNOTATION.search(sentence) or _READ_ACT.search(sentence))
    whole = not _PART.search(sentence)
    found: dict[str, str] = {}

    def keep(term: str, m: re.Match | None) -> None:
        if m and term not in found and not _NEGATION_BEFORE.search(sentence[:m.start()]):
            found[term] = m.group(0)

    if about and whole:
        for m in list(_PANEL.finditer(sentence))[:20]:
            # a panel is small; larger counts are pools of annotators sharing the work
            if 2 <= _count(m.group("n")) <= 9 and not _NOT_A_PANEL.search(sentence[:m.start()]):
                keep("multiple-readers", m)
        keep("adjudication", _CONSENSUS.search(sentence))
        m = _ADJUDICATED.search(sentence)
        # "adjudication" also names legal decisions: only with readers or labels around
        if m and (_READER_WORDS.search(sentence) or _LABEL_WORDS.search(sentence)):
            keep("adjudication", m)
    # A labels-word subject: the statement is about the labels by itself.
    m = _AUTHORITY.search(sentence) if whole else None
    if m and m.group("source").split()[0] not in _NOT_SOURCES:
        keep("authoritative-source", m)
    # These statements say by themselves that items were labelled more than once.
    for pattern in (_EACH_BY_N, _N_PER_ITEM, _MAJORITY_OF_N):
        m = pattern.search(sentence) if whole else None
        if m and _count(m.group("n")) >= 2:
            keep("redundancy", m)
    keep("adjudication", _RESOLVED.search(sentence) if whole else None)
    keep("gold-questions", _GOLD.search(sentence))
    return found


def _count(word: str) -> int:
    word = word.casefold()
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word, 0)


def from_platform(text: str) -> list[str]:
    """Vocabulary terms a field that IS the annotation platform states (Croissant
    `rai:dataAnnotationPlatform`: "Amazon Mechanical Turk"): a crowd platform named there is
    crowdsourcing, with no annotating word needed. Everything else goes through from_text."""
    if not isinstance(text, str) or not text:
        return []
    text = text[:5_000]
    if _CROWD.search(text) and not _NEGATED.search(text):
        return ["crowdsourced"]
    return []
