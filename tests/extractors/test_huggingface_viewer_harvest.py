"""The dataset-viewer walk through the real harvest path: flows.harvest.collect() reads a Hub API
page served over HTTPS by a fake Hub on 127.0.0.1, follows /splits, /size, /info and /statistics
(the adapter's Follow URLs, absolute https://datasets-server.huggingface.co/... URLs), and
publishes the facts of all of them together; a second run revalidates every page with its ETag.

The harvester talks to huggingface.co and datasets-server.huggingface.co by name, as in
production: requests honours HTTPS_PROXY, so a CONNECT proxy on 127.0.0.1 tunnels both names to
one loopback TLS server whose self-signed certificate names them (REQUESTS_CA_BUNDLE trusts it).
No request leaves the machine and nothing in requests is mocked."""
from __future__ import annotations

import json
import select
import socket
import socketserver
import ssl
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fetch"))

from fetchkit import Reply, Site, quick_settings, self_signed  # noqa: E402
from config.load import Source  # noqa: E402
from fetch.http import Fetcher  # noqa: E402
from flows.harvest import collect  # noqa: E402
from warehouse.rows import Previous  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "huggingface"
HOSTS = ("huggingface.co", "datasets-server.huggingface.co")
SETTINGS = quick_settings(politeness={"obey_robots": False})
JSON = {"Content-Type": "application/json"}


