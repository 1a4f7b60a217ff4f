"""OpenML adapter: XML and JSON inputs written here in the API's real structure, each with the
facts it states; then broken, truncated and hostile inputs (XML bombs, external entities)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from extractors import registry, resolve
from extractors.adapters import openml
from extractors.model import RANK_API, RANK_TEXT
from tests.extractors.adapter_support import as_body, field_values as values, resolved as record

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "openml"
XML_URL = "https://www.openml.org/api/v1/xml/data/37"
QUALITIES_URL = "https://www.openml.org/api/v1/xml/data/qualities/37"
OML = 'xmlns:oml="http://openml.org/openml"'


def run(body, url=XML_URL, content_type="application/xml"):
    return registry.run("openml", url, as_body(body), content_type)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def description(**fields) -> str:
    inner = "".join(f"<oml:{k}>{v}</oml:{k}>" for k, v in fields.items())
    return f"<oml:data_set_description {OML}>{inner}</oml:data_set_description>"


# ------------------------------------------------------------------------------ detection

@pytest.mark.parametrize("url", [
    "https://www.openml.org/api/v1/xml/data/61",
    "https://openml.org/api/v1/json/data/61",
    "https://api.openml.org/api/v1/xml/data/qualities/61",
    "https://test.openml.org/api/v1/xml/data/2",
    "https://www.openml.org/api/v1/json/data/features/61",
    "https://www.openml.org/api/v1/json/data/list/limit/10",
    "https://www.openml.org/api/v1/data/61",
])
def test_match_url_claims_data_api(url):
    assert openml.match_url(url)


@pytest.mark.parametrize("url", [
    "https://www.openml.org/d/61",                                  # web UI
    "https://api.openml.org/data/v1/download/61/iris.arff",         # the data file itself
    "https://www.openml.org/api/v1/xml/task/59",
    "https://www.openml.org/api/v1/json/flow/100",
    "https://data.openml.org/datasets/0000/0061/dataset_61.pq",
    "https://openml.org.evil.example/api/v1/xml/data/61",
])
def test_match_url_leaves_other_urls(url):
    assert not openml.match_url(url)


def test_sniff_claims_oml_xml_and_json():
    assert openml.sniff(fixture("data-description-37.xml"), None)
    assert openml.sniff(fixture("data-qualities-37.xml"), "text/xml")
    assert openml.sniff(fixture("data-description-40945.json"), "application/json")
    assert openml.sniff(fixture("data-list.json"), "application/json")


@pytest.mark.parametrize("body", [
    '<?xml version="1.0"?><resource xmlns="http://datacite.org/schema/kernel-4"><titles/></resource>',
    '<html><body>openml.org/openml</body></html>',
    '<root><note>xmlns:oml="http://openml.org/openml" appears in text only</note></root>',
    json.dumps({"@context": {"@vocab": "https://schema.org/"}, "@type": "sc:Dataset",
                "name": "covertype", "url": "https://www.openml.org/d/180"}),
    json.dumps({"data": [1, 2]}),
    "---\nlicense: mit\n---\n",
])
def test_sniff_leaves_other_bodies(body):
    assert not openml.sniff(body.encode("utf-8"), None)


def test_openml_url_serving_html_is_not_claimed():
    html = b"<!doctype html><html><body>Not found</body></html>"
    assert not openml.accepts(html, "text/html")
    assert registry.detect(XML_URL, html, "text/html") != "openml"


# ------------------------------------------------------------------------------ description

def test_xml_description():
    ex = run(fixture("data-description-37.xml"))
    assert record(ex) == {
        "title": "diabetes", "license": "CC0-1.0", "commercial_use": True,
        "release_date": "2014-04-06",          # upload_date; not collection/processing date
        "version": "2", "file_count": 2, "formats": ["ARFF", "PARQUET"],
        "item_count": 768, "item_unit": "instances", "class_count": 2, "access": "open",
    }
    # Counts read from the description prose are text facts.
    assert {f.field: f.rank for f in ex.facts if f.field in ("item_count", "class_count")} == {
        "item_count": RANK_TEXT, "class_count": RANK_TEXT}
    assert values(ex, "feature_count") == [8]
    assert values(ex, "keywords") == [["Medicine", "study_14"]]
    # original_data_url is the source's page, not this dataset's landing page.
    assert not values(ex, "homepage")
    urls = [f.url for f in ex.files]
    assert urls == ["https://api.openml.org/data/v1/download/37/diabetes.arff",
                    "https://data.openml.org/datasets/0000/0037/dataset_37.pq"]
    assert ex.files[0].file_id == "37" and ex.files[0].format == "ARFF"
    # md5_checksum is the main download's digest; the parquet copy has its own bytes.
    assert [f.checksum for f in ex.files] == ["md5:0123456789abcdef0123456789abcdef", None]


def test_json_description():
    ex = run(fixture("data-description-40945.json"), "https://www.openml.org/api/v1/json/data/40945",
             "application/json")
    assert record(ex) == {
        "title": "Titanic", "license": "LicenseRef-Public", "release_date": "2017-10-16",
        "version": "1", "file_count": 2, "formats": ["ARFF", "PARQUET"],
        "item_count": 1309, "item_unit": "instances", "access": "open",
    }
    # "Public" is visibility, not a licence grant: commercial use is unknown.
    assert not values(ex, "commercial_use")


def test_arff_without_extension_is_arff_only():
    body = description(name="anneal", format="ARFF",
                       url="http://www.openml.org/data/download/1666876/phpFsFYVN")
    ex = run(body, "https://test.openml.org/api/v1/xml/data/2", "text/plain")
    assert record(ex) == {"title": "anneal", "file_count": 1, "formats": ["ARFF"]}


def test_sparse_arff_is_arff():
    ex = run(description(name="x", format="Sparse_ARFF", url="https://api.openml.org/d/1/x"))
    assert record(ex)["formats"] == ["ARFF"]


def test_private_and_deactivated():
    ex = run(description(name="x", visibility="private", status="deactivated"))
    assert record(ex)["access"] == "restricted"
    assert any("deactivated" in w for w in ex.warnings)


def test_uci_style_description_counts():
    text = ("1. Title: Annealing Data\n 5. Number of Instances: 798\n 6. Number of Attributes: 38\n"
            " 7. Attribute Information:\n    1. family: --,GB,GK\n    classes:        1,2,3,4,5,U\n"
            " 8. Missing Attribute Values:\n    Attribute:  Number of instances missing its value:\n"
            "    1           0\n")
    ex = run(description(name="anneal", description=text))
    assert record(ex) == {"title": "anneal", "item_count": 798, "item_unit": "instances",
                          "class_count": 6}
    assert values(ex, "feature_count") == [38]


def test_classes_listed_as_dash_lines():
    text = ("The data set contains 3 classes of 50 instances each.\n\n### Attribute Information:\n"
            "    1. sepal length in cm\n    5. class: \n       -- Iris Setosa\n"
            "       -- Iris Versicolour\n       -- Iris Virginica")
    ex = run(description(name="iris", description=text))
    rec = record(ex)
    assert rec["class_count"] == 3
    # "3 classes of 50 instances each" states no total (150 would be computed).
    assert "item_count" not in rec


def test_collection_and_processing_dates_are_not_release_dates():
    ex = run(description(name="x", collection_date="1936",
                         processing_date="2020-11-20 19:02:18"))
    assert "release_date" not in record(ex)


# ------------------------------------------------------------------------------ qualities

def test_xml_qualities():
    ex = run(fixture("data-qualities-37.xml"), QUALITIES_URL)
    assert record(ex) == {"item_count": 768, "item_unit": "instances", "class_count": 2}
    assert values(ex, "feature_count") == [9]
    assert all(f.rank == RANK_API for f in ex.facts)


def test_json_qualities_regression_target_has_no_classes():
    data = {"data_qualities": {"quality": [
        {"name": "NumberOfClasses", "value": "0.0"},
        {"name": "NumberOfFeatures", "value": "14.0"},
        {"name": "NumberOfInstances", "value": "1030.0"},
        {"name": "MajorityClassSize", "value": None}]}}
    ex = run(data, "https://www.openml.org/api/v1/json/data/qualities/4353", "application/json")
    assert record(ex) == {"item_count": 1030, "item_unit": "instances"}


def test_qualities_win_over_description_text_and_both_stay_facts():
    text = "5. Number of Instances: 798\n"
    desc = run(description(name="anneal", description=text))
    qualities = run(f"<oml:data_qualities {OML}><oml:quality><oml:name>NumberOfInstances"
                    f"</oml:name><oml:value>898</oml:value></oml:quality></oml:data_qualities>",
                    QUALITIES_URL)
    merged = registry.combine("openml", [desc, qualities])
    assert resolve.record(merged.facts)["item_count"] == 898
    assert sorted(values(merged, "item_count")) == [798, 898]
    assert [c["other_value"] for c in resolve.conflicts(merged.facts)
            if c["field"] == "item_count"] == [798]


def test_single_quality_element_is_read():
    ex = run(f"<oml:data_qualities {OML}><oml:quality><oml:name>NumberOfClasses</oml:name>"
             f"<oml:value>7.0</oml:value></oml:quality></oml:data_qualities>", QUALITIES_URL)
    assert record(ex) == {"class_count": 7}


# ------------------------------------------------------------------------------ features, list

def test_xml_features_nominal_target():
    ex = run(fixture("data-features-37.xml"), "https://www.openml.org/api/v1/xml/data/features/37")
    assert record(ex) == {"class_count": 2}
    assert values(ex, "feature_count") == [3]


def test_json_features_numeric_target_has_no_classes():
    data = {"data_features": {"feature": [
        {"index": "0", "name": "x", "data_type": "numeric", "is_target": "false"},
        {"index": "1", "name": "y", "data_type": "numeric", "is_target": "true"}]}}
    ex = run(data, "https://www.openml.org/api/v1/json/data/features/1", "application/json")
    assert record(ex) == {}
    assert values(ex, "feature_count") == [2]


def test_json_list_is_a_listing():
    ex = run(fixture("data-list.json"), "https://www.openml.org/api/v1/json/data/list/limit/2",
             "application/json")
    assert ex.error is None and ex.listing
    assert None not in resolve.by_record(ex.facts)
    assert resolve.record(ex.facts, key="2") == {
        "title": "anneal", "version": "1", "item_count": 898, "item_unit": "instances",
        "class_count": 5}
    assert resolve.record(ex.facts, key="3")["item_count"] == 3196


def test_xml_list_is_a_listing():
    body = (f"<oml:data {OML}><oml:dataset><oml:did>61</oml:did><oml:name>iris</oml:name>"
            "<oml:version>1</oml:version><oml:status>active</oml:status><oml:format>ARFF</oml:format>"
            "<oml:quality><oml:name>NumberOfInstances</oml:name><oml:value>150.0</oml:value>"
            "</oml:quality></oml:dataset></oml:data>")
    ex = run(body, "https://www.openml.org/api/v1/xml/data/list/limit/1")
    assert ex.listing
    assert resolve.record(ex.facts, key="61") == {"title": "iris", "version": "1",
                                                  "item_count": 150, "item_unit": "instances"}


# ------------------------------------------------------------------------------ errors

def test_xml_error_response():
    body = (f"<oml:error {OML}><oml:code>111</oml:code><oml:message>Unknown dataset</oml:message>"
            "</oml:error>")
    ex = run(body)
    assert ex.error and "Unknown dataset" in ex.error


def test_json_error_response():
    ex = run({"error": {"code": "111", "message": "Unknown dataset"}},
             "https://www.openml.org/api/v1/json/data/999999", "application/json")
    assert ex.error and "111" in ex.error


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<oml:data_set_description xmlns:oml="http://openml.org/openml"><oml:name>&lol9;</oml:name>
</oml:data_set_description>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<oml:data_set_description xmlns:oml="http://openml.org/openml"><oml:name>&xxe;</oml:name>
</oml:data_set_description>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE])
def test_xml_bombs_and_external_entities_are_refused(body):
    start = time.monotonic()
    ex = run(body)
    assert time.monotonic() - start < 5
    assert ex.error and "DTD" in ex.error
    assert not ex.facts


def test_external_entity_is_never_resolved_even_past_the_dtd_check():
    # Entities declared after 64 KB of padding slip past the quick check: the parser itself must
    # still not resolve them (resolve_entities=False, no network).
    body = XXE.replace(b"<?xml version=\"1.0\"?>", b"<?xml version=\"1.0\"?>" + b" " * 70_000)
    body = body.replace(b"</oml:name>", b"</oml:name><oml:version>3</oml:version>")
    ex = run(body)
    assert ex.error is None
    assert record(ex) == {"version": "3"}      # the entity stayed an unresolved reference
    assert all("root:" not in str(f.value) for f in ex.facts)


@pytest.mark.parametrize("body", [
    b"",
    b"   ",
    b"plain text, not an API response",
    b"<oml:data_set_description xmlns:oml=\"http://openml.org/openml\"><oml:name>iris",  # truncated
    b"<oml:data_set_description><oml:name>unbound prefix</oml:name></oml:data_set_description>",
    b"<data_set_description xmlns=\"http://example.org/other\"><name>x</name></data_set_description>",
    b"<oml:task xmlns:oml=\"http://openml.org/openml\"><oml:task_id>1</oml:task_id></oml:task>",
    b"<oml:a xmlns:oml=\"http://openml.org/openml\">" + b"<oml:b>" * 5000 + b"</oml:b>" * 5000
    + b"</oml:a>",
    b"{\"data_set_description\": [1, 2]}",
    b"{\"data_set_description\": {\"name\": \"x\"}, \"extra\": 1}",
    b"[{\"data_set_description\": {}}]",
    b"{\"data_set_description\": {\"name\": \"iris\"",                                   # truncated
    b"{" * 100_000,
])
def test_unreadable_inputs_are_errors(body):
    ex = run(body)
    assert ex.error
    assert len(ex.error) <= 500


@pytest.mark.parametrize("data", [
    {"data_set_description": {"name": ["a", "b"], "tag": {"x": 1}, "upload_date": 5,
                              "url": ["u1", "u2"], "description": {"a": 1}, "licence": 3,
                              "visibility": None, "format": [], "parquet_url": {}}},
    {"data_qualities": {"quality": [None, 1, "x", {"name": 5},
                                    {"name": "NumberOfInstances", "value": "1e400"},
                                    {"name": "NumberOfClasses", "value": "NaN"},
                                    {"name": "NumberOfFeatures", "value": "-3"}]}},
    {"data_qualities": {"quality": "NumberOfInstances"}},
    {"data_features": {"feature": [{"is_target": "true", "data_type": "nominal",
                                    "nominal_value": 5}, "x"]}},
    {"data": {"dataset": [None, {"did": None}, {"did": "5", "quality": {"name": "x"}}]}},
])
def test_wrong_types_do_not_raise(data):
    ex = run(data, "https://www.openml.org/api/v1/json/data/1", "application/json")
    assert ex.error is None
    assert not {"item_count", "class_count", "feature_count"} & set(resolve.record(ex.facts))


def test_huge_description_is_capped_and_fast():
    text = ("Number of Instances 12 " * 100_000 + "\n" + "7 classes " * 50_000
            + "classes: " + "a," * 100_000)
    start = time.monotonic()
    ex = run(description(name="x", description=text))
    assert time.monotonic() - start < 10
    assert ex.error is None
    assert all(len(f.evidence) <= 300 for f in ex.facts)
    assert len(values(ex, "description")[0]) <= 5000


def test_sniff_never_raises_on_hostile_bodies():
    for body in (BILLION_LAUGHS, XXE, b"<" * 10_000, b"{" * 100_000, b"\x00\xff" * 100):
        assert openml.sniff(body, None) in (True, False)


# ------------------------------------------------------------- audit fixes (real-input families)

def test_qualities_contradicting_themselves_state_no_size():
    """Family: OpenML qualities. A majority class larger than NumberOfInstances (edited test
    fixtures of truncated data files) cannot be the dataset's size: item_count is not read,
    the class count still is."""
    data = {"data_qualities": {"quality": [
        {"name": "NumberOfInstances", "value": "12.0"},
        {"name": "MajorityClassSize", "value": "3050.0"},
        {"name": "NumberOfClasses", "value": "4.0"}]}}
    ex = run(data, "https://www.openml.org/api/v1/json/data/qualities/9001", "application/json")
    rec = record(ex)
    assert "item_count" not in rec and rec["class_count"] == 4
    assert any("MajorityClassSize" in w for w in ex.warnings)


def test_consistent_qualities_still_give_the_size():
    data = {"data_qualities": {"quality": [
        {"name": "NumberOfInstances", "value": "500.0"},
        {"name": "MajorityClassSize", "value": "320.0"}]}}
    ex = run(data, "https://www.openml.org/api/v1/json/data/qualities/9002", "application/json")
    assert record(ex)["item_count"] == 500


def test_libsvm_style_description_counts():
    """Family: OpenML descriptions of datasets taken from the LibSVM site, which list
    "# of classes: N" and "# of data: N" lines."""
    text = ("This is the well-known heart data, retrieved 2015-02-01 from the libSVM site.\n"
            "It was scaled to [-1, 1].\n\nSource: Statlog / Heart\n# of classes: 2\n"
            "# of data: 270\n# of features: 13\n")
    data = {"data_set_description": {"id": "9003", "name": "heart-libsvm", "version": "1",
                                     "description": text}}
    ex = run(data, "https://www.openml.org/api/v1/json/data/9003", "application/json")
    rec = record(ex)
    assert rec["item_count"] == 270 and rec["class_count"] == 2


def test_note_about_one_named_value_is_not_the_total():
    """Family: UCI-derived OpenML descriptions with uploader notes: "there are 2 instances of
    "bat"" counts the rows of one value, not the dataset."""
    text = ("**Zoo-like database**\nA simple table of 16 attributes describing animals.\n\n"
            "Notes:\n* Oddly there are 3 instances of \"bat\" and one of \"mole\"!\n")
    data = {"data_set_description": {"id": "9004", "name": "animals", "version": "1",
                                     "description": text}}
    ex = run(data, "https://www.openml.org/api/v1/json/data/9004", "application/json")
    assert "item_count" not in record(ex)


