"""File formats from extensions, MIME types and encodingFormat values.

Vocabulary: upper-case names as in the label format (CSV, TSV, JSON, JSONL, PARQUET, ARROW, ZIP,
TAR, GZIP, ...). `.tar.gz`/`.tgz`/`.tar.bz2`/`.tar.xz` count as TAR; a bare compression suffix on
any other file counts as GZIP (or BZIP2/XZ/ZSTD) and the inner format is not added.
"""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

EXTENSIONS = {
    "csv": "CSV", "tsv": "TSV", "tab": "TSV", "txt": "TXT", "json": "JSON", "jsonl": "JSONL",
    "ndjson": "JSONL", "parquet": "PARQUET", "arrow": "ARROW", "feather": "ARROW",
    "zip": "ZIP", "tar": "TAR", "tgz": "TAR", "gz": "GZIP", "gzip": "GZIP", "bz2": "BZIP2",
    "xz": "XZ", "zst": "ZSTD", "7z": "7Z", "rar": "RAR",
    "png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "tif": "TIFF", "tiff": "TIFF", "bmp": "BMP",
    "gif": "GIF", "webp": "WEBP", "dcm": "DICOM", "dicom": "DICOM", "nii": "NIFTI",
    "nrrd": "NRRD", "mha": "MHA", "mhd": "MHA", "svs": "SVS",
    "h5": "HDF5", "hdf5": "HDF5", "hdf": "HDF5", "npy": "NPY", "npz": "NPZ", "mat": "MAT",
    "pkl": "PICKLE", "pickle": "PICKLE", "tfrecord": "TFRECORD", "arff": "ARFF",
    "xls": "XLS", "xlsx": "XLSX", "ods": "ODS", "xml": "XML", "pdf": "PDF", "html": "HTML",
    "htm": "HTML", "md": "MARKDOWN", "rdf": "RDF", "ttl": "TURTLE", "yaml": "YAML",
    "yml": "YAML", "sql": "SQL", "sqlite": "SQLITE", "db": "SQLITE", "nc": "NETCDF",
    "geojson": "GEOJSON", "shp": "SHAPEFILE", "wav": "WAV", "flac": "FLAC", "mp3": "MP3",
    "ogg": "OGG", "mp4": "MP4", "avi": "AVI", "mov": "MOV", "mkv": "MKV", "py": "PYTHON",
    "ipynb": "IPYNB", "r": "R", "rds": "RDS", "sav": "SAV", "dta": "DTA", "sas7bdat": "SAS",
}
# Added by the normalisers' owner (additive): more data, document and archive extensions.
EXTENSIONS.update({
    "jsonlines": "JSONL", "tbz2": "TAR", "tbz": "TAR", "txz": "TAR", "tzst": "TAR",
    "docx": "DOCX", "doc": "DOC", "svg": "SVG", "jp2": "JPEG2000", "edf": "EDF",
    "fastq": "FASTQ", "fq": "FASTQ", "fasta": "FASTA", "fa": "FASTA", "bam": "BAM", "vcf": "VCF",
    "gpkg": "GEOPACKAGE", "kml": "KML", "las": "LAS", "laz": "LAZ", "lz4": "LZ4",
    "safetensors": "SAFETENSORS", "avro": "AVRO", "orc": "ORC", "xlsm": "XLSX",
})
COMPRESSION = {"gz": "GZIP", "gzip": "GZIP", "bz2": "BZIP2", "xz": "XZ", "zst": "ZSTD", "lz4": "LZ4"}

