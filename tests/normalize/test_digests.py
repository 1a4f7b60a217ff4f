"""File digests in FileEntry's shapes (extractors/normalize/digests.py)."""
import pytest

from extractors.model import FileEntry
from extractors.normalize.digests import (algorithm_name, base64_digest, digest_fields, hex_digest,
                                          merged_digest_fields, prefixed_digest_fields)

MD5 = "0cc175b9c0f1b6a831c399e269772661"
SHA256 = "ab" * 32


@pytest.mark.parametrize("value, algorithm, expected", [
    (MD5, "md5", MD5), (MD5.upper(), "MD5", MD5), (f" {MD5}\n", "md5", MD5),
    (MD5, "sha256", None), ("sha256", "sha256", None), ("zz" * 16, "md5", None),
    (None, "md5", None), (123, "md5", None), (MD5, "crc32", None),
])
def test_hex_digest(value, algorithm, expected):
    assert hex_digest(value, algorithm) == expected


def test_sha256_has_its_own_field_and_others_go_to_checksum():
    assert digest_fields("sha256", SHA256.upper()) == {"sha256": SHA256}
    assert digest_fields("md5", MD5) == {"checksum": f"md5:{MD5}"}
    assert digest_fields("sha1", "a" * 40) == {"checksum": "sha1:" + "a" * 40}
    assert digest_fields("sha512", "b" * 128) == {"checksum": "sha512:" + "b" * 128}
    assert digest_fields("md5", "nope") == {} and digest_fields(None, MD5) == {}


@pytest.mark.parametrize("value, expected", [
    (f"md5:{MD5}", {"checksum": f"md5:{MD5}"}), (f"SHA256:{SHA256}", {"sha256": SHA256}),
    (MD5, {}), ("md5:", {}), ("crc:1234", {}), (None, {}), (["md5", MD5], {}),
])
def test_prefixed_digest_fields(value, expected):
    assert prefixed_digest_fields(value) == expected


def test_file_entry_to_dict_stays_compatible():
    # Without a checksum the dict is what it was; with one, the key is added last.
    assert FileEntry("a.csv", 3, sha256=SHA256).to_dict() == {
        "name": "a.csv", "size_bytes": 3, "sha256": SHA256, "kind": "file"}
    assert list(FileEntry("a.csv", checksum=f"md5:{MD5}").to_dict()) == [
        "name", "kind", "checksum"]
    # Positional construction (name, size_bytes, format, url, ...) is unchanged.
    assert FileEntry("a", 1, "CSV", "https://e.org/a").url == "https://e.org/a"


@pytest.mark.parametrize("value, algorithm, expected", [
    ("DMF1ucDxtqgxw5niaXcmYQ==", "md5", "0cc175b9c0f1b6a831c399e269772661"),
    ("DMF1ucDxtqgxw5niaXcmYQ", "md5", "0cc175b9c0f1b6a831c399e269772661"),   # unpadded
    ("q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=", "sha256", SHA256),
    ("q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=", "md5", None),           # wrong length
    ("DMF1ucDxtqgxw5niaXcmYQ==", "sha256", None),
    (MD5, "md5", None),                     # hex is hex_digest's, not base64 of 24 bytes
    ("not base64!", "md5", None), ("sha256", "sha256", None), (None, "md5", None), ("x", None, None),
])
def test_base64_digest(value, algorithm, expected):
    assert base64_digest(value, algorithm) == expected


def test_digest_fields_take_hex_or_base64():
    assert digest_fields("md5", "DMF1ucDxtqgxw5niaXcmYQ==") == {"checksum": f"md5:{MD5}"}
    assert digest_fields("md5", MD5) == {"checksum": f"md5:{MD5}"}


@pytest.mark.parametrize("label, expected", [
    ("SHA-256", "sha256"), ("sha_256", "sha256"), ("MD5", "md5"), ("sha1", "sha1"),
    ("SHA512", "sha512"), ("http://spdx.org/rdf/terms#checksumAlgorithm_sha256", "sha256"),
    ("spdx:checksumAlgorithm_md5", "md5"), ("sha3-256", None), ("crc32", None),
    ("notmd5", None), ("", None), (None, None), (5, None),
])
def test_algorithm_name(label, expected):
    assert algorithm_name(label) == expected


def test_prefixed_digest_fields_with_a_default_for_bare_values():
    assert prefixed_digest_fields(MD5, default="md5") == {"checksum": f"md5:{MD5}"}
    assert prefixed_digest_fields(f"sha-256:{SHA256}", default="md5") == {"sha256": SHA256}
    assert prefixed_digest_fields("https://e.org/file.md5", default="md5") == {}
    assert prefixed_digest_fields(MD5) == {}          # no default: a bare value names nothing


def test_merged_digests_keep_the_sha256_and_the_strongest_other():
    pairs = [("MD5", MD5), ("sha1", "a" * 40), ("junk", "zz"), ("SHA-256", SHA256), ("md5", "TODO")]
    assert merged_digest_fields(pairs) == {"sha256": SHA256, "checksum": "sha1:" + "a" * 40}
    assert merged_digest_fields([("md5", MD5)]) == {"checksum": f"md5:{MD5}"}
    assert merged_digest_fields([]) == {}