# ------------------------------------------------------------- label evidence (issue 13)
# Two datasets written in the API's real structure (OpenML v1 JSON and XML), one balanced
# three-class set whose qualities state the class percentages, one binary set whose older
# qualities state only the class sizes. The figures are iris' (61) and credit-g's (31).

def iris_like_description() -> dict:
    return {"data_set_description": {
        "id": "61", "name": "iris", "version": "1", "format": "ARFF",
        "upload_date": "2014-04-06T23:23:39", "licence": "Public",
        "url": "https://api.openml.org/data/v1/download/61/iris.arff", "file_id": "61",
        "default_target_attribute": "class", "visibility": "public", "status": "active",
        "md5_checksum": "ad484452702105cbf3d30f8deaba39a9"}}


def iris_like_qualities() -> dict:
    names = {"MajorityClassPercentage": "33.33333333333333", "MajorityClassSize": "50.0",
             "MinorityClassPercentage": "33.33333333333333", "MinorityClassSize": "50.0",
             "NumberOfClasses": "3.0", "NumberOfFeatures": "5.0", "NumberOfInstances": "150.0",
             "NumberOfMissingValues": "0.0", "PercentageOfMissingValues": "0.0"}
    return {"data_qualities": {"quality": [{"name": k, "value": v} for k, v in names.items()]}}


