"""File digests in FileEntry's shapes: a SHA-256 goes to `sha256` (bare lower-case hex), any
other recognised digest to `checksum` as "<algorithm>:<hex>" ("md5:…", "sha1:…", "sha512:…").

Only real hex digests of the algorithm's length are kept: manifests and metadata files carry
placeholders ("sha256", a URL, "TODO") that identify nothing.
"""
from __future__ import annotations

import re

HEX_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
ALGORITHM_OF_LENGTH = {length: algo for algo, length in HEX_LENGTHS.items()}
_HEX = re.compile(r"[0-9a-fA-F]+")
_PREFIXED = re.compile(r"^\s*(md5|sha1|sha256|sha512)\s*:\s*(\S+)\s*$", re.I)


def hex_digest(value, algorithm: str) -> str | None:
    """The lower-case hex digest when `value` is one of `algorithm`'s length, else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) == HEX_LENGTHS.get(algorithm.lower()) and _HEX.fullmatch(value):
        return value.lower()
    return None


def digest_fields(algorithm: str, value) -> dict[str, str]:
    """FileEntry keyword arguments for one digest: {"sha256": hex}, {"checksum": "md5:hex"},
    or {} when the value is no digest of that algorithm."""
    algorithm = algorithm.lower() if isinstance(algorithm, str) else ""
    digest = hex_digest(value, algorithm) if algorithm in HEX_LENGTHS else None
    if digest is None:
        return {}
    if algorithm == "sha256":
        return {"sha256": digest}
    return {"checksum": f"{algorithm}:{digest}"}


def prefixed_digest_fields(value) -> dict[str, str]:
    """digest_fields for a "<algorithm>:<hex>" string (Zenodo's files[].checksum)."""
    match = _PREFIXED.match(value) if isinstance(value, str) else None
    return digest_fields(match.group(1), match.group(2)) if match else {}
