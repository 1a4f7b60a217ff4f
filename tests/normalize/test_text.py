"""decode / load_json: charsets from header, BOM, meta, detection; JSON errors as ExtractionError."""
import codecs

import pytest

from extractors.model import ExtractionError
from extractors.normalize.text import decode, load_json

CAFE = "café"


@pytest.mark.parametrize("body, content_type, expected", [
    (CAFE.encode("utf-8"), "text/html; charset=utf-8", CAFE),
    (CAFE.encode("utf-8"), "application/json", CAFE),
    (CAFE.encode("utf-8"), None, CAFE),
    (CAFE.encode("latin-1"), "text/html; charset=ISO-8859-1", CAFE),
    (CAFE.encode("latin-1"), 'text/html; charset="iso-8859-1"', CAFE),
    (CAFE.encode("cp1252"), "text/plain;charset=windows-1252", CAFE),
    # UTF-8 body mislabelled as ISO-8859-1 (a common server default): read as UTF-8
    (CAFE.encode("utf-8"), "text/html; charset=ISO-8859-1", CAFE),
    # a declared charset that cannot decode the body falls back
    ("Größe".encode("latin-1"), "text/plain; charset=utf-8", None),
    ("привет мир, это тестовый набор данных".encode("cp1251"), None,
     "привет мир, это тестовый набор данных"),
    ("Les données ont été collectées à Montréal, près du café".encode("latin-1"), None,
     "Les données ont été collectées à Montréal, près du café"),
    # unknown charset label: ignored
    (b"abc", "text/plain; charset=bogus-42", "abc"),
    (b"abc", "", "abc"),
    (b"", "text/plain", ""),
])
def test_decode_charsets(body, content_type, expected):
    text = decode(body, content_type)
    assert isinstance(text, str)
    if expected is not None:
        assert text == expected
    else:
        assert text.startswith("Gr") and text.endswith("e")


@pytest.mark.parametrize("bom, codec", [
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
])
def test_bom_wins_and_is_stripped(bom, codec):
    body = bom + '{"a": "é"}'.encode(codec)
    assert decode(body, "application/json; charset=iso-8859-1") == '{"a": "é"}'


@pytest.mark.parametrize("text, codec", [
    ("Größe", "latin-1"),                                   # short: detectors guess EBCDIC/cp1250
    ("Zażółć gęślą jaźń, dane zostały zebrane", "cp1250"),
    ("Příliš žluťoučký kůň úpěl ďábelské ódy", "cp1250"),
    ("Ελληνικά δεδομένα και άλλα στοιχεία", "cp1253"),
    ("日本語のデータセットの説明文です。画像と注釈。", "shift_jis"),
    ("中文数据集描述，包括图像和注释。", "gb18030"),
    ('{"a": "é"}', "utf-16-le"),                            # no BOM, NUL pattern
])
def test_detection_without_declaration(text, codec):
    assert decode(text.encode(codec)) == text


def test_html_meta_charset():
    body = '<html><head><meta charset="windows-1252"></head><p>café “q”</p>'.encode("cp1252")
    assert "café “q”" in decode(body)


def test_html_http_equiv():
    body = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
            "</head><p>Größe</p>").encode("latin-1")
    assert "Größe" in decode(body)


def test_xml_declaration():
    body = '<?xml version="1.0" encoding="ISO-8859-1"?><a>café</a>'.encode("latin-1")
    assert decode(body).endswith("<a>café</a>")


def test_meta_utf16_label_in_ascii_document_is_utf8():
    body = '<meta charset="utf-16"><p>café</p>'.encode("utf-8")
    assert "café" in decode(body)


def test_header_beats_meta():
    body = '<meta charset="iso-8859-1"><p>Größe</p>'.encode("utf-8")
    assert "Größe" in decode(body, "text/html; charset=utf-8")


@pytest.mark.parametrize("body", [b"\xff\xfe\xfd", b"x\x80y", bytes(range(256)), b"\x00" * 10,
                                  bytearray(b"abc"), memoryview(b"abc")])
def test_decode_never_raises(body):
    assert isinstance(decode(body, "text/plain; charset=utf-8"), str)
    assert isinstance(decode(body), str)


@pytest.mark.parametrize("body", [None, "already text", 12345, object()])
def test_decode_odd_types(body):
    assert isinstance(decode(body), str)


def test_decode_large_body():
    body = ("é" * 2_000_000).encode("utf-8")
    assert len(decode(body)) == 2_000_000


# --- load_json ----------------------------------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    (b'{"a": 1}', {"a": 1}),
    (codecs.BOM_UTF8 + b'{"a": 1}', {"a": 1}),
    ('{"a": "é"}'.encode("utf-16"), {"a": "é"}),
    (b'[{"title": "caf\xc3\xa9"}]', [{"title": "café"}]),
    ('{"a": 1}', {"a": 1}),
    (b"  \n 42 ", 42),
    (b'"x"', "x"),
    (b"[" * 150 + b"]" * 150, [[]] and load_json(b"[" * 150 + b"]" * 150)),
])
def test_load_json(body, expected):
    assert load_json(body) == expected


@pytest.mark.parametrize("body, message", [
    (b"", "not JSON: empty body"),
    (b"   ", "not JSON: empty body"),
    (b"<html>", "not JSON: Expecting value at line 1 column 1"),
    (b'{"a": 1', "not JSON: Expecting ',' delimiter at line 1 column 8"),
    (b"{'a': 1}", "not JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
    (b'{"a": 1}\n{"b": 2}', "not JSON: Extra data at line 2 column 1"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply"),
    (b"[" * 300 + b"]" * 300, "JSON nested too deeply (more than 200 levels)"),
    (b"1" * 5000, "not JSON: Exceeds the limit"),
])
def test_load_json_errors(body, message):
    with pytest.raises(ExtractionError) as info:
        load_json(body)
    text = str(info.value)
    assert text.startswith(message)
    assert "\n" not in text


def test_load_json_max_depth_parameter():
    body = b'{"a": {"b": {"c": 1}}}'
    assert load_json(body, max_depth=3) == {"a": {"b": {"c": 1}}}
    with pytest.raises(ExtractionError):
        load_json(body, max_depth=2)