def iris_like_features() -> dict:
    numeric = [{"index": str(i), "name": n, "data_type": "numeric", "is_target": "false",
                "is_ignore": "false", "is_row_identifier": "false", "number_of_missing_values": "0"}
               for i, n in enumerate(["sepallength", "sepalwidth", "petallength", "petalwidth"])]
    target = {"index": "4", "name": "class", "data_type": "nominal",
              "nominal_value": ["Iris-setosa", "Iris-versicolor", "Iris-virginica"],
              "is_target": "true", "is_ignore": "false", "is_row_identifier": "false",
              "number_of_missing_values": "0"}
    return {"data_features": {"feature": numeric + [target]}}


def credit_like_qualities_xml(missing: str = "0.0") -> str:
    names = {"MajorityClassSize": "700.0", "MinorityClassSize": "300.0",
             "NumberOfClasses": "2.0", "NumberOfFeatures": "21.0", "NumberOfInstances": "1000.0",
             "NumberOfMissingValues": missing}
    inner = "".join(f"<oml:quality><oml:name>{k}</oml:name><oml:value>{v}</oml:value></oml:quality>"
                    for k, v in names.items())
    return f"<oml:data_qualities {OML}>{inner}</oml:data_qualities>"


JSON_DESC = "https://www.openml.org/api/v1/json/data/61"


