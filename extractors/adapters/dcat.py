"""DCAT (W3C Data Catalog Vocabulary) in RDF/XML, Turtle or JSON-LD, read with rdflib.

What is read per dcat:Dataset: dct:title, dct:description, dcat:keyword, dct:license and
dct:rights (also on distributions, when the dataset itself states none), dct:accessRights,
dct:issued (release), dct:modified, dcat:version / owl:versionInfo / adms:version / pav:version,
dct:publisher (its foaf:name, vcard:fn, rdfs:label or skos:prefLabel; persons are not publishers),
dcat:landingPage (homepage), DOIs from dct:identifier, adms:identifier/skos:notation, owl:sameAs
or the dataset IRI itself, and dcat:distribution -> files (dcat:downloadURL, else dcat:accessURL;
dcat:byteSize; dct:format / dcat:mediaType; spdx:checksum -> sha256 / checksum).

A catalogue with several datasets describes none of them: ex.listing is set and every fact
carries record=<dataset IRI>. A document with exactly one dataset gives top-level facts.

Deterministic: an RDF graph has no order, and rdflib names blank nodes anew on every parse, so
every multi-valued read is sorted by what the node states (`_node_key`), never by graph order or
blank-node label: the same input gives the same facts and files in the same order on every run.

Nothing is fetched: JSON-LD contexts given by URL are replaced with a built-in context of the
DCAT terms (rdflib would otherwise download them); XML with entity declarations is refused.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from urllib.parse import unquote, urlsplit

from lxml import etree
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS

from extractors.claims import Claims, Confidence, Probe
from extractors.model import RANK_API, Extraction, ExtractionError, FileEntry
from extractors.normalize import formats as fmt
from extractors.normalize.dates import parse_date
from extractors.normalize.digests import merged_digest_fields
from extractors.normalize.ids import normalize_doi
from extractors.normalize.license import commercial_use, normalize_license
from extractors.normalize.text import decode, load_json, starts_like_html
from extractors.normalize.urls import basename, same_page

NAME = "dcat"
VERSION = "1.2.1"

DCAT_NAMESPACE = "http://www.w3.org/ns/dcat#"
DCAT = Namespace(DCAT_NAMESPACE)
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
PAV = Namespace("http://purl.org/pav/")
SDO = Namespace("http://schema.org/")
SPDX = Namespace("http://spdx.org/rdf/terms#")

NO_BASE = "https://input.invalid/"   # base IRI when the input has no URL (.invalid is reserved)
MAX_BODY = 50_000_000
MAX_DATASETS = 5_000
MAX_DISTRIBUTIONS = 10_000
MAX_JSON_DEPTH = 100
MAX_KEY_DEPTH = 3          # levels of nested blank nodes a sort key describes
EVIDENCE_MAX = 300

DCAT_TYPE_IRI = re.compile(rb"http://www\.w3\.org/ns/dcat#(?:Dataset|Catalog)\b")
# A prefix bound to the DCAT namespace: xmlns:p="...", @prefix p: <...>, PREFIX p: <...>, "p": "..."
DCAT_PREFIX = re.compile(rb"""(?:xmlns:|@prefix\s+|PREFIX\s+|")([\w.-]+)(?:"\s*:\s*"|\s*=\s*["']|:\s*<)"""
                         rb"http://www\.w3\.org/ns/dcat#", re.I)
DOCTYPE_START = re.compile(rb"<!DOCTYPE", re.I)
DOCTYPE = re.compile(rb"<!DOCTYPE([^\[>]*)(?:\[(.*?)\]\s*)?>", re.I | re.S)
# A plain internal entity: <!ENTITY name "literal text">, no parameter (%) or external entity.
PLAIN_ENTITY = re.compile(rb"""<!ENTITY\s+[\w.-]+\s+(?:"[^"&%]*"|'[^'&%]*')\s*>""", re.I)
MAX_ENTITIES = 50
# Elements nested deeper than libxml2's default limit (256) are refused before rdflib sees the
# document: rdflib's RDF/XML parser needed 18-25 s (and once crashed) on 100k nested elements,
# and no real RDF/XML is more than a few dozen levels deep.

