"""The generic structured-metadata reader (extractors/generic.py): JSON, YAML, XML and BibTeX
metadata that no dedicated adapter claims, read by shared key names at rank RANK_GENERIC.

Inputs are written in the real structure of each family (fixtures under fixtures/generic/ or
inline, each with a comment naming its family); the corpus's CITATIONS.bib files are read in
place at the end."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from extractors import registry, resolve
from extractors.adapters import generic
from extractors.document import extract_document
from extractors.model import RANK_GENERIC, Fact
from tests.extractors.corpus_support import CORPUS, HAS_SCORER, check_folder_scores, detect, labels

FIXTURES = Path(__file__).parent / "fixtures" / "generic"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def run(body, url: str | None = None, content_type: str | None = None):
    """Run the generic reader itself (whatever adapter would be detected); never raises."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    return registry.run("generic", url, body, content_type)


def record(ex, key: str | None = None) -> dict:
    assert ex.error is None, ex.error
    return resolve.record(ex.facts, key=key)


def values(ex, field: str) -> list:
    return [f.value for f in ex.facts if f.field == field]


# --------------------------------------------------------------------------- detection

@pytest.mark.parametrize("name", ["ckan-package_show.json", "eml-edi.xml", "aws-registry-entry.yaml",
                                  "CITATION.cff", "codemeta.json"])
def test_families_no_dedicated_adapter_reads_are_detected_as_generic(name):
    assert registry.detect(None, fixture(name), None) == "generic"


@pytest.mark.parametrize("name", ["dcat-us-catalog.json", "kaggle-dataset-metadata.json"])
def test_families_with_a_dedicated_reader_are_still_readable_by_sniff(name):
    # DCAT-US (typed dcat:Dataset) goes to the dcat adapter and a Kaggle descriptor (resources
    # with paths) to frictionless, which sniff first; the generic reader would read them too.
    assert generic.sniff(fixture(name), None)
    assert registry.detect(None, fixture(name), None) != "html"


def test_bibtex_is_detected_with_any_entry_spelling():
    for text in ("@misc{a, title={T}}", "@ONLINE {a, title={T}}", "  @Manual (a, title={T})",
                 "% generated\n\n@article{a, title={T}}"):
        assert registry.detect(None, text.encode(), "text/plain") == "generic", text


@pytest.mark.parametrize("body, content_type", [
    # HTML pages, XHTML and SVG are not metadata documents
    (b"<!DOCTYPE html><html><head><title>T</title></head></html>", "text/html"),
    (b"<?xml version='1.0'?>\n<!DOCTYPE html PUBLIC '-//W3C//DTD XHTML 1.0//EN' 'x'>\n<html/>", None),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><title>Logo</title></svg>", None),
    (b"<head><title>x</title><meta charset=utf-8></head><body><p>hi<br></body>", None),
    (b"<div class='card'><h1>Data</h1></div>", None),
    (b"<?xml version='1.0'?><dataset><title>Truncated</tit", None),   # not well-formed
    # a big CSV is never parsed as YAML
    (b"id,name\n" + b"1,foo\n" * 1000, "text/plain"),
    # prose, Markdown (with and without front matter), reStructuredText, tag lists
    (b"Note: this folder holds images.\nThey were taken in 2019.\n", "text/plain"),
    (b"# Dataset\n\nCite it as:\n\n```\n@misc{x, title={T}, url={https://x.org}}\n```\n", None),
    (b"---\ntitle: Foo\nlicense: mit\n---\n# Foo\n\nText.\n", None),
    (b"Iris plants dataset\n--------------------\n\n**Data Set Characteristics:**\n", None),
    (b"content.data-type.image\ncontent.data-type.text\n", "text/plain"),
    # configuration YAML that happens to have a "version" or "name"
    (b"version: '3'\nservices:\n  web:\n    image: nginx\n", None),
    (b"name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n", None),
    # a JSON array of scalars, an empty body
    (b"[1, 2, 3]", "application/json"),
    # JSON Lines (a data file) and broken JSON
    (b'{"text": "a", "label": 0}\n{"text": "b", "label": 1}\n', None),
    (b'{"title": "abc", "license": ', None),
    (b"", None),
])
def test_non_metadata_inputs_are_not_claimed(body, content_type):
    assert not generic.sniff(body, content_type)


