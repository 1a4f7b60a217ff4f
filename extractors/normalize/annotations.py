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
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n{2,}")


def from_text(text: str) -> list[str]:
    """Vocabulary terms that prose about annotation states unambiguously."""
    if not isinstance(text, str) or not text:
        return []
    found: set[str] = set()
    for sentence in _SENTENCE.split(text[:200_000]):
        if _NEGATED.search(sentence):
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
