"""Licence strings -> SPDX ids (or LicenseRef-*), and whether a licence allows commercial use.

`normalize_license(text)` accepts what hosts actually put in a licence field: SPDX ids in any case
("cc-by-4.0", "MIT OR Apache-2.0"), Hugging Face / Kaggle / Data Package ids ("odc-by", "pddl",
"ODC-PDDL-1.0", "other"), licence names ("Creative Commons Attribution 4.0 International",
"Creative Commons Zero - CC0 1.0", "CC BY-NC-SA 4.0"), licence URLs (creativecommons.org,
opendatacommons.org, spdx.org, choosealicense.com, opensource.org, apache.org, gnu.org) and a full
licence text whose first line names it ("MIT License\\nCopyright (c) ...").

Decisions (adapters rely on them):
- Access statements are not licences: "Open Access", "info:eu-repo/semantics/openAccess",
  "restricted" -> None. So are placeholders: "", "unknown", "none", "not specified", "n/a".
- A licence family without a version ("CC-BY", "CC BY-NC") is not given a version we would have to
  guess: it becomes "LicenseRef-CC-BY" / "LicenseRef-CC-BY-NC" (commercial use is still known).
  Licences that only ever had one version get it: CC0 -> CC0-1.0, ODC-BY -> ODC-By-1.0,
  PDDL -> PDDL-1.0, ODbL -> ODbL-1.0.
- "Public Domain" (a rights statement, no SPDX id) -> "LicenseRef-PublicDomain", commercial use
  True; the CC Public Domain Mark -> CC-PDM-1.0. OpenML's "Public" is about visibility, not rights:
  "LicenseRef-Public", commercial use unknown.
- HF/Kaggle "other" (incl. "Other (specified in description)") -> "LicenseRef-Other".
- ImageNet terms of access ("imagenet-agreement", "ImageNet Terms of Access") ->
  "LicenseRef-ImageNet-Terms" (non-commercial research only).
- "All rights reserved" -> "LicenseRef-All-Rights-Reserved" (no licence granted: commercial False).
- Other versionless families: "Apache"/"Apache Software License" -> "LicenseRef-Apache",
  "BSD"/"BSD License" -> "LicenseRef-BSD" (commercial True for both); versionless GNU ids follow
  the GNU "any version" rule: "gpl" -> GPL-1.0-or-later (the library's mapping),
  "lgpl" -> LGPL-2.0-or-later.
- HF ids with no SPDX id (openrail, llama2, gemma, ...) -> "LicenseRef-<hf id>", commercial None.
- Open Data Commons DbCL has no SPDX id -> "LicenseRef-DbCL-1.0".
- A CC port SPDX lists keeps its id (creativecommons.org/licenses/by/3.0/de/ -> CC-BY-3.0-DE);
  one SPDX does not list becomes the unported id of the same version.
- Lists (HF `license: [a, b]`, Data Package `licenses`) apply together: "A AND B".
- Labels are dropped: "License: MIT", PyPI "License :: OSI Approved :: MIT License" -> MIT.
- Anything else unrecognised -> None (the adapter may warn); we never make up an id from free text.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from license_expression import get_spdx_licensing

_LICENSING = get_spdx_licensing()
# SPDX (and ScanCode LicenseRef) keys the library knows, lower-cased -> canonical spelling.
_KNOWN = {k.lower(): k for k, s in _LICENSING.known_symbols.items() if not s.is_exception}
_EXCEPTIONS = {k.lower(): k for k, s in _LICENSING.known_symbols.items() if s.is_exception}

_MAX_LEN = 5000        # longer input is cut: a licence field is never a book
_LONG_TEXT = 200       # above this, only the first line (a licence text's title) is read as a name

# Our own LicenseRef ids, spelled once so every adapter emits the same string.
OTHER = "LicenseRef-Other"
PUBLIC = "LicenseRef-Public"
PUBLIC_DOMAIN = "LicenseRef-PublicDomain"
IMAGENET = "LicenseRef-ImageNet-Terms"
ALL_RIGHTS_RESERVED = "LicenseRef-All-Rights-Reserved"
DBCL = "LicenseRef-DbCL-1.0"   # Open Data Commons DbCL has no SPDX id
_OWN_REFS = {r.lower(): r for r in (OTHER, PUBLIC, PUBLIC_DOMAIN, IMAGENET, ALL_RIGHTS_RESERVED, DBCL)}

# Values that mean "no licence stated" (compared after lower-casing and trimming punctuation).
_NULLS = {
    "", "unknown", "none", "null", "nil", "not specified", "unspecified", "not stated",
    "n/a", "na", "no license", "no licence", "not available", "tbd", "todo", "-", "?",
    "[more information needed]", "more information needed", "see description", "see below",
    "see license", "see licence", "license", "licence", "custom", "undefined",
}
# Access-right statements (DataCite rights, Zenodo access_right, eu-repo vocabulary).
_ACCESS_RE = re.compile(
    r"^(?:info:eu-repo/semantics/)?(?:open|closed|restricted|embargoed|public|metadata[ -]only)"
    r"[ _-]?access(?:[ _-]?right)?s?$|^(?:open|closed|restricted|embargoed)$",
    re.I,
)

# Ids and names that are not SPDX keys (or that the library would mis-map), keyed by the
# lower-cased value with runs of space/underscore turned into "-".
_ALIASES = {
    # Hugging Face / Kaggle / CKAN ids
    "other": OTHER, "public": PUBLIC, "cc0": "CC0-1.0", "cc-0": "CC0-1.0", "cc-zero": "CC0-1.0",
    "cc0-1": "CC0-1.0", "cc0-v1.0": "CC0-1.0", "cc-pdm": "CC-PDM-1.0",
    "odc-by": "ODC-By-1.0", "odc-by-1": "ODC-By-1.0", "odc-attribution": "ODC-By-1.0",
    "pddl": "PDDL-1.0", "pddl-1": "PDDL-1.0", "odc-pddl": "PDDL-1.0", "odc-pddl-1.0": "PDDL-1.0",
    "odbl": "ODbL-1.0", "odbl-1": "ODbL-1.0", "odc-odbl": "ODbL-1.0", "odc-odbl-1.0": "ODbL-1.0",
    "dbcl": DBCL, "dbcl-1.0": DBCL, "odc-dbcl": DBCL, "odc-dbcl-1.0": DBCL,
    "cc": "LicenseRef-CC", "creative-commons": "LicenseRef-CC",
    "apache": "LicenseRef-Apache", "apache-2": "Apache-2.0", "apache2": "Apache-2.0",
    "apache-license-2.0": "Apache-2.0", "asl-2.0": "Apache-2.0", "apache-v2": "Apache-2.0",
    "expat": "MIT", "mit-license": "MIT", "the-mit-license": "MIT", "mit-licence": "MIT",
    "bsd-3": "BSD-3-Clause", "bsd-2": "BSD-2-Clause", "new-bsd": "BSD-3-Clause",
    "modified-bsd": "BSD-3-Clause", "simplified-bsd": "BSD-2-Clause", "freebsd": "BSD-2-Clause",
    "the-unlicense": "Unlicense", "c-uda": "C-UDA-1.0", "lgpl-lr": "LGPLLR",
    "imagenet-agreement": IMAGENET, "imagenet": IMAGENET, "imagenet-terms": IMAGENET,
    "public-domain": PUBLIC_DOMAIN, "publicdomain": PUBLIC_DOMAIN, "pd": PUBLIC_DOMAIN,
    "all-rights-reserved": ALL_RIGHTS_RESERVED,
    # versionless GNU ids: a GNU licence that names no version allows any version ("or later")
    "lgpl": "LGPL-2.0-or-later", "gfdl": "GFDL-1.1-or-later", "bsd": "LicenseRef-BSD",
    "database:-open-database,-contents:-database-contents": "ODbL-1.0 AND " + DBCL,
}

# Hugging Face licence ids with no SPDX id: kept verbatim under LicenseRef- so the information
# survives (commercial use of these is conditional -> unknown).
_HF_NON_SPDX = (
    "openrail", "openrail++", "bigscience-openrail-m", "creativeml-openrail-m", "bigcode-openrail-m",
    "bigscience-bloom-rail-1.0", "llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4",
    "gemma", "deepfloyd-if-license", "h-research", "intel-research", "apple-amlr", "apple-ascl",
    "openmdw-1.0",
)
_ALIASES.update({hf: "LicenseRef-" + hf for hf in _HF_NON_SPDX})

_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.I)


def normalize_license(text) -> str | None:
    """SPDX id/expression or LicenseRef-* for a licence string; None when no licence is stated
    or the string is not recognised.

    Also accepted, because hosts send them: a list of licences (HF YAML `license: [mit]`,
    Data Package `licenses`), which apply together -> "A AND B"; and a mapping (Zenodo
    `{"id": ...}`, schema.org CreativeWork, Data Package licence entry), read from its
    id/identifier/url/name/text keys."""
    if isinstance(text, (list, tuple)):
        return _from_list(text)
    if isinstance(text, dict):
        return _from_mapping(text)
    if not isinstance(text, str):
        return None
    return _normalize(text[:_MAX_LEN])


_MAPPING_KEYS = ("id", "identifier", "spdx_id", "spdxId", "licenseId", "rightsIdentifier",
                 "url", "@id", "path", "rightsUri", "name", "title", "text", "rights")


def _from_mapping(mapping: dict) -> str | None:
    for key in _MAPPING_KEYS:
        value = mapping.get(key)
        if isinstance(value, str):
            hit = normalize_license(value)
            if hit:
                return hit
    return None


def _from_list(items) -> str | None:
    found: list[str] = []
    for item in list(items)[:20]:
        hit = normalize_license(item) if isinstance(item, (str, dict)) else None
        if hit and hit not in found:
            found.append(hit)
    if len(found) <= 1:
        return found[0] if found else None
    return " AND ".join(f"({f})" if " " in f else f for f in found)


@lru_cache(maxsize=4096)
def _normalize(raw: str) -> str | None:
    text = unicodedata.normalize("NFKC", raw).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return None
    if len(text) > _LONG_TEXT:
        # A full licence text: its title line names it; some texts are recognised by a phrase.
        return _from_name(lines[0]) or _from_fulltext(text)
    flat = " ".join(" ".join(lines).split())
    # Labels around the value: "License: MIT", PyPI trove "License :: OSI Approved :: MIT License".
    flat = _LABEL_RE.sub("", flat).strip() or flat
    low = flat.lower().strip(" .;,:")
    if low in _NULLS or _ACCESS_RE.match(low):
        return None
    return (
        _from_alias(low)
        or _from_licenseref(flat)
        or (_from_url(flat) if _is_url(flat) else None)
        or _from_expression(flat)
        or _from_name(flat)
        or _from_embedded_url(flat)
        or _from_fulltext(flat)
    )


_LABEL_RE = re.compile(r"^(?:licen[cs]e|rights)\s*(?:::\s*(?:osi approved\s*::\s*)?|[:=]\s*)", re.I)


def _key(low: str) -> str:
    return re.sub(r"[\s_]+", "-", low.strip())


def _from_alias(low: str) -> str | None:
    return _ALIASES.get(_key(low))


def _from_licenseref(text: str) -> str | None:
    if not re.fullmatch(r"licenseref-[A-Za-z0-9.\-]+", text, re.I):
        return None
    rest = text[len("licenseref-"):]
    return _OWN_REFS.get(text.lower(), "LicenseRef-" + rest)


# --- SPDX ids and expressions -------------------------------------------------------------

_EXPR_CHARS = re.compile(r"^[A-Za-z0-9.+\-() ]+$")
# Operators in any case: "mit or apache-2.0" is an expression too (each side must be an id).
_OPERATOR_RE = re.compile(r"(\(|\)|\s+(?:and|or|with)\s+)", re.I)


def _spdx_id(token: str) -> str | None:
    """One SPDX id in any case (deprecated ids such as GPL-3.0 map to their successors)."""
    token = token.strip()
    if not token or " " in token:
        return None
    hit = _KNOWN.get(token.lower())
    if hit:
        return hit
    try:
        parsed = _LICENSING.parse(token, validate=False, strict=False)
    except Exception:  # the library raises several types for odd input
        return None
    key = getattr(parsed, "key", None)
    if not key or key.lower() not in _KNOWN or key.lower().startswith("licenseref-"):
        return None  # ScanCode's LicenseRef-scancode-* keys are not ids a host stated
    return key


def _atom(token: str) -> str | None:
    """One licence inside an expression: an SPDX id, one of our aliases, or a short name
    ("Apache 2.0 and MIT", "CC BY 4.0 or MIT")."""
    token = token.strip()
    low = token.lower()
    hit = _from_alias(low) or _from_licenseref(token) or _spdx_id(token)
    if not hit and " " in token:
        hit = _from_name(token)
    return hit


def _from_expression(text: str) -> str | None:
    """A single SPDX id or an SPDX expression ("MIT OR Apache-2.0", "(A AND B) WITH exc")."""
    if not _EXPR_CHARS.match(text):
        return None
    parts = [p for p in _OPERATOR_RE.split(text) if p and p.strip()]
    if len(parts) == 1:
        return _atom(parts[0].strip("() "))
    out: list[str] = []
    after_with = False
    for part in parts:
        word = part.strip()
        if word.upper() in ("AND", "OR", "WITH"):
            word = word.upper()
        if word in ("(", ")"):
            out.append(word)
        elif word in ("AND", "OR", "WITH"):
            out.append(f" {word} ")
            after_with = word == "WITH"
        else:
            mapped = _EXCEPTIONS.get(word.lower()) if after_with else _atom(word)
            if not mapped:
                return None
            out.append(f"({mapped})" if " " in mapped else mapped)
            after_with = False
    rebuilt = "".join(out).replace("( ", "(").replace(" )", ")")
    try:  # check the syntax (balanced parentheses, operator order)
        _LICENSING.parse(rebuilt, validate=False, strict=True)
    except Exception:
        return None
    return rebuilt


# --- URLs ---------------------------------------------------------------------------------

def _is_url(text: str) -> bool:
    return bool(re.match(r"^(?:https?:)?//\S+$|^www\.\S+$", text, re.I)) or bool(
        re.match(r"^(?:creativecommons|opendatacommons|spdx|choosealicense|opensource)\.org/\S*$",
                 text, re.I))


def _from_embedded_url(text: str) -> str | None:
    for m in _URL_RE.finditer(text):
        hit = _from_url(m.group(0).rstrip(".,;:"))
        if hit:
            return hit
    return None


def _from_url(url: str) -> str | None:
    """A licence deed/legal-code URL. Scheme, 'www.', trailing '/', '/legalcode', 'deed.xx',
    '.html'/'.json' and query strings do not matter."""
    if url.startswith("//"):
        url = "https:" + url
    elif "://" not in url:
        url = "https://" + url
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    segs = [s for s in unquote(parts.path).lower().split("/") if s]
    if host.endswith("creativecommons.org"):
        return _cc_url(segs)
    if host.endswith("opendatacommons.org") and len(segs) >= 2 and segs[0] == "licenses":
        return {"by": "ODC-By-1.0", "odbl": "ODbL-1.0", "pddl": "PDDL-1.0",
                "dbcl": DBCL}.get(segs[1])
    if host in ("spdx.org", "spdx.dev") and len(segs) >= 2 and segs[0] == "licenses":
        return _atom(re.sub(r"\.(html?|json|txt)$", "", unquote(parts.path).split("/")[2]))
    if host in ("choosealicense.com", "opensource.org") and len(segs) >= 2 and segs[0] == "licenses":
        name = re.sub(r"\.(html?|php)$", "", segs[1])
        return _atom(name) or _from_name(name.replace("-", " "))
    if host.endswith("apache.org") and segs[:1] == ["licenses"] and len(segs) >= 2:
        m = re.match(r"license-(\d)\.(\d)", segs[1])
        return _spdx_id(f"Apache-{m.group(1)}.{m.group(2)}") if m else None
    if host.endswith("gnu.org") and segs[:1] == ["licenses"] and len(segs) >= 2:
        # gpl-3.0.html etc.: the URL names the version, not "or later" -> the "-only" id
        return _spdx_id(re.sub(r"\.(html?|txt|en)+$", "", segs[1]))
    if host == "huggingface.co" or host.endswith("image-net.org"):
        return IMAGENET if "imagenet" in url.lower() or "image-net" in host else None
    return None


_CC_CODES = {"by": "CC-BY", "by-sa": "CC-BY-SA", "by-nd": "CC-BY-ND", "by-nc": "CC-BY-NC",
             "by-nc-sa": "CC-BY-NC-SA", "by-nc-nd": "CC-BY-NC-ND", "by-nd-nc": "CC-BY-NC-ND"}


def _cc_url(segs: list[str]) -> str | None:
    # /licenses/<code>/<version>/[<jurisdiction>/][legalcode|deed.xx]
    # /publicdomain/zero/1.0/ ; /publicdomain/mark/1.0/
    if len(segs) >= 2 and segs[0] == "publicdomain":
        return {"zero": "CC0-1.0", "mark": "CC-PDM-1.0"}.get(segs[1])
    if len(segs) < 2 or segs[0] != "licenses" or segs[1] not in _CC_CODES:
        return None
    base = _CC_CODES[segs[1]]
    if len(segs) < 3 or not re.fullmatch(r"\d\.\d", segs[2]):
        return "LicenseRef-" + base
    jurisdiction = segs[3] if len(segs) > 3 and re.fullmatch(r"[a-z]{2,3}", segs[3]) else None
    return _cc_versioned(base, segs[2], jurisdiction)


def _cc_versioned(base: str, version: str, jurisdiction: str | None) -> str | None:
    """CC-BY-4.0, or a ported id (CC-BY-3.0-DE) when SPDX lists it; a port SPDX does not list
    falls back to the unported id of the same version (same permissions)."""
    if jurisdiction:
        ported = _KNOWN.get(f"{base}-{version}-{jurisdiction}".lower())
        if ported:
            return ported
    return _KNOWN.get(f"{base}-{version}".lower())


# --- names --------------------------------------------------------------------------------

# Where a text is about a Creative Commons licence at all: the name, a "CC BY"/"CC0" short form,
# or a CC deed title on its own ("Attribution-NonCommercial 4.0 International").
_CC_CONTEXT = re.compile(
    r"creative\s*commons|\bcc[-_ ]?(?:by|0|zero)\b|\bcc[-_ ]pdm\b"
    r"|^attribution\b.*\b(?:international|unported|generic)\b",
    re.I,
)
_CC0_RE = re.compile(r"\bcc[-_ ]?0\b|\bcc[-_ ]?zero\b|creative\s*commons\s*zero|\bzero\s+v?1\.0\s+universal", re.I)
_VERSION_RE = re.compile(r"(?<![\d.])v?([1-4])(?:\.([05]))?(?![\d.]*\d)")
# "by" only counts next to CC: "CC BY", "Commons BY", "BY-NC", "BY 4.0" (not "provided by").
_CC_BY_RE = re.compile(r"\b(?:cc|commons) by\b|\bby(?: (?:nc|sa|nd))+\b|\bby v?\d")
_CC_CHAIN_RE = re.compile(r"\bby((?: (?:nc|sa|nd))+)\b")


def _cc_name(text: str) -> str | None:
    """Creative Commons licence names and short forms: 'Creative Commons Attribution-ShareAlike
    4.0 International', 'CC BY-NC 4.0', 'CC-BY', 'Attribution 4.0 International (CC BY 4.0)'."""
    low = text.lower()
    if not _CC_CONTEXT.search(low):
        return None
    if _CC0_RE.search(low):
        return "CC0-1.0"
    if re.search(r"public\s*domain\s*mark|\bcc[-_ ]pdm\b", low):
        return "CC-PDM-1.0"
    words = " ".join(re.sub(r"[^a-z0-9.]+", " ", low).split())
    if not (re.search(r"\battribution\b", words) or _CC_BY_RE.search(words)):
        return None
    chain = " ".join(m.group(1) for m in _CC_CHAIN_RE.finditer(words)).split()
    nc = "nc" in chain or bool(re.search(r"\bnon ?commercial\b", words))
    nd = "nd" in chain or bool(re.search(r"\bno ?deriv\w*", words))
    sa = "sa" in chain or bool(re.search(r"\bshare ?alike\b", words))
    if nd and sa:
        return None   # no such licence: the text is confused
    base = "CC-BY" + ("-NC" if nc else "") + ("-ND" if nd else "") + ("-SA" if sa else "")
    m = _VERSION_RE.search(words)
    if not m:
        return "LicenseRef-" + base   # the family is stated, the version is not: none invented
    version = f"{m.group(1)}.{m.group(2) or '0'}"
    jurisdiction = "igo" if re.search(r"\bigo\b", words) else None
    return _cc_versioned(base, version, jurisdiction)


