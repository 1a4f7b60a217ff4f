"""annotations_creators: card vocabulary values and prose that states who annotated."""
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
    assert from_text("") == [] and from_text(None) == []


def test_merge_keeps_vocabulary_only():
    assert merge(["crowdsourced"], ["expert-generated", "bogus"]) == ["crowdsourced", "expert-generated"]
