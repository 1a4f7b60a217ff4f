"""The generic structured-metadata reader: JSON, YAML, XML and BibTeX that no dedicated adapter
claims, read by the key names metadata vocabularies share.

Families it serves (each with a test input of its real structure): CKAN `package_show` /
`package_search` bodies, DCAT-US `data.json` entries and catalogs, Kaggle `dataset-metadata.json`,
Ecological Metadata Language (EML) XML, open-data registry YAML entries (the AWS open data
registry), CITATION.cff, codemeta.json, other JSON/YAML/XML metadata files, and BibTeX citation
files (TFDS CITATIONS.bib).

Every fact is at rank RANK_GENERIC: a shared key name is weaker evidence than any dedicated
adapter's knowledge of its schema, so such a fact loses to theirs whatever its kind of place.

How a document is read:
- The dataset object is the top-level object, or the one inside an obvious wrapper
  (`{"result": {...}}` of CKAN, `{"dataset": {...}}`, EML's `eml/dataset`, JSON:API
  `data.attributes`, a single-element array). Several dataset objects (a DCAT-US catalog's
  `dataset: [...]`, CKAN `package_search` results, an array of records) make a listing:
  `ex.listing` is set and each record's facts carry record=<its identifier>.
- Keys are compared by their local name, case- and punctuation-insensitively: `dct:title`,
  `Title`, `date-released`, `license_id` and `http://purl.org/dc/terms/title` all match.
- Precision rules: `name` is a title only when there is no `title`; a publisher is only an
  organisation stated as publisher/organization (a person is never one; a creator counts only
  when it is explicitly typed Organization); modified dates are never release dates; DOIs only
  from identifier keys whose value is a DOI; sizes are summed over files only when every file
  states one.
- Files come from distribution/resources/files lists and EML entities (dataTable, otherEntity,
  ...): an entry is a file when it has a download link or a path, or states a format or size;
  web pages (format HTML), APIs and registry resources (S3 buckets) are not files.
  file_count counts them; formats come from each file's format/mediaType/encodingFormat, else
  its extension; size_bytes is a stated total, else the sum of per-file sizes when every file
  states one; item_count is a stated row count, else the row count of the only table.
- BibTeX: a citation of a paper (@article, @inproceedings, ... or a @misc that carries a
  journal, an arXiv eprint, a paper DOI or a paper/PDF URL) describes the paper, and gives no
  dataset fact. A @dataset entry, or a @misc/@online/@manual entry that carries a
  data-repository DOI, or points at the data (a URL that is not a paper's) under a title that
  can be a dataset's name (it says dataset/corpus/database/... or is a short name), gives the
  dataset's title, homepage (not a download link) and data DOI. Only a @dataset entry's year is a release date: the year
  of a @misc is the citation's.

Detection (sniff) claims JSON that parses (an object, or an array of objects), well-formed XML
whose root is not a web page or SVG, BibTeX whose first entry opens the text, and YAML mappings
with a title-like key and another shared key; never HTML, Markdown, reStructuredText or prose.
Bounded: bodies up to MAX_BODY, JSON nesting up to MAX_JSON_DEPTH, YAML up to MAX_YAML parsed
with a BaseLoader (strings only), every walk capped.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import yaml

from extractors.claims import Claims, Confidence, Probe
from extractors.model import RANK_GENERIC, Extraction, ExtractionError, FileEntry
from extractors.normalize import formats as fmt
from extractors.normalize.dates import parse_date
from extractors.normalize.ids import normalize_doi
from extractors.normalize.license import commercial_use, normalize_license
from extractors.normalize.sizes import parse_size
from extractors.normalize.text import decode, load_json
from extractors.normalize.urls import basename, same_page
from extractors.parse import bibtex
from extractors.parse import xml as xmlparse

NAME = "generic"
VERSION = "1.0.0"

MAX_BODY = 20_000_000
MAX_YAML = 5_000_000        # metadata YAML is small; a bigger YAML is data, not metadata
MAX_JSON_DEPTH = 100
MAX_RECORDS = 5_000
MAX_FILES = 10_000
MAX_WALK = 200_000          # nodes visited by one bounded walk (YAML aliases can fan out)
MAX_TITLE = 500
MAX_VERSION = 60
MAX_PUBLISHER = 200

# ---------------------------------------------------------------------------------------------
# the shared vocabulary (normalised key names: local name, lower case, letters and digits only)

TITLE_KEYS = ("title", "datasettitle")
NAME_KEYS = ("name",)
DESCRIPTION_KEYS = ("description", "notes", "abstract", "summary")
LICENSE_KEYS = ("license", "licenses", "licence", "licences", "licenseid", "licensed",
                "licenseurl", "licensetitle", "licensename", "rights", "intellectualrights")
VERSION_KEYS = ("version", "versioninfo", "datasetversion", "softwareversion")
PUBLISHER_KEYS = ("publisher", "organization", "organisation", "publishername", "managedby")
CREATOR_KEYS = ("creator", "author")
MAINTAINER_KEYS = ("maintainer",)
HOMEPAGE_KEYS = ("landingpage", "homepage", "url", "website", "documentation",
                 "repositorycode", "coderepository")
DOI_KEYS = ("doi", "identifier", "identifiers", "packageid", "alternateidentifier", "sameas", "id")
KEYWORD_KEYS = ("keywords", "keyword", "tags", "keywordset")
SIZE_KEYS = ("bytes", "bytesize", "contentsize", "sizebytes", "totalbytes", "totalsize", "size")
RELEASE_KEYS = ("issued", "datepublished", "datereleased", "releasedate", "publicationdate",
                "pubdate", "published", "created", "datecreated", "metadatacreated", "year")
MODIFIED_KEYS = ("modified", "datemodified", "metadatamodified", "lastmodified", "dateupdated")
ITEM_KEYS = {"countofrows": "rows", "numrows": "rows", "numberofrows": "rows", "rowcount": "rows",
             "rows": "rows", "numberofrecords": "rows", "numberofitems": None}
ACCESS_KEYS = ("accesslevel",)
OWN_FORMAT_KEYS = ("encodingformat", "formats", "format", "mediatype", "distributionformat",
                   "fileformat")
FILE_LIST_KEYS = ("distribution", "distributions", "resources", "files", "datatable",
                  "otherentity", "spatialraster", "spatialvector")
# Inside one file entry (searched a few levels down: EML keeps them under physical/...).
FILE_FORMAT_KEYS = ("format", "mediatype", "encodingformat", "mimetype", "fileformat", "formatname")
FILE_URL_KEYS = ("downloadurl", "contenturl", "url", "accessurl")
FILE_DOWNLOAD_KEYS = ("downloadurl", "contenturl")
FILE_PATH_KEYS = ("path", "objectname", "filename")
FILE_NAME_KEYS = ("name", "entityname", "title")
FILE_SIZE_KEYS = ("bytesize", "bytes", "size", "contentsize", "filesize", "sizebytes")
# Column descriptions inside a file entry (Frictionless/Kaggle schema, EML attributeList).
SCHEMA_KEYS = {"schema", "fields", "columns", "attributelist", "attribute", "recordset"}
# Row counts of one table (EML dataTable/numberOfRecords): the dataset's count when it has one.
FILE_ROW_KEYS = ("numberofrecords", "numrows", "rowcount", "countofrows")

TITLE_LIKE = set(TITLE_KEYS + NAME_KEYS + DESCRIPTION_KEYS)
# Keys that make an object metadata-like (ambiguous ones such as "id", "size", "rows", "year"
# and "created" are read but do not count).
SHARED = set(TITLE_KEYS + NAME_KEYS + DESCRIPTION_KEYS + LICENSE_KEYS + VERSION_KEYS
             + PUBLISHER_KEYS + HOMEPAGE_KEYS + KEYWORD_KEYS + MODIFIED_KEYS + FILE_LIST_KEYS
             + ACCESS_KEYS + ("doi", "identifier", "bytesize", "contentsize", "issued",
                              "datepublished", "datereleased", "releasedate", "publicationdate",
                              "pubdate", "numberofrecords", "numberofitems", "countofrows"))
# Read, but too common to make an object metadata-like on their own next to a name.
WEAK_KEYS = {"url", "website", "documentation", "identifier", "created"}
# Keys whose list of several dataset objects makes the input a listing.
LISTING_KEYS = ("dataset", "datasets", "results", "records")
# Wrappers around one dataset object, in the order they are tried.
WRAPPER_KEYS = ("result", "dataset", "datasets", "results", "package", "data", "attributes",
                "metadata", "resource", "record", "records", "graph")

DCAT_US_ACCESS = {"public": "open", "restricted public": "restricted", "non-public": "restricted"}
_MD_LINK = re.compile(r"\[([^\]\n]{1,300})\]\((https?://[^)\s]{1,2000})\)")
_KEY_SEPARATORS = re.compile(r"[:/#]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]")
_FIRST_ELEMENT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)\s*", re.S | re.I)
# Roots of web pages and page fragments (and SVG images): never metadata documents.
NON_METADATA_ROOTS = {"html", "xhtml", "svg", "head", "body", "meta", "link", "script", "style",
                      "div", "span", "p", "a", "table", "form", "section", "article", "main",
                      "header", "footer", "nav", "ul", "ol", "iframe", "noscript"}
_YAML_KEY_LINE = re.compile(r"""^["']?([A-Za-z][\w.:-]{0,60})["']?[ \t]*:(?:[ \t]|$)""", re.M)
_YAML_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)   # libyaml when installed


