"""XML to nested dicts (extractors/parse/xml.py): local names, attributes, mixed content, and
safe parsing (no entity expansion, no network)."""
from __future__ import annotations

import socket

import pytest

from extractors.parse import xml


@pytest.fixture
def no_network(monkeypatch):
    """Any socket connection fails the test: a DTD or entity must never be fetched."""
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_local_names_attributes_repeats_and_mixed_content():
    body = (b"<?xml version='1.0'?><eml:eml xmlns:eml='https://eml.ecoinformatics.org/eml-2.2.0' "
            b"packageId='edi.1.2'><dataset><title>A</title><title xml:lang='en'>B</title>"
            b"<intellectualRights><para>See <ulink url='https://x.org/l'><citetitle>CC BY"
            b"</citetitle></ulink>.</para></intellectualRights></dataset></eml:eml>")
    root, content = xml.parse(body)
    assert root == "eml"
    assert content["@packageId"] == "edi.1.2"
    assert content["dataset"]["title"] == ["A", {"@lang": "en", "#text": "B"}]
    para = content["dataset"]["intellectualRights"]["para"]
    assert para["ulink"]["@url"] == "https://x.org/l"
    assert para["#text"].startswith("See CC BY")


def test_entities_are_not_expanded_and_nothing_is_fetched(no_network):
    bomb = (b"<?xml version='1.0'?><!DOCTYPE l [<!ENTITY a 'aaaaaaaaaa'>"
            b"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]><r><t>&b;</t></r>")
    _, content = xml.parse(bomb)
    assert "aaaaaaaaaa" not in str(content)
    _, content = xml.parse(b"<!DOCTYPE r SYSTEM 'http://127.0.0.1:9/x.dtd'><r><t>x</t></r>")
    assert content == {"t": "x"}


@pytest.mark.parametrize("body", [b"", b"<a><b></a>", b"not xml", b"<a>" * 10 + b"unclosed"])
def test_bad_xml_raises_only_xml_error(body):
    with pytest.raises(xml.XMLError):
        xml.parse(body)


def test_deep_nesting_is_cut_not_recursed():
    depth = 200
    body = b"<a>" * depth + b"x" + b"</a>" * depth
    root, content = xml.parse(body)
    assert root == "a"
