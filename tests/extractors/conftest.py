"""Fixtures of the adapter tests."""
from __future__ import annotations

import socket

import pytest


@pytest.fixture
def no_network(monkeypatch):
    """Adapters are pure: nothing may be fetched (no remote JSON-LD context, DTD or RDFa
    vocabulary); any socket connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