# ---------------------------------------------------------------------------------------------
# detection

def sniff(body: bytes, content_type: str | None) -> bool:
    """JSON objects (or arrays of objects), XML (any root but HTML/SVG), BibTeX (the first
    entry line opens the text) and YAML mappings that carry shared metadata keys. HTML is never
    claimed; Markdown and reStructuredText (prose) are not YAML."""
    if len(body) > MAX_BODY:
        return False
    kind = _kind(body, content_type)
    if kind == "yaml":
        return _yaml_mapping(body, content_type) is not None
    if kind == "json":
        return _parses_as_json(body, content_type)   # JSON Lines and broken JSON are not ours
    if kind == "xml":
        return _well_formed(body)   # an HTML page without a doctype, or a fragment, is not ours
    return kind is not None


CLAIMS = Claims(
    content_types=("application/json", "application/yaml", "application/xml", "text/xml",
                   "application/x-bibtex"),
    probe=Probe(sniff, Confidence.STRUCTURED),
)


def _parses_as_json(body: bytes, content_type: str | None) -> bool:
    try:
        load_json(body, content_type, max_depth=MAX_JSON_DEPTH)
    except ExtractionError:
        return False
    return True


def _kind(body: bytes, content_type: str | None) -> str | None:
    ct = (content_type or "").split(";")[0].strip().lower()
    if "html" in ct:
        return None
    head = body[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        return None
    if head[:1] == b"{":
        return "json"
    if head[:1] == b"[":
        return "json" if head[1:].lstrip()[:1] in (b"{", b"]") else None
    if head[:1] == b"<":
        return "xml" if _xml_root(head) else None
    text = head[:65536].decode("utf-8", "replace")
    if bibtex.looks_like_bibtex(text):
        return "bibtex"
    if ct in ("text/markdown", "text/x-markdown", "text/x-rst", "text/prs.fallenstein.rst"):
        return None
    return "yaml"


def _xml_root(head: bytes) -> str | None:
    """The local name of the first element, when the head is XML that is not (X)HTML or SVG."""
    rest = head
    for _ in range(20):   # skip the XML declaration, comments, processing instructions, DOCTYPE
        m = _PROLOG.match(rest)
        if not m or not m.group(0):
            break
        if re.match(rb"\s*<!DOCTYPE\s+html", rest, re.I):
            return None
        rest = rest[m.end():]
    m = _FIRST_ELEMENT.match(rest)
    if not m:
        return None
    name = m.group(2).decode("ascii", "replace").lower()
    return None if name in NON_METADATA_ROOTS else name


def _well_formed(body: bytes) -> bool:
    """XML that parses (safely)."""
    try:
        xmlparse.parse_root(body)
    except xmlparse.XMLError:
        return False
    return True


def _top_level_keys(text: str) -> set[str]:
    """Normalised keys of the lines that start at column 0 with `key:` in the head: a cheap
    test before a full YAML parse (a big CSV or log file is never parsed as YAML)."""
    return {_norm(m.group(1)) for m in _YAML_KEY_LINE.finditer(text[:65536])}


def _yaml_mapping(body: bytes, content_type: str | None) -> dict | None:
    """The YAML document as a mapping, when it is one and names a title-like key and at least
    one more shared metadata key (prose, Markdown and config files do not)."""
    if len(body) > MAX_YAML:
        return None
    text = decode(body, content_type).lstrip("\ufeff")
    if text.lstrip().startswith("---") and re.search(r"^---\s*$", text.lstrip()[3:], re.M):
        return None   # Markdown with front matter: a document, not a metadata file
    if not _top_level_keys(text) & TITLE_LIKE:
        return None
    try:
        # BaseLoader: every scalar stays a string (no 1.10 -> 1.1, no timestamp objects), and no
        # Python objects are constructed.
        data = yaml.load(text, Loader=_YAML_LOADER)   # noqa: S506 - a BaseLoader is safe
    except Exception:
        return None
    if not isinstance(data, dict):
        return None
    keys = {_norm(k) for k in data}
    if not keys & TITLE_LIKE or len(keys & SHARED) < 2:
        return None
    return data


# ---------------------------------------------------------------------------------------------
# extraction

def extract(url: str | None, body: bytes, content_type: str | None = None) -> Extraction:
    ex = Extraction(NAME, VERSION, url=url)
    if len(body) > MAX_BODY:
        raise ExtractionError(f"body too large for the generic reader ({len(body)} bytes)")
    kind = _kind(body, content_type)
    if kind == "bibtex":
        _read_bibtex(ex, decode(body, content_type))
        return ex
    if kind == "json":
        data = load_json(body, content_type, max_depth=MAX_JSON_DEPTH)
    elif kind == "xml":
        try:
            root, content = xmlparse.parse(body)
        except xmlparse.XMLError as exc:
            raise ExtractionError(str(exc)) from None
        data = content if isinstance(content, dict) else {root: content}
    elif kind == "yaml":
        data = _yaml_mapping(body, content_type)
        if data is None:
            raise ExtractionError("not a metadata document (no JSON, XML, BibTeX or YAML mapping)")
    else:
        raise ExtractionError("not a metadata document (no JSON, XML, BibTeX or YAML mapping)")
    records, listing, wrappers = locate(data)
    if listing:
        ex.listing = True
        for key, obj in _keyed(records):
            read_record(ex, obj, url, record=key)
    elif records:
        read_record(ex, records[0], url, wrappers=wrappers)
    return ex


# ---------------------------------------------------------------------------------------------
# finding the dataset object(s)

def _norm(key) -> str:
    """A key's comparable form: its local name (after a prefix, namespace IRI or "@"), lower
    case, letters and digits only: "dct:title" -> "title", "date-released" -> "datereleased"."""
    if not isinstance(key, str):
        return ""
    name = _KEY_SEPARATORS.split(key.strip().rstrip("/#:"))[-1]
    return _NOT_ALNUM.sub("", name.lower())


def _index(obj: dict) -> dict:
    """Normalised key -> value (the first key of each normalised name wins)."""
    out: dict = {}
    for key, value in list(obj.items())[:2000]:
        norm = _norm(key)
        if norm and norm not in out:
            out[norm] = value
    return out


def is_metadata(obj) -> bool:
    """A dataset-like object: a title, or a title-like key (name, description) next to at least
    one more specific metadata key (a licence, a version, keywords, a date, files, ...): a
    {"name", "url", "size"} file entry or a person is not a dataset. Objects typed
    Person/Organization are never datasets."""
    if not isinstance(obj, dict):
        return False
    keys = _index(obj)
    kind = " ".join(str(t) for t in _as_list(keys.get("type"))[:5] if isinstance(t, str)).lower()
    if re.search(r"\b(?:person|organi[sz]ation)\b", kind):
        return False
    if any(isinstance(_text(keys.get(k)), str) for k in TITLE_KEYS):
        return True
    present = set(keys)
    return bool(present & TITLE_LIKE) and bool((present & SHARED) - WEAK_KEYS - TITLE_LIKE)


def locate(data, depth: int = 0, parents: tuple = ()) -> tuple[list[dict], bool, tuple]:
    """(dataset objects, is_listing, wrappers around the one object): the top object, the one
    inside an obvious wrapper, or the many records of a catalog/search response/array."""
    if depth > 4:
        return [], False, ()
    if isinstance(data, list):
        dicts = [d for d in data[:MAX_RECORDS] if isinstance(d, dict)]
        if len(data) == 1 and dicts:
            return locate(dicts[0], depth + 1, parents)
        records = [d for d in dicts if is_metadata(d)]
        if len(records) == 1:   # one dataset among other nodes (a JSON-LD @graph)
            return records, False, parents
        return (records, True, ()) if len(records) >= 2 else ([], False, ())
    if not isinstance(data, dict):
        return [], False, ()
    keys = _index(data)
    # A catalog that has a title of its own still lists its datasets (DCAT-US data.json).
    for wrapper in LISTING_KEYS:
        inner = keys.get(wrapper)
        if isinstance(inner, list) and len(inner) >= 2:
            found, listing, _ = locate(inner, depth + 1)
            if listing:
                return found, True, ()
    if any(isinstance(_text(keys.get(k)), str) for k in TITLE_KEYS + NAME_KEYS) and is_metadata(data):
        return [data], False, parents
    for wrapper in WRAPPER_KEYS:
        inner = keys.get(wrapper)
        if isinstance(inner, (dict, list)) and inner:
            found, listing, around = locate(inner, depth + 1, parents + (data,))
            if found:
                return found, listing, around
    return ([data], False, parents) if is_metadata(data) else ([], False, ())


def _keyed(records: list[dict]):
    """(record key, object) per listed record: its identifier, id, name or title; made unique."""
    seen: set[str] = set()
    for i, obj in enumerate(records[:MAX_RECORDS]):
        keys = _index(obj)
        key = None
        for name in ("identifier", "id", "name", "title"):
            key = _text(keys.get(name))
            if key:
                break
        key = (key or f"#{i}")[:300]
        if key in seen:
            key = f"{key}#{i}"
        seen.add(key)
        yield key, obj


# ---------------------------------------------------------------------------------------------
# reading one dataset object

def read_record(ex: Extraction, obj: dict, url: str | None, record: str | None = None,
                wrappers: tuple = ()) -> None:
    keys = _index(obj)

    def add(field, value, key, **kw):
        ex.add(field, value, f"generic: {key}", rank=RANK_GENERIC, record=record, **kw)

    _read_title(keys, add)
    key, description = _first(keys, DESCRIPTION_KEYS, _prose)
    add("description", description[:5000] if description else None, key)
    _read_license(keys, add)
    key, version = _first(keys, VERSION_KEYS, _version)
    add("version", version, key)
    _read_publisher(keys, add)
    key, maintainer = _first(keys, MAINTAINER_KEYS, _person_or_org_name)
    add("maintainer", maintainer, key)
    key, homepage = _first(keys, HOMEPAGE_KEYS, lambda v: _homepage(v, url))
    if homepage is None:
        key, homepage = _first(keys, ("distribution",), _information_link)
    add("homepage", homepage if not (url and homepage and same_page(homepage, url)) else None, key)
    key, doi = _first(keys, DOI_KEYS, _doi)
    for wrapper in reversed(wrappers):   # EML <eml:eml packageId="doi:..."> around <dataset>
        if doi is None:
            key, doi = _first(_index(wrapper), ("doi", "packageid"), _doi)
    add("doi", doi, key)
    key, keywords = _first(keys, KEYWORD_KEYS, _keywords)
    add("keywords", keywords, key)
    key, release = _first(keys, RELEASE_KEYS, _date)
    add("release_date", release, key)
    key, modified = _first(keys, MODIFIED_KEYS, _date)
    add("modified_date", modified, key)
    for name, unit in ITEM_KEYS.items():
        count = _count(keys.get(name))
        if count is not None:
            add("item_count", count, name, unit=unit)
            break
    else:
        _read_table_rows(keys, add)
    key, access = _first(keys, ACCESS_KEYS, lambda v: DCAT_US_ACCESS.get(str(_text(v)).lower()))
    add("access", access, key)
    key, size = _first(keys, SIZE_KEYS, _size)
    add("size_bytes", size, key, unit="bytes")
    if not _read_files(ex, keys, url, record, add, total_stated=size is not None):
        # No file list: the object's own format (schema.org Dataset encodingFormat).
        key, formats = _first(keys, OWN_FORMAT_KEYS, _formats)
        add("formats", formats, key)


def _read_table_rows(keys: dict, add) -> None:
    """The row count of the dataset's only table (EML dataTable/numberOfRecords). With several
    tables there is no one count: rows of different tables are different things."""
    tables = [t for name in FILE_LIST_KEYS for t in _as_list(keys.get(name))[:MAX_FILES]
              if isinstance(t, dict) and _file(t) is not None]
    if len(tables) != 1:
        return
    table = _index(tables[0])
    for name in FILE_ROW_KEYS:
        count = _count(table.get(name))
        if count is not None:
            add("item_count", count, f"{name} of the only table", unit="rows")
            return


def _first(keys: dict, names, read):
    """(key, value) of the first key in `names` whose value `read` accepts, else (None, None)."""
    for name in names:
        if name in keys:
            value = read(keys[name])
            if value not in (None, "", [], {}):
                return name, value
    return None, None


def _read_title(keys: dict, add) -> None:
    key, title = _first(keys, TITLE_KEYS, _title)
    if title is None:   # a name (even a slug) is the title only when nothing better is stated
        key, title = _first(keys, NAME_KEYS, _title)
    add("title", title, key)


def _read_license(keys: dict, add) -> None:
    for name in LICENSE_KEYS:
        if name not in keys:
            continue
        spdx = _license(keys[name])
        if spdx:
            add("license", spdx, name)
            add("commercial_use", commercial_use(spdx), name)
            return


def _read_publisher(keys: dict, add) -> None:
    key, publisher = _first(keys, PUBLISHER_KEYS, _organisation)
    if publisher is None:
        # A creator counts only when it is explicitly an organisation (schema.org
        # {"@type": "Organization"}): a person who made the data did not publish it.
        key, publisher = _first(keys, CREATOR_KEYS, _typed_organisation)
    add("publisher", publisher, key)


# ---------------------------------------------------------------------------------------------
# value readers (all take raw JSON/YAML/XML-dict values and return None for anything else)

def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _text(value) -> str | None:
    """A plain string from a scalar, a language/value wrapper ({"@value"}, XML "#text"), or the
    first of a list."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        text = " ".join(value.split())
        return text or None
    if isinstance(value, dict):
        for key in ("@value", "#text", "value"):
            if key in value:
                return _text(value[key])
        return None
    if isinstance(value, list):
        for item in value[:20]:
            text = _text(item)
            if text:
                return text
    return None


def _prose(value) -> str | None:
    """Text of a description: a string, or the joined text of an XML element (EML <abstract>
    holds <para> elements)."""
    text = _text(value)
    if text or not isinstance(value, (dict, list)):
        return text
    return " ".join(" ".join(_strings(value, limit=50)).split()) or None


def _title(value) -> str | None:
    text = _text(value)
    if not text or len(text) > MAX_TITLE or text.lower().startswith(("http://", "https://")):
        return None
    return _MD_LINK.sub(lambda m: m.group(1), text)


def _version(value) -> str | None:
    text = _text(value)
    if not text or len(text) > MAX_VERSION or not re.search(r"\d", text):
        return None
    return text


def _license(value) -> str | None:
    """SPDX id of a licence value: a string, a {name|id|url|title} mapping, a list of either, or
    an XML element whose text or links name it (EML intellectualRights/para/ulink)."""
    if isinstance(value, (str, list)) or (isinstance(value, dict) and "#text" not in value):
        spdx = normalize_license(value if not isinstance(value, str) else _md_target(value))
        if spdx:
            return spdx
    if isinstance(value, dict):
        for text in _strings(value, limit=50):
            spdx = normalize_license(text)
            if spdx:
                return spdx
    return None


def _md_target(text: str) -> str:
    """A Markdown link's target when the value is just one link ("[CC BY 4.0](https://...)")."""
    m = _MD_LINK.fullmatch(text.strip())
    return m.group(2) if m else text


def _strings(value, limit: int) -> list[str]:
    """Leaf strings of a nested value, depth-first, at most `limit` of them."""
    out: list[str] = []
    stack = [(value, 0)]
    visited = 0
    while stack and len(out) < limit and visited < MAX_WALK:
        node, level = stack.pop()
        visited += 1
        if isinstance(node, str):
            if node.strip():
                out.append(node)
        elif isinstance(node, dict) and level < 6:
            stack.extend((v, level + 1) for v in reversed(list(node.values())[:200]))
        elif isinstance(node, list) and level < 6:
            stack.extend((v, level + 1) for v in reversed(node[:200]))
    return out


def _organisation(value) -> str | None:
    """An organisation's name from a publisher-like value; a value that describes a person
    gives None."""
    if isinstance(value, list):
        names = {n for n in (_organisation(v) for v in value[:10]) if n}
        return names.pop() if len(names) == 1 else None
    if isinstance(value, dict):
        if _is_person(value):
            return None
        return _name_of(value)
    text = _text(value)
    if not text or len(text) > MAX_PUBLISHER or text.lower().startswith(("http://", "https://")):
        return None
    return _MD_LINK.sub(lambda m: m.group(1), text).strip() or None


def _typed_organisation(value) -> str | None:
    items = [v for v in _as_list(value) if v is not None]
    if len(items) != 1 or not isinstance(items[0], dict):
        return None
    keys = _index(items[0])
    kind = " ".join(str(t) for t in _as_list(keys.get("type")) if isinstance(t, str)).lower()
    if not re.search(r"\borgani[sz]ation\b", kind) or _is_person(items[0]):
        return None
    return _name_of(items[0])


def _is_person(obj: dict) -> bool:
    keys = _index(obj)
    kind = " ".join(str(t) for t in _as_list(keys.get("type")) if isinstance(t, str)).lower()
    if re.search(r"\bperson\b", kind):
        return True
    person_keys = {"givenname", "familyname", "individualname", "surname", "givennames",
                   "familynames", "firstname", "lastname"}
    return bool(set(keys) & person_keys)


def _name_of(obj: dict) -> str | None:
    keys = _index(obj)
    for name in ("title", "name", "organizationname", "legalname", "fn", "label", "preflabel",
                 "displayname"):
        text = _text(keys.get(name))
        if text and len(text) <= MAX_PUBLISHER and not text.lower().startswith(("http://", "https://")):
            return text
    return None


def _person_or_org_name(value) -> str | None:
    if isinstance(value, dict):
        return _name_of(value)
    text = _text(value)
    return text if text and len(text) <= MAX_PUBLISHER else None


def _homepage(value, url: str | None) -> str | None:
    for item in _as_list(value)[:10]:
        text = _text(item) if not isinstance(item, dict) else _text(_index(item).get("url")
                                                                    or _index(item).get("id"))
        if not text:
            continue
        m = _MD_LINK.search(text)
        link = m.group(2) if m else text
        if not re.match(r"^https?://[^\s/]+\.[^\s]*$", link, re.I) or " " in link:
            continue
        if normalize_doi(link) or (url and same_page(link, url)):
            continue   # a DOI link is an identifier; the input's own URL is not "stated"
        if fmt.from_filename(link) not in (None, *fmt.WEB_PAGE_FORMATS):
            continue   # a link to a data file (OpenML's <url>…/iris.arff) is a download
        return link
    return None


def _doi(value) -> str | None:
    """A DOI from an identifier value: a string, a list, or {type: doi, value: ...} entries.
    Only a value that is itself a DOI (or a DOI URL) counts; DOIs are never searched in text."""
    for item in _as_list(value)[:50]:
        if isinstance(item, dict):
            keys = _index(item)
            candidates = [keys.get(name) for name in ("value", "identifier", "id", "text", "url")]
        else:
            candidates = [item]
        for candidate in candidates:
            doi = normalize_doi(_text(candidate))
            if doi:
                return doi
    return None


def _keywords(value) -> list[str] | None:
    words: list[str] = []
    items = value.split(",") if isinstance(value, str) else _as_list(value)
    for item in items[:500]:
        if isinstance(item, dict):
            keys = _index(item)
            if "keyword" in keys:   # EML keywordSet: {"keyword": [...], "keywordThesaurus": ...}
                words.extend(_keywords(keys["keyword"]) or [])
                continue
            item = keys.get("displayname") or keys.get("name") or keys.get("text") or keys.get("value")
        text = _text(item) if not isinstance(item, list) else None
        if text and len(text) <= 200 and text not in words:
            words.append(text)
    return words or None


def _date(value) -> str | None:
    return parse_date(_text(value))


def _count(value) -> int | None:
    if isinstance(value, list):
        return None
    text = _text(value)
    if text is None:
        return None
    text = text.replace(",", "").strip()
    return int(text) if text.isdigit() and len(text) <= 15 else None


def _size(value) -> int | None:
    """Bytes of a size value: a number, "475 MB", or an XML/dict size with a unit attribute."""
    if isinstance(value, list):
        return None
    unit = None
    if isinstance(value, dict):
        keys = _index(value)
        unit = _text(keys.get("unit") or keys.get("unittext"))
        value = keys.get("text") if "text" in keys else keys.get("value")
        if unit and unit.lower() not in ("byte", "bytes", "b") and not re.fullmatch(
                r"(?i)[kmgtp]i?b|[kmgtp]i?bytes?|(?:kilo|mega|giga|tera|peta)bytes?", unit):
            return None
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    parsed = parse_size(value if not isinstance(value, str) else value.strip(), unit)
    return parsed[0] if parsed else None


# ---------------------------------------------------------------------------------------------
# files: distribution / resources / files / EML entities

def _read_files(ex: Extraction, keys: dict, url: str | None, record: str | None, add,
                total_stated: bool) -> bool:
    """Files, file_count, formats and summed size from the object's file lists; whether any
    file was listed."""
    entries: list[tuple[str, dict]] = []
    for name in FILE_LIST_KEYS:
        value = keys.get(name)
        for item in _as_list(value)[:MAX_FILES]:
            if isinstance(item, dict) and len(entries) < MAX_FILES:
                entries.append((name, item))
    files = [f for f in (_file(item) for _, item in entries) if f is not None]
    if not files:
        return False
    source = "/".join(sorted({name for name, _ in entries}))
    for entry in files:
        ex.files.append(FileEntry(entry["name"], entry["size"], entry["format"], entry["url"],
                                  record=record))
    add("file_count", len(files), source)
    formats = fmt.sorted_set(f["format"] for f in files)
    add("formats", formats or None, source)
    sizes = [f["size"] for f in files]
    if not total_stated and all(s is not None for s in sizes):
        add("size_bytes", sum(sizes), f"{source} (sum of stated file sizes)", unit="bytes")
    return True


def _file(item: dict) -> dict | None:
    """One file of a distribution/resource list, or None when the entry is not a file (a web
    page, an API endpoint, an S3 bucket of a registry entry)."""
    found = _find_keys(item, FILE_FORMAT_KEYS + FILE_URL_KEYS + FILE_PATH_KEYS + FILE_NAME_KEYS
                       + FILE_SIZE_KEYS)
    link = next((u for u in (_text(found.get(k)) for k in FILE_URL_KEYS)
                 if u and u.lower().startswith(("http://", "https://", "ftp://", "s3://"))), None)
    path = next((p for p in (_text(found.get(k)) for k in FILE_PATH_KEYS) if p), None)
    label = next((n for n in (_text(found.get(k)) for k in FILE_NAME_KEYS) if n), None)
    stated = next((f for f in (_format(found.get(k)) for k in FILE_FORMAT_KEYS) if f), None)
    by_name = next((f for f in (fmt.from_filename(x) for x in (path, link, label) if x) if f), None)
    file_format = stated or by_name
    if file_format in fmt.WEB_PAGE_FORMATS:
        return None
    size = next((_size(found[k]) for k in FILE_SIZE_KEYS if k in found), None)
    # A file is named by a download link or a path, or states a format or size of its own;
    # an entry with only a plain access link and no format (an API, a landing page) is not.
    is_download = bool(link) and any(_text(found.get(k)) for k in FILE_DOWNLOAD_KEYS)
    if not (path or is_download or file_format or size is not None):
        return None
    name = basename(path) if path else (basename(link) if link else None)
    return {"name": name or label or "(unnamed)", "size": size, "format": file_format,
            "url": link}


def _information_link(value) -> str | None:
    """EML's dataset-level <distribution><online><url function="information">: the dataset's
    page (a function="download" link is a file, read with the files)."""
    for item in _as_list(value)[:20]:
        if not isinstance(item, dict):
            continue
        found = _find_keys(item, ("url",))
        link = found.get("url")
        if isinstance(link, dict) and str(_index(link).get("function", "")).lower() == "information":
            return _homepage(_text(link), None)
    return None


def _find_keys(obj: dict, names) -> dict:
    """Breadth-first, at most three levels down: the first value of each wanted key. A file's
    column schema is not searched (a column's "format" or "name" is not the file's)."""
    wanted = set(names)
    found: dict = {}
    level = [obj]
    for _ in range(4):
        nxt = []
        for node in level[:200]:
            for key, value in list(node.items())[:200]:
                norm = _norm(key)
                if norm in SCHEMA_KEYS:
                    continue
                if norm in wanted and norm not in found and not isinstance(value, list):
                    found[norm] = value
                if isinstance(value, dict):
                    nxt.append(value)
                elif isinstance(value, list):
                    nxt.extend(v for v in value[:20] if isinstance(v, dict))
        level = nxt
        if not level:
            break
    return found


def _formats(value) -> list[str] | None:
    found = {_format(v) for v in _as_list(value)[:50] if not isinstance(v, (dict, list))}
    return fmt.sorted_set(f for f in found if f not in fmt.WEB_PAGE_FORMATS) or None


def _format(value) -> str | None:
    text = _text(value)
    if not text or len(text) > 100:
        return None
    return fmt.from_encoding_format(text) or fmt.from_mime(text)


# ---------------------------------------------------------------------------------------------
# BibTeX citation files

PAPER_TYPES = {"article", "inproceedings", "conference", "incollection", "inbook", "book",
               "booklet", "phdthesis", "mastersthesis", "thesis", "techreport", "report",
               "proceedings", "unpublished", "patent", "periodical", "collection", "mvbook",
               "suppbook", "suppcollection", "suppperiodical", "review"}
DATA_TYPES = {"dataset", "data"}
MAYBE_TYPES = {"misc", "online", "electronic", "www", "webpage", "manual"}
# Fields only a paper's citation carries (an arXiv @misc has eprint/archivePrefix).
PAPER_FIELDS = ("journal", "journaltitle", "booktitle", "eprint", "archiveprefix", "primaryclass",
                "school", "institution", "pages", "volume", "issn", "isbn", "series", "chapter")
# Hosts of papers and paper indexes: a URL there points at a publication, not at data.
PAPER_HOSTS = ("arxiv.org", "openreview.net", "aclanthology.org", "aclweb.org", "papers.nips.cc",
               "proceedings.neurips.cc", "neurips.cc", "proceedings.mlr.press", "jmlr.org",
               "ieeexplore.ieee.org", "dl.acm.org", "link.springer.com", "springer.com",
               "sciencedirect.com", "nature.com", "semanticscholar.org", "dblp.org",
               "dblp.uni-trier.de", "researchgate.net", "openaccess.thecvf.com", "biorxiv.org",
               "medrxiv.org", "ncbi.nlm.nih.gov", "scholar.google.com", "aaai.org", "ijcai.org",
               "academic.oup.com", "wiley.com", "tandfonline.com", "mdpi.com", "frontiersin.org",
               "plos.org", "science.org", "ssrn.com", "bibsonomy.org", "isca-speech.org",
               "computer.org", "iopscience.iop.org", "cell.com", "pnas.org", "doi.org")
# DOI prefixes of data repositories: a DOI there names a dataset, not a paper.
DATA_DOI_PREFIXES = ("10.5281/", "10.6084/", "10.5061/", "10.7910/", "10.1594/", "10.17632/",
                     "10.3886/", "10.34740/", "10.57967/", "10.17605/", "10.15468/", "10.6073/",
                     "10.5066/", "10.5065/", "10.7937/", "10.25740/", "10.4121/", "10.18112/")
# A "journal"/"booktitle" that only names a code host is the GitHub citation idiom, not a paper.
CODE_HOST_VENUE = re.compile(r"(?i)\b(?:github|gitlab|bitbucket|hugging\s*face)\b|repository")
SHORT_NAME_WORDS = 4   # "PetFinder.my Adoption Prediction", "Universal Dependencies 2.10"
DATA_WORDS = re.compile(r"(?i)\b(?:data\s*sets?|data|corpus|corpora|database|benchmark|collection"
                        r"|images|recordings|archive)\b")
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                      "sep", "oct", "nov", "dec"), start=1)}