def test_yaml_needs_a_title_like_key_and_another_shared_key():
    assert generic.sniff(b"title: Bird counts\nlicense: CC-BY-4.0\n", None)
    assert not generic.sniff(b"license: CC-BY-4.0\n", None)


def test_generic_sniffs_after_every_dedicated_adapter():
    from extractors.claims import Confidence

    level = {name: registry.claims(name).top for name in registry.names()}
    assert level["generic"] == Confidence.STRUCTURED
    assert all(level[name] > Confidence.STRUCTURED for name in level
               if name not in ("generic", "html", "readme"))
    assert level["readme"] < Confidence.STRUCTURED and level["html"] < Confidence.STRUCTURED


# --------------------------------------------------------------------------- families

def test_ckan_package_show():
    ex = run(fixture("ckan-package_show.json"), url="https://catalog.example.gov/api/3/action/"
             "package_show?id=street-tree-inventory")
    assert record(ex) == {
        "title": "Street Tree Inventory", "license": "LicenseRef-CC-BY", "commercial_use": True,
        "release_date": "2019-03-14", "version": "2.1", "publisher": "Parks Department",
        "homepage": "https://www.example.gov/parks/trees", "size_bytes": 1048576 + 3145728,
        "file_count": 2, "formats": ["CSV", "GEOJSON"]}
    # the HTML map resource is a web page, not a file; the author is a person, not a publisher
    assert [f.name for f in ex.files] == ["trees.csv", "trees.geojson"]
    assert values(ex, "modified_date") == ["2023-11-02"]
    assert values(ex, "maintainer") == ["Open Data Team"]
    assert values(ex, "keywords") == [["environment", "trees"]]
    assert all(f.rank == RANK_GENERIC for f in ex.facts)


def test_ckan_package_search_is_a_listing():
    # CKAN action API package_search: result.results holds one package per hit
    body = {"success": True, "result": {"count": 2, "sort": "score desc", "results": [
        {"id": "u1", "name": "air-quality", "title": "Air Quality", "license_id": "odc-odbl",
         "resources": [{"url": "https://x.org/aq.csv", "format": "CSV", "size": 10}]},
        {"id": "u2", "name": "noise-levels", "title": "Noise Levels", "license_id": "cc-zero",
         "resources": []}]}}
    ex = run(body)
    assert ex.listing
    assert record(ex, "u1")["title"] == "Air Quality"
    assert record(ex, "u1")["license"] == "ODbL-1.0"
    assert record(ex, "u1")["file_count"] == 1
    assert record(ex, "u2") == {"title": "Noise Levels", "license": "CC0-1.0", "commercial_use": True}
    assert record(ex) == {}


def test_ckan_resource_size_is_summed_only_when_every_file_states_one():
    body = {"result": {"title": "T", "name": "t", "resources": [
        {"url": "https://x.org/a.csv", "format": "CSV", "size": 100},
        {"url": "https://x.org/b.csv", "format": "CSV", "size": None}]}}
    rec = record(run(body))
    assert rec["file_count"] == 2 and "size_bytes" not in rec


def test_dcat_us_catalog_is_a_listing_keyed_by_identifier():
    ex = run(fixture("dcat-us-catalog.json"))
    assert ex.listing
    bridges = record(ex, "https://data.example.gov/api/views/abcd-1234")
    assert bridges == {
        "title": "Bridge Inspections", "license": "ODbL-1.0", "commercial_use": True,
        "release_date": "2016-05-02", "publisher": "Department of Transportation",
        "homepage": "https://data.example.gov/d/abcd-1234", "file_count": 2,
        "formats": ["CSV", "JSON"], "access": "open"}   # the API distribution is no file
    roads = record(ex, "DOT-ROADS-2020")
    assert roads["access"] == "restricted" and "release_date" not in roads   # only "modified"


