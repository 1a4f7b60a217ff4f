"""The shared prose rules (extractors/normalize/prose.py). The patterns themselves are exercised
through the adapters' tests (test_html: count mentions; test_huggingface, test_openml: stated
totals); here: the public functions' contracts."""
import pytest

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


# --- a qualifier before the item count covers the subject count of the same phrase -------------

def _facts(text: str) -> tuple[dict, list[str]]:
    ex = Extraction("t", "0")
    prose.add_prose_counts(ex, text)
    return {f.field: f.value for f in ex.facts}, ex.warnings


@pytest.mark.parametrize("text", [
    "It holds more than 160,000 images from 67,000 patients, reported by radiologists.",
    "The archive has over 20,000 scans of 3,100 patients.",
    "Up to 5,000 recordings (at 44.1 kHz) from 120 volunteers are included.",
    "Of these, 1,200 images from 300 patients were annotated twice.",
])
def test_a_bound_on_the_item_count_covers_its_subject_count(text):
    found, _ = _facts(text)
    assert "item_count" not in found and "subject_count" not in found
    assert prose.subject_counts(text) == {}


@pytest.mark.parametrize("text, subjects", [
    ("It holds 160,000 images from 67,000 patients.", 67_000),               # no qualifier
    ("About 160,000 images from 67,000 patients.", 67_000),                  # approximate, not a bound
    ("More than 160,000 images were taken. They come from 67,000 patients.", 67_000),  # other sentence
    ("More than 160,000 images; the cohort has 67,000 patients.", 67_000),   # not the same phrase
])
def test_subject_counts_outside_a_bounded_phrase_are_read(text, subjects):
    assert _facts(text)[0]["subject_count"] == subjects


def test_class_counts_do_not_inherit_the_bound_of_the_item_count():
    found, _ = _facts("More than 14,000 images of 20 categories were collected.")
    assert found.get("class_count") == 20 and "item_count" not in found


# --- a total stated by naming the whole, with a multiplier word ---------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("WildThing is a collection of 1 million conversations between users and a chatbot.",
     (1_000_000, "conversations")),
    ("It is a large-scale corpus of 2.5 million documents.", (2_500_000, "documents")),
    ("This is a dataset of 70,000 handwritten images.", (70_000, "images")),
    ("An open database of 12 thousand recordings.", (12_000, "recordings")),
    ("The card contains 1 million conversations.", (1_000_000, "conversations")),
    ("It consists of 3 million sentences.", (3_000_000, "sentences")),
])
def test_a_named_whole_states_a_total(sentence, expected):
    assert [t[:2] for t in prose.stated_totals(sentence)] == [expected]


@pytest.mark.parametrize("sentence", [
    "We release a subset of 5,000 images.",              # a part
    "A sample of 300 images was checked by hand.",       # a part
    "It is a training dataset of 60,000 images.",        # one split
    "It is a collection of more than 1 million conversations.",   # a bound
    "It is a collection of 500 images per class.",       # a per-class figure
])
def test_parts_bounds_and_splits_are_no_named_whole(sentence):
    assert prose.stated_totals(sentence) == []


# --- class counts of several label kinds in one sentence ------------------------------------------

@pytest.mark.parametrize("text, classes", [
    ("Images were annotated with 22 local labels (boxes around findings) and 6 global labels "
     "of suspected diseases.", 28),
    ("The set has 10 object categories, 5 scene categories and 3 weather categories.", 18),
    ("It uses 4 lesion classes plus 2 artefact classes.", 6),
    ("There are 3 classes: 2 disease classes and 4 normal classes.", 3),    # total, then breakdown
])
def test_label_kinds_listed_with_and_are_summed(text, classes):
    found, warnings = _facts(text)
    assert found["class_count"] == classes
    assert warnings == []


def test_the_sum_says_what_was_added():
    ex = Extraction("t", "0")
    prose.add_prose_counts(ex, "Scans carry 22 local labels and 6 global labels.")
    fact = next(f for f in ex.facts if f.field == "class_count")
    assert fact.evidence.startswith("sum of 22 local labels + 6 global labels: ")


@pytest.mark.parametrize("text, kept", [
    ("Boxes use 22 local labels; the report has 6 global labels.", 22),        # not listed
    ("The 10 object categories, 5 scene categories.", 10),                     # no "and"
    ("Images carry 100 fine-grained categories and 20 coarse categories.", 100),  # one hierarchy
])
def test_kinds_not_summed_keep_the_first_and_warn(text, kept):
    found, warnings = _facts(text)
    assert found["class_count"] == kept
    assert len(warnings) == 1 and "several kinds" in warnings[0]