def _read_bibtex(ex: Extraction, text: str) -> None:
    """Facts of the first entry that describes the dataset itself; none when every entry cites
    a paper (the usual TFDS CITATIONS.bib)."""
    for entry in bibtex.parse(text):
        if describes_dataset(entry):
            _read_bib_entry(ex, entry)
            return


def _paper_url(link: str) -> bool:
    """A link to a publication: a paper host, a DOI, or a PDF document."""
    host = (urlsplit(link).hostname or "").lower().removeprefix("www.")
    return (any(host == h or host.endswith("." + h) for h in PAPER_HOSTS)
            or fmt.from_filename(link) == "PDF")


def _bib_doi(entry: bibtex.Entry) -> str | None:
    return normalize_doi(entry.get("doi") or "") or normalize_doi(bibtex.url(entry.get("url")) or "")


def _data_doi(doi: str | None) -> bool:
    return bool(doi) and doi.startswith(DATA_DOI_PREFIXES)


def describes_dataset(entry: bibtex.Entry) -> bool:
    """Whether a citation entry describes the data (not a paper about it)."""
    if entry.type in DATA_TYPES:
        return True
    if entry.type not in MAYBE_TYPES:
        return False   # @article, @inproceedings, @book, ... and unknown types: a publication
    for name in PAPER_FIELDS:
        value = entry.get(name)
        if value and not (name in ("journal", "booktitle") and CODE_HOST_VENUE.search(value)):
            return False
    doi = _bib_doi(entry)
    if doi:
        return _data_doi(doi)
    return _bib_data_link(entry) is not None and _names_data(bibtex.text(entry.get("title")))