# Used in place of any JSON-LD @context given by URL: the usual DCAT/DCAT-AP term names.
DCAT_CONTEXT = {
    "dcat": str(DCAT), "dct": str(DCTERMS), "dcterms": str(DCTERMS), "foaf": str(FOAF),
    "adms": str(ADMS), "owl": str(OWL), "rdfs": str(RDFS), "skos": str(SKOS), "vcard": str(VCARD),
    "xsd": "http://www.w3.org/2001/XMLSchema#", "schema": str(SDO), "spdx": str(SPDX),
    "pav": str(PAV),
    "Catalog": "dcat:Catalog", "Dataset": "dcat:Dataset", "Distribution": "dcat:Distribution",
    "dataset": "dcat:dataset", "distribution": "dcat:distribution", "title": "dct:title",
    "description": "dct:description", "keyword": "dcat:keyword", "issued": "dct:issued",
    "modified": "dct:modified", "license": "dct:license", "rights": "dct:rights",
    "accessRights": "dct:accessRights", "publisher": "dct:publisher",
    "identifier": "dct:identifier", "landingPage": "dcat:landingPage",
    "downloadURL": "dcat:downloadURL", "accessURL": "dcat:accessURL",
    "byteSize": "dcat:byteSize", "mediaType": "dcat:mediaType", "format": "dct:format",
    "version": "dcat:version", "versionInfo": "owl:versionInfo", "name": "foaf:name",
    "homepage": "foaf:homepage",
}

# EU access-right vocabulary and plain words.
ACCESS_RIGHTS = {"public": "open", "open": "open", "restricted": "restricted",
                 "non_public": "restricted", "non-public": "restricted", "closed": "restricted",
                 "embargoed": "restricted"}


# ---------------------------------------------------------------------------------------------
# detection

def sniff(body: bytes, content_type: str | None) -> bool:
    """RDF that types something dcat:Dataset or dcat:Catalog, under whatever prefix the DCAT
    namespace is bound to (xmlns:dcat=, @prefix dcat:, a JSON-LD context entry)."""
    head = body[:2_000_000]
    if starts_like_html(head):
        return False
    if DCAT_TYPE_IRI.search(head):
        return True
    prefixes = {m.group(1) for m in DCAT_PREFIX.finditer(head)} | {b"dcat"}
    return any(re.search(rb"(?<![\w.-])" + re.escape(p) + rb":(?:Dataset|Catalog)\b", head)
               for p in prefixes)


CLAIMS = Claims(
    content_types=("application/rdf+xml", "text/turtle", "application/ld+json", "text/n3",
                   "application/n-triples", "application/xml"),
    probe=Probe(sniff, Confidence.VOCABULARY),
)


# ---------------------------------------------------------------------------------------------
# parsing

def _syntax(body: bytes, content_type: str | None) -> str:
    ct = (content_type or "").split(";")[0].strip().lower()
    by_type = {"application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
               "text/turtle": "turtle", "application/x-turtle": "turtle", "text/n3": "n3",
               "application/n-triples": "nt", "application/ld+json": "json-ld"}
    if ct in by_type:
        return by_type[ct]
    start = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if start[:1] == b"<":
        return "xml"
    if start[:1] in (b"{", b"["):
        return "json-ld"
    return "turtle"


def parse_graph(ex: Extraction, body: bytes, content_type: str | None, url: str | None = None) -> Graph:
    if len(body) > MAX_BODY:
        raise ExtractionError(f"RDF body too large ({len(body)} bytes)")
    syntax = _syntax(body, content_type)
    # Relative IRIs resolve against the document's URL; without one rdflib would use the
    # working directory (file:///...), which would make the output depend on where we run.
    base = url if url and url.startswith(("http://", "https://")) else NO_BASE
    graph = Graph()
    if syntax != "json-ld" and DCAT_NAMESPACE not in decode(body, content_type):
        # Without the namespace IRI no triple can type a dcat:Dataset (JSON-LD can, through the
        # offline context): parsing would only cost time (rdflib reads ~10k triples a second).
        raise ExtractionError("no dcat:Dataset in the RDF (the DCAT namespace is not used)")
    try:
        if syntax == "xml":
            _check_dtd(body)
            _check_depth(body)
            graph.parse(data=body, format="xml", publicID=base)
        elif syntax == "json-ld":
            data = _offline_contexts(ex, load_json(body, max_depth=MAX_JSON_DEPTH))
            graph.parse(data=json.dumps(data), format="json-ld", publicID=base, base=base)
        else:
            graph.parse(data=decode(body, content_type), format=syntax, publicID=base)
    except ExtractionError:
        raise
    except RecursionError:
        raise ExtractionError("RDF nested too deeply") from None
    except Exception as exc:   # rdflib raises many types (BadSyntax, SAXParseException, ...)
        message = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise ExtractionError(f"unreadable {syntax}: {message}") from None
    return graph