def test_same_kind_or_other_fields_are_not_summed():
    assert _facts("We use 5 disease classes and 5 disease classes again.")[0]["class_count"] == 5
    found, warnings = _facts("It has 1,000 chest images and 3 finding labels.")
    assert (found["item_count"], found["class_count"], warnings) == (1000, 3, [])


# "images of N people" and "a single speaker" (added with the Hugging Face card rules): the
# people a dataset shows are its subjects; a bare "N people" (a team, users) is not read.
def test_people_the_data_show_are_subjects():
    text = ("The corpus holds 3,200 video clips of 45 people performing sign language. "
            "A team of 6 people annotated them, and 9 people were filmed twice.")
    assert prose.people_subject_counts(text) == {45: "clips of 45 people"}
    assert prose.people_subject_counts("There are a total of 120 persons.") == {
        120: "a total of 120 persons"}
    assert prose.people_subject_counts("Downloaded by 5,000 people.") == {}


def test_a_single_speaker_is_one_subject():
    assert prose.single_subject_phrase(
        "An audiobook corpus read by a single speaker, with transcripts.") == "a single speaker"
    assert prose.single_subject_phrase("Speakers of 14 languages were recorded.") is None


# ----------------------------------------------------------------------------- add_prose_facts
# READMEs, datasheets and descriptions in their usual wording (none is a corpus file).

@pytest.mark.parametrize("text, expected", [
    ("The corpus is under MIT licence.", ("MIT", True)),
    ("License: Community Data License Agreement - Sharing, Version 1.0.", ("CDLA-Sharing-1.0", True)),
    ("All recordings are licensed under CC BY-SA 3.0.", ("CC-BY-SA-3.0", True)),
    ("The dataset is released under the Creative Commons Attribution-NonCommercial 4.0 "
     "International license.", ("CC-BY-NC-4.0", False)),
    ("This database has been placed in the public domain.", ("LicenseRef-PublicDomain", True)),
    ("The data are available for non-commercial research purposes only.", (None, False)),
    # not statements about the dataset's licence
    ("The code is released under the MIT license.", (None, None)),
    ("The images are under CC BY 4.0 and the annotations under CC BY-NC 4.0.", (None, None)),
    ("We thank the MIT lab for the data.", (None, None)),
])
def test_license_statements(text, expected):
    got = {s.field: s.value for s in prose.license_statements(text)}
    assert (got.get("license"), got.get("commercial_use")) == expected


def test_add_prose_facts_reads_every_statement_kind():
    text = ("A speech corpus of 2,400 recordings from 24 speakers in 8 categories.\n"
            "Audio format: wav\nThe dataset was first released in June 2019.\n"
            "Downloading the data requires registration.\nHomepage: https://speech.example.org\n"
            "The recordings were annotated by trained linguists.")
    ex = Extraction("t", "0")
    added = prose.add_prose_facts(ex, text, evidence_prefix="readme: ", record="r")
    got = {f.field: f.value for f in ex.facts}
    assert got == {"formats": ["WAV"], "release_date": "2019", "access": "registered",
                   "homepage": "https://speech.example.org", "item_count": 2400,
                   "item_unit": "recordings", "class_count": 8,
                   "annotations_creators": ["expert-generated"]}
    assert added == set(got)
    assert all(f.record == "r" and f.rank == RANK_TEXT and f.evidence.startswith("readme: ")
               for f in ex.facts)


@pytest.mark.parametrize("text", [
    "The package has 12,000 downloads and 300 stars.",
    "The v2 split was released in 2019.",
    "Registration is not required to download the data.",
    "Bands B01 and B02 at 60 m; 43.5% cloud cover; version 2.0.",
    "See the code at URL: https://github.com/x/y for training.",
])
def test_add_prose_facts_traps(text):
    ex = Extraction("t", "0")
    prose.add_prose_facts(ex, text)
    assert ex.facts == []


def test_field_counts_and_names_lines():
    assert prose.field_count("Number of Instances", "150 (50 in each of three classes)") == \
        ("item_count", 150, "instances")
    assert prose.field_count("Samples total", "581012") == ("item_count", 581012, "samples")
    assert prose.field_count("Class Distribution", "33.3% for each of 3 classes.") is None
    assert prose.field_count("Classes", "33.3%") is None
    assert prose.names_fields("1. Title: Glass\n5. Number of Instances: 214\n")[1][:2] == \
        ("Number of Instances", "214")


