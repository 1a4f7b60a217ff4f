"""File digests in FileEntry's shapes: a SHA-256 goes to `sha256` (bare lower-case hex), any
other recognised digest to `checksum` as "<algorithm>:<hex>" ("md5:…", "sha1:…", "sha512:…").

Only real digests of the algorithm's length are kept: manifests and metadata files carry
placeholders ("sha256", a URL, "TODO") that identify nothing. A digest is written in hex, or
as its bytes in base64 (HTTP Content-MD5, cloud storage, Kaggle's Croissant `md5`); both are
stored as hex.
"""
from __future__ import annotations

import base64
import binascii
import re

HEX_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
ALGORITHM_OF_LENGTH = {length: algo for algo, length in HEX_LENGTHS.items()}
# Which digest a file keeps in `checksum` when several are stated: the strongest.
STRONGEST_FIRST = ("sha256", "sha512", "sha1", "md5")
_HEX = re.compile(r"[0-9a-fA-F]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_PREFIXED = re.compile(r"^\s*([\w-]+)\s*:\s*(\S+)\s*$")


def hex_digest(value, algorithm: str) -> str | None:
    """The lower-case hex digest when `value` is one of `algorithm`'s length, else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) == HEX_LENGTHS.get(algorithm.lower()) and _HEX.fullmatch(value):
        return value.lower()
    return None


def base64_digest(value, algorithm: str) -> str | None:
    """The lower-case hex of a base64-written digest ("CY9rzUYh03PK3k6DJie09g==" is an MD5),
    when it decodes to exactly the algorithm's byte length, else None."""
    length = HEX_LENGTHS.get(algorithm.lower()) if isinstance(algorithm, str) else None
    if not isinstance(value, str) or length is None:
        return None
    text = value.strip()
    if not _BASE64.fullmatch(text):
        return None
    text = text.rstrip("=").replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) * 2 == length else None


def algorithm_name(label) -> str | None:
    """"md5", "sha1", "sha256" or "sha512" for a label that is one of them: "SHA-256",
    "sha_256", "MD5", an SPDX term ("spdx:checksumAlgorithm_sha256", or as a full IRI)."""
    if not isinstance(label, str):
        return None
    local = re.split(r"[#/:]", label.strip())[-1].lower().removeprefix("checksumalgorithm_")
    name = re.sub(r"[^a-z0-9]", "", local)
    return name if name in HEX_LENGTHS else None


def digest_fields(algorithm: str, value) -> dict[str, str]:
    """FileEntry keyword arguments for one digest: {"sha256": hex}, {"checksum": "md5:hex"},
    or {} when the value is no digest of that algorithm (hex or base64)."""
    algorithm = algorithm.lower() if isinstance(algorithm, str) else ""
    if algorithm not in HEX_LENGTHS:
        return {}
    digest = hex_digest(value, algorithm) or base64_digest(value, algorithm)
    if digest is None:
        return {}
    if algorithm == "sha256":
        return {"sha256": digest}
    return {"checksum": f"{algorithm}:{digest}"}


def prefixed_digest_fields(value, default: str | None = None) -> dict[str, str]:
    """digest_fields for a "<algorithm>:<hex>" string (Zenodo's files[].checksum, a Data
    Package `hash`); a value without a prefix is a digest of `default`, when one is given."""
    if not isinstance(value, str):
        return {}
    match = _PREFIXED.match(value)
    if match:
        return digest_fields(algorithm_name(match.group(1)) or "", match.group(2))
    return digest_fields(default, value) if default else {}


def merged_digest_fields(pairs) -> dict[str, str]:
    """FileEntry keyword arguments for every (algorithm, value) stated for one file: its
    SHA-256, and the strongest other digest as `checksum`."""
    found = [(algorithm_name(a), v) for a, v in pairs]
    found = sorted((p for p in found if p[0]), key=lambda p: STRONGEST_FIRST.index(p[0]))
    out: dict[str, str] = {}
    for algorithm, value in found:
        for key, digest in digest_fields(algorithm, value).items():
            out.setdefault(key, digest)
    return out
