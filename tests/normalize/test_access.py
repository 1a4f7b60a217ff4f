"""Access stated in words (extractors/normalize/access.py)."""
import pytest

from extractors.normalize.access import page_access, phrase_access


@pytest.mark.parametrize("text, expected", [
    ("Open Access", "open"), ("  open   ACCESS ", "open"), ("Embargoed Access", "restricted"),
    ("Restricted Access", "restricted"), ("Closed Access", "restricted"),
    ("Open", None), ("open access for all", None), (None, None), (3, None),
])
def test_phrase_access(text, expected):
    assert phrase_access(text) == expected


def test_page_access_reads_file_access_and_badges():
    assert page_access("Title File Access: Public more") == ({"open"}, ["File Access: Public"])
    assert page_access("An Open Access dataset") == ({"open"}, ["Open Access"])
    assert page_access("Embargoed access until 2030") == ({"restricted"}, ["Embargoed access"])


def test_page_access_reports_contradictions_and_keeps_three_statements():
    states, evidence = page_access("File Access: Public. File Access: Restricted. Open Access. "
                                   "Open Access.")
    assert states == {"open", "restricted"}
    assert evidence == ["File Access: Public", "File Access: Restricted", "Open Access"]


def test_page_access_is_total():
    for value in (None, 1, "", "x" * 100_000):
        assert page_access(value) == (set(), [])