def test_dcat_us_single_entry():
    # one data.json entry served on its own (e.g. from a harvest source's per-dataset endpoint)
    entry = json.loads(fixture("dcat-us-catalog.json"))["dataset"][0]
    rec = record(run(entry))
    assert rec["title"] == "Bridge Inspections" and rec["file_count"] == 2


def test_a_columns_format_is_not_the_files_format():
    body = {"title": "T", "resources": [{"path": "data", "schema": {"fields": [
        {"name": "when", "type": "date", "format": "csv"}]}}]}
    rec = record(run(body))
    assert rec["file_count"] == 1 and "formats" not in rec


def test_kaggle_dataset_metadata():
    rec = record(run(fixture("kaggle-dataset-metadata.json")))
    assert rec == {"title": "Global Coffee Shop Sales", "license": "CC0-1.0",
                   "commercial_use": True, "file_count": 2, "formats": ["CSV", "JSON"]}


def test_eml_from_an_edi_data_package():
    ex = run(fixture("eml-edi.xml"))
    assert record(ex) == {
        "title": "Stream water chemistry at three headwater catchments, 2015-2021",
        "license": "CC-BY-4.0", "commercial_use": True, "release_date": "2022-04-18",
        "doi": "10.6073/pasta/0123456789abcdef0123456789abcdef",
        "publisher": "Environmental Data Initiative",   # the <publisher>, not the <creator>
        "homepage": "https://portal.edirepository.org/nis/mapbrowse?scope=edi&identifier=1234",
        "size_bytes": 482133, "file_count": 1, "formats": ["CSV"], "item_count": 5120,
        "item_unit": "rows"}
    assert ex.files[0].url == "https://pasta.lternet.edu/package/data/eml/edi/1234/2/aa11bb22cc33"
    assert values(ex, "description") == [
        "Weekly grab samples analysed for major ions and nutrients."]


# EML as a GBIF IPT writes it: rights only as a <ulink> inside <para>, an organisation creator,
# an information link to the IPT resource page, no data tables (the archive is described
# elsewhere, in the Darwin Core meta.xml).
GBIF_EML = """<?xml version="1.0" encoding="utf-8"?>
<eml:eml xmlns:eml="eml://ecoinformatics.org/eml-2.1.1" xmlns:dc="http://purl.org/dc/terms/"
  packageId="5b2f1c7e-2e3a-4f0a-9d7c-8a1b2c3d4e5f/v1.4" system="http://gbif.org" scope="system" xml:lang="eng">
<dataset>
  <alternateIdentifier>5b2f1c7e-2e3a-4f0a-9d7c-8a1b2c3d4e5f</alternateIdentifier>
  <alternateIdentifier>https://ipt.example.org/resource?r=moth_survey</alternateIdentifier>
  <title xml:lang="eng">Moth light-trap survey, Northern Uplands</title>
  <creator>
    <organizationName>Northern Uplands Naturalists</organizationName>
    <electronicMailAddress>info@example.org</electronicMailAddress>
  </creator>
  <metadataProvider><individualName><givenName>Ola</givenName><surName>Nordmann</surName></individualName></metadataProvider>
  <pubDate>2020-09-01</pubDate>
  <language>eng</language>
  <abstract><para>Nightly light-trap catches of moths.</para></abstract>
  <intellectualRights>
    <para>This work is licensed under a <ulink url="http://creativecommons.org/licenses/by-nc/4.0/legalcode"><citetitle>Creative Commons Attribution Non Commercial (CC-BY-NC) 4.0 License</citetitle></ulink>.</para>
  </intellectualRights>
  <distribution scope="document">
    <online><url function="information">https://ipt.example.org/resource?r=moth_survey</url></online>
  </distribution>
  <contact><individualName><surName>Nordmann</surName></individualName></contact>
</dataset>
<additionalMetadata><metadata><gbif><dateStamp>2020-09-01T10:00:00.000+02:00</dateStamp></gbif></metadata></additionalMetadata>
</eml:eml>"""


