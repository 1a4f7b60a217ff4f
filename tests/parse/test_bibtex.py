"""BibTeX parsing (extractors/parse/bibtex.py, bibtexparser v2): the entry spellings citation
files use (TFDS CITATIONS.bib, Zenodo/GitHub "cite this" exports), decoded to plain text."""
from __future__ import annotations

from extractors.parse import bibtex


def test_entry_types_and_field_names_are_lower_cased():
    text = ("@ONLINE {imagenette,\n  Author = \"Jeremy Howard\",\n  TITLE = \"imagenette\",\n"
            "  url = \"https://github.com/fastai/imagenette/\"\n}\n"
            "@Manual{man, title={A Manual}, organization={ACME}}\n")
    entries = bibtex.parse(text)
    assert [(e.type, e.key) for e in entries] == [("online", "imagenette"), ("manual", "man")]
    assert entries[0].fields == {"author": "Jeremy Howard", "title": "imagenette",
                                 "url": "https://github.com/fastai/imagenette/"}


def test_quoted_braced_bare_and_parenthesised_values():
    text = ('@misc{a, title = "Quoted {Inner}", year = 2017, month = sep, note = {Braced}}\n'
            "@misc( b, title = {Paren entry} )\n")
    a, b = bibtex.parse(text)
    assert a.get("year") == "2017" and a.get("month") == "sep" and a.get("note") == "Braced"
    assert bibtex.text(a.get("title")) == "Quoted Inner"
    assert b.key == "b" and b.get("title") == "Paren entry"


def test_latex_accents_and_double_braces_are_decoded():
    entry = bibtex.parse('@misc{x, title = {{{Sch{\\"o}n}}: {\\\'e}t{\\\'e} \\& more},\n'
                         '  author = {Beg{\\"u}m Demir}}')[0]
    assert bibtex.text(entry.get("title")) == "Schön: été & more"
    assert bibtex.text(entry.get("author")) == "Begüm Demir"


def test_urls_are_unwrapped_but_not_latex_decoded():
    assert bibtex.url("\\url{https://x.org/~user/data}") == "https://x.org/~user/data"
    assert bibtex.url("\\href{https://x.org/a\\_b}{the data}") == "https://x.org/a_b"
    assert bibtex.url("https://github.com/deepmind/dsprites-dataset/") == \
        "https://github.com/deepmind/dsprites-dataset/"
    assert bibtex.url("Available at https://x.org/data.") == "https://x.org/data"
    assert bibtex.url("No link here") is None
    assert bibtex.url(None) is None


def test_comments_strings_and_preambles_are_not_entries():
    text = ('% a comment\n@comment{ignored}\n@string{jan = "January"}\n@preamble{"x"}\n'
            "@misc{k, title={T}}\n")
    assert [e.key for e in bibtex.parse(text)] == ["k"]


def test_looks_like_bibtex_only_when_an_entry_opens_the_text():
    assert bibtex.looks_like_bibtex("% generated\n\n  @article {a, title={T}}")
    assert bibtex.looks_like_bibtex("@misc(a, title={T})")
    assert bibtex.looks_like_bibtex("@comment{x-kbibtex-encoding=utf-8}\n\n@misc{a, title={T}}")
    assert not bibtex.looks_like_bibtex("# README\n\n@misc{a, title={T}}\n")
    assert not bibtex.looks_like_bibtex("email me @home")
    assert not bibtex.looks_like_bibtex("")


def test_garbage_and_truncated_input_never_raise():
    assert bibtex.parse("") == []
    assert bibtex.parse("\x00\x01 not bibtex at all {{{") == []
    # an unterminated entry is skipped; a complete one after it is still read
    entries = bibtex.parse("@misc{x, title={Unterminated, url={https://x.org\n")
    assert all(e.key != "x" or "title" in e.fields for e in entries)
    assert bibtex.text(None) is None and bibtex.text("  ") is None
