"""Label-file profiling: the real NIH file gives exactly the published facts; small files we
write cover gzip/zip/tar/plain, duplicates, empty-by-design columns and bad input; bombs, zip-slip
names and nested archives made here are refused with a reason and bounded memory."""
from __future__ import annotations

import gzip
import io
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest

from extractors.profile import LabelSpec, gini, profile

ROOT = Path(__file__).resolve().parents[1]

NIH = LabelSpec("Image Index", "Finding Labels", "|", "Patient ID", "No Finding", item_unit="images")


def facts(ex) -> dict:
    return {f.field: f.value for f in ex.facts}


def test_real_nih_label_file(nih_labels):
    ex = profile("Data_Entry_2017_v2020.csv.gz", nih_labels.read_bytes(), NIH)
    assert ex.error is None
    s = ex.meta["label_stats"]
    assert (s["rows"], s["unique_ids"], s["duplicate_ids"], s["subjects"], s["columns"]) == (112_120, 112_120, 0, 30_805, 11)
    assert set(s["column_fill"].values()) == {1.0} and s["fill_rate"] == 100.0
    assert s["classes"] == 14 and s["background_count"] == 60_361
    assert s["class_counts"]["Infiltration"] == 19_894 and s["class_counts"]["Hernia"] == 227
    assert round(s["labels_per_item"], 3) == 1.262 and round(s["labels_per_item_positive"], 3) == 0.724
    assert round(s["gini"], 3) == 0.465 and round(s["max_min_ratio"], 1) == 87.6
    f = facts(ex)
    assert (f["item_count"], f["subject_count"], f["class_count"], f["item_unit"]) == (112_120, 30_805, 14, "images")
    assert all(fact.basis == "measured" for fact in ex.facts)


SMALL = (b"id,labels,patient,note\n"
         b"a,Cat|Dog,p1,\n"
         b"b,No Finding,p1,x\n"
         b"c,Dog,p2,\n"
         b"c,Dog|Bird,p3,y\n")
SPEC = LabelSpec("id", "labels", "|", "patient", "No Finding")


@pytest.mark.parametrize("name, body", [
    ("labels.csv", SMALL),
    ("labels.csv.gz", gzip.compress(SMALL)),
    ("labels.zip", None),
])
def test_small_file_in_any_container(name, body):
    if body is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("inner/labels.csv", SMALL)
        body = buffer.getvalue()
    s = profile(name, body, SPEC).meta["label_stats"]
    assert (s["rows"], s["unique_ids"], s["duplicate_ids"], s["subjects"]) == (4, 3, 1, 3)
    assert s["class_counts"] == {"Dog": 3, "Bird": 1, "Cat": 1}
    assert s["background_count"] == 1
    assert s["labels_per_item"] == pytest.approx(6 / 4) and s["labels_per_item_positive"] == pytest.approx(5 / 4)
    assert s["column_fill"]["note"] == 0.5 and s["fill_rate"] == pytest.approx(100 * 3.5 / 4)
    assert s["max_min_ratio"] == 3.0


def test_empty_by_design_columns_count_as_filled():
    spec = LabelSpec("id", "labels", "|", empty_by_design=("note",))
    s = profile("l.csv", SMALL, spec).meta["label_stats"]
    assert s["column_fill"]["note"] == 1.0 and s["fill_rate"] == 100.0


def test_tab_separated_file():
    s = profile("l.tsv", SMALL.replace(b",", b"\t"), SPEC).meta["label_stats"]
    assert s["rows"] == 4


@pytest.mark.parametrize("name, body, message", [
    ("l.csv", b"", "empty"),
    ("l.csv.gz", b"\x1f\x8b\x08broken", "broken gzip"),
    ("l.zip", b"PK\x03\x04garbage", "broken zip"),
    ("l.csv", b"id,labels\n", "no rows"),
    ("l.csv", b"x,y\n1,2\n", "not among the columns"),
])
def test_bad_files_are_errors_not_exceptions(name, body, message):
    ex = profile(name, body, SPEC)
    assert ex.error and message in ex.error and ex.facts == []