# (pattern, id) tried in order on licence names; the first match wins.
_NAME_RULES: list[tuple[re.Pattern, str]] = [
    # "ImageNet Terms of Access", "ImageNet license" -- not any text that mentions ImageNet
    (re.compile(r"\bimage-?net[-_ ]+(?:terms|agreement|licen[cs]e|access agreement)\b", re.I), IMAGENET),
    (re.compile(r"public domain dedication and licen[cs]e|\bodc[-_ ]?pddl\b|\bpddl\b", re.I), "PDDL-1.0"),
    (re.compile(r"open data ?commons attribution|\bodc[-_ ]?by\b", re.I), "ODC-By-1.0"),
    (re.compile(r"open data ?commons open database|open database licen[cs]e|\bodbl\b", re.I), "ODbL-1.0"),
    (re.compile(r"database contents licen[cs]e|\bdbcl\b", re.I), DBCL),
    # Linux Foundation CDLA by name: "Community Data License Agreement - Permissive, Version 1.0"
    (re.compile(r"community data licen[cs]e agreement\W+permissive\W+(?:version\s*)?1\.0\b", re.I),
     "CDLA-Permissive-1.0"),
    (re.compile(r"community data licen[cs]e agreement\W+permissive\W+(?:version\s*)?2\.0\b", re.I),
     "CDLA-Permissive-2.0"),
    (re.compile(r"community data licen[cs]e agreement\W+sharing\W+(?:version\s*)?1\.0\b", re.I),
     "CDLA-Sharing-1.0"),
    (re.compile(r"^(?:the )?mit(?: licen[cs]e)?(?: \(mit\))?\.?$", re.I), "MIT"),
    (re.compile(r"^apache(?: software)?(?: licen[cs]e)?,?\s*(?:version\s*|v\.?\s*)?2(?:\.0)?"
                r"(?: licen[cs]e)?(?: \(apache[- ]2\.0\))?\.?$", re.I), "Apache-2.0"),
    (re.compile(r"\bbsd[- ]3[- ]clause|\b3[- ]clause bsd|\bnew bsd|\brevised bsd|\bmodified bsd", re.I), "BSD-3-Clause"),
    (re.compile(r"\bbsd[- ]2[- ]clause|\b2[- ]clause bsd|\bsimplified bsd|\bfreebsd licen", re.I), "BSD-2-Clause"),
    (re.compile(r"^(?:the )?unlicen[cs]e\b", re.I), "Unlicense"),
    (re.compile(r"^isc(?: licen[cs]e)?(?: \(iscl?\))?$", re.I), "ISC"),
    (re.compile(r"^mozilla public licen[cs]e,? (?:version |v)?2\.0\b", re.I), "MPL-2.0"),
    (re.compile(r"^apache(?: software)?(?: licen[cs]e)?$", re.I), "LicenseRef-Apache"),
    (re.compile(r"^bsd(?: licen[cs]e)?$", re.I), "LicenseRef-BSD"),
    (re.compile(r"^public[ -]?domain mark\b", re.I), "CC-PDM-1.0"),
    (re.compile(r"^all rights reserved\b|^copyright\b.*\ball rights reserved\.?$", re.I), ALL_RIGHTS_RESERVED),
    (re.compile(r"^public[ -]?domain\b(?! dedication and)", re.I), PUBLIC_DOMAIN),
    (re.compile(r"^other\b", re.I), OTHER),
]
_GNU_RE = re.compile(
    r"\b(?:gnu\s+)?(affero|lesser|library)?\s*(?:general public licen[cs]e|(a|l)?gpl)"
    r"[\s,-]*(?:version\s*|v\.?\s*)?(\d)(?:\.(\d))?(?:\s*(\+|or later|or any later version|-or-later|only|-only))?",
    re.I,
)


