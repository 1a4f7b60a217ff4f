"""normalize_doi / find_doi."""
import pytest

from extractors.normalize.ids import find_doi, normalize_doi

DOIS = [
    ("10.5281/zenodo.1239", "10.5281/zenodo.1239"),
    ("https://doi.org/10.5281/ZENODO.1239", "10.5281/zenodo.1239"),
    ("http://doi.org/10.5281/zenodo.1239", "10.5281/zenodo.1239"),
    ("https://www.doi.org/10.5281/zenodo.1239", "10.5281/zenodo.1239"),
    ("http://dx.doi.org/10.5061/DRYAD.8515", "10.5061/dryad.8515"),
    ("doi.org/10.5061/dryad.8515", "10.5061/dryad.8515"),
    ("doi:10.1594/PANGAEA.842237", "10.1594/pangaea.842237"),
    ("DOI: 10.7910/DVN/EQTQYO", "10.7910/dvn/eqtqyo"),
    ("DOI 10.7910/DVN/EQTQYO", "10.7910/dvn/eqtqyo"),
    ("doi:https://doi.org/10.7910/DVN/NJ7XSO", "10.7910/dvn/nj7xso"),
    ("urn:doi:10.6084/m9.figshare.4234751.v1", "10.6084/m9.figshare.4234751.v1"),
    ("info:doi/10.6084/m9.figshare.4234751.v1", "10.6084/m9.figshare.4234751.v1"),
    ("https://hdl.handle.net/10.1234/abc", "10.1234/abc"),
    ("10.5281%2Fzenodo.1239", "10.5281/zenodo.1239"),
    ("https://doi.org/10.5281%2Fzenodo.1239", "10.5281/zenodo.1239"),
    ("https://doi.org/10.5281/zenodo.1239?download=1", "10.5281/zenodo.1239"),
    ("  10.5281/zenodo.1239\n", "10.5281/zenodo.1239"),
    ("10.1016/S0140-6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),
    ("10.1000.10/abc", "10.1000.10/abc"),
]


@pytest.mark.parametrize("raw, expected", DOIS)
def test_normalize_doi(raw, expected):
    assert normalize_doi(raw) == expected


@pytest.mark.parametrize("raw", [
    "", "not a doi", "10.1/abc", "10.5281", "10.5281/", "https://zenodo.org/record/1239",
    "https://example.org/10.5281/zenodo.1239", "doi: see paper", "10.5281/zen odo",
    "PMID 12345", "arXiv:2101.00001", None, 10.5281, ["10.5281/zenodo.1239"], "x" * 10_000,
])
def test_not_a_doi(raw):
    assert normalize_doi(raw) is None


FOUND = [
    ("See https://doi.org/10.5281/zenodo.1239.", "10.5281/zenodo.1239"),
    ("Cite as 10.5061/dryad.8515, thanks", "10.5061/dryad.8515"),
    ("(doi:10.5061/dryad.8515)", "10.5061/dryad.8515"),
    ("(doi:10.1016/S0140-6736(20)30183-5)", "10.1016/s0140-6736(20)30183-5"),
    ("[10.1234/abc]", "10.1234/abc"),
    ('<a href="https://doi.org/10.7910/DVN/NJ7XSO">link</a>', "10.7910/dvn/nj7xso"),
    ("<doi>10.1594/PANGAEA.836178</doi>", "10.1594/pangaea.836178"),
    ("https://doi.org/10.1234/abcd?x=1&amp;y=2", "10.1234/abcd"),
    ("first 10.1111/one then 10.2222/two", "10.1111/one"),
    ("encoded 10.5281%2Fzenodo.1239 here", "10.5281/zenodo.1239"),
    ("doi: 10.1234/ABC;", "10.1234/abc"),
    ("@article{x, doi = {10.1234/abc.def}}", "10.1234/abc.def"),
]


@pytest.mark.parametrize("text, expected", FOUND)
def test_find_doi(text, expected):
    assert find_doi(text) == expected


@pytest.mark.parametrize("text", ["", "no doi here", "version 10.2 of 1/2", None, 42])
def test_find_no_doi(text):
    assert find_doi(text) is None


def test_find_doi_in_huge_text_is_fast():
    text = "a " * 500_000 + "doi:10.1234/end"
    assert find_doi(text) == "10.1234/end"
