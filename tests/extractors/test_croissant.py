"""Croissant JSON-LD files (1.0 and 1.1, plain and Kaggle's list-wrapped download).

Inputs are written here in the structure the producers use (Hugging Face, OpenML, Kaggle,
hand-written repository examples); each test states the facts expected from it.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors import registry, resolve
from extractors.model import RANK_API, RANK_TEXT

FIXTURES = Path(__file__).parent / "fixtures" / "croissant"
RAW = "https://raw.githubusercontent.com/example/metadata/main/"
TEXT_PLAIN = "text/plain; charset=utf-8"   # what raw.githubusercontent.com serves


def run(body: bytes, url: str = RAW + "metadata.json", content_type: str | None = TEXT_PLAIN):
    return registry.run("croissant", url, body, content_type)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def record(ex) -> dict:
    return resolve.record(ex.facts)


def facts_of(ex, field: str) -> list:
    return [f for f in ex.facts if f.field == field]


def doc(**fields) -> bytes:
    base = {"@context": {"@vocab": "https://schema.org/", "sc": "https://schema.org/",
                         "cr": "http://mlcommons.org/croissant/"},
            "@type": "sc:Dataset", "conformsTo": "http://mlcommons.org/croissant/1.1"}
    base.update(fields)
    return json.dumps(base).encode()


# --------------------------------------------------------------------------- detection

@pytest.mark.parametrize("name", ["hf-style-1.1.json", "archives-1.0.json", "openml-style.json",
                                  "kaggle-download.json"])
def test_detected_by_content_on_a_raw_github_url(name):
    assert registry.detect(RAW + name, fixture(name), TEXT_PLAIN) == "croissant"


def test_plain_schema_org_dataset_json_is_claimed():
    body = json.dumps({"@context": "https://schema.org/", "@type": "Dataset", "name": "x"}).encode()
    assert registry.detect(RAW + "x.json", body, TEXT_PLAIN) == "croissant"


def test_graph_with_a_dataset_is_claimed():
    body = json.dumps({"@context": "https://schema.org/", "@graph": [
        {"@type": "Organization", "name": "Org"}, {"@type": "Dataset", "name": "x"}]}).encode()
    assert registry.detect(RAW + "x.json", body, TEXT_PLAIN) == "croissant"


@pytest.mark.parametrize("body", [
    b'{"@type": "Dataset", "name": "no context: could be anything"}',
    b'{"@context": "https://schema.org/", "@type": "WebPage", "name": "x"}',
    b'{"name": "pkg", "resources": [{"path": "a.csv"}]}',
    b'[1, 2, 3]',
])
def test_not_claimed_without_a_schema_org_dataset(body):
    from extractors.adapters import croissant
    assert not croissant.sniff(body, TEXT_PLAIN)


# --------------------------------------------------------------------------- Hugging Face style

def test_hugging_face_style_repository_and_parquet_fileset():
    ex = run(fixture("hf-style-1.1.json"))
    assert ex.error is None
    rec = record(ex)
    assert rec["title"] == "street-signs"
    assert rec["license"] == "CC-BY-SA-4.0"
    assert rec["commercial_use"] is True
    assert rec["homepage"] == "https://huggingface.co/datasets/example/street-signs"
    assert rec["version"] == "2.0.1"
    assert rec["release_date"] == "2023-05-17"
    # The git repository is not a file format; its FileSet gives PARQUET but no countable files.
    assert rec["formats"] == ["PARQUET"]
    assert "file_count" not in rec and "size_bytes" not in rec
    assert ex.files == []
    # Counts stated in the description, as the weakest kind of evidence.
    assert rec["item_count"] == 48000 and rec["item_unit"] == "images"
    assert rec["class_count"] == 43
    assert {f.rank for f in facts_of(ex, "item_count")} == {RANK_TEXT}


def test_cite_as_never_gives_the_dataset_doi_or_date():
    rec = record(run(fixture("hf-style-1.1.json")))
    assert "doi" not in rec                       # citeAs names a paper (doi={10.1234/...})
    assert rec["release_date"] != "2019"          # the paper's year


def test_persons_are_not_publishers_and_free_is_not_access():
    rec = record(run(fixture("hf-style-1.1.json")))
    assert "publisher" not in rec                 # creator is an sc:Person
    assert "access" not in rec                    # isAccessibleForFree is about cost


# --------------------------------------------------------------------------- archives

def test_archives_members_and_mirrors():
    ex = run(fixture("archives-1.0.json"))
    rec = record(ex)
    # audio.zip twice (same sha256 behind a mirror URL) counts once; metadata.csv 15.7M;
    # the FileSet of .wav files and README.txt are inside audio.zip: not files, not formats.
    assert rec["file_count"] == 2
    assert rec["size_bytes"] == 1120335512 + 15_700_000
    assert rec["formats"] == ["CSV", "ZIP"]
    names = sorted(f.name for f in ex.files)
    assert names == ["audio.zip", "metadata.csv"]
    zip_entry = next(f for f in ex.files if f.name == "audio.zip")
    assert zip_entry.sha256 == "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    csv_entry = next(f for f in ex.files if f.name == "metadata.csv")
    assert csv_entry.sha256 is None               # an md5 is not a sha256 ...
    assert csv_entry.checksum == "md5:d41d8cd98f00b204e9800998ecf8427e"   # ... it is kept here


def test_identifier_doi_license_object_and_dates():
    ex = run(fixture("archives-1.0.json"))
    rec = record(ex)
    assert rec["doi"] == "10.5072/birds.2022"     # identifier, not citeAs (10.9999/paper.123)
    assert rec["license"] == "CC-BY-4.0"
    assert rec["release_date"] == "2022-02-02"    # datePublished wins over dateCreated
    assert [f.value for f in facts_of(ex, "release_date")] == ["2022-02-02"]
    assert [f.value for f in facts_of(ex, "modified_date")] == ["2022-06-30"]
    assert rec["publisher"] == "Example Ornithology Society"
    assert rec["homepage"] == "https://birds.example.org/"
    assert {f.rank for f in facts_of(ex, "title")} == {RANK_API}


def test_placeholder_checksums_do_not_merge_files():
    entries = [{"@type": "cr:FileObject", "@id": f"part{i}.zip", "name": f"part{i}.zip",
                "contentUrl": f"https://example.org/part{i}.zip", "contentSize": "10 B",
                "encodingFormat": "application/zip", "sha256": "sha256"} for i in range(3)]
    rec = record(run(doc(name="x", distribution=entries)))
    assert rec["file_count"] == 3 and rec["size_bytes"] == 30


def test_size_not_summed_when_a_file_has_none():
    entries = [{"@type": "cr:FileObject", "@id": "a", "contentUrl": "https://e.org/a.csv", "contentSize": "5 kB"},
               {"@type": "cr:FileObject", "@id": "b", "contentUrl": "https://e.org/b.csv"}]
    ex = run(doc(name="x", distribution=entries))
    rec = record(ex)
    assert rec["file_count"] == 2 and "size_bytes" not in rec
    assert any("size_bytes not summed" in w for w in ex.warnings)


# --------------------------------------------------------------------------- OpenML style

def test_openml_style_target_enumeration_and_date_created():
    ex = run(fixture("openml-style.json"))
    rec = record(ex)
    assert rec["license"] == "LicenseRef-Public"
    assert "commercial_use" not in rec
    assert rec["version"] == "1"                  # a JSON number
    assert rec["release_date"] == "2017-03-02"    # Croissant dateCreated, no datePublished
    assert rec["file_count"] == 1
    assert rec["formats"] == ["ARFF"]             # .arff served as text/plain is ARFF only
    # The target field references the 7-value quality enumeration; "color" is an attribute.
    assert rec["class_count"] == 7
    assert "doi" not in rec                       # citeAs and sameAs are not the dataset's DOI
    assert rec["homepage"] == "https://www.openml.org/d/40498"


def test_date_created_is_not_a_release_date_outside_croissant():
    body = json.dumps({"@context": "https://schema.org/", "@type": "Dataset", "name": "x",
                       "dateCreated": "2014-04-23"}).encode()
    assert "release_date" not in record(run(body))


def test_enumeration_without_a_target_field_gives_no_class_count():
    body = json.loads(fixture("openml-style.json"))
    for rs in body["recordSet"]:
        for field in rs.get("field", []):
            field["description"] = field["description"].replace("target", "plain") if "description" in field else ""
    assert "class_count" not in record(run(json.dumps(body).encode()))


# --------------------------------------------------------------------------- Kaggle download

def test_kaggle_download_wrapped_in_a_list():
    ex = run(fixture("kaggle-download.json"),
             url="https://www.kaggle.com/datasets/abarista/coffee-shop-sales/croissant/download")
    assert ex.error is None and not ex.listing
    rec = record(ex)
    assert rec["title"] == "Coffee Shop Sales"
    assert rec["license"] == "CC0-1.0"
    assert rec["release_date"] == "2024-02-11"
    assert rec["version"] == "3"
    assert rec["publisher"] == "Kaggle"
    assert rec["size_bytes"] == 2_337_000         # "2.337 MB", decimal
    assert rec["file_count"] == 1 and rec["formats"] == ["ZIP"]   # the CSV is inside archive.zip
    assert rec["item_count"] == 149_116
    assert "access" not in rec
    assert facts_of(ex, "title")[0].evidence.startswith("$[0].")


def test_homepage_equal_to_the_input_url_is_not_a_homepage():
    url = "https://www.kaggle.com/datasets/abarista/coffee-shop-sales/versions/3"
    rec = record(run(fixture("kaggle-download.json"), url=url.replace("https://www.", "http://")))
    assert "homepage" not in rec


# --------------------------------------------------------------------------- licences

@pytest.mark.parametrize("license_value, expected", [
    ("mit", "MIT"),
    ("https://choosealicense.com/licenses/odc-by/", "ODC-By-1.0"),
    (["cc-by-4.0", "https://creativecommons.org/licenses/by/4.0/"], "CC-BY-4.0"),
    ({"@type": "sc:CreativeWork", "name": "Other (specified in description)"}, "LicenseRef-Other"),
    ({"@id": "https://creativecommons.org/publicdomain/zero/1.0/"}, "CC0-1.0"),
])
def test_license_shapes(license_value, expected):
    assert record(run(doc(name="x", license=license_value)))["license"] == expected


def test_unrecognised_license_is_a_warning():
    ex = run(doc(name="x", license="see the website"))
    assert "license" not in record(ex)
    assert any("licence not recognised" in w for w in ex.warnings)


# --------------------------------------------------------------------------- listings

def test_graph_with_two_datasets_is_a_listing():
    body = json.dumps({"@context": "https://schema.org/", "@graph": [
        {"@type": "Dataset", "@id": "https://e.org/d/1", "name": "One", "license": "mit"},
        {"@type": "Dataset", "@id": "https://e.org/d/2", "name": "Two", "license": "cc0-1.0"}]}).encode()
    ex = run(body)
    assert ex.listing
    assert all(f.record in ("https://e.org/d/1", "https://e.org/d/2") for f in ex.facts)
    grouped = resolve.by_record(ex.facts)
    assert None not in grouped
    assert resolve.record(ex.facts, key="https://e.org/d/2")["license"] == "CC0-1.0"
    assert resolve.record(ex.facts) == {}
    assert ex.files == []


def test_graph_references_are_followed():
    body = json.dumps({"@context": "https://schema.org/", "@graph": [
        {"@type": "Dataset", "@id": "#ds", "name": "Refs", "distribution": [{"@id": "#f1"}],
         "publisher": {"@id": "#org"}},
        {"@type": "DataDownload", "@id": "#f1", "contentUrl": "https://e.org/a.parquet", "contentSize": "2 MB"},
        {"@type": "Organization", "@id": "#org", "name": "Referenced Org"}]}).encode()
    rec = record(run(body))
    assert rec["formats"] == ["PARQUET"] and rec["size_bytes"] == 2_000_000
    assert rec["publisher"] == "Referenced Org"


# --------------------------------------------------------------------------- broken and hostile

@pytest.mark.parametrize("body", [
    b"",
    b"{",
    b'{"@context": "https://schema.org", "@type": "Dataset", "name": "x", "distribution": [{"a"',
    b'["a", "b"]',
    b'{"@context": "https://schema.org/", "@type": "WebPage"}',
    b"\x00\x01\x02\xff" * 50,
    b'{"@context":"https://schema.org","@type":"Dataset","d":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
])
def test_unreadable_input_is_an_error_not_an_exception(body):
    ex = run(body)
    assert ex.error
    assert ex.facts == []


def test_wrong_types_become_warnings():
    ex = run(doc(name=["a", {"x": 1}], license=42, distribution="nope",
                 recordSet=[1, "a", {"field": "x"}], publisher=[None, 3], url={"a": 1}, version=True,
                 datePublished=["not a date"], identifier={"propertyID": "DOI"}, keywords={"a": 1},
                 size={"value": "x"}, conditionsOfAccess=["?"]))
    assert ex.error is None
    assert record(ex) == {"title": "a"}
    assert ex.warnings


def test_junk_inside_distribution():
    ex = run(doc(name="x", distribution=[None, 1, "x", [], {"@type": "cr:FileObject", "containedIn": [1, None]},
                                         {"@type": "cr:FileObject", "contentUrl": "https://e.org/a.csv",
                                          "contentSize": [], "encodingFormat": {"x": 1}}]))
    assert ex.error is None
    assert record(ex)["file_count"] == 1
    assert sum("not an object" in w for w in ex.warnings) == 4


def test_huge_strings_are_capped():
    body = doc(name="N" * 5_000_000, description="D" * 5_000_000, keywords=["k" * 10_000] * 10_000,
               license="L" * 1_000_000)
    ex = run(body)
    assert ex.error is None
    assert len(record(ex)["title"]) <= 1000
    assert all(len(f.evidence) <= 300 for f in ex.facts)
    assert all(len(str(f.value)) <= 5_000 for f in ex.facts if f.field != "keywords")


def test_relative_content_url_is_relative_to_the_metadata():
    entries = [{"@type": "cr:FileObject", "@id": "train", "contentUrl": "data/train.csv"}]
    ex = run(doc(name="x", distribution=entries), url=RAW + "croissant/metadata.json")
    assert [(f.name, f.url) for f in ex.files] == [("train.csv", RAW + "croissant/data/train.csv")]
    ex = run(doc(name="x", distribution=entries), url=None)
    assert [(f.name, f.url) for f in ex.files] == [("train.csv", None)]


# --------------------------------------------------------------------------- file digests

MD5_HEX = "0cc175b9c0f1b6a831c399e269772661"        # md5("a")
MD5_BASE64 = "DMF1ucDxtqgxw5niaXcmYQ=="             # the same bytes in base64 (Kaggle)


def one_file(**digests) -> bytes:
    entry = {"@type": "cr:FileObject", "@id": "data.csv", "name": "data.csv",
             "contentUrl": "https://e.org/data.csv", "encodingFormat": "text/csv", **digests}
    return json.dumps({"@context": {"@vocab": "https://schema.org/", "sc": "https://schema.org/",
                                    "cr": "http://mlcommons.org/croissant/"},
                       "@type": "sc:Dataset", "name": "D", "distribution": [entry]}).encode()


@pytest.mark.parametrize("digests, sha256, checksum", [
    ({"md5": MD5_HEX}, None, f"md5:{MD5_HEX}"),
    ({"cr:md5": MD5_HEX.upper()}, None, f"md5:{MD5_HEX}"),
    ({"md5": MD5_BASE64}, None, f"md5:{MD5_HEX}"),
    ({"sha256": "ab" * 32, "md5": MD5_HEX}, "ab" * 32, f"md5:{MD5_HEX}"),
    ({"sha256": "sha256", "md5": "https://e.org/data.csv.md5"}, None, None),   # placeholders
    ({"md5": ["x"]}, None, None),
])
def test_file_digests(digests, sha256, checksum):
    entry = run(one_file(**digests)).files[0]
    assert (entry.sha256, entry.checksum) == (sha256, checksum)


def test_the_same_md5_behind_two_urls_is_one_file():
    body = json.loads(one_file(md5=MD5_HEX))
    mirror = dict(body["distribution"][0], contentUrl="https://mirror.e.org/data.csv", md5=MD5_BASE64)
    body["distribution"].append(mirror)
    ex = run(json.dumps(body).encode())
    assert len(ex.files) == 1 and record(ex)["file_count"] == 1


# --------------------------------------------------------------------------- manifests and FileSet sizes

def test_filesets_listed_by_manifests_are_downloadable_and_sized():
    # Croissant 1.1 `containedIn {fileObject, transform readLines}`: the FileObject is a list of
    # URLs, so the FileSet's files are downloads (not archive members) and its size counts; the
    # manifests state no size and do not block the sum.
    rec = record(run(fixture("manifest-filesets-1.1.json")))
    assert rec["size_bytes"] == int(1.5 * 2**40) + 512 * 2**30 + 20000
    assert "file_count" not in rec          # how many files the globs match is not stated
    assert rec["publisher"] == "Open Web Archive"
    assert rec["release_date"] == "2024-07-30"


def test_fileset_without_size_blocks_the_sum():
    data = json.loads(fixture("manifest-filesets-1.1.json"))
    del data["distribution"][3]["contentSize"]
    assert "size_bytes" not in record(run(json.dumps(data).encode()))


def test_fileset_inside_an_archive_is_still_a_member():
    body = doc(name="x", distribution=[
        {"@type": "cr:FileObject", "@id": "a.zip", "contentUrl": "https://e.org/a.zip",
         "encodingFormat": "application/zip", "contentSize": "10 MB"},
        {"@type": "cr:FileSet", "@id": "imgs", "containedIn": {"@id": "a.zip"},
         "encodingFormat": "image/jpeg", "includes": "*.jpg", "contentSize": "9 MB"}])
    rec = record(run(body))
    assert rec["size_bytes"] == 10_000_000 and rec["file_count"] == 1 and rec["formats"] == ["ZIP"]


def test_includes_written_as_a_list_string():
    body = doc(name="x", distribution=[
        {"@type": "cr:FileObject", "@id": "repo", "contentUrl": "https://github.com/e/x", "encodingFormat": "git+https"},
        {"@type": "cr:FileSet", "@id": "s", "containedIn": {"@id": "repo"}, "includes": "['data/*.parquet']"}])
    assert record(run(body))["formats"] == ["PARQUET"]


# --------------------------------------------------------------------------- RAI fields

def test_rai_annotation_fields_and_collection_total():
    rec = record(run(fixture("rai-annotations-1.0.json")))
    assert rec["annotations_creators"] == ["crowdsourced", "expert-generated"]
    # "The released set contains 1,200 prompt-reply pairs"; the 25,000 source conversations
    # (sampled from, raw data) are not the total.
    assert rec["item_count"] == 1200 and rec["item_unit"] == "pairs"
    # creator typed Organization but named like a person: no publisher
    assert "publisher" not in rec


def test_rai_total_yields_to_the_description():
    data = json.loads(fixture("rai-annotations-1.0.json"))
    data["description"] = "The dataset consists of 1,180 examples."
    ex = run(json.dumps(data).encode())
    assert record(ex)["item_count"] == 1180
    assert [f.value for f in facts_of(ex, "item_count")] == [1180]


def test_two_different_rai_totals_give_none():
    data = json.loads(fixture("rai-annotations-1.0.json"))
    data["rai:dataCollectionType"] = "The corpus contains 900 pairs."
    assert "item_count" not in record(run(json.dumps(data).encode()))


def test_rai_without_annotation_words_gives_no_annotators():
    body = doc(name="x", **{"rai:dataAnnotationPlatform": "Internal tool",
                            "rai:dataCollection": "Experts wrote the prompts."})
    assert "annotations_creators" not in record(run(body))


# --------------------------------------------------------------------------- publisher: organisation or person

@pytest.mark.parametrize("creator, expected", [
    ({"@type": "sc:Organization", "name": "Lena Fischer"}, None),                   # a person's name
    ({"@type": "sc:Organization", "name": "Jan van der Berg"}, None),
    ({"@type": "sc:Organization", "name": "J. R. Okafor"}, None),
    ({"@type": "sc:Organization", "name": "Allen Institute for AI"}, "Allen Institute for AI"),
    ({"@type": "sc:Organization", "name": "The Open Web Foundation"}, "The Open Web Foundation"),
    ({"@type": "sc:Organization", "name": "Meta AI"}, "Meta AI"),                     # acronym
    ({"@type": "sc:Organization", "name": "Zenodo"}, "Zenodo"),                       # one word
    # two capitalised words, but the organisation's own site carries the name
    ({"@type": "sc:Organization", "name": "Hugging Face", "url": "https://huggingface.co/"}, "Hugging Face"),
    ({"@type": "sc:Person", "name": "Zenodo"}, None),
])
def test_creator_organisation_publisher(creator, expected):
    rec = record(run(doc(name="x", creator=creator)))
    assert rec.get("publisher") == expected


def test_explicit_publisher_wins_over_the_person_check():
    body = doc(name="x", publisher={"@type": "sc:Organization", "name": "Open Data Works"},
               creator={"@type": "sc:Organization", "name": "Lena Fischer"})
    assert record(run(body))["publisher"] == "Open Data Works"


def test_description_prose_goes_through_the_shared_prose_reader():
    """Croissant descriptions are free text: licence terms written there (no `license`
    property) are read by the shared prose reader, as non-commercial terms."""
    from tests.extractors.adapter_support import as_body, detected_run, winning_values

    body = as_body({"@context": {"@vocab": "https://schema.org/", "cr": "http://mlcommons.org/croissant/"},
                    "@type": "sc:Dataset", "name": "bird-calls",
                    "conformsTo": "http://mlcommons.org/croissant/1.0",
                    "description": "Recordings of bird calls. The recordings are made available "
                                   "for non-commercial research purposes only.",
                    "distribution": [{"@type": "cr:FileObject", "@id": "calls.zip", "name": "calls.zip",
                                      "contentUrl": "https://example.org/calls.zip",
                                      "encodingFormat": "application/zip"}]})
    values = winning_values(detected_run("croissant", body, "https://example.org/croissant.json"))
    assert values["commercial_use"] is False and "license" not in values


# --------------------------------------------------------------------------- RAI: annotation review

def test_rai_annotations_per_item_is_redundancy():
    ex = run(fixture("rai-annotations-1.0.json"))
    review = facts_of(ex, "annotation_review")
    assert [f.value for f in review] == [["redundancy"]]
    assert review[0].evidence == "$.rai:annotationsPerItem = 5"
    # the subset re-annotated to measure agreement is no multiple reading of the labels
    assert "multiple-readers" not in review[0].value


def test_rai_protocol_text_goes_through_the_prose_detector():
    """Family: a Croissant 1.1 document with RAI fields written as prose (second input of the
    prose rules after cards and READMEs)."""
    body = doc(name="toy-sentiment", description="Sentiment of product reviews.", **{
        "rai:dataAnnotationPlatform": "Amazon Mechanical Turk",
        "rai:annotationsPerItem": 1,
        "rai:dataAnnotationProtocol": "Workers first passed gold questions. Disagreements "
                                      "between annotators were adjudicated by a senior annotator."})
    ex = run(body)
    assert record(ex)["annotations_creators"] == ["crowdsourced"]
    review = facts_of(ex, "annotation_review")
    assert [f.value for f in review] == [["adjudication", "gold-questions"]]
    assert review[0].evidence.startswith("$.rai:dataAnnotationProtocol: Workers first passed")
    assert review[0].rank == RANK_API or review[0].rank == facts_of(ex, "annotations_creators")[0].rank


def test_description_review_joins_the_rai_fact_and_alone_is_text():
    body = doc(name="x", description="Each image was labelled by 3 annotators.",
               **{"rai:annotationsPerItem": "3"})
    review = facts_of(run(body), "annotation_review")
    assert len(review) == 1 and review[0].value == ["multiple-readers", "redundancy"]
    assert "text:$.description: Each image" in review[0].evidence
    alone = facts_of(run(doc(name="x", description="Each image was labelled by 3 annotators.")),
                     "annotation_review")
    assert [(f.value, f.rank) for f in alone] == [(["multiple-readers", "redundancy"], RANK_TEXT)]


def test_dices_like_rai_states_no_review():
    """A pool of raters, a quality filter and expert "gold ratings" are not in the vocabulary."""
    body = doc(name="d", **{
        "rai:annotatorDemographics": "The dataset was annotated by a pool of 104 raters.",
        "rai:dataAnnotationAnalysis": "All conversations have gold ratings, i.e. they were "
                                      "annotated for safety by a trust and safety expert.",
        "rai:dataAnnotationPlatform": "Crowdworker annotators with task specific UI"})
    ex = run(body)
    assert facts_of(ex, "annotation_review") == []
    assert record(ex)["annotations_creators"] == ["crowdsourced", "expert-generated"]