def _from_name(text: str) -> str | None:
    hit = _cc_name(text)
    if hit:
        return hit
    for pattern, spdx in _NAME_RULES:
        if pattern.search(text):
            return spdx
    return _gnu_name(text)


def _gnu_name(text: str) -> str | None:
    m = _GNU_RE.search(text)
    if not m:
        return None
    word, short, major, minor, later = m.groups()
    kind = {"affero": "AGPL", "lesser": "LGPL", "library": "LGPL"}.get((word or "").lower()) \
        or {"a": "AGPL", "l": "LGPL"}.get((short or "").lower(), "GPL")
    version = f"{major}.{minor or '0'}"
    suffix = "-or-later" if later and ("+" in later or "later" in later.lower()) else "-only"
    return _KNOWN.get(f"{kind}-{version}{suffix}".lower())


def _from_fulltext(text: str) -> str | None:
    """Licence texts pasted whole, recognised by a phrase only that text contains."""
    low = " ".join(text.lower().split())
    if "permission is hereby granted, free of charge, to any person obtaining a copy" in low:
        return "MIT"
    if re.search(r"apache license,? version 2\.0", low):
        return "Apache-2.0"
    return None


# --- commercial use -----------------------------------------------------------------------

# Licences whose text grants commercial use outright (copyleft ones included: they restrict how
# you redistribute, not who may use). Matched against lower-cased ids; prefixes end with "-".
_COMMERCIAL_OK_PREFIXES = (
    "cc-by-", "licenseref-cc-by", "mit", "apache-", "bsd-", "gpl-", "lgpl-", "agpl-", "mpl-",
    "epl-", "eupl-", "cdla-", "ogl-uk-", "gfdl-", "nlod-", "dl-de-by-", "dl-de-zero-",
)
_COMMERCIAL_OK = {
    "cc0-1.0", "cc-pddc", "cc-pdm-1.0", "pddl-1.0", "odc-by-1.0", "odbl-1.0",
    DBCL.lower(), PUBLIC_DOMAIN.lower(), "licenseref-bsd", "licenseref-apache", "0bsd", "isc",
    "zlib", "unlicense", "wtfpl",
    "postgresql", "ncsa", "afl-3.0", "ecl-2.0", "ms-pl", "artistic-2.0", "bsl-1.0",
    "etalab-2.0", "lppl-1.3c", "python-2.0", "psf-2.0", "x11", "curl", "blueoak-1.0.0",
}
_COMMERCIAL_NO = {IMAGENET.lower(), ALL_RIGHTS_RESERVED.lower()}
_NONCOMMERCIAL_RE = re.compile(r"(?:^|-)nc(?:-|$)|noncommercial|non-commercial", re.I)


