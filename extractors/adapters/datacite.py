"""DataCite metadata: REST JSON:API (`api.datacite.org/dois/DOI`), DataCite JSON and XML.

Shapes read here:
- JSON:API: `data.type == "dois"` with `data.attributes` (titles, doi, publisher, publicationYear,
  dates, version, rightsList, sizes, formats, url, types, contentUrl, ...) and `included`
  clients (the repository); `data` as a list is a search result (a listing).
- DataCite JSON (content negotiation `application/vnd.datacite.datacite+json`): the same
  attributes at top level.
- DataCite XML, kernel 2/3/4 (`http://datacite.org/schema/kernel-N`), bare or inside an OAI-PMH
  envelope.

Traps this module avoids on purpose: Created/Updated/Registered/Available dates and the DOI's
`created`/`registered` times are not release dates (only `Issued`, else publicationYear);
`metadataVersion` is the metadata revision, not the dataset version; relatedIdentifiers name
other works (papers, the unversioned DOI), never this DOI; `sizes` entries count only when they
are byte quantities ("8898 data points" is not); info:eu-repo access statements in rightsList
are access, not licences.
"""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from lxml import etree

from extractors.claims import Claims, Confidence, Probe
from extractors.model import RANK_API, Extraction, ExtractionError, FileEntry, Follow
from extractors.normalize import formats as fmt
from extractors.normalize.access import ACCESS_PHRASES, EU_REPO_ACCESS
from extractors.normalize.counts import parse_count
from extractors.normalize.dates import parse_date
from extractors.normalize.ids import normalize_doi
from extractors.normalize.license import commercial_use, normalize_license
from extractors.normalize.sizes import parse_size
from extractors.normalize.text import as_dict, load_json

NAME = "datacite"
VERSION = "1.1.0"

API_HOSTS = {"api.datacite.org", "api.test.datacite.org"}
OTHER_HOSTS = {"data.datacite.org", "search.datacite.org"}
KERNEL_NS = re.compile(r"^https?://datacite\.org/schema/kernel-\d")

MAX_TITLE = 2000
MAX_DESCRIPTION = 20000
MAX_EVIDENCE = 300
MAX_ITEMS = 1000  # entries read from any one list (rightsList, sizes, formats, ...)

# Access statements that share rightsList with licences (OpenAIRE info:eu-repo and COAR terms).
ACCESS_RIGHTS = {
    **{f"info:eu-repo/semantics/{term}": state for term, state in EU_REPO_ACCESS.items()},
    "http://purl.org/coar/access_right/c_abf2": "open",
    "http://purl.org/coar/access_right/c_f1cf": "restricted",
    "http://purl.org/coar/access_right/c_16ec": "restricted",
    "http://purl.org/coar/access_right/c_14cb": "restricted",
}
ACCESS_WORDS = {**ACCESS_PHRASES, "metadata only access": "restricted"}
FILES_SIZE = re.compile(r"^\s*(\d[\d,.\s]*)\s+files?\s*$", re.I)


# ---------------------------------------------------------------- detection

