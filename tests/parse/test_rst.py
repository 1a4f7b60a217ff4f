"""reStructuredText by structure (extractors/parse/rst.py): title, field lists, class lists,
tables, links; reference lists, unknown directives and roles dropped; docutils stays silent."""
from extractors.parse import rst

# A scikit-learn descr/*.rst-style description (not a corpus file).
DESCR = """.. _tiny_dataset:

Tiny leaves dataset
-------------------

**Data Set Characteristics:**

:Number of Instances: 90 (30 in each of three classes)
:Attribute Information:
    - leaf length in cm
    - class:
            - Oak
            - Elm
            - Ash

See the `dataset's homepage <https://leaves.example.org/>`__ and :func:`load_leaves`.

.. dropdown:: References

  - Someone (1990) A paper with 12 classes.

.. rubric:: References

- Another (1991) paper.
"""


def test_descr_structure(capsys):
    doc = rst.parse(DESCR)
    assert doc.title == "Tiny leaves dataset"
    assert ("Number of Instances", "90 (30 in each of three classes)") in doc.fields
    assert ("class:", ["Oak", "Elm", "Ash"]) in doc.items
    assert ("dataset's homepage", "https://leaves.example.org/") in doc.links
    assert "12 classes" not in doc.prose and "1991" not in doc.prose
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_tables_and_no_file_inclusion(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET 5000 images")
    text = (f"Title\n=====\n\n.. include:: {secret}\n\n.. raw:: html\n\n   <b>7 classes</b>\n\n"
            "=======  ===\nClasses    4\n=======  ===\n")
    doc = rst.parse(text)
    assert "SECRET" not in doc.prose and "7 classes" not in doc.prose
    assert doc.tables == [[["Classes", "4"]]]


def test_garbage_never_raises():
    for text in ["", "=====", ".. ", ":a:", "`x <", None, "\x00" * 10]:
        doc = rst.parse(text)
        assert doc is None or isinstance(doc.sections, list)