def fact(ex, field):
    found = [f for f in ex.facts if f.field == field]
    assert len(found) == 1, found
    return found[0]


def test_json_description_follows_its_qualities_and_features():
    ex = run(iris_like_description(), JSON_DESC, "application/json")
    assert [(f.url, f.kind) for f in ex.follow] == [
        ("https://www.openml.org/api/v1/json/data/qualities/61", "evidence"),
        ("https://www.openml.org/api/v1/json/data/features/61", "evidence")]


@pytest.mark.parametrize("url", ["https://www.openml.org/api/v1/xml/data/37",
                                 "https://www.openml.org/api/v1/data/37"])
def test_xml_description_follows_the_xml_forms(url):
    ex = run(description(id="37", name="diabetes", default_target_attribute="class"), url)
    assert [f.url for f in ex.follow] == [
        "https://www.openml.org/api/v1/xml/data/qualities/37",
        "https://www.openml.org/api/v1/xml/data/features/37"]


def test_test_server_description_follows_on_its_own_host():
    ex = run(description(id="2", name="anneal"), "https://test.openml.org/api/v1/xml/data/2")
    assert [f.url for f in ex.follow][0] == "https://test.openml.org/api/v1/xml/data/qualities/2"


@pytest.mark.parametrize("url", [None, "https://www.openml.org/api/v1/json/data/list/limit/2",
                                 "file:///tmp/61.json"])
