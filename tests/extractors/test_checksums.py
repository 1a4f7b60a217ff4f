"""Checksum manifests: TFDS checksums.tsv, sha256sum/md5sum output, BSD tags, digest tables.

Fixtures in fixtures/checksums/ follow the real shapes (digests computed, sizes invented).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from extractors import registry
from extractors.adapters import checksums
from extractors.resolve import record

FIXTURES = Path(__file__).parent / "fixtures" / "checksums"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def run(body: bytes | str):
    if isinstance(body, str):
        body = body.encode("utf-8")
    return registry.run("checksums", None, body, "text/plain; charset=utf-8")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_tfds_checksums_tsv_dedupes_the_same_file_behind_two_urls():
    ex = run(fixture("tfds-checksums.tsv"))
    assert ex.error is None
    assert record(ex.facts) == {"size_bytes": 35461855 + 138964526 + 24013, "file_count": 3,
                                "formats": ["GZIP", "NPZ"]}
    first = ex.files[0]
    assert (first.name, first.size_bytes, first.format) == ("bloodmnist.npz", 35461855, "NPZ")
    assert first.url == "https://zenodo.org/records/4269852/files/bloodmnist.npz"
    assert first.sha256 == sha("bloodmnist.npz")


def test_tfds_legacy_space_separated_without_name_column():
    ex = run(fixture("tfds-legacy-checksums.txt"))
    assert record(ex.facts) == {"size_bytes": 12569945557 + 5601213 + 26848, "file_count": 3,
                                "formats": ["ZIP"]}
    assert [f.name for f in ex.files] == ["data_object_image_2.zip", "data_object_label_2.zip",
                                          "data_object_calib.zip"]


def test_sha256sum_output_has_no_sizes():
    ex = run(fixture("SHA256SUMS"))
    assert record(ex.facts) == {"file_count": 4, "formats": ["CSV", "GZIP", "MARKDOWN"]}
    assert [f.name for f in ex.files] == ["train/scan 001.nii.gz", "train/scan 002.nii.gz",
                                          "labels.csv", "README.md"]
    assert all(f.size_bytes is None for f in ex.files)


def test_bsd_tags_with_md5():
    ex = run(fixture("MD5SUMS.bsd"))
    assert record(ex.facts) == {"file_count": 2, "formats": ["JSON", "TAR"]}
    assert all(f.sha256 is None for f in ex.files)  # md5 is not a sha256
    assert [f.checksum for f in ex.files] == ["md5:3cb3fb54bb82dcc48a693f33d79b0b2d",
                                              "md5:229239f90ada0f8af35f70e5ec4431c8"]


def test_sha1_and_sha512_digests_go_to_checksum():
    sha1, sha512 = hashlib.sha1(b"a").hexdigest(), hashlib.sha512(b"b").hexdigest()
    ex = run(f"{sha1}  a.csv\n{sha512.upper()}  b.csv\n".encode())
    assert [(f.sha256, f.checksum) for f in ex.files] == [(None, f"sha1:{sha1}"),
                                                          (None, f"sha512:{sha512}")]


def test_header_table_with_size_column():
    ex = run(fixture("name-sha256-size.tsv"))
    assert record(ex.facts) == {"size_bytes": 2011000000 + 1983000001 + 9003496,
                                "file_count": 3, "formats": ["CSV", "TAR"]}


def test_numeric_column_named_otherwise_is_not_a_size():
    ex = run(fixture("name-sha256-rows.tsv"))
    assert record(ex.facts) == {"file_count": 2, "formats": ["CSV"]}


def test_partial_sizes_give_no_total():
    ex = run(fixture("partial-sizes.tsv"))
    assert "size_bytes" not in record(ex.facts)
    assert record(ex.facts)["file_count"] == 2
    assert any("no size" in w for w in ex.warnings)


def test_name_sha256_header_without_sizes():
    body = "name\tsha256\n" + "".join(f"images_{i:03d}.tar.gz\t{sha(str(i))}\n" for i in range(12))
    body += f"Data_Entry_2017.csv\t{sha('csv')}\n"
    ex = run(body)
    rec = record(ex.facts)
    assert rec == {"file_count": 13, "formats": ["CSV", "TAR"]}
    assert "item_count" not in rec and "size_bytes" not in rec


def test_unreadable_lines_are_skipped_with_a_warning():
    body = f"{sha('a')}  a.csv\nthis line is prose\n{sha('b')}  b.csv\n"
    ex = run(body)
    assert record(ex.facts)["file_count"] == 2
    assert any("skipped" in w for w in ex.warnings)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if not p.name.endswith(".expected.json")))
def test_fixtures_are_detected(name):
    assert checksums.sniff(fixture(name), "text/plain")
    assert registry.detect(None, fixture(name), "text/plain") == "checksums"


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><html><head><title>x</title></head></html>",
    b'{"sha256": "' + sha("x").encode() + b'", "name": "a.csv"}',
    b"name,rows\ntrain.csv,100\ntest.csv,20\n",
    b"The PatchCamelyon benchmark is a new and challenging image classification dataset.\n",
    b"content.data-type.image\nml.task.image-compression\n",
    b"@misc{x, title={y}, year=2018}\n",
    b"",
    bytes(range(256)) * 10,
    # mostly prose with one digest line: not a manifest
    (f"{sha('a')}  a.csv\n" + "Some prose line here.\n" * 5).encode(),
])
def test_sniff_rejects_other_text(body):
    assert not checksums.sniff(body, "text/plain")


@pytest.mark.parametrize("body", [
    b"",
    b"\x00\x01\x02" * 1000,
    b"not a manifest at all\n",
    ("x" * 100_000 + f" {sha('a')}\n").encode(),
    (f"{sha('a')}  a.csv\n" * 3)[:70].encode(),  # truncated mid-line
])
def test_hostile_input_never_raises(body):
    ex = run(body)
    assert ex.error is not None or ex.facts


def test_very_long_manifest_is_capped():
    body = "".join(f"{sha(str(i))}  f{i}.csv\n" for i in range(checksums.MAX_LINES + 10))
    ex = run(body)
    assert ex.error is None
    assert record(ex.facts)["file_count"] == checksums.MAX_LINES
    assert any("first" in w for w in ex.warnings)


def test_corpus_manifests_if_present():
    corpus = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    inputs = [corpus / "box" / "nih-chestxray14-sha256.tsv",
              *sorted((corpus / "pypi").glob("*checksums.tsv"))]
    if not all(p.is_file() for p in inputs):
        pytest.skip(f"shared corpus not found at {corpus}")
    for path in inputs:
        label = json.loads(path.with_name(path.name + ".expected.json").read_text())
        ex = registry.run(registry.detect(label["url"], path.read_bytes(), label["content_type"]),
                          label["url"], path.read_bytes(), label["content_type"])
        rec = record(ex.facts)
        assert {k: rec.get(k) for k in label["expect"]} == label["expect"], path.name
        assert not [k for k in label["absent"] if k in rec], path.name
