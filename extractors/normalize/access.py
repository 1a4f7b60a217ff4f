"""Access stated in words: "Open Access" badges and phrases, "File Access: Public" on a page,
and the OpenAIRE info:eu-repo access terms. Values are the canonical "open"/"restricted".

Only these plain statements are read; "free", "available" and the like are about cost or
existence, not about who may download.
"""
from __future__ import annotations

import re

# Access phrases as repositories print them (badges, rights lists, page text).
ACCESS_PHRASES = {"open access": "open", "embargoed access": "restricted",
                  "restricted access": "restricted", "closed access": "restricted"}
# info:eu-repo/semantics/<term> (OpenAIRE guidelines), used in DC.rights and rights lists.
EU_REPO_ACCESS = {"openaccess": "open", "restrictedaccess": "restricted",
                  "closedaccess": "restricted", "embargoedaccess": "restricted"}

MAX_PAGE_TEXT = 2_000_000
MAX_STATEMENTS = 3   # statements kept as evidence

_FILE_ACCESS = re.compile(r"\bfile access\W{0,20}(public|restricted)\b", re.I)


def _phrase_pattern(state: str) -> re.Pattern:
    phrases = [re.escape(p) for p, s in ACCESS_PHRASES.items() if s == state]
    return re.compile(rf"\b(?:{'|'.join(phrases)})\b", re.I)


# Order matters for the evidence: "File Access" first (Dataverse), then the open badges.
_PAGE_PATTERNS = [(_FILE_ACCESS, None), (_phrase_pattern("open"), "open"),
                  (_phrase_pattern("restricted"), "restricted")]


def phrase_access(text) -> str | None:
    """The access a whole short text names ("Open Access" -> "open"), or None."""
    if not isinstance(text, str):
        return None
    return ACCESS_PHRASES.get(" ".join(text.lower().split()))


def page_access(text) -> tuple[set[str], list[str]]:
    """The access states a page's visible text states ("File Access: Public", an "Open Access"
    badge) and the first statements read. More than one state means the page contradicts
    itself (some files public, some restricted): callers then state no value."""
    states: set[str] = set()
    evidence: list[str] = []
    if not isinstance(text, str):
        return states, evidence
    text = text[:MAX_PAGE_TEXT]
    for pattern, state in _PAGE_PATTERNS:
        for match in pattern.finditer(text):
            states.add(state or ("open" if match.group(1).lower() == "public" else "restricted"))
            if len(evidence) < MAX_STATEMENTS:
                evidence.append(match.group(0))
    return states, evidence