def test_no_follow_without_a_description_url(url):
    assert run(iris_like_description(), url, "application/json").follow == []


def test_no_follow_when_the_body_names_another_dataset():
    ex = run(iris_like_description(), "https://www.openml.org/api/v1/json/data/62", "application/json")
    assert ex.follow == [] and any("not the id 62" in w for w in ex.warnings)


def test_iris_like_json_qualities():
    ex = run(iris_like_qualities(), "https://www.openml.org/api/v1/json/data/qualities/61",
             "application/json")
    missing = fact(ex, "missing_values")
    assert missing.value == {"pct": 0.0, "columns": 5, "rows": 150, "split": None,
                             "source": "OpenML qualities"}
    assert missing.rank == RANK_API
    assert missing.evidence.startswith("$.data_qualities.quality: NumberOfMissingValues = 0.0")
    estimate = fact(ex, "class_share_estimate")
    assert estimate.value == {"classes": 3, "majority_pct": 33.3333, "minority_pct": 33.3333}
    assert "MajorityClassPercentage = 33.33333333333333" in estimate.evidence
    # qualities alone do not say how many targets there are
    assert values(ex, "labels_per_item") == []


def test_iris_like_json_features_single_nominal_target():
    ex = run(iris_like_features(), "https://www.openml.org/api/v1/json/data/features/61",
             "application/json")
    per_item = fact(ex, "labels_per_item")
    assert per_item.value == 1.0
    assert per_item.evidence.startswith("$.data_features.feature[name=class]")
    assert values(ex, "class_count") == [3]
    # the features state the target's values, never their counts
    assert values(ex, "class_counts") == []