def _names_data(title: str | None) -> bool:
    """A @misc title that can be a dataset's name: it says dataset/corpus/database/... or is a
    short name ("cifar10", "Dogs vs. Cats"). A long title without such a word is a paper's
    ("Learning to See in the Dark in Low Light Conditions"), even with a project-page URL."""
    if not title:
        return False
    return len(title.split()) <= SHORT_NAME_WORDS or bool(DATA_WORDS.search(title))


def _bib_data_link(entry: bibtex.Entry) -> str | None:
    """The entry's URL (url, howpublished, note) when it points at the data: not at a paper,
    a PDF or a DOI."""
    for name in ("url", "howpublished", "note"):
        link = bibtex.url(entry.get(name))
        if link and not _paper_url(link) and not normalize_doi(link):
            return link
    return None


def _bib_homepage(entry: bibtex.Entry) -> str | None:
    """The data link, unless it is a download (a .zip is the data, not its page)."""
    link = _bib_data_link(entry)
    if link and fmt.from_filename(link) not in (None, *fmt.WEB_PAGE_FORMATS):
        return None
    return link


def _read_bib_entry(ex: Extraction, entry: bibtex.Entry) -> None:
    def add(field, value, name, **kw):
        ex.add(field, value, f"generic: bibtex @{entry.type}{{{entry.key}}} {name}",
               rank=RANK_GENERIC, **kw)

    title = bibtex.text(entry.get("title"))
    add("title", title if title and len(title) <= MAX_TITLE else None, "title")
    add("homepage", _bib_homepage(entry), "url")
    doi = _bib_doi(entry)
    if doi and (_data_doi(doi) or entry.type in DATA_TYPES):
        add("doi", doi, "doi")
    add("version", _version(bibtex.text(entry.get("version"))), "version")
    if entry.type in DATA_TYPES:
        # Only a @dataset entry dates the data itself; the year of a @misc is the citation's.
        add("release_date", _bib_date(entry), "date/year")
        publisher = bibtex.text(entry.get("publisher"))
        add("publisher", publisher if publisher and len(publisher) <= MAX_PUBLISHER else None,
            "publisher")


def _bib_date(entry: bibtex.Entry) -> str | None:
    date = parse_date(bibtex.text(entry.get("date")))
    if date:
        return date
    year = (entry.get("year") or "").strip()
    if not re.fullmatch(r"\d{4}", year):
        return None
    month = (entry.get("month") or "").strip().lower()[:3]
    number = MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None)
    return parse_date(f"{year}-{number:02d}" if number else year)
