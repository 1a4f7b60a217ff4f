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


# --- a declared UTF-8 body is UTF-8 (WHATWG): stray bytes are replaced, never re-detected -----

ZURICH = "Zürich, Århus, Tromsø: données collectées à Genève"


@pytest.mark.parametrize("declare, content_type", [
    ("{}", "text/html; charset=utf-8"),                                # header
    ("{}", "application/json; charset=UTF8"),                          # header, other label
    ('<meta charset="utf-8"><p>{}</p>', None),                          # meta charset
    ('<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><p>{}</p>', None),
    ('<?xml version="1.0" encoding="utf-8"?><a>{}</a>', None),          # XML declaration
])
def test_declared_utf8_with_one_invalid_byte_stays_utf8(declare, content_type):
    body = declare.format(ZURICH).encode("utf-8").replace("Genève".encode(), b"Gen\xe8ve")
    text = decode(body, content_type)
    assert ZURICH.replace("è", "\ufffd") in text
    assert "Ã" not in text and "Ã¼" not in text


def test_undeclared_body_with_invalid_utf8_still_goes_to_detection():
    body = "Les données ont été collectées à Montréal, près du café".encode("latin-1")
    assert decode(body) == "Les données ont été collectées à Montréal, près du café"


def test_legacy_declaration_is_still_tried_before_utf8():
    body = ZURICH.encode("cp1252")
    assert decode(body, "text/plain; charset=windows-1252") == ZURICH


def test_bom_still_beats_a_utf8_declaration():
    body = codecs.BOM_UTF16_LE + ZURICH.encode("utf-16-le")
    assert decode(body, "text/plain; charset=utf-8") == ZURICH


# --- the nesting-depth check reads brackets outside strings only ---------------------------

@pytest.mark.parametrize("body, depth", [
    (b'{"a": "[[[[[[", "b": "{{{{{{{{"}', 1),                  # brackets inside strings
    (b'{"a": "\\"[[[", "b": ["\\\\", ["]]]\\""]]}', 3),     # escaped quotes and backslashes
    (b'{"a:b": {"c,d": ["e", {"f": "\\u005b"}]}}', 4),        # separators inside strings
    (b'[[], [[]], {"x": {"y": []}}]', 4),                      # depth of the deepest branch
    ('{"é": ["ü", ["ø", ["日本"]]]}'.encode("utf-8"), 4),       # multi-byte characters
    (b'"[[[["', 0), (b"42", 0), (b"[]", 1),
])
def test_depth_check_counts_structure_not_text(body, depth):
    load_json(body, max_depth=depth)            # accepted at its own depth
    if depth:
        with pytest.raises(ExtractionError, match="JSON nested too deeply"):
            load_json(body, max_depth=depth - 1)


def test_depth_check_agrees_with_a_walk_of_the_parsed_value():
    """The byte-level check against the plain definition on random JSON with hostile strings."""
    import json
    import random

    pieces = ['"', "\\", "[", "]", "{", "}", ":", ",", "a", "é", "\u2028", "\\\\", '""']

    def text():
        return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))

    def value(levels):
        roll = rng.random()
        if levels <= 0 or roll < 0.3:
            return rng.choice([1, None, 2.5, True, "", text()])
        if roll < 0.65:
            return [value(levels - 1) for _ in range(rng.randint(0, 3))]
        return {text(): value(levels - 1) for _ in range(rng.randint(0, 3))}

    def depth(v):
        children = v.values() if isinstance(v, dict) else v if isinstance(v, list) else None
        return 0 if children is None else 1 + max((depth(c) for c in children), default=0)

    rng = random.Random(2024)
    for _ in range(2000):
        v = value(rng.randint(0, 9))
        body = json.dumps(v, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1])).encode()
        limit = rng.randint(1, 8)
        if depth(v) > limit:
            with pytest.raises(ExtractionError, match=r"more than \d+ levels"):
                load_json(body, max_depth=limit)
        else:
            assert load_json(body, max_depth=limit) == v