def test_credit_like_xml_qualities_shares_from_class_sizes():
    ex = run(credit_like_qualities_xml(), "https://www.openml.org/api/v1/xml/data/qualities/31")
    assert fact(ex, "class_share_estimate").value == {"classes": 2, "majority_pct": 70.0,
                                                      "minority_pct": 30.0}
    assert "oml:data_qualities/oml:quality: NumberOfClasses = 2.0, MajorityClassSize = 700.0" \
        in fact(ex, "class_share_estimate").evidence
    assert fact(ex, "missing_values").value["columns"] == 21


def test_missing_values_share_of_cells():
    """Family: OpenML qualities of a dataset with missing cells (anneal-like: 898 x 39)."""
    data = {"data_qualities": {"quality": [
        {"name": "NumberOfInstances", "value": "898.0"},
        {"name": "NumberOfFeatures", "value": "39.0"},
        {"name": "NumberOfMissingValues", "value": "22175.0"}]}}
    ex = run(data, "https://www.openml.org/api/v1/json/data/qualities/2", "application/json")
    assert fact(ex, "missing_values").value["pct"] == round(100 * 22175 / (898 * 39), 4)


@pytest.mark.parametrize("names", [
    {"NumberOfInstances": "10.0", "NumberOfFeatures": "2.0", "NumberOfMissingValues": "21.0"},
    {"NumberOfInstances": "0.0", "NumberOfFeatures": "2.0", "NumberOfMissingValues": "0.0"},
    {"NumberOfFeatures": "2.0", "NumberOfMissingValues": "0.0"},
    {"NumberOfInstances": "10.0", "NumberOfFeatures": "2.0", "NumberOfMissingValues": "1.5"},
])
def test_missing_values_not_read_when_the_figures_do_not_hold(names):
    data = {"data_qualities": {"quality": [{"name": k, "value": v} for k, v in names.items()]}}
    ex = run(data, "https://www.openml.org/api/v1/json/data/qualities/9", "application/json")
    assert values(ex, "missing_values") == []