def test_eml_from_a_gbif_ipt():
    rec = record(run(GBIF_EML))
    assert rec == {"title": "Moth light-trap survey, Northern Uplands", "license": "CC-BY-NC-4.0",
                   "commercial_use": False, "release_date": "2020-09-01",
                   "homepage": "https://ipt.example.org/resource?r=moth_survey"}
    # an organisation creator is not a stated publisher; no file is listed


def test_eml_with_several_tables_states_no_single_row_count():
    table = ("<dataTable><physical><objectName>{n}.csv</objectName><size unit='byte'>{s}</size>"
             "</physical><numberOfRecords>10</numberOfRecords></dataTable>")
    body = ("<eml:eml xmlns:eml='https://eml.ecoinformatics.org/eml-2.2.0'><dataset><title>T</title>"
            + table.format(n="a", s=5) + table.format(n="b", s=7) + "</dataset></eml:eml>")
    rec = record(run(body))
    assert rec["file_count"] == 2 and rec["size_bytes"] == 12 and "item_count" not in rec


def test_open_data_registry_yaml_entry():
    ex = run(fixture("aws-registry-entry.yaml"))
    assert record(ex) == {
        "title": "Coastal Ocean Temperature Reanalysis", "license": "CC-BY-4.0",
        "commercial_use": True, "publisher": "Example Ocean Institute",
        "homepage": "https://ocean.example.org/reanalysis/docs"}
    # S3 buckets and SNS topics are resources, not files
    assert ex.files == []


def test_open_data_registry_free_text_license_is_not_guessed():
    body = ("Name: Sentinel scenes\nDescription: Imagery.\nLicense: Access to the data is free, "
            "full and open for the broad user community.\nResources:\n  - ARN: arn:aws:s3:::x\n"
            "    Region: eu-central-1\n    Type: S3 Bucket\n")
    assert "license" not in record(run(body))


def test_citation_cff():
    ex = run(fixture("CITATION.cff"))
    assert record(ex) == {
        "title": "Urban Bird Song Recordings", "license": "CC-BY-4.0", "commercial_use": True,
        "release_date": "2023-06-01", "doi": "10.5281/zenodo.7654321",
        "version": "1.10",   # kept as written (not the float 1.1)
        "homepage": "https://birds.example.org"}
    # preferred-citation (the paper) is not read: its DOI and year are the paper's
    assert "10.1000/journal.example.42" not in values(ex, "doi")


def test_codemeta():
    ex = run(fixture("codemeta.json"))
    assert record(ex) == {
        "title": "soilgrid-tools", "license": "Apache-2.0", "commercial_use": True,
        "release_date": "2021-02-10", "doi": "10.5281/zenodo.1122334", "version": "0.9.3",
        "homepage": "https://soilgrid.example.org"}
    assert values(ex, "modified_date") == ["2024-05-30"]


def test_generic_json_metadata_file_with_namespaced_keys():
    # a hand-written metadata.json using Dublin Core / schema.org prefixes
    body = {"dct:title": "Glacier outlines", "dct:license": "https://creativecommons.org/licenses/by/4.0/",
            "dct:issued": "2018-02-01", "schema:contentSize": "1.5 GB",
            "dcat:landingPage": "https://glaciers.example.org", "dct:identifier": "doi:10.5067/ABC123"}
    assert record(run(body)) == {
        "title": "Glacier outlines", "license": "CC-BY-4.0", "commercial_use": True,
        "release_date": "2018-02-01", "doi": "10.5067/abc123", "homepage": "https://glaciers.example.org",
        "size_bytes": 1_500_000_000}


def test_a_catalog_with_a_title_of_its_own_still_lists_its_datasets():
    body = {"title": "City Open Data", "dataset": [
        {"title": "A", "identifier": "a", "license": "MIT"},
        {"title": "B", "identifier": "b", "license": "MIT"}]}
    ex = run(body)
    assert ex.listing and record(ex, "b")["title"] == "B" and record(ex) == {}


def test_a_list_of_file_entries_is_not_a_listing_of_datasets():
    # a repository contents listing (GitHub contents API shape): names and links, no metadata
    body = [{"name": "a.csv", "path": "data/a.csv", "size": 10, "url": "https://x.org/a",
             "download_url": "https://x.org/a.csv", "type": "file"},
            {"name": "b.csv", "path": "data/b.csv", "size": 20, "url": "https://x.org/b",
             "download_url": "https://x.org/b.csv", "type": "file"}]
    ex = run(body)
    assert ex.error is None and not ex.listing and ex.facts == []


