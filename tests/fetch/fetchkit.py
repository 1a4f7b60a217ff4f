"""Helpers of the fetch tests (imported by the tests; the fixtures are in conftest.py): real HTTP
servers on 127.0.0.1 (threads, no mocking of requests), Box-structured pages, quick settings, a
recording sleep, and the TOML of temporary config folders for flows.pipeline.run_locally.

A `Site` is one host as the harvester sees it: `make_site()` answers at 127.0.0.1:<port>,
`make_site("localhost")` at localhost:<port> (a different host for politeness and tokens, same
loopback interface); `make_site(tls=...)` answers over https with a self-signed certificate for
localhost and 127.0.0.1 (see `self_signed`). Routes map a path (with query) to Replies served in order, the last one
repeating; every request is recorded with its headers, start and end, and the most requests in
flight at once.
"""
from __future__ import annotations

import copy
import datetime
import email.utils
import http.server
import ipaddress
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from config.load import DEFAULT_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
CATEGORY = "Medical Imaging"
USER_AGENT = "lqs-harvester/test (+https://github.com/lqs-harvester/lqs-harvester)"


# ---------------------------------------------------------------------------- the server
@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    etag: str | None = None            # a matching If-None-Match gets a 304
    last_modified: str | None = None   # an If-Modified-Since at or after it gets a 304
    bare_304: bool = False             # the 304 repeats neither validator (allowed by RFC 9110)
    stall: float = 0.0                 # seconds before the status line
    trickle: float = 0.0               # seconds between body bytes, sent one at a time
    length: int | None = None          # Content-Length to declare (None: the body's length)
    chunked: bool = False              # no Content-Length: the size is only known by reading
    hang_up: bool = False              # close the connection without answering


@dataclass
class Seen:
    path: str
    headers: dict      # lower-case names
    start: float       # time.monotonic() when the request arrived
    end: float = 0.0


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False   # stalled handlers must not hold up the test's teardown

    def handle_error(self, request, client_address):
        pass  # clients hang up on purpose (timeouts, caps); that is what is being tested


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        site: Site = self.server.site
        seen = site._arrive(self.path, {k.lower(): v for k, v in self.headers.items()})
        try:
            self._answer(site._reply_for(self.path), seen.headers)
        finally:
            site._leave(seen)

    def _answer(self, reply: Reply, request_headers: dict) -> None:
        if reply.hang_up:
            self.close_connection = True
            return
        time.sleep(reply.stall)
        fresh = _is_fresh(reply, request_headers)
        status, body = (304, b"") if fresh else (reply.status, reply.body)
        self.send_response(status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.etag and not (fresh and reply.bare_304):
            self.send_header("ETag", reply.etag)
        if reply.last_modified and not (fresh and reply.bare_304):
            self.send_header("Last-Modified", reply.last_modified)
        if reply.chunked and not fresh:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 65536):
                piece = body[start:start + 65536]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
            return
        declared = len(body) if reply.length is None else reply.length
        self.send_header("Content-Length", str(declared))
        self.end_headers()
        if reply.trickle:
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(reply.trickle)
        else:
            self.wfile.write(body)
        if declared != len(body):
            self.close_connection = True   # a body shorter than declared: hang up mid-way


def _is_fresh(reply: Reply, headers: dict) -> bool:
    if reply.etag and headers.get("if-none-match") == reply.etag:
        return True
    since, modified = headers.get("if-modified-since"), reply.last_modified
    if modified and since and "if-none-match" not in headers:
        return email.utils.parsedate_to_datetime(since) >= email.utils.parsedate_to_datetime(modified)
    return False