def test_noncommercial_terms_on_licence_text():
    """Licence terms written out (a card's Licensing Information section, a DatasetInfo licence
    string): the restricting sentence, not a sentence that allows both kinds of use."""
    from extractors.normalize.prose import noncommercial_terms

    assert noncommercial_terms("The recordings are made available for non-commercial use such "
                               "as teaching.") is not None
    assert noncommercial_terms("Use for non-commercial research purposes only.") is not None
    assert noncommercial_terms("Commercial use is strictly prohibited.") is not None
    assert noncommercial_terms("Free for commercial and non-commercial use.") is None
    assert noncommercial_terms("Released under CC BY 4.0.") is None
    assert noncommercial_terms(None) is None


def test_annotators_are_read_one_sentence_at_a_time():
    """Who annotated and the annotating must be stated in one sentence: a description that
    says the dialogues were annotated, then in another sentence mentions crowdworkers doing
    something else, states no annotators (dataset descriptions in Croissant and cards)."""
    from extractors.model import Extraction
    from extractors.normalize.prose import add_prose_facts

    ex = Extraction("t", "1")
    add_prose_facts(ex, "Human-generated and annotated dialogues from [Red Teaming Language Models "
                        "to Reduce Harms](x) These data are meant to understand how crowdworkers "
                        "attack models.")
    assert not [f for f in ex.facts if f.field == "annotations_creators"]
    ex = Extraction("t", "1")
    add_prose_facts(ex, "Each dialogue was rated by crowdworkers on a five-point scale.")
    facts = [f for f in ex.facts if f.field == "annotations_creators"]
    assert facts and facts[0].value == ["crowdsourced"] and "crowdworkers" in facts[0].evidence


def test_stated_totals_skip_the_members_of_one_named_value():
    """Family: UCI/OpenML description notes ("there are 2 instances of "frog"")."""
    assert prose.stated_totals('Oddly there are 2 instances of "frog" here.') == []
    assert prose.stated_totals("There are 1,200 instances of animals.")[0][0] == 1200


def test_paired_adjectives_and_numbered_adjectives_are_modifiers():
    """Family: TFDS-style openings ("50,889 black and white sketch images", "4-way questions")."""
    found = prose.count_mentions("It has 3,021 black and white line images.")
    assert [(c.field, c.value) for c in found] == [("item_count", 3021)]
    found = prose.count_mentions("It has 812 3-way multiple choice questions.")
    assert [(c.field, c.value) for c in found] == [("item_count", 812)]
    # "and" never joins a number to a noun: "10 cats and dogs" is not read as a modifier run
    assert prose.count_mentions("It shows 10 and 20 images.") == [] or \
        all(c.value != 10 for c in prose.count_mentions("It shows 10 and 20 images."))


def test_add_prose_facts_states_annotation_review():
    """Family: a README's annotation section (the readme/html/frictionless adapters read
    prose through add_prose_facts)."""
    ex = Extraction("t", "1")
    text = ("## Annotation\n\nEach X-ray was labelled by three board-certified radiologists. "
            "Disagreements were resolved by consensus.\n\nThe data are released under CC BY 4.0.")
    added = prose.add_prose_facts(ex, text, "README: ")
    assert "annotation_review" in added
    review = [f for f in ex.facts if f.field == "annotation_review"]
    assert [f.value for f in review] == [["adjudication", "multiple-readers", "redundancy"]]
    assert review[0].rank == RANK_TEXT and review[0].evidence.startswith("README: Each X-ray")
    # annotations=False leaves annotation statements to the caller
    ex = Extraction("t", "1")
    assert "annotation_review" not in prose.add_prose_facts(ex, text, annotations=False)


def test_add_review_facts_and_citations():
    ex = Extraction("t", "1")
    assert prose.add_review_facts(ex, "As in Smith et al., gold questions were used.") == set()
    assert prose.add_review_facts(ex, "Crowd workers answered gold questions.", "card text: ",
                                  record="r1") == {"annotation_review"}
    assert [(f.value, f.record, f.evidence) for f in ex.facts] == [
        (["gold-questions"], "r1", "card text: Crowd workers answered gold questions.")]
    assert prose.annotation_review(None) == ([], "")
