"""formats: extensions, MIME types and encodingFormat values (label-format conventions)."""
import pytest

from extractors.normalize.formats import from_encoding_format, from_filename, from_mime, sorted_set


@pytest.mark.parametrize("name, expected", [
    ("train.csv", "CSV"), ("TRAIN.CSV", "CSV"), ("data.tsv", "TSV"), ("x.jsonl", "JSONL"),
    ("x.ndjson", "JSONL"), ("part-0000.parquet", "PARQUET"), ("Data.zip", "ZIP"),
    ("images.tar", "TAR"), ("images_001.tar.gz", "TAR"), ("a.tgz", "TAR"), ("a.TGZ", "TAR"),
    ("a.tar.bz2", "TAR"), ("a.tar.xz", "TAR"), ("a.tar.zst", "TAR"), ("a.tbz2", "TAR"),
    ("a.h5.gz", "GZIP"), ("train-images-idx3-ubyte.gz", "GZIP"), ("x.nii.gz", "GZIP"),
    ("a.jsonl.gz", "GZIP"), ("a.csv.bz2", "BZIP2"), ("a.csv.xz", "XZ"), ("a.csv.zst", "ZSTD"),
    ("a.csv.zip", "ZIP"), ("iris.arff", "ARFF"), ("scan.dcm", "DICOM"), ("x.nii", "NIFTI"),
    ("x.xlsx", "XLSX"), ("x.xls", "XLS"), ("x.h5", "HDF5"), ("x.npz", "NPZ"), ("x.mat", "MAT"),
    ("https://zenodo.org/records/1/files/data.csv?download=1", "CSV"),
    ("https://host/path/My%20File.JSON", "JSON"), ("folder/sub/file.txt", "TXT"),
    ("README", None), (".gitattributes", None), ("x.unknownext", None), ("", None), (None, None),
    ("https://host/dir/", None),
])
def test_from_filename(name, expected):
    assert from_filename(name) == expected


@pytest.mark.parametrize("mime, expected", [
    ("text/csv", "CSV"), ("TEXT/CSV; charset=utf-8", "CSV"), ("application/zip", "ZIP"),
    ("application/x-zip-compressed", "ZIP"), ("application/x-parquet", "PARQUET"),
    ("application/json", "JSON"), ("application/x-ndjson", "JSONL"), ("image/jpeg", "JPEG"),
    ("image/dicom", "DICOM"), ("image/x-png", "PNG"), ("text/txt", "TXT"), ("text/plain", "TXT"),
    ("application/x-gzip", "GZIP"), ("application/x-tar", "TAR"), ("application/x-gtar", "TAR"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    ("application/x-hdf5", "HDF5"), ("text/markdown", "MARKDOWN"), ("application/geo+json", "GEOJSON"),
    ("application/vnd.apache.arrow.file", "ARROW"), ("application/x-rar-compressed", "RAR"),
    ("application/octet-stream", None), ("git+https", None), ("", None), (None, None),
    ("application/x-something-odd", None),
])
def test_from_mime(mime, expected):
    assert from_mime(mime) == expected


@pytest.mark.parametrize("value, expected", [
    ("application/zip", "ZIP"), ("text/csv", "CSV"), ("application/x-parquet", "PARQUET"),
    ("csv", "CSV"), (".csv", "CSV"), ("CSV", "CSV"), ("txt", "TXT"), ("zip", "ZIP"),
    ("Arff", "ARFF"), ("parquet", "PARQUET"), ("text/txt", "TXT"), ("image/dicom", "DICOM"),
    ("git+https", None), ("cr:format", None), ("", None), (None, None), (5, None), (["csv"], None),
])
def test_from_encoding_format(value, expected):
    assert from_encoding_format(value) == expected


def test_sorted_set():
    assert sorted_set(["ZIP", "CSV", None, "CSV", "", "JSON"]) == ["CSV", "JSON", "ZIP"]
    assert sorted_set([]) == []
