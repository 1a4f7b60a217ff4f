"""fetch.http._Session reads proxy settings from the environment once per origin: it must give
what requests.Session gives for every request (proxies, no_proxy, CA bundle)."""
from __future__ import annotations

import requests

from fetch.http import _Session

URLS = ["http://data.example.org/a", "https://data.example.org/b?x=1", "http://local.example/c",
        "http://127.0.0.1:8080/d", "https://files.example.net/e"]


def _settings(session, url, proxies=None):
    return session.merge_environment_settings(url, proxies or {}, None, None, None)


def test_the_same_settings_as_requests_for_every_origin(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://secure-proxy.example:3129")
    monkeypatch.setenv("NO_PROXY", "local.example,127.0.0.1")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    ours, theirs = _Session(), requests.Session()
    for _ in range(2):   # the second round is answered from the cache
        for url in URLS:
            assert _settings(ours, url) == _settings(theirs, url), url
    proxies = _settings(ours, URLS[0])["proxies"]
    assert (proxies["http"], proxies["https"]) == ("http://proxy.example:3128", "http://secure-proxy.example:3129")
    assert "http" not in _settings(ours, URLS[2])["proxies"]   # no_proxy


def test_proxies_given_with_a_request_win_and_the_cache_is_not_mutated(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    ours = _Session()
    given = _settings(ours, URLS[0], {"http": "http://other.example:1"})
    assert given["proxies"]["http"] == "http://other.example:1"
    _settings(ours, URLS[0])["proxies"]["http"] = "changed by a caller"
    assert _settings(ours, URLS[0])["proxies"]["http"] == "http://proxy.example:3128"