MIME_TYPES = {
    "text/csv": "CSV", "application/csv": "CSV", "text/tab-separated-values": "TSV",
    "text/plain": "TXT", "application/json": "JSON", "application/ld+json": "JSON",
    "application/jsonl": "JSONL", "application/x-ndjson": "JSONL", "application/jsonlines": "JSONL",
    "application/x-parquet": "PARQUET", "application/parquet": "PARQUET",
    "application/vnd.apache.parquet": "PARQUET", "application/zip": "ZIP",
    "application/x-zip-compressed": "ZIP", "application/x-tar": "TAR", "application/gzip": "GZIP",
    "application/x-gzip": "GZIP", "application/x-bzip2": "BZIP2", "application/x-7z-compressed": "7Z",
    "image/png": "PNG", "image/jpeg": "JPEG", "image/tiff": "TIFF", "application/dicom": "DICOM",
    "application/x-hdf5": "HDF5", "application/x-hdf": "HDF5", "application/pdf": "PDF",
    "application/xml": "XML", "text/xml": "XML", "text/html": "HTML",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/x-arff": "ARFF", "audio/wav": "WAV", "audio/x-wav": "WAV", "audio/flac": "FLAC",
    "audio/mpeg": "MP3", "video/mp4": "MP4", "application/x-yaml": "YAML", "text/yaml": "YAML",
    "application/x-netcdf": "NETCDF", "application/octet-stream": None,
    "git+https": None,
}

# Added by the normalisers' owner (additive): MIME types seen on dataset hosts.
MIME_TYPES.update({
    "application/x-gtar": "TAR", "application/x-bzip": "BZIP2", "application/zstd": "ZSTD",
    "application/x-zstd": "ZSTD", "application/x-xz": "XZ", "text/markdown": "MARKDOWN",
    "text/x-markdown": "MARKDOWN", "application/geo+json": "GEOJSON",
    "application/x-jsonlines": "JSONL", "application/json-lines": "JSONL",
    "application/vnd.apache.arrow.file": "ARROW", "application/vnd.apache.arrow.stream": "ARROW",
    "application/x-rar-compressed": "RAR", "application/x-rar": "RAR", "application/vnd.rar": "RAR",
    "text/x-python": "PYTHON", "application/x-ipynb+json": "IPYNB", "application/rdf+xml": "RDF",
    "text/turtle": "TURTLE", "application/x-sqlite3": "SQLITE", "application/vnd.sqlite3": "SQLITE",
    "application/netcdf": "NETCDF", "application/x-matlab-data": "MAT", "application/msword": "DOC",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "image/svg+xml": "SVG", "video/x-msvideo": "AVI", "video/quicktime": "MOV",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS", "text/x-arff": "ARFF",
    "application/vnd.ms-excel.sheet.macroenabled.12": "XLSX", "image/jp2": "JPEG2000",
    "application/avro": "AVRO", "application/x-tar+gzip": "TAR", "application/x-compressed-tar": "TAR",
})

_NAME_RE = re.compile(r"^[\w.+-]{1,40}$")


def from_filename(name: str | None) -> str | None:
    """Format of a file name or URL path, or None when it has no recognisable extension."""
    if not name or not isinstance(name, str):   # guard: adapters pass raw JSON values
        return None
    path = unquote(urlsplit(name).path if "://" in name else name)
    base = path.rstrip("/").rsplit("/", 1)[-1].lower()
    parts = base.split(".")
    if len(parts) < 2:
        return None
    ext = parts[-1]
    if ext in COMPRESSION:
        if len(parts) >= 3 and parts[-2] == "tar":
            return "TAR"
        return COMPRESSION[ext]
    return EXTENSIONS.get(ext)


# A distribution in one of these formats is a web page to read, not a file to download (a
# "Files" page, a catalogue entry): metadata readers count it as neither a file nor a format.
WEB_PAGE_FORMATS = frozenset({"HTML"})


def from_mime(mime: str | None) -> str | None:
    if not mime or not isinstance(mime, str):   # guard: adapters pass raw JSON values
        return None
    key = mime.split(";", 1)[0].strip().lower()
    if key in MIME_TYPES:
        return MIME_TYPES[key]
    # Fall back to the subtype when it is itself a known name ("image/x-png" aside).
    subtype = key.rsplit("/", 1)[-1].removeprefix("x-").removeprefix("vnd.")
    return EXTENSIONS.get(subtype)


def from_encoding_format(value: str | None) -> str | None:
    """schema.org/Croissant encodingFormat: a MIME type, an extension or a bare name."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if "/" in value:
        return from_mime(value)
    bare = value.lstrip(".").lower()
    if bare in EXTENSIONS:
        return EXTENSIONS[bare]
    upper = value.upper()
    return upper if upper in set(EXTENSIONS.values()) else None


def sorted_set(formats) -> list[str]:
    return sorted({f for f in formats if f})