def match_url(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in API_HOSTS:
        return parts.path.rstrip("/") == "/dois" or parts.path.startswith("/dois/")
    return host in OTHER_HOSTS


def accepts(body: bytes, content_type: str | None) -> bool:
    """Veto URL claims on anything but DataCite JSON/XML (e.g. a search.datacite.org page)."""
    return _kind(body) is not None


def sniff(body: bytes, content_type: str | None) -> bool:
    """DataCite JSON (REST API, JSON:API) or DataCite XML (the kernel namespace)."""
    # An empty search page ({"data": [], "meta": ...}) is any JSON:API API's; only a URL claims it.
    return _kind(body) not in (None, "empty")


CLAIMS = Claims(
    urls=("{api.datacite.org,api.test.datacite.org}/dois",
          "{api.datacite.org,api.test.datacite.org}/dois/<doi>",
          "{data.datacite.org,search.datacite.org}/*"),
    match_url=match_url,
    accepts=accepts,
    content_types=("application/vnd.api+json", "application/json",
                   "application/vnd.datacite.datacite+xml", "application/xml"),
    probe=Probe(sniff, Confidence.SPECIFIC),
)


def _kind(body: bytes) -> str | None:
    head = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "xml" if _is_datacite_xml(body) else None
    if not head.startswith((b"{", b"[")):
        return None
    try:
        data = load_json(body)
    except Exception:  # detection never raises; extract() reports the parse error
        return None
    return _json_kind(data)


def _is_datacite_xml(body: bytes) -> bool:
    head = body[:5000].lower()
    if b"<html" in head or b"<!doctype html" in head:
        return False
    return b"datacite.org/schema/kernel-" in body[:200_000]


def _json_kind(data) -> str | None:
    if not isinstance(data, dict):
        return None
    item = data.get("data")
    if _is_doi_resource(item):
        return "record"
    if isinstance(item, list) and item and all(_is_doi_resource(x) for x in item[:50]):
        return "listing"
    if isinstance(item, list) and not item and isinstance(data.get("meta"), dict):
        return "empty"  # a search page without hits
    schema = data.get("schemaVersion")
    if isinstance(schema, str) and KERNEL_NS.match(schema) and "titles" in data:
        return "flat"
    return None


def _is_doi_resource(item) -> bool:
    return (isinstance(item, dict) and item.get("type") == "dois"
            and isinstance(item.get("attributes"), dict))


# ---------------------------------------------------------------- extraction

def extract(url: str | None, body: bytes, content_type: str | None = None) -> Extraction:
    ex = Extraction(NAME, VERSION, url=url)
    if not body or not body.strip():
        raise ExtractionError("empty body")
    head = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        read_xml(ex, body, url)
        return ex
    data = load_json(body)
    kind = _json_kind(data)
    if kind == "record":
        item = data["data"]
        read_attributes(ex, item["attributes"], "$.data.attributes", None, url,
                        _client_name(data, item), _media_files(data), item.get("id"))
    elif kind == "flat":
        read_attributes(ex, data, "$", None, url, None)
    elif kind in ("listing", "empty"):
        read_listing(ex, data, url)
    else:
        raise ExtractionError("JSON is not a DataCite DOI record (JSON:API data.type 'dois')")
    return ex


def _add(ex: Extraction, key: str | None, field: str, value, evidence: str, **kw) -> None:
    ex.add(field, value, evidence[:MAX_EVIDENCE], rank=kw.pop("rank", RANK_API), record=key, **kw)


def _list(value) -> list:
    if isinstance(value, list):
        return value[:MAX_ITEMS]
    return [] if value is None else [value]   # a lone value where a list is usual


# DataCite's standard values for missing information: "(:unav)" unavailable, "(:unkn)"
# unknown, "(:tba)", "(:none)", ... They state that nothing is known.
PLACEHOLDER = re.compile(r"^\(?:(unac|unal|unap|unas|unav|unkn|none|null|tba|etal|at)\)?$", re.I)


def _text(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and value.strip():
        text = " ".join(value.split())
        return None if PLACEHOLDER.match(text) else text
    return None


def _client_name(data: dict, item: dict) -> str | None:
    """The DataCite client (repository) named in `included`, used only when no publisher is."""
    wanted = as_dict(as_dict(as_dict(item.get("relationships")).get("client")).get("data")).get("id")
    for inc in _list(data.get("included")):
        inc = as_dict(inc)
        if inc.get("type") == "clients" and (wanted is None or inc.get("id") == wanted):
            return _text(as_dict(inc.get("attributes")).get("name"))
    return None


def read_listing(ex: Extraction, data: dict, url: str | None) -> None:
    ex.listing = True  # a search page describes no single dataset
    for i, item in enumerate(_list(data.get("data"))):
        path = f"$.data[{i}]"
        if not _is_doi_resource(item):
            ex.warn(f"{path}: not a DOI resource")
            continue
        key = _text(item.get("id")) or _text(item["attributes"].get("doi"))
        if not key:
            ex.warn(f"{path}: DOI resource without id")
            continue
        read_attributes(ex, item["attributes"], f"{path}.attributes", key[:300], url,
                        _client_name(data, item), None, item.get("id"))
    nxt = as_dict(data.get("links")).get("next")
    if isinstance(nxt, str) and nxt.startswith(("http://", "https://")):
        ex.follow.append(Follow(nxt, "page", "next page of DOI search results"))


def read_attributes(ex: Extraction, attrs: dict, path: str, key: str | None, url: str | None,
                    client: str | None, media: list[FileEntry] | None = None,
                    resource_id=None) -> None:
    """One DOI's attributes (JSON:API or DataCite JSON: the same names). resource_id is the
    JSON:API `data.id`, which is the DOI too."""
    _add(ex, key, "title", _title(ex, _titles(attrs.get("titles"), attrs.get("title")), path),
         f"{path}.titles")
    _json_doi(ex, key, attrs, path, resource_id)
    _json_publisher(ex, key, attrs.get("publisher"), path, client)
    dates = [(as_dict(d).get("dateType"), as_dict(d).get("date"), f"{path}.dates[{i}]")
             for i, d in enumerate(_list(attrs.get("dates")))]
    read_dates(ex, key, dates, attrs.get("publicationYear"), f"{path}.publicationYear")
    _add(ex, key, "version", _version(attrs.get("version")), f"{path}.version")
    rights = [(as_dict(r).get("rightsIdentifier"), as_dict(r).get("rightsUri"), as_dict(r).get("rights"),
               f"{path}.rightsList[{i}]") for i, r in enumerate(_list(attrs.get("rightsList")))]
    read_rights(ex, key, rights)
    read_sizes(ex, key, [(s, f"{path}.sizes[{i}]") for i, s in enumerate(_list(attrs.get("sizes")))],
               formats=len([f for f in _list(attrs.get("formats")) if _text(f)]))
    _json_files_and_formats(ex, key, attrs, path, media)
    _json_homepage(ex, key, attrs, path, url)
    descriptions = [(as_dict(d).get("descriptionType"), as_dict(d).get("description"))
                    for d in _list(attrs.get("descriptions"))]
    _add(ex, key, "description", _abstract(descriptions), f"{path}.descriptions")
    subjects = [_text(as_dict(s).get("subject")) for s in _list(attrs.get("subjects"))]
    _add(ex, key, "keywords", [s for s in subjects if s and len(s) <= 200], f"{path}.subjects")
    _resource_type(ex, as_dict(attrs.get("types")).get("resourceTypeGeneral"), f"{path}.types")


def _json_doi(ex: Extraction, key, attrs: dict, path: str, resource_id) -> None:
    """This DOI: attributes.doi, DataCite JSON `id` (a doi.org URL) or JSON:API data.id.
    relatedIdentifiers and alternateIdentifiers name other things and are never read here."""
    candidates = ((attrs.get("doi"), f"{path}.doi"), (attrs.get("id"), f"{path}.id"),
                  (resource_id, path.removesuffix(".attributes") + ".id"))
    for value, where in candidates:
        doi = normalize_doi(value) if isinstance(value, str) else None
        if doi:
            _add(ex, key, "doi", doi, where)
            return


def _json_publisher(ex: Extraction, key, publisher, path: str, client: str | None) -> None:
    """publisher is a string (kernel <= 4.4) or {name, publisherIdentifier} (kernel 4.5)."""
    name = _text(as_dict(publisher).get("name")) if isinstance(publisher, dict) else _text(publisher)
    if name and len(name) <= 300:
        _add(ex, key, "publisher", name, f"{path}.publisher")
    elif client:
        _add(ex, key, "publisher", client, "$.included[type=clients].attributes.name")


def _json_files_and_formats(ex: Extraction, key, attrs: dict, path: str,
                            media: list[FileEntry] | None) -> None:
    files, where = _content_files(attrs.get("contentUrl")), f"{path}.contentUrl"
    if not files and media:
        files, where = media, "$.included[type=media]"
    read_files(ex, key, files, where)
    formats = [(f, f"{path}.formats[{i}]") for i, f in enumerate(_list(attrs.get("formats")))]
    read_formats(ex, key, formats, files, where)


def _json_homepage(ex: Extraction, key, attrs: dict, path: str, url: str | None) -> None:
    page = attrs.get("url")
    if isinstance(page, str) and page.startswith(("http://", "https://")):
        _homepage(ex, key, page, f"{path}.url", url)
        return
    alternates = [(as_dict(a).get("alternateIdentifierType"), as_dict(a).get("alternateIdentifier"),
                   f"{path}.alternateIdentifiers[{i}]")
                  for i, a in enumerate(_list(attrs.get("alternateIdentifiers")))]
    _alternate_url(ex, key, alternates, url)


def _titles(titles, single) -> str | None:
    """The main title: the first without a titleType (others are subtitles, translations)."""
    if isinstance(titles, str):
        return titles
    plain, any_title = None, None
    for item in _list(titles):
        if isinstance(item, str):
            item = {"title": item}
        title = as_dict(item).get("title")
        if not isinstance(title, str) or not title.strip():
            continue
        any_title = any_title or title
        if not as_dict(item).get("titleType") and plain is None:
            plain = title
    return plain or any_title or (single if isinstance(single, str) else None)


def _title(ex: Extraction, value, path: str) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_TITLE:
        ex.warn(f"{path}: title of {len(value)} characters ignored")
        return None
    return " ".join(value.split()) or None


def _version(value) -> str | None:
    text = _text(value)
    return text if text and len(text) <= 100 else None


def read_dates(ex: Extraction, key, dates: list[tuple], year, year_path: str) -> None:
    """Issued -> release_date (publicationYear only when no Issued date is readable);
    Updated -> modified_date. Created/Registered/Available/Collected are neither."""
    issued = False
    for kind, value, where in dates:
        kind = kind.strip().lower() if isinstance(kind, str) else ""
        if kind not in ("issued", "updated"):
            continue
        date = parse_date(value) if isinstance(value, str) else None
        if date is None:
            ex.warn(f"{where}: unreadable {kind} date {str(value)[:40]!r}")
            continue
        if kind == "issued" and not issued:
            _add(ex, key, "release_date", date, f"{where} (Issued)")
            issued = True
        elif kind == "updated":
            _add(ex, key, "modified_date", date, f"{where} (Updated)")
    if not issued and year is not None and not isinstance(year, bool):
        date = parse_date(str(year).strip()) if isinstance(year, (int, str)) else None
        if date:
            _add(ex, key, "release_date", date, year_path)
        else:
            ex.warn(f"{year_path}: unreadable year {str(year)[:20]!r}")


def read_rights(ex: Extraction, key, rights: list[tuple]) -> None:
    """Licences (SPDX via rightsIdentifier, rightsUri or the text) and access statements."""
    seen = set()
    for ident, uri, text, where in rights:
        access = _access(uri, text)
        if access:
            _add(ex, key, "access", access, f"{where}: {uri or text}")
            continue
        spdx = None
        for value in (ident, uri, text):
            if isinstance(value, str) and value.strip():
                spdx = normalize_license(value[:500])
                if spdx:
                    break
        if spdx is None:
            shown = next((v for v in (ident, uri, text) if isinstance(v, str) and v.strip()), None)
            if shown:
                ex.warn(f"{where}: licence {shown[:80]!r} not recognised")
            continue
        if spdx not in seen:
            seen.add(spdx)
            _add(ex, key, "license", spdx, where)
            _add(ex, key, "commercial_use", commercial_use(spdx), where)


def _access(uri, text) -> str | None:
    if isinstance(uri, str) and uri.strip().lower() in ACCESS_RIGHTS:
        return ACCESS_RIGHTS[uri.strip().lower()]
    if not (isinstance(uri, str) and uri.strip()) and isinstance(text, str):
        return ACCESS_WORDS.get(" ".join(text.lower().split()))
    return None


def read_sizes(ex: Extraction, key, sizes: list[tuple], formats: int = 0) -> None:
    """Byte quantities -> size_bytes; "N files" -> file_count. Other quantities ("8898 data
    points", "20 pages") are not sizes.

    DataCite `sizes` is free text, written two ways across repositories: one total ("107328
    bytes", "1.7 GB"; Dryad, Figshare) or one entry per file (research-information systems
    such as Pure export "1KB", "6KB", "7MB", in the same order as `formats`). When every entry
    is a byte quantity and there are several, they are per-file sizes: size_bytes is their sum,
    and when `formats` lists as many entries (one per file, in parallel) their number is the
    file count. Otherwise the first byte quantity wins and the others stay warnings."""
    entries = [(t, where) for t, where in ((_text(v), w) for v, w in sizes) if t and len(t) <= 200]
    byte_sizes = []
    for text, where in entries:
        files = FILES_SIZE.match(text)
        if files:
            _add(ex, key, "file_count", parse_count(files.group(1)), f"{where}: {text}")
            continue
        if not re.search(r"[A-Za-z]", text):
            continue  # a bare number in free-text sizes could count pages or records
        parsed = parse_size(text)
        if parsed:
            byte_sizes.append((parsed[0], text, where))
    if len(byte_sizes) >= 2 and len(byte_sizes) == len(entries):
        shown = " + ".join(t for _, t, _ in byte_sizes)
        where = byte_sizes[0][2].rsplit("[", 1)[0]
        _add(ex, key, "size_bytes", sum(b for b, _, _ in byte_sizes), f"{where} (sum): {shown}"[:MAX_EVIDENCE])
        if formats == len(byte_sizes):
            _add(ex, key, "file_count", len(byte_sizes),
                 f"{where}: {len(byte_sizes)} per-file sizes, as many formats")
        return
    for value, text, where in byte_sizes[:1]:
        _add(ex, key, "size_bytes", value, f"{where}: {text}")
    if len(byte_sizes) > 1:
        ex.warn(f"several sizes next to other quantities; the first is kept: {byte_sizes[0][1]!r}")


def read_files(ex: Extraction, key, files: list[FileEntry], where: str) -> None:
    """Content URLs are the downloadable files: the manifest and file_count (no sizes stated)."""
    if not files:
        return
    if key is None:  # FileEntry has no record key, so a listing's files stay facts only
        ex.files.extend(files)
    _add(ex, key, "file_count", len(files), where)


def read_formats(ex: Extraction, key, formats: list[tuple], files: list[FileEntry],
                 files_where: str) -> None:
    """formats[] (MIME types or names); the content files' formats only when formats[] is
    empty."""
    found = []
    for value, where in formats:
        text = _text(value)
        if not text or len(text) > 200:
            continue
        name = fmt.from_encoding_format(text) or _other_format(text)
        if name:
            found.append(name)
        else:
            ex.warn(f"{where}: format {text[:60]!r} not recognised")
    if found:
        _add(ex, key, "formats", fmt.sorted_set(found), formats[0][1].rsplit("[", 1)[0])
    elif any(f.format for f in files):
        _add(ex, key, "formats", fmt.sorted_set(f.format for f in files), files_where)


# A MIME type (type/subtype) that names no format of the vocabulary: a stated format, "OTHER"
# (application/octet-stream, application/x-rtf). Free text that names nothing stays unread.
_MIME_SHAPE = re.compile(r"^(?:application|text|image|audio|video|model|chemical|multipart)/"
                         r"[\w.+-]{1,100}$", re.I)


def _other_format(text: str) -> str | None:
    return "OTHER" if _MIME_SHAPE.match(text.strip()) else None


def _content_files(value, mimes: list | None = None) -> list[FileEntry]:
    """contentUrl: download URLs of the content itself, one file each (duplicates removed)."""
    out, seen = [], set()
    for i, link in enumerate(_list(value)):
        if not isinstance(link, str) or not link.startswith(("http://", "https://", "ftp://")):
            continue
        if link in seen:
            continue
        seen.add(link)
        name = unquote(urlsplit(link).path).rstrip("/").rsplit("/", 1)[-1] or link
        mime = mimes[i] if mimes and isinstance(mimes[i], str) else None
        out.append(FileEntry(name=name[:500], url=link[:2000],
                             format=fmt.from_filename(name) or fmt.from_mime(mime)))
    return out


def _media_files(data: dict) -> list[FileEntry]:
    """`included` media (JSON:API ?include=media): registered content URLs with MIME types."""
    media = [as_dict(as_dict(inc).get("attributes")) for inc in _list(data.get("included"))
             if as_dict(inc).get("type") == "media"]
    return _content_files([m.get("url") for m in media], [m.get("mediaType") for m in media])


def _homepage(ex: Extraction, key, page: str, where: str, url: str | None) -> None:
    if not _same_url(page, url):
        _add(ex, key, "homepage", page, where)


def _alternate_url(ex: Extraction, key, alternates: list[tuple], url: str | None) -> None:
    """Without `url` (DataCite XML has none), an alternate identifier of type URL names the
    landing page."""
    for kind, value, where in alternates:
        if (isinstance(kind, str) and kind.strip().lower() == "url" and isinstance(value, str)
                and value.strip().startswith(("http://", "https://"))):
            _homepage(ex, key, value.strip(), where, url)
            return


def _same_url(a: str, b: str | None) -> bool:
    if not b:
        return False

    def norm(u: str) -> str:
        parts = urlsplit(u.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
        return f"{host}{parts.path.rstrip('/')}?{parts.query}"

    return norm(a) == norm(b)


def _abstract(descriptions: list[tuple]) -> str | None:
    texts = [(kind, _text(value)) for kind, value in descriptions]
    text = next((t for k, t in texts if t and isinstance(k, str) and k.lower() == "abstract"), None)
    text = text or next((t for _, t in texts if t), None)
    return text[:MAX_DESCRIPTION] if text else None


def _resource_type(ex: Extraction, general, where: str) -> None:
    if isinstance(general, str) and general.strip() and general.strip().lower() != "dataset":
        ex.warn(f"{where}: resourceTypeGeneral is {general.strip()[:40]!r}, not Dataset")


# ---------------------------------------------------------------- XML

def read_xml(ex: Extraction, body: bytes, url: str | None) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractionError(f"XML unreadable: {str(exc)[:200]}") from None
    if root.getroottree().docinfo.doctype:
        # DataCite XML has no DTD; one here can only declare entities (expansion bombs, files).
        raise ExtractionError("XML with a DOCTYPE is refused (DataCite metadata has none)")
    resources = _resources(root)
    if not resources:
        raise ExtractionError("XML has no DataCite <resource> (kernel-2/3/4 namespace)")
    if len(resources) == 1:
        read_resource(ex, resources[0], None, url)
        return
    ex.listing = True  # an OAI-PMH ListRecords page: many DOIs, none of them "the" dataset
    for i, resource in enumerate(resources):
        key = _resource_doi(resource) or f"resource[{i + 1}]"
        read_resource(ex, resource, key, url)


def read_resource(ex: Extraction, resource, key: str | None, url: str | None) -> None:
    """One <resource> element (kernel 2, 3 or 4: the element names used here are shared)."""
    ns = etree.QName(resource).namespace

    def q(path: str) -> str:  # "titles/title" -> "{ns}titles/{ns}title"
        return "/".join(f"{{{ns}}}{step}" for step in path.split("/"))

    def all_(path: str) -> list:
        return resource.findall(q(path))[:MAX_ITEMS]

    def one(path: str) -> str | None:
        return _element_text(resource.find(q(path)))

    text = _element_text
    titles = [{"title": text(t), "titleType": t.get("titleType")} for t in all_("titles/title")]
    _add(ex, key, "title", _title(ex, _titles(titles, None), "resource/titles"), "resource/titles/title")
    _add(ex, key, "doi", _resource_doi(resource), "resource/identifier[@identifierType=DOI]")
    publisher = one("publisher")
    if publisher and len(publisher) <= 300:
        _add(ex, key, "publisher", publisher, "resource/publisher")
    dates = [(d.get("dateType"), text(d), f"resource/dates/date[{i + 1}]")
             for i, d in enumerate(all_("dates/date"))]
    read_dates(ex, key, dates, one("publicationYear"), "resource/publicationYear")
    _add(ex, key, "version", _version(one("version")), "resource/version")
    rights = [(r.get("rightsIdentifier"), r.get("rightsURI"), text(r), f"resource/rightsList/rights[{i + 1}]")
              for i, r in enumerate(all_("rightsList/rights"))]
    read_rights(ex, key, rights)
    read_sizes(ex, key, [(text(s), f"resource/sizes/size[{i + 1}]") for i, s in enumerate(all_("sizes/size"))],
               formats=len([f for f in all_("formats/format") if text(f)]))
    read_formats(ex, key, [(text(f), f"resource/formats/format[{i + 1}]")
                           for i, f in enumerate(all_("formats/format"))], [], "")
    alternates = [(a.get("alternateIdentifierType"), text(a),
                   f"resource/alternateIdentifiers/alternateIdentifier[{i + 1}]")
                  for i, a in enumerate(all_("alternateIdentifiers/alternateIdentifier"))]
    _alternate_url(ex, key, alternates, url)
    descriptions = [(d.get("descriptionType"), text(d)) for d in all_("descriptions/description")]
    _add(ex, key, "description", _abstract(descriptions), "resource/descriptions/description")
    subjects = [text(s) for s in all_("subjects/subject")]
    _add(ex, key, "keywords", [s for s in subjects if s and len(s) <= 200], "resource/subjects/subject")
    kind = resource.find(q("resourceType"))
    _resource_type(ex, kind.get("resourceTypeGeneral") if kind is not None else None, "resource/resourceType")
    if not any(f.field in ("title", "doi") and f.record == key for f in ex.facts):
        ex.warn(f"DataCite XML {key or 'resource'} states neither a title nor a DOI")


def _element_text(el) -> str | None:
    return _text("".join(el.itertext())) if el is not None else None


def _resource_doi(resource) -> str | None:
    for el in resource.findall(f"{{{etree.QName(resource).namespace}}}identifier"):
        if (el.get("identifierType") or "").upper() == "DOI":
            return normalize_doi(_element_text(el) or "")
    return None


def _resources(root) -> list:
    """DataCite <resource> elements: the root, or those inside an envelope (OAI-PMH)."""
    return [el for el in root.iter("{*}resource")  # root first, then in document order
            if KERNEL_NS.match(etree.QName(el).namespace or "")][:MAX_ITEMS]
