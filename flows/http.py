"""The fetcher: one requests Session, polite, bounded, retried, archived and ledgered.

Per request: robots.txt (protego, cached per host per run) -> per-host gate (concurrency and
minimum delay, Crawl-delay when larger) -> conditional headers -> manual redirect walk (http/https
only, no private addresses unless allowed, max hops) -> streamed body with byte and decompressed
caps and a total deadline -> WARC record -> ledger row. Retries: connection errors, timeouts,
408, 429 and 5xx with exponential backoff and jitter, honouring Retry-After up to a cap.
"""
from __future__ import annotations

import email.utils
import hashlib
import ipaddress
import os
import random
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

import requests

from flows.archive import NotInArchive, ReplayAdapter, WarcArchive

RETRY_STATUS = {408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}
REDIRECT_STATUS = {301, 302, 303, 307, 308}


class FetchError(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class FetchResult:
    url: str                      # the URL asked for
    final_url: str
    status: int | None
    outcome: str                  # ok | not-modified | skipped-robots | error kind (http-404, timeout, ...)
    body: bytes | None = None
    headers: dict = field(default_factory=dict)
    sha256: str | None = None
    error: str | None = None
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type") or self.headers.get("Content-Type")


@dataclass
class HostPolicy:
    concurrency: int
    min_delay: float
    obey_robots: bool
    token: str | None = None
    user_agent: str | None = None


class HostGate:
    """Bounds concurrent requests and spaces them out, per host."""

    def __init__(self):
        self._lock = threading.Lock()
        self._sems: dict[str, threading.BoundedSemaphore] = {}
        self._next: dict[str, float] = {}

    def _sem(self, host: str, concurrency: int) -> threading.BoundedSemaphore:
        with self._lock:
            if host not in self._sems:
                self._sems[host] = threading.BoundedSemaphore(max(1, concurrency))
            return self._sems[host]

    def enter(self, host: str, concurrency: int, delay: float) -> None:
        self._sem(host, concurrency).acquire()
        while True:
            with self._lock:
                now = time.monotonic()
                ready = self._next.get(host, 0.0)
                if now >= ready:
                    self._next[host] = now + delay
                    return
            time.sleep(min(ready - now, 1.0))

    def leave(self, host: str) -> None:
        self._sems[host].release()


class Fetcher:
    def __init__(self, settings: dict, run_id: str = "", archive: WarcArchive | None = None,
                 replay=None, environ: dict | None = None,
                 resolver: Callable[[str], list[str]] | None = None, sleep=time.sleep):
        self.http = settings["http"]
        self.polite = settings["politeness"]
        self.hosts = settings.get("hosts", {})
        self.run_id = run_id
        self.archive = archive
        self.replaying = replay is not None
        self.environ = os.environ if environ is None else environ
        self.resolver = resolver or _resolve
        self.sleep = sleep
        self.ledger: list[dict] = []
        self._ledger_lock = threading.Lock()
        self.gate = HostGate()
        self._robots: dict[str, Any] = {}
        self._robots_lock = threading.Lock()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.http["user_agent"]
        self.session.headers["Accept-Encoding"] = "gzip, deflate, br"
        if replay is not None:
            adapter = ReplayAdapter(replay)
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)

    # ---------------------------------------------------------------- policy
    def policy(self, host: str) -> HostPolicy:
        opts = self.hosts.get(host, {})
        token_env = opts.get("token_env")
        # A replay talks to no host: politeness delays would only slow it down.
        delay = 0.0 if self.replaying else float(opts.get("min_delay", self.polite["min_delay"]))
        return HostPolicy(
            concurrency=int(opts.get("per_host_concurrency", self.polite["per_host_concurrency"])),
            min_delay=delay,
            obey_robots=bool(opts.get("obey_robots", self.polite["obey_robots"]))
            and host not in self.polite["ignore_robots_hosts"],
            token=self.environ.get(token_env) if token_env else None,
            user_agent=opts.get("user_agent"),
        )

    # ---------------------------------------------------------------- public
    def get(self, url: str, dataset_id: str | None = None, validators: dict | None = None,
            max_bytes: int | None = None, purpose: str = "page") -> FetchResult:
        host = (urlsplit(url).hostname or "").lower()
        policy = self.policy(host)
        robots = self._robots_for(url, dataset_id, policy)
        if robots is not None and not robots.can_fetch(url, self._agent(policy)):
            result = FetchResult(url, url, None, "skipped-robots",
                                 error=f"disallowed by {host}/robots.txt")
            self._log(dataset_id, url, 0, result, 0.0, None, purpose)
            return result
        delay = policy.min_delay
        if robots is not None:
            crawl_delay = robots.crawl_delay(self._agent(policy))
            if crawl_delay:
                delay = max(delay, float(crawl_delay))
        return self._with_retries(url, dataset_id, validators or {}, policy, delay,
                                  max_bytes or self.http["max_bytes"], purpose=purpose)

    def close(self) -> None:
        self.session.close()

    # ---------------------------------------------------------------- robots
    def _agent(self, policy: HostPolicy) -> str:
        return (policy.user_agent or self.http["user_agent"]).split("/", 1)[0]

    def _robots_for(self, url: str, dataset_id: str | None, policy: HostPolicy):
        parts = urlsplit(url)
        if not policy.obey_robots or parts.path == "/robots.txt":
            return None
        key = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            if key in self._robots:
                return self._robots[key]
            from protego import Protego

            result = self._with_retries(key + "/robots.txt", dataset_id, {}, policy, policy.min_delay,
                                        512_000, retries=1, purpose="robots")
            # No robots.txt (4xx, missing from a replay archive, unreachable) means no rules.
            text = result.body.decode("utf-8", "replace") if result.ok and result.body else ""
            rules = Protego.parse(text) if text else None
            self._robots[key] = rules
            return rules

    # ---------------------------------------------------------------- retries
    def _with_retries(self, url, dataset_id, validators, policy, delay, max_bytes, retries=None,
                      purpose="page"):
        retries = self.http["retries"] if retries is None else retries
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            retry_after = None
            try:
                result = self._walk(url, validators, policy, delay, max_bytes)
                retry_after = _retry_after(result.headers.get("retry-after"))
            except FetchError as exc:
                result = FetchResult(url, url, None, exc.kind, error=str(exc))
            result.attempts = attempt
            elapsed = (time.monotonic() - started) * 1000
            self._log(dataset_id, url, attempt, result, elapsed, retry_after, purpose)
            if not self._retryable(result) or attempt > retries:
                return result
            self.sleep(self._backoff(attempt, retry_after))

    def _retryable(self, result: FetchResult) -> bool:
        if result.status is not None:
            return result.status in RETRY_STATUS
        return result.outcome in ("timeout", "connection-error", "truncated")

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.http["retry_after_cap"])
        base = self.http["backoff_base"] * (2 ** (attempt - 1))
        return min(self.http["backoff_cap"], base) * random.uniform(0.5, 1.0)

    # ---------------------------------------------------------------- one attempt
    def _walk(self, url, validators, policy, delay, max_bytes) -> FetchResult:
        current, seen = url, [url]
        for _hop in range(self.http["max_redirects"] + 1):
            self._check_target(current)
            host = (urlsplit(current).hostname or "").lower()
            hop_policy = policy if host == (urlsplit(url).hostname or "").lower() else self.policy(host)
            self.gate.enter(host, hop_policy.concurrency, delay if hop_policy is policy else hop_policy.min_delay)
            try:
                status, reason, headers, body = self._request(current, validators if current == url else {},
                                                              hop_policy, max_bytes)
            finally:
                self.gate.leave(host)
            if status in REDIRECT_STATUS and headers.get("location"):
                nxt = urljoin(current, headers["location"])
                if nxt in seen:
                    raise FetchError("redirect-loop", f"redirect loop at {nxt}")
                seen.append(nxt)
                current = nxt
                continue
            return self._result(url, current, status, headers, body)
        raise FetchError("too-many-redirects", f"more than {self.http['max_redirects']} redirects from {url}")

    def _result(self, url, final, status, headers, body) -> FetchResult:
        if status == 304:
            return FetchResult(url, final, status, "not-modified", headers=headers)
        sha = hashlib.sha256(body).hexdigest()
        if 200 <= status < 300:
            return FetchResult(url, final, status, "ok", body, headers, sha)
        return FetchResult(url, final, status, f"http-{status}", body, headers, sha,
                           error=f"HTTP {status} from {final}")

    def _check_target(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("bad-url", f"only http(s) URLs are fetched: {url[:200]}")
        if self.replaying or self.http["allow_private_addresses"]:
            return
        for address in self.resolver(parts.hostname):
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast \
                    or ip.is_unspecified:
                raise FetchError("private-address", f"{parts.hostname} resolves to non-public {ip}")

    def _request(self, url, validators, policy, max_bytes):
        headers = dict(validators)
        if policy.token:
            headers["Authorization"] = f"Bearer {policy.token}"
        if policy.user_agent:
            headers["User-Agent"] = policy.user_agent
        timeout = (self.http["connect_timeout"], self.http["read_timeout"])
        try:
            resp = self.session.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=False)
        except NotInArchive as exc:
            raise FetchError("not-in-archive", str(exc)) from None
        except requests.exceptions.Timeout as exc:
            raise FetchError("timeout", f"timeout connecting to {url}: {exc}") from None
        except requests.exceptions.InvalidURL as exc:
            raise FetchError("bad-url", str(exc)) from None
        except requests.exceptions.RequestException as exc:
            raise FetchError("connection-error", f"{type(exc).__name__}: {exc}"[:300]) from None
        try:
            body = self._read_body(resp, max_bytes)
        finally:
            resp.close()
        resp_headers = {k.lower(): v for k, v in resp.headers.items()}
        if self.archive is not None:
            sent = {**self.session.headers, **headers}
            self.archive.record("GET", url, sent, resp.status_code, resp.reason or "", dict(resp.headers), body)
        return resp.status_code, resp.reason, resp_headers, body

    def _read_body(self, resp, max_bytes: int) -> bytes:
        """Stream the body; stop past the byte cap, the decompressed cap or the deadline."""
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes \
                and not resp.headers.get("content-encoding"):
            raise FetchError("too-large", f"Content-Length {declared} exceeds the {max_bytes}-byte cap")
        raw = resp.raw
        decoder = _decoder(resp.headers.get("content-encoding", ""))
        deadline = time.monotonic() + self.http["total_deadline"]
        limit = self.http["max_decompressed_bytes"]
        chunks, received, produced = [], 0, 0
        try:
            while True:
                chunk = raw.read(65536, decode_content=False)
                if not chunk:
                    break
                received += len(chunk)
                if received > max_bytes:
                    raise FetchError("too-large", f"body exceeds the {max_bytes}-byte cap")
                data = decoder.decompress(chunk, limit - produced + 1) if decoder else chunk
                produced += len(data)
                if produced > limit:
                    raise FetchError("decompression-bomb", f"decompressed body exceeds {limit} bytes")
                chunks.append(data)
                if time.monotonic() > deadline:
                    raise FetchError("timeout", f"total deadline of {self.http['total_deadline']}s passed")
        except FetchError:
            raise
        except (requests.exceptions.RequestException, OSError, zlib.error, ValueError) as exc:
            kind = "timeout" if "timed out" in str(exc).lower() else "truncated"
            raise FetchError(kind, f"{type(exc).__name__} while reading body: {exc}"[:300]) from None
        except Exception as exc:  # urllib3 protocol errors, brotli errors
            kind = "timeout" if "timed out" in str(exc).lower() else "truncated"
            raise FetchError(kind, f"{type(exc).__name__} while reading body: {exc}"[:300]) from None
        if decoder is not None and hasattr(decoder, "flush"):
            chunks.append(decoder.flush())
        return b"".join(chunks)

    # ---------------------------------------------------------------- ledger
    def _log(self, dataset_id, url, attempt, result: FetchResult, elapsed_ms, retry_after,
             purpose) -> None:
        row = {
            "run_id": self.run_id, "dataset_id": dataset_id, "url": url,
            "host": (urlsplit(url).hostname or "").lower(), "method": "GET", "purpose": purpose, "attempt": attempt,
            "status": result.status, "outcome": result.outcome,
            "bytes": len(result.body) if result.body is not None else 0, "sha256": result.sha256,
            "elapsed_ms": round(elapsed_ms, 3), "retry_after": retry_after, "error": result.error,
            "etag": result.headers.get("etag"), "last_modified": result.headers.get("last-modified"),
            "content_type": result.headers.get("content-type"),
            "fetched_at": datetime.now(timezone.utc).replace(tzinfo=None),
        }
        with self._ledger_lock:
            self.ledger.append(row)

    def ledger_outcome(self, dataset_id: str | None, url: str, outcome: str) -> None:
        """Relabel the last ledger row of url (a 200 whose body equals the previous one)."""
        with self._ledger_lock:
            for row in reversed(self.ledger):
                if row["dataset_id"] == dataset_id and row["url"] == url:
                    row["outcome"] = outcome
                    return

    def take_ledger(self, dataset_id: str | None) -> list[dict]:
        """Remove and return the ledger rows of one dataset (written with its results)."""
        with self._ledger_lock:
            mine = [r for r in self.ledger if r["dataset_id"] == dataset_id]
            self.ledger = [r for r in self.ledger if r["dataset_id"] != dataset_id]
        return mine


class _Decoder:
    def __init__(self, kind: str):
        if kind == "br":
            import brotli

            self._d = brotli.Decompressor()
            self._kind = "br"
        else:
            wbits = 16 + zlib.MAX_WBITS if kind == "gzip" else zlib.MAX_WBITS
            self._d = zlib.decompressobj(wbits)
            self._kind = kind

    def decompress(self, chunk: bytes, max_length: int) -> bytes:
        if self._kind == "br":
            # brotli has no output bound per call; chunks are 64 KB so growth per call is bounded
            # by the format's maximum ratio, and the caller checks the running total.
            return self._d.process(chunk)
        out = self._d.decompress(chunk, max(1, max_length))
        if self._d.unconsumed_tail:
            raise FetchError("decompression-bomb", "decompressed body exceeds the cap")
        return out

    def flush(self) -> bytes:
        return b"" if self._kind == "br" else self._d.flush()


def _decoder(encoding: str):
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate", "br"):
        return _Decoder("gzip" if encoding == "x-gzip" else encoding)
    return None


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: an integer, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _resolve(hostname: str) -> list[str]:
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(hostname, None)})
    except socket.gaierror:
        return []