def test_eml_package_doi_on_the_root_element():
    # KNB / DataONE packages carry the DOI as <eml:eml packageId="doi:...">
    body = ("<eml:eml xmlns:eml='https://eml.ecoinformatics.org/eml-2.2.0' packageId='doi:10.5063/F1ABCDEF'>"
            "<dataset><title>Kelp forest transects</title><pubDate>2019</pubDate></dataset></eml:eml>")
    assert record(run(body)) == {"title": "Kelp forest transects", "doi": "10.5063/f1abcdef",
                                 "release_date": "2019"}


def test_wrapped_and_single_element_array_bodies():
    inner = {"title": "Wrapped", "license": "MIT"}
    graph = {"@context": {"dct": "http://purl.org/dc/terms/"}, "@graph": [
        {"@id": "#org", "@type": "Organization", "name": "Org"}, inner]}
    for body in ({"dataset": inner}, [inner], {"data": {"id": "1", "attributes": inner}}, graph):
        assert record(run(body))["title"] == "Wrapped", body


def test_bibtex_dataset_citations():
    # TFDS-style CITATIONS.bib entries that cite the data itself
    misc = ('@misc{cars19,\n  author = "Ann Lee",\n  title = "{{StreetCars}}: street car images",\n'
            '  howpublished = {\\url{https://github.com/example/streetcars}},\n  year = {2019}\n}\n')
    assert record(run(misc)) == {"title": "StreetCars: street car images",
                                 "homepage": "https://github.com/example/streetcars"}
    online = ("@ONLINE {birds,\n  title = {Bird Sounds},\n"
              "  url = {https://birds.example.org/~data/}\n}")
    assert record(run(online)) == {"title": "Bird Sounds",
                                   "homepage": "https://birds.example.org/~data/"}
    manual = ("@Manual {city,\n title = {The City Scenes Dataset},\n"
              " url = {https://city.example.org/},\n organization = {City Lab}\n}")
    assert record(run(manual)) == {"title": "The City Scenes Dataset",
                                   "homepage": "https://city.example.org/"}


def test_bibtex_data_repository_and_dataset_entries():
    zenodo = ("@misc{reef_2021, author = {Doe, J.}, title = {{Coral Reef Images}}, month = mar, "
              "year = 2021, publisher = {Zenodo}, version = {v1.2}, doi = {10.5281/zenodo.4567890}, "
              "url = {https://doi.org/10.5281/zenodo.4567890}}")
    rec = record(run(zenodo))
    assert rec == {"title": "Coral Reef Images", "doi": "10.5281/zenodo.4567890", "version": "v1.2"}
    dataset = ("@dataset{buoys, title={Ocean Buoys}, author={Y}, year={2020}, month={6}, "
               "publisher={PANGAEA}, doi={10.1594/PANGAEA.123}}")
    assert record(run(dataset)) == {"title": "Ocean Buoys", "release_date": "2020-06",
                                    "doi": "10.1594/pangaea.123", "publisher": "PANGAEA"}


def test_bibtex_github_citation_idiom_is_a_dataset_entry():
    text = ("@misc{repo, author={X}, title={Some Data}, year={2020}, publisher={GitHub}, "
            "journal={GitHub repository}, howpublished={\\url{https://github.com/x/some-data}}}")
    assert record(run(text)) == {"title": "Some Data", "homepage": "https://github.com/x/some-data"}


# --------------------------------------------------------------------------- precision traps

