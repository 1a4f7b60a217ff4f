"""Hugging Face dataset-viewer evidence: the follows from the Hub API page (/splits, /size, /info)
and from /splits (/statistics of one split per config), the label-column figures of /statistics
(missing values, class counts, labels per item) and how combine() reads the pages of one source
together. Two datasets written here in the viewer's real structure (fixtures/huggingface/viewer-*):
a single-label image set (one ClassLabel) and a multi-label text set of two configs (a Sequence of
ClassLabel, which /statistics reports as a `list` column of lengths); the real statistics example of
the corpus is read in place."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors import registry, resolve
from extractors.adapters import huggingface
from extractors.adapters.huggingface.features import label_columns
from extractors.model import RANK_API, RANK_EMBEDDED
from tests.extractors.adapter_support import as_body, field_values as values

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "huggingface"
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "huggingface"
VIEWER = "https://datasets-server.huggingface.co"
RETINA, TOPICS = "example-lab%2Fretina-grades", "example-nlp%2Ftopic-tags"
STATISTICS_FIELDS = ("class_count", "class_counts", "missing_values", "labels_per_item")


def page(name: str, url: str):
    return registry.run("huggingface", url, (FIXTURES / name).read_bytes(), "application/json")


def run(body, url=None):
    return registry.run("huggingface", url, as_body(body), "application/json")


def winners(ex) -> dict:
    resolution = resolve.resolve(ex.facts)
    return {f.field: f.value for f, won in zip(resolution.facts, resolution.winner)
            if won and f.record is None}


def winner_facts(ex) -> dict:
    resolution = resolve.resolve(ex.facts)
    return {f.field: f for f, won in zip(resolution.facts, resolution.winner) if won and f.record is None}


def retina_pages():
    return [page("viewer-retina-grades-api.json", "https://huggingface.co/api/datasets/example-lab/retina-grades"),
            page("viewer-retina-grades-splits.json", f"{VIEWER}/splits?dataset={RETINA}"),
            page("viewer-retina-grades-size.json", f"{VIEWER}/size?dataset={RETINA}"),
            page("viewer-retina-grades-info.json", f"{VIEWER}/info?dataset={RETINA}"),
            page("viewer-retina-grades-statistics-train.json",
                 f"{VIEWER}/statistics?dataset={RETINA}&config=default&split=train")]


def topic_pages(configs=("en", "de")):
    return [page("viewer-topic-tags-api.json", "https://huggingface.co/api/datasets/example-nlp/topic-tags"),
            page("viewer-topic-tags-splits.json", f"{VIEWER}/splits?dataset={TOPICS}"),
            page("viewer-topic-tags-size.json", f"{VIEWER}/size?dataset={TOPICS}"),
            page("viewer-topic-tags-info.json", f"{VIEWER}/info?dataset={TOPICS}")] + [
        page(f"viewer-topic-tags-statistics-{c}-train.json",
             f"{VIEWER}/statistics?dataset={TOPICS}&config={c}&split=train") for c in configs]


# --------------------------------------------------------------------------------- follows

@pytest.mark.parametrize("name, repo", [("viewer-retina-grades-api.json", "example-lab/retina-grades"),
                                        ("viewer-topic-tags-api.json", "example-nlp/topic-tags"),
                                        ("api-dataset-blobs.json", "example-org/leaf-disease")])
def test_hub_api_page_follows_exactly_the_contract_urls(name, repo):
    ex = page(name, f"https://huggingface.co/api/datasets/{repo}")
    q = repo.replace("/", "%2F")
    assert [(f.url, f.kind) for f in ex.follow] == [
        (f"https://datasets-server.huggingface.co/splits?dataset={q}", "evidence"),
        (f"https://datasets-server.huggingface.co/size?dataset={q}", "evidence"),
        (f"https://datasets-server.huggingface.co/info?dataset={q}", "evidence")]


def test_a_canonical_dataset_without_owner_is_followed_too():
    ex = run({"id": "beans", "lastModified": "2024-01-01T00:00:00.000Z", "private": False,
              "gated": False, "siblings": []}, "https://huggingface.co/api/datasets/beans")
    assert [f.url for f in ex.follow][0] == "https://datasets-server.huggingface.co/splits?dataset=beans"


@pytest.mark.parametrize("change", [{"gated": "manual"}, {"gated": "auto"}, {"private": True},
                                    {"disabled": True}, {"cardData": {"viewer": False}}])
def test_no_viewer_follows_where_the_viewer_would_not_answer(change):
    data = json.loads((FIXTURES / "viewer-retina-grades-api.json").read_text())
    if "cardData" in change:
        data["cardData"].update(change["cardData"])
    else:
        data.update(change)
    ex = run(data, "https://huggingface.co/api/datasets/example-lab/retina-grades")
    assert ex.follow == []
    assert any("not followed" in w for w in ex.warnings)


def test_splits_follow_the_train_split_of_each_config():
    ex = page("viewer-topic-tags-splits.json", f"{VIEWER}/splits?dataset={TOPICS}")
    assert [(f.url, f.kind) for f in ex.follow] == [
        (f"{VIEWER}/statistics?dataset=example-nlp%2Ftopic-tags&config=en&split=train", "evidence"),
        (f"{VIEWER}/statistics?dataset=example-nlp%2Ftopic-tags&config=de&split=train", "evidence")]
    assert ex.facts == []


def test_splits_without_train_take_the_first_and_at_most_five_configs():
    names = ["2019", "2020", "2021", "2022", "2023", "2024 full"]
    data = {"splits": [{"dataset": "org/multi", "config": c, "split": s}
                       for c in names for s in ("validation", "test")] +
                      [{"dataset": "org/multi", "config": "2020", "split": "train"}],
            "pending": [], "failed": []}
    ex = run(data, f"{VIEWER}/splits?dataset=org%2Fmulti")
    assert [f.url for f in ex.follow] == [
        f"{VIEWER}/statistics?dataset=org%2Fmulti&config=2019&split=validation",
        f"{VIEWER}/statistics?dataset=org%2Fmulti&config=2020&split=train",
        f"{VIEWER}/statistics?dataset=org%2Fmulti&config=2021&split=validation",
        f"{VIEWER}/statistics?dataset=org%2Fmulti&config=2022&split=validation",
        f"{VIEWER}/statistics?dataset=org%2Fmulti&config=2023&split=validation"]
    assert any("more than 5 configs" in w for w in ex.warnings)


def test_split_and_config_names_are_percent_encoded():
    data = {"splits": [{"dataset": "org/x", "config": "en & fr", "split": "train/2024"}]}
    ex = run(data, f"{VIEWER}/splits?dataset=org%2Fx")
    assert ex.follow[0].url == f"{VIEWER}/statistics?dataset=org%2Fx&config=en%20%26%20fr&split=train%2F2024"


# ---------------------------------------------------------- one /statistics page alone

def test_single_label_statistics_alone():
    ex = page("viewer-retina-grades-statistics-train.json",
              f"{VIEWER}/statistics?dataset={RETINA}&config=default&split=train")
    facts = winner_facts(ex)
    assert facts["class_counts"].value == {"no_dr": 1580, "mild": 330, "moderate": 690, "severe": 340,
                                           "proliferative": 260}
    assert facts["missing_values"].value == {"pct": 0.0, "columns": 1, "rows": 3200, "split": "train",
                                             "source": "Hub statistics"}
    assert facts["labels_per_item"].value == 1.0
    assert facts["class_count"].value == 5
    assert "item_count" not in facts                      # 3200 is the train split only
    assert all(f.rank == RANK_API and f.basis == "published" for f in facts.values())
    assert facts["missing_values"].evidence.startswith(
        "$.statistics[1] label (class_label, train split): nan_proportion 0.0")
    assert "train split" in facts["class_counts"].evidence


def test_list_columns_alone_are_not_known_to_be_labels():
    """A `list` column's statistics are list lengths of anything: without the features a page
    states no labels per item, and its missing values leave the list out."""
    ex = page("viewer-topic-tags-statistics-en-train.json",
              f"{VIEWER}/statistics?dataset={TOPICS}&config=en&split=train")
    assert [f for f in ex.facts if f.field in STATISTICS_FIELDS] == []


def test_a_list_column_beside_a_class_label_leaves_density_open_until_the_features_say():
    stats = {"num_examples": 500, "partial": False, "statistics": [
        {"column_name": "tokens", "column_type": "list", "column_statistics": {
            "nan_count": 0, "nan_proportion": 0.0, "min": 3, "max": 80, "mean": 21.4}},
        {"column_name": "label", "column_type": "class_label", "column_statistics": {
            "nan_count": 0, "nan_proportion": 0.0, "no_label_count": 0, "no_label_proportion": 0.0,
            "n_unique": 2, "frequencies": {"neg": 260, "pos": 240}}}]}
    url = f"{VIEWER}/statistics?dataset=org%2Freviews&config=default&split=train"
    alone = run(stats, url)
    assert "labels_per_item" not in winners(alone)
    assert winners(alone)["class_counts"] == {"neg": 260, "pos": 240}
    info = {"dataset_info": {"default": {"features": {
        "tokens": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "Sequence"},
        "label": {"names": ["neg", "pos"], "_type": "ClassLabel"}},
        "splits": {"train": {"name": "train", "num_examples": 500}}}}, "partial": False}
    merged = registry.combine("huggingface", [run(info, f"{VIEWER}/info?dataset=org%2Freviews"), alone])
    density = [f for f in merged.facts if f.field == "labels_per_item"]
    assert [f.value for f in density] == [1.0, 1.0]   # /info's schema and the split agree
    assert "$.statistics[1] label (class_label, train split)" in density[1].evidence


def test_several_class_label_columns_state_no_class_counts_but_their_missing_values():
    stats = {"num_examples": 1000, "partial": False, "statistics": [
        {"column_name": "coarse", "column_type": "class_label", "column_statistics": {
            "nan_count": 0, "nan_proportion": 0.0, "no_label_count": 0, "no_label_proportion": 0.0,
            "n_unique": 2, "frequencies": {"a": 600, "b": 400}}},
        {"column_name": "fine", "column_type": "class_label", "column_statistics": {
            "nan_count": 50, "nan_proportion": 0.05, "no_label_count": 30, "no_label_proportion": 0.03,
            "n_unique": 3, "frequencies": {"a1": 300, "a2": 220, "b1": 400}}}]}
    ex = run(stats, f"{VIEWER}/statistics?dataset=org%2Fx&config=default&split=train")
    facts = winners(ex)
    assert "class_counts" not in facts and "class_count" not in facts and "labels_per_item" not in facts
    # fine: 5% null + 3% "no label" (-1) = 8% missing; coarse 0%: mean 4%.
    assert facts["missing_values"] == {"pct": 4.0, "columns": 2, "rows": 1000, "split": "train",
                                       "source": "Hub statistics"}
    assert any("class_label columns" in w for w in ex.warnings)


def test_older_responses_with_counts_only_and_no_split_in_the_url():
    """Older /statistics responses state nan_count without nan_proportion; a body read without
    its URL names no split."""
    stats = {"num_examples": 400, "statistics": [
        {"column_name": "label", "column_type": "class_label", "column_statistics": {
            "nan_count": 8, "n_unique": 2, "frequencies": {"no": 200, "yes": 192}}}]}
    facts = winners(run(stats))
    assert facts["missing_values"] == {"pct": 2.0, "columns": 1, "rows": 400, "split": None,
                                       "source": "Hub statistics"}
    assert facts["class_counts"] == {"no": 200, "yes": 192}


def test_partial_statistics_state_no_counts():
    data = json.loads((FIXTURES / "viewer-retina-grades-statistics-train.json").read_text())
    data["partial"] = True
    facts = winner_facts(run(data, f"{VIEWER}/statistics?dataset={RETINA}&config=default&split=train"))
    assert "class_counts" not in facts
    assert "partial" in facts["missing_values"].evidence


def test_corpus_statistics_example_in_place():
    path = CORPUS / "datasets-server-statistics-nyu-mll-glue-cola-train.json"
    if not path.is_file():
        pytest.skip("../shared/corpus is absent")
    url = json.loads(path.with_name(path.name + ".expected.json").read_text())["url"]
    facts = winner_facts(registry.run("huggingface", url, path.read_bytes(), "application/json"))
    assert facts["class_counts"].value == {"unacceptable": 2528, "acceptable": 6023}
    assert facts["missing_values"].value == {"pct": 0.0, "columns": 1, "rows": 8551, "split": "train",
                                             "source": "Hub statistics"}
    assert facts["labels_per_item"].value == 1.0
    assert "train split, config cola" in facts["class_counts"].evidence
    assert "item_count" not in facts


# ----------------------------------------------------------------- the pages combined

def test_single_label_source_combined():
    merged = registry.combine("huggingface", retina_pages())
    facts = winner_facts(merged)
    assert facts["item_count"].value == 4000          # /size's total of every split
    assert facts["item_count"].evidence == "$.size.dataset.num_rows = 4000"
    assert facts["labels_per_item"].value == 1.0
    assert facts["class_counts"].value["no_dr"] == 1580
    assert facts["missing_values"].value["split"] == "train"
    assert facts["class_count"].value == 5
    assert merged.extractor == f"huggingface@{huggingface.VERSION}"


def test_multi_label_source_of_one_config_reads_the_list_through_the_features():
    merged = registry.combine("huggingface", topic_pages(configs=("en",)))
    facts = winner_facts(merged)
    assert facts["labels_per_item"].value == 1.45455
    assert facts["labels_per_item"].evidence.startswith(
        "$.statistics[1].column_statistics.mean labels (list of class_label, train split, config en)")
    assert facts["missing_values"].value == {"pct": 1.0, "columns": 1, "rows": 12000, "split": "train",
                                             "source": "Hub statistics"}
    assert "class_counts" not in facts
    # No single-label schema: /info states no labels_per_item of its own.
    assert values(merged, "labels_per_item") == [1.45455]


def test_two_configs_pool_missing_values_and_weight_labels_per_item():
    merged = registry.combine("huggingface", topic_pages())
    facts = winner_facts(merged)
    assert facts["missing_values"].value == {"pct": 0.5, "columns": 2, "rows": 16000, "split": "train",
                                             "source": "Hub statistics"}
    assert facts["labels_per_item"].value == round((1.45455 * 11880 + 1.3975 * 4000) / 15880, 5)
    assert "en/train" in facts["labels_per_item"].evidence and "de/train" in facts["labels_per_item"].evidence
    assert facts["item_count"].value == 18000
    assert values(merged, "missing_values") == [facts["missing_values"].value]   # the pages' own replaced


def test_configs_with_different_class_counts_state_none():
    first = json.loads((FIXTURES / "viewer-retina-grades-statistics-train.json").read_text())
    second = json.loads(json.dumps(first))
    second["statistics"][1]["column_statistics"]["frequencies"]["mild"] = 331
    parts = [run(first, f"{VIEWER}/statistics?dataset=o%2Fd&config=left&split=train"),
             run(second, f"{VIEWER}/statistics?dataset=o%2Fd&config=right&split=train")]
    merged = registry.combine("huggingface", parts)
    facts = winners(merged)
    assert "class_counts" not in facts
    assert facts["class_count"] == 5 and facts["labels_per_item"] == 1.0
    assert any("class_counts differs between configs" in w for w in merged.warnings)
    same = registry.combine("huggingface", [parts[0], run(first, f"{VIEWER}/statistics?dataset=o%2Fd&config=right&split=train")])
    assert winners(same)["class_counts"]["mild"] == 330


def test_per_split_figures_never_become_the_item_count():
    """Without /size and /info, the statistics pages (num_examples 12000 and 4000) state no
    item_count; with /info the total is the sum of all splits of all configs."""
    parts = topic_pages()
    merged = registry.combine("huggingface", [parts[0], parts[1], *parts[4:]])
    assert "item_count" not in winners(merged)
    with_info = registry.combine("huggingface", [parts[0], parts[3], *parts[4:]])
    assert winners(with_info)["item_count"] == 18000


def test_size_with_pending_configs_states_no_totals():
    data = json.loads((FIXTURES / "viewer-topic-tags-size.json").read_text())
    data["pending"] = [{"kind": "config-size", "dataset": "example-nlp/topic-tags", "config": "fr", "split": None}]
    ex = run(data, f"{VIEWER}/size?dataset={TOPICS}")
    assert "item_count" not in winners(ex) and "size_bytes" not in winners(ex)
    assert any("pending" in w for w in ex.warnings)


def test_combine_keeps_a_delegated_croissant_page_and_an_error_page():
    croissant = {"@context": {"@vocab": "https://schema.org/", "cr": "http://mlcommons.org/croissant/"},
                 "@type": "sc:Dataset", "conformsTo": "http://mlcommons.org/croissant/1.0",
                 "name": "retina-grades", "license": "https://creativecommons.org/licenses/by/4.0/"}
    broken = run(b'{"error": "The dataset does not exist."}', f"{VIEWER}/info?dataset=x")
    parts = retina_pages() + [run(croissant, f"{VIEWER}/croissant?dataset={RETINA}"), broken]
    merged = registry.combine("huggingface", parts)
    assert merged.adapter == "huggingface" and merged.error.startswith("error response")
    assert sum(len(p.facts) for p in parts) == len(merged.facts)   # statistics facts replaced 1:1
    assert winners(merged)["labels_per_item"] == 1.0


# ----------------------------------------------------------- features: which columns label

@pytest.mark.parametrize("features, expected", [
    ({"image": {"_type": "Image"}, "label": {"names": ["a", "b"], "_type": "ClassLabel"}},
     [("label", "class_label")]),
    ({"labels": {"feature": {"names": ["a", "b"], "_type": "ClassLabel"}, "_type": "Sequence"}},
     [("labels", "list")]),
    ({"labels": {"feature": {"names": ["a", "b"], "_type": "ClassLabel"}, "_type": "List"}},
     [("labels", "list")]),
    ({"labels": [{"names": ["a", "b"], "_type": "ClassLabel"}]}, [("labels", "list")]),
    ({"objects": {"_type": "Sequence", "feature": {
        "bbox": {"_type": "Sequence", "feature": {"dtype": "float32", "_type": "Value"}},
        "category": {"_type": "ClassLabel", "names": ["car", "bus"]}}}}, [("objects", "nested")]),
    ([{"name": "label", "dtype": {"class_label": {"names": {"0": "a", "1": "b"}}}}],
     [("label", "class_label")]),
    ([{"name": "tags", "sequence": {"class_label": {"names": {"0": "a", "1": "b"}}}}], [("tags", "list")]),
    ([{"name": "tags", "list": {"class_label": {"names": {"0": "a", "1": "b"}}}}], [("tags", "list")]),
    ([{"name": "text", "dtype": "string"}, {"name": "tokens", "sequence": "string"}], []),
])
def test_label_columns_by_kind(features, expected):
    assert label_columns(features) == expected


def test_card_yaml_single_label_schema_gives_one_label_per_item():
    card = ("---\npretty_name: Leaf spots\ndataset_info:\n  features:\n  - name: image\n    dtype: image\n"
            "  - name: label\n    dtype:\n      class_label:\n        names:\n          '0': healthy\n"
            "          '1': spot\n  splits:\n  - name: train\n    num_examples: 90\n---\n")
    ex = registry.run("huggingface", "https://huggingface.co/datasets/o/leaf/raw/main/README.md",
                      card.encode(), "text/plain")
    density = [f for f in ex.facts if f.field == "labels_per_item"]
    assert [(f.value, f.rank) for f in density] == [(1.0, RANK_EMBEDDED)]
    assert ex.meta["hf_label_columns"] == {"default": {"class_label": ["label"], "list": []}}
    multi = card.replace("    dtype:\n      class_label:", "    sequence:\n      class_label:")
    ex = registry.run("huggingface", "https://huggingface.co/datasets/o/leaf/raw/main/README.md",
                      multi.encode(), "text/plain")
    assert values(ex, "labels_per_item") == []
    assert ex.meta["hf_label_columns"] == {"default": {"class_label": [], "list": ["label"]}}


def test_info_of_several_configs_needs_a_single_label_schema_in_each():
    info = json.loads((FIXTURES / "viewer-retina-grades-info.json").read_text())
    info["dataset_info"]["detection"] = {"features": {"objects": {"_type": "Sequence", "feature": {
        "category": {"_type": "ClassLabel", "names": ["a", "b"]}, "area": {"dtype": "int32", "_type": "Value"}}}}}
    ex = run(info, f"{VIEWER}/info?dataset={RETINA}")
    assert values(ex, "labels_per_item") == []
    assert values(page("viewer-retina-grades-info.json", f"{VIEWER}/info?dataset={RETINA}"),
                  "labels_per_item") == [1.0]