def test_gini():
    assert gini([5, 5, 5]) == 0
    assert gini([0, 0, 10]) == pytest.approx(2 / 3)
    assert gini([]) == 0


# --------------------------------------------------------------------------- archive limits
# Real hostile archives, made here. The profiler gets the limits as arguments (the flow passes
# settings.toml [http] max_decompressed_bytes, max_archive_members, max_compression_ratio).
CAP = 20_000_000


def gzip_of_zeros(path, gigabytes: int = 1):
    """A real gzip file of `gigabytes` GB of zeros, about 1 MB big, written in a blink: one
    compressed MB of zeros ending in a full flush (byte-aligned, history reset) is repeated."""
    megabyte = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(megabyte) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    with open(path, "wb") as out:
        out.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")
        for _ in range(1024 * gigabytes):
            out.write(block)
            crc = zlib.crc32(megabyte, crc)
        out.write(deflate.flush(zlib.Z_FINISH))
        out.write(struct.pack("<II", crc, (gigabytes << 30) & 0xFFFFFFFF))
    return path


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def many_member_zip(count: int, stated: int | None = None) -> bytes:
    """A zip of `count` empty stored members, written record by record (zipfile's writer takes
    seconds for 100k members); zip64 end records, as zipfile writes them past 65,535 members.
    `stated`: the member count the end records claim (a lie, when given)."""
    local, central = io.BytesIO(), io.BytesIO()
    for i in range(count):
        name = b"m%d.csv" % i
        offset = local.tell()
        local.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0) + name)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21, 0, 0, 0,
                                  len(name), 0, 0, 0, 0, 0, offset) + name)
    start, size = local.tell(), central.tell()
    claimed = count if stated is None else stated
    zip64_end = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, claimed, claimed, size, start)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, start + size, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, size, start, 0)
    return local.getvalue() + central.getvalue() + zip64_end + locator + end