def commercial_use(spdx_id) -> bool | None:
    """True if the licence (expression) unambiguously allows commercial use, False if it
    unambiguously forbids it, None when unknown or conditional (LicenseRef-Other/Public, ...).
    OR: True if any branch allows it (you may choose it); False only if every branch forbids it.
    AND: False if any part forbids it; True only if every part allows it."""
    if not isinstance(spdx_id, str) or not spdx_id.strip():
        return None
    if not re.search(r"\s(?:and|or|with)\s|[()]", spdx_id, re.I):
        return _commercial_atom(spdx_id.strip())
    try:
        tree = _LICENSING.parse(spdx_id, validate=False, strict=False)
    except Exception:
        return _commercial_atom(spdx_id.strip())
    return _commercial_tree(tree)


def _commercial_tree(node) -> bool | None:
    op = type(node).__name__
    if op in ("AND", "OR"):
        results = [_commercial_tree(arg) for arg in node.args]
        if op == "OR":
            if True in results:
                return True
            return False if all(r is False for r in results) else None
        if False in results:
            return False
        return True if all(r is True for r in results) else None
    licence = getattr(node, "license_symbol", node)  # "X WITH exception": judge X
    # The library may swap our LicenseRef for a ScanCode key and keep ours as an alias.
    for name in (getattr(licence, "key", str(licence)), *getattr(licence, "aliases", ())):
        verdict = _commercial_atom(name)
        if verdict is not None:
            return verdict
    return None


def _commercial_atom(spdx_id: str) -> bool | None:
    low = spdx_id.lower()
    if low in _COMMERCIAL_NO or _NONCOMMERCIAL_RE.search(low):
        return False
    if low in _COMMERCIAL_OK or low.startswith(_COMMERCIAL_OK_PREFIXES):
        return True
    return None