@pytest.mark.parametrize("text", [
    "@article{a, title={A Benchmark}, author={A}, journal={CoRR}, year={2019}, volume={abs/1902.1}}",
    "@inproceedings{b, title={Faces in the Wild}, booktitle={ICCV}, publisher={IEEE}, year=2015, "
    "url={http://dblp.uni-trier.de/db/conf/iccv/iccv2015.html}}",
    "@misc{c, title={Attention}, author={A and B}, year={2017}, eprint={1706.03762}, "
    "archivePrefix={arXiv}, primaryClass={cs.CL}}",
    "@misc{d, title={Rotation CNNs}, year=2018, doi={10.1007/978-3-030-00934-2_24}, "
    "url={https://doi.org/10.1007/978-3-030-00934-2_24}}",
    "@online{e, title={Paper}, url={https://arxiv.org/abs/1234.5678}}",
    "@misc{f, title={Only a title}, author={A}, year={2020}}",
    "@misc{i, title={Learning to See in the Dark with Raw Sensor Frames}, "
    "url={https://someone.github.io/see-in-the-dark.html}}",
    '@ONLINE {s140, author = "A and B", title = "Twitter Sentiment Classification using Distant '
    'Supervision", year = "2009", url = "http://help.example.com/home"}',
    "@misc{h, title={A Paper}, howpublished={\\url{http://people.example.edu/~me/paper.pdf}}}",
    "@techreport{g, title={Report}, institution={Uni}, year={2001}, url={https://uni.example.org/r}}",
])
def test_a_paper_citation_gives_no_dataset_fact(text):
    ex = run(text)
    assert ex.error is None and ex.facts == []


def test_bibtex_download_link_is_not_a_homepage():
    text = "@misc{z, title={Tiny Images}, url={https://data.example.org/tiny.zip}}"
    assert record(run(text)) == {"title": "Tiny Images"}


def test_bibtex_misc_year_is_not_a_release_date():
    text = '@misc{x, title = {Sprites}, howpublished = {https://github.com/x/sprites/}, year = "2017"}'
    assert "release_date" not in record(run(text))


def test_the_first_dataset_entry_wins_over_a_paper_before_it():
    text = ("@article{p, title={The Paper}, journal={J}, year={2020}}\n\n"
            "@misc{d, title={The Data}, url={https://data.example.org/}}\n")
    assert record(run(text))["title"] == "The Data"


def test_a_person_creator_is_not_a_publisher():
    body = {"@type": "Dataset", "name": "Bird counts", "license": "CC-BY-4.0",
            "creator": {"@type": "Person", "name": "Ann Lee"}, "author": "Ann Lee"}
    assert "publisher" not in record(run(body))
    ckan_person_org = {"title": "T", "license_id": "mit", "organization": {
        "name": "ann", "title": "Ann Lee", "type": "Person"}}
    assert "publisher" not in record(run(ckan_person_org))


def test_an_organisation_typed_creator_is_a_publisher():
    body = {"@type": "Dataset", "name": "Bird counts", "license": "CC-BY-4.0",
            "creator": {"@type": "Organization", "name": "Bird Society"}}
    assert record(run(body))["publisher"] == "Bird Society"


def test_modified_dates_are_not_release_dates():
    body = {"title": "T", "license": "MIT", "modified": "2021-01-01",
            "metadata_modified": "2021-02-02", "dateModified": "2021-03-03"}
    ex = run(body)
    assert "release_date" not in record(ex)
    assert values(ex, "modified_date") == ["2021-01-01"]


def test_slug_name_is_the_title_only_without_a_title():
    assert record(run({"name": "my-data_set", "license": "MIT"}))["title"] == "my-data_set"
    assert record(run({"name": "my-data_set", "title": "My Data Set"}))["title"] == "My Data Set"


def test_identifier_is_a_doi_only_when_it_is_one():
    assert "doi" not in record(run({"title": "T", "identifier": "DOT-ROADS-2020"}))
    assert "doi" not in record(run({"title": "T", "id": "7b3c1e2a-4f5d-4e6f-8a9b-0c1d2e3f4a5b"}))


def test_a_data_file_link_is_not_a_homepage():
    assert "homepage" not in record(run({"title": "T", "url": "https://x.org/data/iris.arff"}))


def test_json_without_metadata_keys_yields_nothing():
    for body in ({"a": 1, "b": [1, 2, 3], "c": {"d": "e"}},
                 {"dataset": "stanfordnlp/imdb", "rows": [{"row": {"text": "x"}}]},
                 [{"x": 1}, {"x": 2}], {}):
        ex = run(body)
        assert ex.error is None and ex.facts == [] and not ex.listing, body