def tar_bytes(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tf.addfile(info)
    return buffer.getvalue()


def test_the_gzip_bomb_file_is_what_it_claims(tmp_path):
    path = gzip_of_zeros(tmp_path / "zeros.csv.gz")
    assert path.stat().st_size < 2_000_000
    with gzip.open(path) as stream:   # spot check: valid gzip, zeros from the start
        assert stream.read(1 << 20) == bytes(1 << 20)


PEAK = """
import resource, sys
from pathlib import Path
from extractors.profile import LabelSpec, profile
import duckdb, pyarrow.csv   # imported up front: only the unpacking is measured
body = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
ex = profile(Path(sys.argv[1]).name, body, LabelSpec("id"), max_decompressed_bytes=int(sys.argv[2]),
             max_ratio=float(sys.argv[3]))
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(grown * 1024, ex.error)
"""


def test_a_gzip_bomb_stops_at_the_cap_with_bounded_memory(tmp_path):
    path = gzip_of_zeros(tmp_path / "labels.csv.gz")
    proc = subprocess.run([sys.executable, "-c", PEAK, str(path), str(CAP), "1e9"],   # the byte cap, not the ratio
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    grown, error = proc.stdout.strip().split(" ", 1)
    assert "labels.csv.gz: gzip unpacks to more than 20000000 bytes (max_decompressed_bytes)" in error
    assert int(grown) < 3 * CAP   # not the 1 GB the file holds


def test_a_gzip_bomb_is_stopped_by_the_ratio_cap_before_the_byte_cap(tmp_path):
    body = gzip_of_zeros(tmp_path / "l.csv.gz").read_bytes()
    ex = profile("l.csv.gz", body, SPEC, max_decompressed_bytes=10**10)
    assert ex.error == ("l.csv.gz: gzip unpacks to more than 100 times its compressed size "
                        "(max_compression_ratio): refused as a decompression bomb")
    assert ex.facts == []


def test_a_zip_with_100k_members_is_refused_before_they_are_read():
    body = many_member_zip(100_000)
    ex = profile("labels.zip", body, SPEC)
    assert ex.error == "labels.zip: zip has 100000 members, more than 10000 (max_archive_members): refused"
    small = zip_bytes({f"m{i}.csv": SMALL for i in range(20)})
    assert "more than 10 (max_archive_members)" in profile("labels.zip", small, SPEC, max_members=10).error
    assert profile("labels.zip", small, SPEC, max_members=20).error is None   # the cap is the caller's


def test_a_zip_that_understates_its_member_count_is_refused_by_its_directory_size():
    ex = profile("labels.zip", many_member_zip(100_000, stated=1), SPEC, max_members=1000)
    assert ex.error == ("labels.zip: zip directory of 5588890 bytes holds more than 1000 members "
                        "(max_archive_members): refused")


def test_a_tar_with_too_many_members_is_refused():
    body = tar_bytes({f"m{i}.csv": b"" for i in range(50)})
    assert "more than 10 members (max_archive_members)" in profile("l.tar", body, SPEC, max_members=10).error


def test_a_zip_member_bomb_stops_at_the_cap():
    body = zip_bytes({"labels.csv": b"id,labels\n" + bytes(50_000_000)})
    assert len(body) < 100_000
    ex = profile("labels.zip", body, SPEC, max_decompressed_bytes=CAP, max_ratio=10**6)
    assert "zip member 'labels.csv' unpacks to more than 20000000 bytes" in ex.error


@pytest.mark.parametrize("member, why", [
    ("../evil.csv", "a '..' path"), ("a/../../evil.csv", "a '..' path"), ("/etc/evil.csv", "an absolute path"),
    ("..\\evil.csv", "a '..' path"), ("C:/evil.csv", "an absolute path"),
])
@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_zip_slip_names_refuse_the_archive(member, why, kind):
    members = {"labels.csv": SMALL, member: b"x"}
    body = zip_bytes(members) if kind == "zip" else tar_bytes(members)
    ex = profile(f"labels.{kind}", body, SPEC)
    assert ex.error == f"labels.{kind}: member {member!r} has {why} (zip-slip): archive refused"
    assert ex.facts == []


def test_a_tar_link_out_of_the_archive_is_refused():
    body = tar_bytes({"labels.csv": SMALL}, links={"other.csv": "../../etc/passwd"})
    ex = profile("labels.tar", body, SPEC)
    assert ex.error is None and ex.meta["label_stats"]["rows"] == 4   # symlinks are never followed
    assert ex.warnings == ["tar member 'other.csv' is not a regular file: not read"]


def test_nested_archives_are_not_opened():
    inner = zip_bytes({"labels.csv": SMALL})
    only_nested = profile("outer.zip", zip_bytes({"inner.zip": inner}), SPEC)
    assert only_nested.error == "outer.zip: zip holds only nested archives ('inner.zip'): refused"
    disguised = profile("outer.zip", zip_bytes({"labels.csv": inner}), SPEC)   # a zip named .csv
    assert disguised.error == "outer.zip: 'labels.csv' is a nested archive: refused"
    double_gzip = profile("l.csv.gz", gzip.compress(gzip.compress(SMALL)), SPEC)
    assert double_gzip.error == "l.csv.gz: 'l.csv' is a nested archive: refused"
    beside = profile("outer.zip", zip_bytes({"inner.zip": inner, "labels.csv": SMALL}), SPEC)
    assert beside.error is None and beside.meta["label_stats"]["rows"] == 4
    assert beside.warnings == ["nested archive 'inner.zip' in the zip not opened"]


@pytest.mark.parametrize("name, body", [
    ("labels.tar", None), ("labels.tar.gz", "gz"), ("labels.tgz", "gz"),
])
def test_tar_and_tar_gz_label_files(name, body):
    tar = tar_bytes({"dir/readme.md": b"hi", "dir/labels.csv": SMALL})
    ex = profile(name, gzip.compress(tar) if body else tar, SPEC)
    assert ex.error is None and ex.meta["label_stats"]["rows"] == 4