class _NoTree:
    """An lxml parser target without start/end callbacks: libxml2 reads the document at C speed
    and builds nothing."""

    def close(self) -> None:
        return None


def _check_depth(body: bytes) -> None:
    """Refuses XML nested deeper than libxml2's default limit (huge_tree off), read without a
    tree, entities or network. Other syntax errors are left to rdflib, whose verdict counts."""
    parser = etree.XMLParser(target=_NoTree(), huge_tree=False, resolve_entities=False,
                             no_network=True, load_dtd=False)
    try:
        etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" in str(exc):
            raise ExtractionError("XML nested too deeply (more than 256 levels)") from None


def _check_dtd(body: bytes) -> None:
    """RDF/XML files use DTD entities to abbreviate namespaces (<!ENTITY xsd "http://...">).
    Those are kept; an external DTD or entity (a fetch), parameter entities and entities that
    refer to other entities (the "billion laughs" bomb) are refused."""
    head = body[:1_000_000]
    start = DOCTYPE_START.search(head)
    if not start:
        return
    # Matched at the first "<!DOCTYPE" only: a search would retry (to the end of the head) at
    # every later one, quadratic in a run of "<!DOCTYPE[".
    doctype = DOCTYPE.match(head, start.start())
    if doctype is None:
        raise ExtractionError("XML with an unreadable DTD refused")
    external, subset = doctype.group(1), doctype.group(2) or b""
    declarations = re.findall(rb"<!ENTITY", subset, re.I)
    plain = PLAIN_ENTITY.findall(subset)
    if (re.search(rb"\b(?:SYSTEM|PUBLIC)\b", external + subset) or len(declarations) > MAX_ENTITIES
            or len(plain) != len(declarations)):
        raise ExtractionError("XML with external, parameter or nested entity declarations refused")


def _offline_contexts(ex: Extraction, data, depth: int = 0):
    """A copy of the JSON-LD where every @context given by URL (or @import) is replaced by the
    built-in DCAT context, so the parser never has anything to download."""
    if depth > MAX_JSON_DEPTH:
        raise ExtractionError("JSON-LD nested too deeply")
    if isinstance(data, list):
        return [_offline_contexts(ex, item, depth + 1) for item in data]
    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        if key == "@context":
            out[key] = _inline_context(ex, value, depth)
        else:
            out[key] = _offline_contexts(ex, value, depth + 1)
    return out


def _inline_context(ex: Extraction, value, depth: int):
    if isinstance(value, list):
        return [_inline_context(ex, v, depth + 1) for v in value]
    if isinstance(value, str):
        ex.warn(f"remote @context not fetched, DCAT terms assumed: {value[:100]}")
        return dict(DCAT_CONTEXT)
    if isinstance(value, dict):
        clean = {k: _offline_contexts(ex, v, depth + 1) for k, v in value.items() if k != "@import"}
        if "@import" in value:
            ex.warn("@import in @context not fetched, DCAT terms assumed")
            clean = {**DCAT_CONTEXT, **clean}
        return clean
    return value


# ---------------------------------------------------------------------------------------------
# extraction

def extract(url: str | None, body: bytes, content_type: str | None = None) -> Extraction:
    ex = Extraction(NAME, VERSION, url=url)
    graph = parse_graph(ex, body, content_type, url)
    datasets = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=lambda n: _node_key(graph, n))
    if not datasets:
        raise ExtractionError("no dcat:Dataset in the RDF")
    if len(datasets) == 1:
        DatasetReader(ex, graph, datasets[0], url).read()
        return ex
    ex.listing = True
    if len(datasets) > MAX_DATASETS:
        ex.warn(f"{len(datasets)} datasets; read the first {MAX_DATASETS}")
    for i, node in enumerate(datasets[:MAX_DATASETS]):
        DatasetReader(ex, graph, node, url, record=_record_key(graph, node, i)).read()
    return ex


def _record_key(graph: Graph, node, i: int) -> str:
    if isinstance(node, URIRef):
        return _unbased(str(node))[:500]
    for prop in (DCAT.landingPage, DCTERMS.identifier):
        values = sorted(graph.objects(node, prop), key=lambda v: _node_key(graph, v))
        if values:
            return str(values[0])[:500]
    return f"dataset[{i}]"   # a blank node has no name that survives a re-parse


def _unbased(iri: str) -> str:
    """A relative IRI of an input without URL, as written (not under the placeholder base)."""
    return iri[len(NO_BASE):] if iri.startswith(NO_BASE) else iri


