"""annotations_creators: card vocabulary values and prose that states who annotated."""
import pytest
from extractors.normalize.annotations import from_text, from_values, merge


def test_card_values_and_spelling_variants():
    assert from_values(["expert-generated"]) == ["expert-generated"]
    assert from_values(["Crowd-Sourced", "machine_generated", "no annotation"]) == [
        "crowdsourced", "machine-generated", "no-annotation"]
    assert from_values("found") == ["found"]


def test_unknown_values_are_dropped_not_guessed():
    assert from_values(["students", 3, None]) == []
    assert from_values({"a": 1}) == []


def test_croissant_rai_platform_sentence_family():
    # Croissant RAI fields: rai:dataAnnotationPlatform / rai:dataAnnotationAnalysis
    assert from_text("Crowdworker annotators with task specific UI") == ["crowdsourced"]
    assert from_text("Labels were collected on Amazon Mechanical Turk.") == ["crowdsourced"]
    assert from_text("Every scan was annotated by two board-certified radiologists.") == [
        "expert-generated"]
    assert from_text("Bounding boxes were generated automatically by a detector; "
                     "the labels were then automatically annotated.") == ["machine-generated"]


def test_prose_without_annotation_context_maps_to_nothing():
    assert from_text("Experts agree that this corpus is large.") == []
    assert from_text("The crowd gathered at the stadium.") == []
    assert from_text("The images were not labelled by experts.") == []
    # how an evaluation subset was labelled is not how the dataset's labels were made
    assert from_text("A large dataset of chest X-rays with uncertainty labels and radiologist-labeled "
                     "reference standard evaluation sets.") == []
    assert from_text("The test set was annotated by three board-certified dermatologists.") == []
    assert from_text("Each validation split image was labelled by crowd workers on Amazon Mechanical Turk.") == []
    assert from_text("") == [] and from_text(None) == []


def test_merge_keeps_vocabulary_only():
    assert merge(["crowdsourced"], ["expert-generated", "bogus"]) == ["crowdsourced", "expert-generated"]


# ------------------------------------------------------------------------- annotation review
from extractors.normalize.annotations import REVIEW_VOCABULARY, from_platform, review_from_text  # noqa: E402


def terms(sentence: str) -> list[str]:
    return sorted(review_from_text(sentence))


def test_medical_reading_protocol_family():
    # a radiology dataset card / README
    assert terms("Each study was read by two independent radiologists, and disagreements were "
                 "resolved by a third, senior radiologist.") == [
        "adjudication", "multiple-readers", "redundancy"]
    assert terms("Labels were adjudicated by a panel of thoracic radiologists.") == ["adjudication"]
    # a pathology README, second family of the same rules
    assert terms("Three pathologists independently graded every slide; the final grade is the "
                 "majority vote of the 3 pathologists.") == ["multiple-readers", "redundancy"]


def test_crowd_protocol_family():
    # a Hugging Face card describing a crowdsourcing protocol
    assert terms("Each sentence was labeled by 5 crowd workers on Amazon Mechanical Turk.") == [
        "multiple-readers", "redundancy"]
    assert terms("Workers who missed more than 20% of the gold questions were removed.") == [
        "gold-questions"]
    assert terms("We inserted test questions with known answers to filter out spammers.") == [
        "gold-questions"]
    assert terms("We collected three independent annotations per image.") == ["redundancy"]
    assert terms("The final label is the majority vote of five annotators.") == [
        "multiple-readers", "redundancy"]


def test_authoritative_named_source_family():
    assert terms("The class labels were derived from the National Land Cover Database (NLCD).") == [
        "authoritative-source"]
    assert terms("Ground truth was taken from the USDA Cropland Data Layer.") == [
        "authoritative-source"]
    assert terms("The labels were derived from the annotators' free-text answers.") == []
    assert terms("Labels were obtained from Amazon Mechanical Turk workers.") == []


@pytest.mark.parametrize("sentence", [
    "DICES-350 was annotated by a pool of 104 raters.",                 # a pool, not a panel
    "Each radiograph was read by one of three radiologists.",           # one reader per item
    "Each image was labeled by only one annotator.",
    "The labels were not adjudicated.",
    "No gold questions were used.",
    "All conversations have gold ratings, i.e. they were annotated by a safety expert.",
    "The court adjudication records cover 1990-2010.",                  # legal, not labels
    "We kept 2 labels per image.",                                      # label density
    "On average 2.3 annotations per image.",
    "A random subset was re-annotated by two expert linguists to measure agreement.",
    "The paper was reviewed by three reviewers.",
    "Two experts from the ministry designed the survey.",
])
def test_statements_that_state_no_review(sentence):
    assert terms(sentence) == []


def test_review_terms_are_the_vocabulary_and_input_is_total():
    found = review_from_text("Each image was read by 3 readers; disagreements were resolved by "
                             "consensus. Gold questions were used. Labels were derived from the "
                             "National Cancer Registry.")
    assert set(found) <= set(REVIEW_VOCABULARY)
    for bad in (None, "", 3, "x" * 100_000):
        assert review_from_text(bad) == {}


def test_platform_field_names_a_crowd():
    assert from_platform("Amazon Mechanical Turk") == ["crowdsourced"]
    assert from_platform("Toloka") == ["crowdsourced"]
    assert from_platform("Internal annotation tool") == []
    assert from_platform("not crowdsourced: in-house team") == []


def test_landing_page_reading_protocol_family():
    # a repository landing page (PhysioNet-style HTML text)
    assert terms("Each training scan was labeled independently by 3 radiologists; each test "
                 "scan by the consensus of 5 radiologists.") == [
        "adjudication", "multiple-readers", "redundancy"]