def test_depth_exactly_at_the_limit_is_accepted():
    assert load_json(b"[" * 200 + b"]" * 200) is not None
    with pytest.raises(ExtractionError, match="more than 200 levels"):
        load_json(b"[" * 100 + b"{" + b'"k":' + b"[" * 100 + b"]" * 100 + b"}" + b"]" * 100)


def test_wide_and_deep_json_is_refused_without_crashing():
    chain = "[" * 150 + "]" * 150
    deeper = "[" * 120 + '{"a": ' + "[" * 90 + "]" * 90 + "}" + "]" * 120   # 211 levels, no long run
    body = ("[" + ",".join([chain] * 200 + [deeper]) + "]").encode()
    with pytest.raises(ExtractionError, match="more than 200 levels"):
        load_json(body)


def test_load_json_reads_an_over_long_integer_as_none_with_a_warning():
    from extractors.normalize.text import collect_warnings

    with collect_warnings() as warnings:
        assert load_json(b'{"size": ' + b"1" * 5000 + b', "name": "x"}') == {"size": None, "name": "x"}
    assert warnings == ["a JSON number of 5000 digits cannot be represented; read as missing"]


# --- YAML nesting depth, checked before PyYAML recurses (issue 11)

from extractors.normalize.text import MAX_YAML_DEPTH, yaml_too_deep  # noqa: E402


@pytest.mark.timeout(20)
@pytest.mark.parametrize("text", [
    "a: " + "[" * 10_000 + "]" * 10_000 + "\n",              # flow sequences
    "a: " + "{b: " * 10_000 + "1" + "}" * 10_000 + "\n",     # flow mappings
    "a: " + "[" * 100_000,                                   # unclosed
    "- " * 10_000 + "x\n",                                   # block sequences on one line
    "".join(" " * i + f"k{i}:\n" for i in range(2_000)),     # block mappings by indentation
])
def test_deep_yaml_is_found(text):
    assert yaml_too_deep(text)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("text", [
    # A Data Package descriptor and a dataset card header (both families), a little nested.
    "name: x\nresources:\n- path: a.csv\n  schema: {fields: [{name: a, type: integer}]}\n",
    "dataset_info:\n  features:\n  - name: label\n    dtype:\n      class_label:\n        names:\n"
    "          '0': cat\n          '1': dog\n",
    "description: 'see [1 and [2 and [3'\n",                 # unmatched brackets in a string
    "a: " + "[]" * 500_000 + "\n",                           # many flat brackets
    "text: |\n" + " " * 300 + "indented literal text\n",    # deep indentation inside a scalar
])
def test_ordinary_yaml_is_not_deep(text):
    assert not yaml_too_deep(text)


def test_depth_limit_is_exact_for_flow_collections():
    assert not yaml_too_deep("a: " + "[" * MAX_YAML_DEPTH + "]" * MAX_YAML_DEPTH)
    assert yaml_too_deep("a: " + "[" * (MAX_YAML_DEPTH + 1) + "]" * (MAX_YAML_DEPTH + 1))


@pytest.mark.timeout(20)
def test_sniffers_share_one_json_parse_of_the_same_body():
    from extractors.normalize.text import drop_shared_json, shared_json

    body = b'{"a": [1, 2]}'
    with shared_json():
        first, second = load_json(body), load_json(body)
        assert first is second
        with pytest.raises(ExtractionError):
            load_json(b"[" * 1000)
        with pytest.raises(ExtractionError):   # the cached error is raised again
            load_json(b"[" * 1000)
    drop_shared_json()
    assert load_json(body) is not first       # outside detection: a fresh parse


def test_detection_hands_its_parse_to_the_detected_adapter_once():
    from extractors.normalize.text import collect_warnings, drop_shared_json, shared_json

    body = b'{"n": ' + b"9" * 5_000 + b"}"
    with shared_json():
        sniffed = load_json(body)
    with collect_warnings() as warnings:
        taken = load_json(body)          # the detected adapter's parse: detection's value
    assert taken is sniffed
    assert any("5000 digits" in w for w in warnings)   # the parse's warning is not lost
    assert load_json(body) is not sniffed              # taken once; later readers parse afresh
    with shared_json():
        load_json(body)
    drop_shared_json()
    assert load_json(body) is not sniffed