def _clip(text: str, limit: int = EVIDENCE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _local(term) -> str:
    return re.split(r"[#/:]", str(term).rstrip("/"))[-1]


class DatasetReader:
    def __init__(self, ex: Extraction, graph: Graph, node, url: str | None, record: str | None = None):
        self.ex, self.g, self.node, self.url, self.record = ex, graph, node, url, record

    def add(self, field: str, value, evidence: str, **kw) -> None:
        self.ex.add(field, value, _clip(evidence), rank=RANK_API, record=self.record, **kw)

    def values(self, subject, *props) -> list:
        """Objects of each property in turn, each property's sorted by _node_key."""
        out = []
        for prop in props:
            out.extend(sorted(self.g.objects(subject, prop), key=lambda v: _node_key(self.g, v)))
        return out

    def text(self, subject, *props) -> tuple[str | None, str]:
        """The first literal of the first property that has one, English or untagged first."""
        for prop in props:
            literals = [v for v in self.g.objects(subject, prop) if isinstance(v, Literal)]
            if literals:
                best = sorted(literals, key=_literal_order)[0]
                return " ".join(str(best).split()) or None, _qname(self.g, prop)
        return None, ""

    def read(self) -> None:
        self.read_text_fields()
        self.read_license()
        self.read_access()
        self.read_dates()
        self.read_version()
        self.read_publisher()
        self.read_homepage()
        self.read_doi()
        self.read_files()

    def read_text_fields(self) -> None:
        title, prop = self.text(self.node, DCTERMS.title, RDFS.label, SDO.name)
        if title:
            self.add("title", _clip(title, 1000), prop)
        description, prop = self.text(self.node, DCTERMS.description)
        if description:
            self.add("description", description[:5000], prop)
        keywords = [" ".join(str(k).split())[:200] for k in self.values(self.node, DCAT.keyword)
                    if isinstance(k, Literal)]
        self.add("keywords", sorted(set(keywords))[:200], "dcat:keyword")

    def read_license(self) -> None:
        found = self.licenses(self.node, "")
        if not found:
            # DCAT-AP states the licence on each distribution; take it when they agree.
            per_dist = {}
            for dist in self.distributions():
                for spdx, evidence in self.licenses(dist, "dcat:distribution/"):
                    per_dist.setdefault(spdx, evidence)
            if len(per_dist) == 1:
                found = list(per_dist.items())
            elif per_dist:
                self.ex.warn(f"distributions state different licences: {', '.join(per_dist)}")
        for spdx, evidence in found[:1]:
            self.add("license", spdx, evidence)
            allowed = commercial_use(spdx)
            if allowed is not None:
                self.add("commercial_use", allowed, f"license ({spdx})")

    def licenses(self, subject, prefix: str) -> list[tuple[str, str]]:
        out = []
        for prop in (DCTERMS.license, DCTERMS.rights):
            for value in self.values(subject, prop):
                for candidate in self.license_candidates(value):
                    spdx = normalize_license(candidate)
                    if spdx:
                        out.append((spdx, f"{prefix}{_qname(self.g, prop)} {candidate[:150]}"))
                        break
        return out

    def license_candidates(self, value) -> list[str]:
        """A licence IRI or literal is read as is; a licence node by its IRI, then its names."""
        out = []
        if isinstance(value, (URIRef, Literal)):
            out.append(str(value).strip())
        out.extend(str(v).strip() for v in self.values(value, DCTERMS.identifier, DCTERMS.title,
                                                         RDFS.label, SKOS.prefLabel, FOAF.name,
                                                         RDFS.seeAlso, OWL.sameAs))
        return [c[:300] for c in out if c]

    def read_access(self) -> None:
        for value in self.values(self.node, DCTERMS.accessRights):
            words = [str(value)] if not isinstance(value, BNode) else []
            words += [str(v) for v in self.values(value, RDFS.label, SKOS.prefLabel)]
            for word in words:
                key = _local(word).strip().lower().replace(" access", "")
                if key in ACCESS_RIGHTS:
                    self.add("access", ACCESS_RIGHTS[key], f"dct:accessRights {word[:150]}")
                    return

    def read_dates(self) -> None:
        for prop, field in ((DCTERMS.issued, "release_date"), (DCTERMS.modified, "modified_date")):
            raw, name = self.text(self.node, prop)
            if not raw:
                continue
            value = parse_date(raw) or _year_of_ambiguous_date(raw)
            if value:
                self.add(field, value, f"{name} {raw[:40]}")
            else:
                self.ex.warn(f"{name} not a date: {raw[:60]!r}")

    def read_version(self) -> None:
        raw, prop = self.text(self.node, DCAT.version, OWL.versionInfo, ADMS.version, PAV.version,
                              SDO.version)
        if raw and len(raw) <= 64:
            self.add("version", raw, prop)

    def read_publisher(self) -> None:
        for value in self.values(self.node, DCTERMS.publisher):
            if isinstance(value, Literal):
                name = " ".join(str(value).split())
            else:
                if (value, RDF.type, FOAF.Person) in self.g or (value, RDF.type, VCARD.Individual) in self.g:
                    continue   # a person is not a publisher
                name, _ = self.text(value, FOAF.name, VCARD.fn, VCARD["organization-name"],
                                    SKOS.prefLabel, RDFS.label, SDO.name)
            if name:
                self.add("publisher", _clip(name), "dct:publisher")
                return

    def read_homepage(self) -> None:
        for value in self.values(self.node, DCAT.landingPage, FOAF.homepage):
            link = _unbased(str(value).strip())
            if link.startswith(("http://", "https://")) and not same_page(link, self.url):
                self.add("homepage", link, "dcat:landingPage")
                return

    def read_doi(self) -> None:
        candidates = [(str(v), "dct:identifier") for v in self.values(self.node, DCTERMS.identifier)
                      if not isinstance(v, BNode)]
        for ident in self.values(self.node, ADMS.identifier):
            candidates.extend((str(v), "adms:identifier/skos:notation") for v in self.values(ident, SKOS.notation))
            if isinstance(ident, URIRef):
                candidates.append((str(ident), "adms:identifier"))
        candidates += [(str(v), "owl:sameAs") for v in self.values(self.node, OWL.sameAs)]
        if isinstance(self.node, URIRef):
            candidates.append((str(self.node), "dataset IRI"))
        for raw, where in candidates:
            doi = normalize_doi(raw)
            if doi:
                self.add("doi", doi, f"{where} {raw[:150]}")
                return

    # -- distributions --------------------------------------------------------------------
    def distributions(self) -> list:
        dists = self.values(self.node, DCAT.distribution)
        if len(dists) > MAX_DISTRIBUTIONS:
            self.ex.warn(f"{len(dists)} distributions; read the first {MAX_DISTRIBUTIONS}")
        return dists[:MAX_DISTRIBUTIONS]

    def read_files(self) -> None:
        files: list[FileEntry] = []
        for i, dist in enumerate(self.distributions()):
            entry = self.file_entry(dist, i)
            if entry is not None:
                files.append(entry)
        unique = _dedupe(files)
        # In a listing each file carries the record (dataset) it belongs to.
        self.ex.files.extend(replace(f, record=self.record) for f in unique)
        self.add("formats", fmt.sorted_set(f.format for f in unique), "dcat:distribution (format)")
        if not unique:
            return
        self.add("file_count", len(unique), "dcat:distribution (files)")
        sizes = [f.size_bytes for f in unique]
        if all(s is not None for s in sizes):
            self.add("size_bytes", sum(sizes), "dcat:distribution/dcat:byteSize (sum)")
        elif any(s is not None for s in sizes):
            self.ex.warn("some distributions state no dcat:byteSize: size_bytes not summed")

    def file_entry(self, dist, i: int) -> FileEntry | None:
        """A distribution is a file when it has a download URL, a byte size, or an access URL or
        format that names a file format; an access URL to a web page or API is not a file."""
        download = self.first_link(dist, DCAT.downloadURL)
        access = self.first_link(dist, DCAT.accessURL)
        link = download or access
        size = self.byte_size(dist)
        file_format = self.distribution_format(dist, link)
        is_file = bool(download) or size is not None or (
            file_format is not None and file_format not in fmt.WEB_PAGE_FORMATS)
        if not is_file:
            return None
        title, _ = self.text(dist, DCTERMS.title)
        name = _basename(link) if link and fmt.from_filename(_basename(link)) else (title or _basename(link or ""))
        absolute = link if link and "://" in link else None   # a relative link without a base is no URL
        return FileEntry(name=(name or f"distribution[{i}]")[:500], size_bytes=size, format=file_format,
                         url=absolute[:2000] if absolute else None,
                         file_id=_unbased(str(dist))[:500] if isinstance(dist, URIRef) else None,
                         **self.digests(dist))

    def first_link(self, subject, prop) -> str | None:
        for value in self.values(subject, prop):
            if isinstance(value, (URIRef, Literal)) and str(value).strip():
                return _unbased(str(value).strip())
        return None

    def byte_size(self, dist) -> int | None:
        for value in self.values(dist, DCAT.byteSize):
            raw = str(value).strip()
            try:
                number = float(raw)
            except ValueError:
                self.ex.warn(f"dcat:byteSize not a number: {raw[:40]!r}")
                continue
            if number >= 0 and number == int(number) and number < 1e21:
                return int(number)
        return None

    def distribution_format(self, dist, link: str | None) -> str | None:
        """The file name's extension first (convention: .tar.gz is TAR, a compressed CSV is
        GZIP), then dct:format, then dcat:mediaType."""
        found = fmt.from_filename(link) if link else None
        if found:
            return found
        for prop in (DCTERMS.format, DCAT.mediaType):
            for value in self.values(dist, prop):
                for text in self.format_texts(value):
                    found = fmt.from_encoding_format(text)
                    if found:
                        return found
        return None

    def format_texts(self, value) -> list[str]:
        """Format values: a literal ("CSV", "text/csv"), an IANA media-type IRI, an EU file-type
        IRI (.../file-type/CSV), or a node with a label or rdf:value."""
        out = []
        if isinstance(value, Literal):
            out.append(str(value))
        elif isinstance(value, URIRef):
            path = unquote(urlsplit(str(value)).path)
            media = re.search(r"/media-types/(.+)$", path)
            out.append(media.group(1) if media else _local(value))
        out.extend(str(v) for v in self.values(value, RDF.value, RDFS.label, SKOS.prefLabel, DCTERMS.title))
        return [t.strip() for t in out if t and t.strip()]

    def digests(self, dist) -> dict[str, str]:
        """spdx:checksum nodes (spdx:algorithm + spdx:checksumValue) as FileEntry arguments: the
        SHA-256, and the strongest other digest as checksum."""
        pairs = [(str(algorithm), str(value))
                 for checksum in self.values(dist, SPDX.checksum)
                 for algorithm in self.values(checksum, SPDX.algorithm)
                 for value in self.values(checksum, SPDX.checksumValue)]
        return merged_digest_fields(pairs)


# "06/05/2009": numeric day and month in an order the text does not settle (CKAN/DERI exports
# of UK and US catalogues write both). The shared date parser refuses the day; the year is
# certain, so it is kept at year precision.
_AMBIGUOUS_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})([/.-])(\d{1,2})\2(\d{4})\s*$")


