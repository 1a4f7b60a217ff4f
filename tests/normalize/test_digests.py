"""File digests in FileEntry's shapes (extractors/normalize/digests.py)."""
import pytest

from extractors.model import FileEntry
from extractors.normalize.digests import digest_fields, hex_digest, prefixed_digest_fields

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