@pytest.mark.parametrize("majority, minority, classes", [
    ("30.0", "70.0", "2.0"),     # minority above the majority
    ("50.0", "40.0", "3.0"),     # 50 + 2 x 40 > 100
    ("20.0", "10.0", "3.0"),     # three classes of at most 20% cannot make 100%
    ("NaN", "10.0", "3.0"),
])
def test_class_shares_that_cannot_hold_are_not_read(majority, minority, classes):
    data = {"data_qualities": {"quality": [
        {"name": "NumberOfClasses", "value": classes},
        {"name": "MajorityClassPercentage", "value": majority},
        {"name": "MinorityClassPercentage", "value": minority}]}}
    ex = run(data, "https://www.openml.org/api/v1/json/data/qualities/9", "application/json")
    assert values(ex, "class_share_estimate") == []


def test_regression_qualities_give_no_class_facts():
    data = {"data_qualities": {"quality": [
        {"name": "NumberOfClasses", "value": "0.0"},
        {"name": "MajorityClassPercentage", "value": None},
        {"name": "NumberOfInstances", "value": "209.0"}]}}
    ex = run(data, "https://www.openml.org/api/v1/json/data/qualities/561", "application/json")
    assert values(ex, "class_share_estimate") == [] and values(ex, "labels_per_item") == []


def _pages(desc_body, qualities_body, features_body=None, fmt="json"):
    ctype = "application/json" if fmt == "json" else "application/xml"
    parts = [run(desc_body, f"https://www.openml.org/api/v1/{fmt}/data/31", ctype),
             run(qualities_body, f"https://www.openml.org/api/v1/{fmt}/data/qualities/31", ctype)]
    if features_body is not None:
        parts.append(run(features_body, f"https://www.openml.org/api/v1/{fmt}/data/features/31", ctype))
    return registry.combine("openml", parts)


def test_combine_description_target_and_qualities_classes_give_single_label():
    """Family: an XML description naming one default target + its qualities, no features."""
    merged = _pages(description(id="31", name="credit-g", default_target_attribute="class"),
                    credit_like_qualities_xml(), fmt="xml")
    per_item = fact(merged, "labels_per_item")
    assert per_item.value == 1.0 and per_item.rank == RANK_API
    assert "[name=NumberOfClasses] = 2.0" in per_item.evidence
    assert "default_target_attribute = class" in per_item.evidence


def test_combine_multi_target_description_gives_no_single_label():
    merged = _pages(description(id="31", name="multi", default_target_attribute="y1,y2"),
                    credit_like_qualities_xml(), fmt="xml")
    assert values(merged, "labels_per_item") == []


def test_combine_features_with_two_targets_overrule_the_description():
    features = iris_like_features()
    features["data_features"]["feature"][0]["is_target"] = "true"
    merged = _pages(iris_like_description(), iris_like_qualities(), features)
    assert values(merged, "labels_per_item") == []


def test_combine_keeps_one_single_label_fact_when_features_state_it():
    merged = _pages(iris_like_description(), iris_like_qualities(), iris_like_features())
    assert [f.evidence.split(" ")[0] for f in merged.facts if f.field == "labels_per_item"] == [
        "$.data_features.feature[name=class]"]
    assert {"missing_values", "class_share_estimate"} <= {f.field for f in merged.facts}