def _year_of_ambiguous_date(raw: str) -> str | None:
    """The year of a numeric date whose day/month order is ambiguous (both parts <= 12)."""
    found = _AMBIGUOUS_NUMERIC_DATE.match(raw or "")
    if not found or int(found.group(1)) > 12 or int(found.group(3)) > 12:
        return None
    if min(int(found.group(1)), int(found.group(3))) < 1:
        return None
    return parse_date(found.group(4))


def _literal_order(value):
    """English or untagged literals first, then IRIs, then the rest; stable by text."""
    if isinstance(value, Literal):
        lang = (value.language or "").lower()
        return (0 if lang in ("", "en") or lang.startswith("en-") else 1, str(value))
    return (2, str(value))


def _node_key(graph: Graph, node, depth: int = 0) -> tuple:
    """A sort key from what a node states: literals (English or untagged first) and IRIs by
    their text, a blank node by its sorted (property, value) pairs, MAX_KEY_DEPTH levels deep.
    Never the blank-node label: rdflib makes up a new one on every parse."""
    if isinstance(node, Literal):
        return _literal_order(node)
    if not isinstance(node, BNode):
        return (2, str(node))
    if depth >= MAX_KEY_DEPTH:
        return (3, ())
    return (3, tuple(sorted((str(p), _node_key(graph, o, depth + 1))
                            for p, o in graph.predicate_objects(node))))


def _qname(graph: Graph, prop) -> str:
    try:
        return graph.namespace_manager.normalizeUri(prop)
    except Exception:
        return str(prop)


def _basename(url: str) -> str:
    return unquote(basename(url))


def _dedupe(files: list[FileEntry]) -> list[FileEntry]:
    seen: set[str] = set()
    out = []
    for f in files:
        digest = f.sha256 or f.checksum
        key = f"sum:{digest}" if digest else f"url:{f.url}" if f.url else f"name:{f.name}"
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