# --------------------------------------------------------------------------- resolution rank

def test_generic_facts_lose_to_a_dedicated_adapters_facts():
    body = (Path(__file__).parent / "fixtures" / "frictionless" / "tabular-v1-datapackage.json").read_bytes()
    dedicated = registry.run("frictionless", None, body, None)
    assert dedicated.error is None and dedicated.facts
    # A differing generic claim for every field the dedicated adapter states, emitted FIRST
    # (emission order would otherwise break ties in its favour).
    fields = {f.field for f in dedicated.facts if f.record is None}
    generic_facts = [Fact(field, "generic-value", "generic: x", rank=RANK_GENERIC) for field in fields]
    winners = resolve.winners(generic_facts + dedicated.facts)
    for field in fields:
        assert winners[field].rank > RANK_GENERIC, field
        assert winners[field].value != "generic-value", field
    # and a text-pattern fact (the weakest dedicated kind) beats it too
    text_fact = Fact("title", "From text", rank=1)
    assert resolve.winners([Fact("title", "Generic", rank=RANK_GENERIC), text_fact])["title"] is text_fact


# --------------------------------------------------------------------------- robustness

@pytest.mark.parametrize("body", [
    b'{"title": "abc", "license": ',                                    # truncated JSON
    b"<?xml version='1.0'?><eml:eml xmlns:eml='x'><dataset><title>T</tit",   # truncated XML
    b"@misc{x, title={Unterminated, url={https://x.org",                # truncated BibTeX
    b"title: [unclosed\nlicense: MIT\n",                                # broken YAML
    b"\x00\x01\x02\xff\xfe garbage",
    b"{" + b'"a":{' * 3000,                                             # deep, truncated
    b'{"a":' * 300 + b"1" + b"}" * 300,                                 # too deep
    b"<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;'>]>"
    b"<root><title>&lol2;</title><description>x</description></root>",   # entities
    b"<!DOCTYPE r SYSTEM 'http://127.0.0.1:9/x.dtd'><r><title>&ext;</title></r>",
    b"",
])
def test_bad_input_never_raises(body, no_network):
    ex = registry.run("generic", None, body, None)
    assert ex.error is not None or ex.facts == [] or all(f.rank == RANK_GENERIC for f in ex.facts)
    out = extract_document(body)   # whatever is detected, nothing raises
    assert "adapter" in out


def test_yaml_alias_bomb_is_bounded():
    bomb = "\n".join(
        [f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefg", "bcdefgh")])
    body = ("a: &a [x,x,x,x,x,x,x,x,x]\n" + bomb + "\ntitle: Bomb\ndescription: x\n"
            "keywords: *h\nlicense: *h\nresources: *h\n").encode()
    start = time.monotonic()
    ex = registry.run("generic", None, body, None)
    assert time.monotonic() - start < 10
    assert ex.error is None and record(ex)["title"] == "Bomb"


def test_oversized_body_is_refused():
    body = b'{"title": "' + b"x" * (generic.MAX_BODY + 1) + b'"}'
    assert not generic.sniff(body, None)
    assert registry.run("generic", None, body, None).error


# --------------------------------------------------------------------------- corpus

CITATIONS = ([lab for lab in labels("pypi") if lab["input"].endswith("CITATIONS.bib")]
             if HAS_SCORER and (CORPUS / "pypi").is_dir() else [])


@pytest.mark.skipif(not CITATIONS, reason=f"shared corpus not found at {CORPUS}")
def test_corpus_citation_files_are_read_right(tmp_path):
    records = {}
    for label in CITATIONS:
        assert detect(label) == "generic", label["input"]
        body = (CORPUS / label["input"]).read_bytes()
        out = extract_document(body, url=label.get("url"), content_type=label.get("content_type"))
        assert "error" not in out, out
        records[label["input"]] = out["record"]
    check_folder_scores("pypi", records, tmp_path, whole_folder=False)
