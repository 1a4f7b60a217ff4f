"""The shared prose rules (extractors/normalize/prose.py). The patterns themselves are exercised
through the adapters' tests (test_html: count mentions; test_huggingface, test_openml: stated
totals); here: the public functions' contracts."""
from extractors.model import RANK_EMBEDDED, RANK_TEXT, Extraction
from extractors.normalize import prose


def facts(ex):
    return [(f.field, f.value, f.unit, f.record, f.rank) for f in ex.facts]


def test_prose_counts_is_public_and_safe():
    assert prose.prose_counts(None) == []
    found = prose.prose_counts("A set of 4,000 scans from 1,000 patients.")
    assert [(c.field, c.value, c.unit) for c in found] == [("item_count", 4000, "scans"),
                                                            ("subject_count", 1000, None)]
    assert [c.phrase for c in found] == ["4,000 scans", "1,000 patients"]


def test_long_sentence_evidence_is_trimmed():
    text = "Filler words here. " + "x " * 400 + "The set holds 4,000 scans in total " + "y " * 400
    (c,) = prose.prose_counts(text)
    assert len(c.evidence) <= 300 and "4,000 scans" in c.evidence


def test_a_sentence_breakdown_is_a_mention_but_not_a_total():
    text = "It consists of 3 classes: 2 disease classes and the healthy class."
    assert [c.value for c in prose.count_mentions(text)] == [3, 2]
    assert [c.value for c in prose.prose_counts(text)] == [3]


def test_add_prose_counts_with_prefix_record_and_rank():
    ex = Extraction("t", "0")
    added = prose.add_prose_counts(ex, "The set holds 4,000 scans of 1,000 patients.",
                                   evidence_prefix="text:$.description: ", record="r1",
                                   rank=RANK_EMBEDDED)
    assert added == {"item_count", "item_unit", "subject_count"}
    assert facts(ex) == [("item_count", 4000, "scans", "r1", RANK_EMBEDDED),
                         ("item_unit", "scans", None, "r1", RANK_EMBEDDED),
                         ("subject_count", 1000, None, "r1", RANK_EMBEDDED)]
    assert all(f.evidence.startswith("text:$.description: The set holds") for f in ex.facts)


def test_add_prose_counts_clips_long_evidence():
    ex = Extraction("t", "0")
    prose.add_prose_counts(ex, "The set holds 4,000 scans " + "x " * 400, evidence_prefix="p: ")
    (count, _) = ex.facts
    assert len(count.evidence) == 300 and count.evidence.endswith("…")


def test_add_prose_counts_skips_fields_read_before():
    ex = Extraction("t", "0")
    added = prose.add_prose_counts(ex, "4,000 scans of 1,000 patients.",
                                   skip={"item_count", "item_unit"})
    assert added == {"subject_count"}
    assert [f.field for f in ex.facts] == ["subject_count"]


def test_split_sum_when_no_total_is_stated():
    ex = Extraction("t", "0")
    prose.add_prose_counts(ex, "There are 60,000 images in the training set and 10,000 images "
                               "in the test set.")
    assert facts(ex) == [("item_count", 70_000, "images", None, RANK_TEXT),
                         ("item_unit", "images", None, None, RANK_TEXT)]
    assert ex.facts[0].evidence.startswith("sum of splits: ")


def test_single_subject_only_when_asked_and_no_number_stated():
    text = "The experimental subject is the author."
    assert prose.single_subject_phrase(text) == "The experimental subject"
    plain = Extraction("t", "0")
    prose.add_prose_counts(plain, text)
    assert plain.facts == []
    asked = Extraction("t", "0")
    assert prose.add_prose_counts(asked, text, single_subject=True) == {"subject_count"}
    assert facts(asked) == [("subject_count", 1, None, None, RANK_TEXT)]
    numbered = Extraction("t", "0")
    prose.add_prose_counts(numbered, "Scans of 12 patients; a single patient was excluded.",
                           single_subject=True)
    assert [f.value for f in numbered.facts if f.field == "subject_count"] == [12]


def test_subject_counts_lists_every_distinct_number():
    assert prose.subject_counts("21 healthy unmedicated participants took part.") == {
        21: "21 healthy unmedicated participants"}
    assert set(prose.subject_counts("12 patients at site A and 30 patients at site B.")) == {12, 30}
    assert prose.subject_counts("Blood from 40 donors.") == {40: "40 donors"}
    assert prose.subject_counts(None) == {}


def test_stated_totals_split_total_and_class_vote():
    assert prose.stated_totals("It consists of 1.2 million color images.") == [
        (1_200_000, "images", "consists of 1.2 million color images")]
    assert prose.stated_totals("It contains more than 1,000 images.") == []
    assert prose.split_total("1,000 train examples and 200 test examples.") == [
        (1200, "examples", "1,000 train examples and 200 test examples.")]
    sentences = prose.paragraph_sentences("Images of 1000 object classes.\n\nOne of 1000 "
                                          "classes. Only 3 people categories.")
    assert prose.class_vote(sentences) == (1000, "1000 object classes")


def test_public_functions_are_total():
    for value in (None, 1, [], "", "\x00", "(" * 1000, "1" * 100_000):
        prose.prose_counts(value)
        prose.subject_counts(value)
        prose.single_subject_phrase(value)
        prose.stated_totals(value)
        prose.split_total(value)
        prose.paragraph_sentences(value)
        prose.add_prose_counts(Extraction("t", "0"), value)