class Site:
    """One loopback host serving a table of routes (see the module docstring)."""

    def __init__(self, host_name: str = "127.0.0.1", tls: ssl.SSLContext | None = None):
        self.host_name = host_name
        self.scheme = "https" if tls else "http"
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self
        if tls:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host_name}:{self.port}{path}"

    def route(self, path: str, *replies) -> None:
        """Serve these replies at path in order, the last one repeating (replaces the route)."""
        with self._lock:
            self.routes[path] = list(replies)

    def seen(self, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.requests if path is None or s.path == path]

    def _reply_for(self, path: str) -> Reply:
        with self._lock:
            queue = self.routes.get(path)
            if not queue:
                return Reply(404, b"not found")
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def _arrive(self, path: str, headers: dict) -> Seen:
        seen = Seen(path, headers, time.monotonic())
        with self._lock:
            self.requests.append(seen)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return seen

    def _leave(self, seen: Seen) -> None:
        with self._lock:
            self.in_flight -= 1
            seen.end = time.monotonic()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def self_signed(folder: Path, hosts: tuple[str, ...] = ("localhost",)) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with a fresh self-signed certificate for the host names (localhost by
    default) and 127.0.0.1, and the certificate's file (point REQUESTS_CA_BUNDLE at it to trust it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts] +
                                                       [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


# ---------------------------------------------------------------------------- pages
def box_page(title: str, folder_id: int = 1000, root_id: int | None = None, page_count: int = 1,
             files: int = 2, first_file: int = 0, folders: tuple = (), charset: str = "utf-8") -> str:
    """A Box shared-folder page in the structure extractors/box.py reads (cf. demo/pages).
    Files are numbered from first_file (later pages of one folder list other files)."""
    root_id = folder_id if root_id is None else root_id
    items = [{"type": "file", "id": folder_id * 1000 + n, "name": f"part-{n}.csv", "itemSize": 1000 * (n + 1)}
             for n in range(first_file, first_file + files)]
    items += [{"type": "folder", "id": f, "name": f"folder-{f}", "itemSize": 0, "filesCount": 0}
              for f in folders]
    data = {"/app-api/enduserapp/shared-item": {"sharedName": "s", "itemID": root_id, "itemType": "folder"},
            "/app-api/enduserapp/shared-folder": {"currentFolderID": folder_id, "currentFolderName": title,
                                                  "pageCount": page_count, "pageNumber": 1, "items": items}}
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
            f"<body><script>\nBox.postStreamData = {json.dumps(data, ensure_ascii=False)};\n"
            "</script></body></html>")


def html_type(charset: str | None = "utf-8") -> dict:
    return {"Content-Type": "text/html" + (f"; charset={charset}" if charset else "")}


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


# ---------------------------------------------------------------------------- settings, fetchers
def quick_settings(**sections) -> dict:
    """Defaults made quick and loopback-friendly; keyword arguments update whole sections."""
    settings = copy.deepcopy(DEFAULT_SETTINGS)
    settings["http"].update(
        user_agent=USER_AGENT, connect_timeout=2.0, read_timeout=0.5, total_deadline=5.0,
        max_bytes=1_000_000, max_annotation_bytes=1_000_000, max_decompressed_bytes=1_000_000,
        retries=1, backoff_base=0.01, backoff_cap=0.05, retry_after_cap=5.0,
        allow_private_addresses=True)   # every test server is on loopback
    settings["politeness"].update(min_delay=0.0, per_host_concurrency=4, global_concurrency=8)
    for section, values in sections.items():
        settings[section].update(values)
    return settings


class Sleeps(list):
    """An injected sleep: records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


# ---------------------------------------------------------------------------- run_locally
def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(type(value))


def settings_toml(settings: dict) -> str:
    lines = []
    for section, values in settings.items():
        if section == "hosts":
            for host, opts in values.items():
                lines.append(f'[hosts."{host}"]')
                lines += [f"{k} = {_toml(v)}" for k, v in opts.items()]
            continue
        lines.append(f"[{section}]")
        lines += [f"{k} = {_toml(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def sources_toml(sources: list[dict]) -> str:
    """[[source]] entries (Box by default); a dict value becomes a [source.<key>] table."""
    blocks = []
    for src in sources:
        entry = {"name": src["id"], "category": CATEGORY, "adapter": "box", **src}
        lines = ["[[source]]"] + [f"{k} = {_toml(v)}" for k, v in entry.items() if not isinstance(v, dict)]
        for key, table in ((k, v) for k, v in entry.items() if isinstance(v, dict)):
            lines += [f"[source.{key}]"] + [f"{k} = {_toml(v)}" for k, v in table.items()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def write_config_dir(folder: Path, settings: dict, sources: list[dict]) -> Path:
    """folder/config with the project's lqs.toml and these settings and sources."""
    config_dir = folder / "config"
    config_dir.mkdir(parents=True)
    project = Path(__file__).resolve().parents[2] / "config" / "lqs.toml"
    (config_dir / "lqs.toml").write_text(project.read_text())
    (config_dir / "settings.toml").write_text(settings_toml(settings))
    (config_dir / "sources.toml").write_text(sources_toml(sources))
    return config_dir


def judge_politeness(site: "Site", min_delay: float, per_host: int, robots_fetches: int,
                     clock: float = 0.005) -> None:
    """What the server saw: request starts at least min_delay apart (less a few ms: the server
    logs arrivals on its own threads), at most per_host in flight, robots.txt fetched so often."""
    starts = sorted(s.start for s in site.seen())
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= min_delay - clock, sorted(gaps)[:5]
    assert site.max_in_flight <= per_host
    assert len(site.seen("/robots.txt")) == robots_fetches


def query(config, sql: str, params=()) -> list[tuple]:
    """Rows from the published warehouse of config."""
    from warehouse.db import Warehouse

    with Warehouse(config.warehouse_path).reader() as con:
        return con.execute(sql, list(params)).fetchall()