def hub_certificate(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a fresh self-signed certificate for the two Hub host names."""
    return self_signed(folder, HOSTS)


class _Tunnel(socketserver.BaseRequestHandler):
    """CONNECT <Hub host>:443 -> a byte pipe to the loopback TLS server; anything else: 403."""

    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 8192:
            chunk = self.request.recv(1024)
            if not chunk:
                return
            head += chunk
        line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
        host = line[1].rsplit(":", 1)[0] if len(line) == 3 and line[0] == "CONNECT" else ""
        if host not in HOSTS:
            self.request.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        self.server.tunnelled.append(host)
        with socket.create_connection(("127.0.0.1", self.server.target_port), timeout=5) as upstream:
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self._pipe(self.request, upstream)

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        for _ in range(10_000):   # bounded: a test exchange is a few records
            ready, _, _ = select.select([a, b], [], [], 5)
            if not ready:
                return
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                (b if sock is a else a).sendall(data)


class _Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target_port: int):
        super().__init__(("127.0.0.1", 0), _Tunnel)
        self.target_port = target_port
        self.tunnelled: list[str] = []


@pytest.fixture(scope="module")
def hub_tls(tmp_path_factory):
    return hub_certificate(tmp_path_factory.mktemp("hub-tls"))


@pytest.fixture
def fake_hub(hub_tls, monkeypatch):
    """A loopback HTTPS server standing for both Hub hosts, reached through a CONNECT proxy."""
    context, cert_file = hub_tls
    site = Site("127.0.0.1", context)
    proxy = _Proxy(site.port)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_file))
    yield site, proxy
    proxy.shutdown()
    proxy.server_close()
    site.close()


def serve(site: Site, repo: str, pages: dict[str, str]) -> None:
    """Route the Hub API page and each viewer page (path and query as the harvest asks them)
    to a fixture, each with an ETag so a second run can be answered 304."""
    quoted = repo.replace("/", "%2F")
    for i, (path, name) in enumerate(pages.items()):
        path = path.replace("{repo}", repo).replace("{q}", quoted)
        site.route(path, Reply(200, (FIXTURES / name).read_bytes(), JSON, etag=f'"{name}-{i}"'))


RETINA = {"/api/datasets/{repo}": "viewer-retina-grades-api.json",
          "/splits?dataset={q}": "viewer-retina-grades-splits.json",
          "/size?dataset={q}": "viewer-retina-grades-size.json",
          "/info?dataset={q}": "viewer-retina-grades-info.json",
          "/statistics?dataset={q}&config=default&split=train": "viewer-retina-grades-statistics-train.json"}
TOPICS = {"/api/datasets/{repo}": "viewer-topic-tags-api.json",
          "/splits?dataset={q}": "viewer-topic-tags-splits.json",
          "/size?dataset={q}": "viewer-topic-tags-size.json",
          "/info?dataset={q}": "viewer-topic-tags-info.json",
          "/statistics?dataset={q}&config=en&split=train": "viewer-topic-tags-statistics-en-train.json",
          "/statistics?dataset={q}&config=de&split=train": "viewer-topic-tags-statistics-de-train.json"}


def pages(result) -> list[dict]:
    """The source's page fetches (a label file found in the listing is fetched as 'annotations')."""
    return [r for r in result.fetches if r["purpose"] == "page"]


def winners(result) -> dict:
    return {f["field"]: f["value"] for f in result.facts if f["winner"] and f["record"] is None}


def winner_rows(result) -> dict:
    return {f["field"]: f for f in result.facts if f["winner"] and f["record"] is None}


def previous_of(result) -> Previous:
    """What the warehouse would hand the next run (warehouse.load.previous_state's shape)."""
    urls = {r["url"]: {"purpose": r["purpose"], "etag": r["etag"], "last_modified": r["last_modified"],
                       "sha256": r["sha256"]} for r in result.fetches if r["outcome"] == "ok"}
    return Previous("run-1", result.fingerprint, urls, frozenset(f["extractor"] for f in result.facts))


RETINA_SOURCE = Source("retina", "Retina Grades", "https://huggingface.co/api/datasets/example-lab/retina-grades",
                       "Medical Imaging", adapter="huggingface")
TOPICS_SOURCE = Source("topics", "Topic Tags", "https://huggingface.co/api/datasets/example-nlp/topic-tags",
                       "Text", adapter="huggingface")


def harvest(source: Source, settings=SETTINGS, **kw):
    """collect() of one source with a fresh Fetcher, closed after."""
    fetcher = Fetcher(settings)
    try:
        return collect(source, fetcher, settings, **kw)
    finally:
        fetcher.close()


class _Store(dict):
    """The body store the flow keeps by sha256 (for 304s)."""

    def put(self, sha, body):
        self[sha] = body


def test_single_label_dataset_through_collect(fake_hub):
    site, proxy = fake_hub
    serve(site, "example-lab/retina-grades", RETINA)
    source, store = RETINA_SOURCE, _Store()
    result = harvest(source, store=store)

    assert result.status == "ok", result.error
    assert [r["url"] for r in pages(result)] == [
        "https://huggingface.co/api/datasets/example-lab/retina-grades",
        "https://datasets-server.huggingface.co/splits?dataset=example-lab%2Fretina-grades",
        "https://datasets-server.huggingface.co/size?dataset=example-lab%2Fretina-grades",
        "https://datasets-server.huggingface.co/info?dataset=example-lab%2Fretina-grades",
        "https://datasets-server.huggingface.co/statistics?dataset=example-lab%2Fretina-grades"
        "&config=default&split=train"]
    assert set(proxy.tunnelled) == set(HOSTS)
    facts = winners(result)
    assert facts["class_counts"] == {"no_dr": 1580, "mild": 330, "moderate": 690, "severe": 340,
                                     "proliferative": 260}
    assert facts["missing_values"] == {"pct": 0.0, "columns": 1, "rows": 3200, "split": "train",
                                       "source": "Hub statistics"}
    assert facts["labels_per_item"] == 1.0
    # The train split's 3200 rows are not the dataset's size: /size's total of all splits is.
    assert facts["item_count"] == 4000 and facts["size_bytes"] == 498211000
    rows = winner_rows(result)
    assert rows["class_counts"]["basis"] == "published" and "train split" in rows["class_counts"]["evidence"]
    assert rows["missing_values"]["evidence"].startswith("$.statistics[1] label (class_label, train split)")

    # The next run asks every page again with its ETag; all 304: the source is unchanged.
    again = harvest(source, previous=previous_of(result), store=store)
    assert again.status == "unchanged", (again.error, again.warnings)
    assert [r["outcome"] for r in pages(again)] == ["not-modified"] * 5
    stats = "/statistics?dataset=example-lab%2Fretina-grades&config=default&split=train"
    assert site.seen(stats)[-1].headers.get("if-none-match") == '"viewer-retina-grades-statistics-train.json-4"'


def test_multi_label_dataset_of_two_configs_through_collect(fake_hub):
    site, _ = fake_hub
    serve(site, "example-nlp/topic-tags", TOPICS)
    source = TOPICS_SOURCE
    result = harvest(source)

    assert result.status == "ok", result.error
    assert len(pages(result)) == 6
    facts = winners(result)
    # Pooled over the train splits of both configs: 120 null label lists of 12000 (1%) and 0 of 4000.
    assert facts["missing_values"] == {"pct": 0.5, "columns": 2, "rows": 16000, "split": "train",
                                       "source": "Hub statistics"}
    # Mean list lengths 1.45455 over 11880 items and 1.3975 over 4000, weighted.
    assert facts["labels_per_item"] == pytest.approx((1.45455 * 11880 + 1.3975 * 4000) / 15880, abs=1e-5)
    assert "class_counts" not in facts   # a list of class labels has no frequencies
    assert facts["class_count"] == 6 and facts["item_count"] == 18000


def test_a_page_budget_smaller_than_the_walk_stops_it_with_a_warning(fake_hub):
    site, _ = fake_hub
    serve(site, "example-nlp/topic-tags", TOPICS)
    settings = json.loads(json.dumps(SETTINGS))
    settings["run"]["max_pages_per_source"] = 3
    source = TOPICS_SOURCE
    result = harvest(source, settings)
    assert result.status == "ok", result.error
    assert len(pages(result)) == 3
    assert any(w.startswith("page limit 3 reached") for w in result.warnings)
    assert "missing_values" not in winners(result)


def test_a_viewer_page_that_fails_is_a_warning_and_the_source_keeps_the_rest(fake_hub):
    """The viewer answers errors for statistics it has not computed (or gated data): that leaves
    the evidence out; the dataset's own page and the other viewer pages still count."""
    site, _ = fake_hub
    pages_but_statistics = {k: v for k, v in RETINA.items() if not k.startswith("/statistics")}
    serve(site, "example-lab/retina-grades", pages_but_statistics)
    site.route("/statistics?dataset=example-lab%2Fretina-grades&config=default&split=train",
               Reply(500, b'{"error": "The response is not ready yet."}', JSON))
    source = RETINA_SOURCE
    result = harvest(source)
    assert result.status == "ok", result.error
    assert any(w.startswith("evidence page not read:") and "statistics" in w for w in result.warnings)
    facts = winners(result)
    assert "class_counts" not in facts and "missing_values" not in facts
    assert facts["item_count"] == 4000 and facts["labels_per_item"] == 1.0
