"""The fetcher: one requests Session, polite, bounded, retried, archived and ledgered.

Per request: robots.txt (protego, cached per origin per run) -> per-host gate (concurrency and
minimum delay, Crawl-delay when larger) -> conditional headers -> manual redirect walk (http/https
only, no private addresses unless allowed, IPv4 inside IPv6 forms included, max hops, each hop under
its own host's robots rules and limits; a token goes only to the https origin it is bound to) ->
streamed body with byte and decompressed caps and a total deadline -> WARC record -> ledger row.
Retries: connection errors, timeouts, 408, 429 and 5xx with exponential backoff and jitter,
honouring Retry-After (a server asking for longer than the cap is not retried).

The fetchers of one run in one process share a RunState (host gate, the run's cap on requests in
flight, robots rules), so a run split into batches still fetches each robots.txt once and keeps
each host's limits across batches. When the run's batches run in several processes, the flow
hands every batch the robots.txt it read before dispatch (seed_run_state) and the limits are also
held on the Prefect API (fetch/shared_gate.py); the in-process gate stays in front of them, so
threads of one process never ask the API for a slot their own process would refuse.
"""
from __future__ import annotations

import email.utils
import hashlib
import ipaddress
import logging
import os
import random
import socket
import threading
import time
import zlib
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

import requests

from fetch.archive import NotInArchive, ReplayAdapter, WarcArchive

log = logging.getLogger("lqs.fetch")

REDIRECT_STATUS = {301, 302, 303, 307, 308}
RETRY_OUTCOMES = {"timeout", "connection-error", "truncated"}
ROBOTS_MAX_BYTES = 512_000          # RFC 9309 asks crawlers to parse at least 500 KiB
CHUNK = 65536


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
    token_port: int | None = None      # None: the scheme's own port (443, or 80 when http is allowed)
    allow_http_token: bool = False     # the token may go over plain http (loopback tests)

    def token_for(self, url: str) -> str | None:
        """The host's token when url is the origin it is bound to: https (http only if the host
        table allows it) on the configured port. Any other scheme or port of the same host is
        another origin and gets nothing, so does a redirect there."""
        if not self.token:
            return None
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and self.allow_http_token):
            return None
        default = 443 if parts.scheme == "https" else 80
        try:
            port = parts.port or default
        except ValueError:   # a malformed port never gets a token
            return None
        return self.token if port == (self.token_port or default) else None


class HostGate:
    """Bounds concurrent requests and spaces their starts, per host.

    Each caller reserves the next free start time under the lock and then sleeps once until it,
    so an injected (fake) sleep makes the gate instant in tests without busy-waiting."""

    def __init__(self):
        self._lock = threading.Lock()
        self._sems: dict[str, threading.BoundedSemaphore] = {}
        self._next: dict[str, float] = {}

    def _sem(self, host: str, concurrency: int) -> threading.BoundedSemaphore:
        with self._lock:
            if host not in self._sems:
                self._sems[host] = threading.BoundedSemaphore(max(1, concurrency))
            return self._sems[host]

    def enter(self, host: str, concurrency: int, delay: float, sleep=time.sleep) -> None:
        self._sem(host, concurrency).acquire()
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, 0.0))
            self._next[host] = start + delay
        if start > now:
            sleep(start - now)

    def leave(self, host: str) -> None:
        self._sems[host].release()

    def defer(self, host: str, seconds: float) -> None:
        """No request to host starts for `seconds` (a 429/503 Retry-After speaks for the host)."""
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), time.monotonic() + seconds)


class RunState:
    """What the fetchers of one run share in one process."""

    def __init__(self):
        self.gate = HostGate()
        self.robots: dict[str, Any] = {}        # origin -> Protego rules, or a refusal reason, or None
        self.shared = None                      # a fetch.shared_gate.SharedLimits in a shared run
        self._cap: threading.BoundedSemaphore | None = None   # [politeness] global_concurrency
        self._lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}
        self._warned: set[str] = set()

    def cap(self, size: int) -> threading.BoundedSemaphore:
        """The run's bound on requests in flight over all hosts in this process (every batch of
        the run in this process shares it; a shared run also holds a slot of the Prefect one)."""
        with self._lock:
            if self._cap is None:
                self._cap = threading.BoundedSemaphore(max(1, size))
            return self._cap

    @contextmanager
    def slot(self, host: str, policy: "HostPolicy", delay: float, cap_size: int, sleep=time.sleep):
        """Hold the host's turn: the in-process gate, the run's cap, then the shared limits. The
        cap is taken after the gate: a thread waiting out a host's delay holds no slot of it."""
        self.gate.enter(host, policy.concurrency, delay, sleep)
        try:
            with self.cap(cap_size):
                if self.shared is None:
                    yield
                else:
                    with self.shared.slot(host, policy.concurrency, delay):
                        yield
        finally:
            self.gate.leave(host)

    def defer(self, host: str, seconds: float, delay: float) -> None:
        """A Retry-After: this process's gate, and every process's through the shared limits."""
        self.gate.defer(host, seconds)
        if self.shared is not None:
            try:
                self.shared.pause(host, seconds, delay)
            except Exception as exc:  # the API is unreachable: this process still pauses
                log.warning("Retry-After of %s not shared with other workers: %s", host, exc)

    def origin_lock(self, origin: str) -> threading.Lock:
        with self._lock:
            return self._origin_locks.setdefault(origin, threading.Lock())

    def first_warning(self, host: str) -> bool:
        with self._lock:
            if host in self._warned:
                return False
            self._warned.add(host)
            return True


_RUN_STATES: "OrderedDict[str, RunState]" = OrderedDict()
_RUN_STATES_LOCK = threading.Lock()
_RUN_STATES_KEPT = 8   # a process runs one run at a time; a few spare keep memory bounded


def seed_run_state(run_id: str, robots: dict[str, dict] | None = None, shared=None) -> RunState:
    """This process's state of run_id with what the flow hands every batch: the robots.txt it
    read (robots_snapshot) and the shared limits (None: in-process limits only)."""
    state = run_state(run_id)
    with state._lock:
        for origin, note in (robots or {}).items():
            state.robots.setdefault(origin, _robots_from_note(note))
        if shared is not None and state.shared is None:
            state.shared = shared
    return state


def robots_snapshot(state: RunState, origins) -> dict[str, dict]:
    """The robots.txt of these origins as plain data (a batch on another process parses it again)."""
    out = {}
    for origin in origins:
        if origin not in state.robots:
            continue
        rules = state.robots[origin]
        if rules is None:
            out[origin] = {"none": True}
        elif isinstance(rules, str):
            out[origin] = {"refused": rules}
        else:
            out[origin] = {"text": getattr(rules, "_lqs_text", "")}
    return out


def _robots_from_note(note: dict):
    if note.get("refused"):
        return note["refused"]
    if note.get("none"):
        return None
    return _parse_robots(note.get("text", ""))


def _parse_robots(text: str):
    from protego import Protego

    rules = Protego.parse(text)
    rules._lqs_text = text   # kept to hand the same rules to batches in other processes
    return rules


def run_state(run_id: str) -> RunState:
    """The shared state of run_id in this process (a private one when there is no run id)."""
    if not run_id:
        return RunState()
    with _RUN_STATES_LOCK:
        state = _RUN_STATES.get(run_id) or RunState()
        _RUN_STATES[run_id] = state
        _RUN_STATES.move_to_end(run_id)
        while len(_RUN_STATES) > _RUN_STATES_KEPT:
            _RUN_STATES.popitem(last=False)
        return state


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
        self.state = run_state(run_id)
        self.gate = self.state.gate
        self.session = _Session()
        self.session.headers["User-Agent"] = self.http["user_agent"]
        self.session.headers["Accept-Encoding"] = "gzip, deflate, br"
        if replay is None:
            # One pooled connection per thread that may talk to a host at once (default 10).
            from requests.adapters import HTTPAdapter

            size = max(10, int(self.polite["global_concurrency"]))
            pooled = HTTPAdapter(pool_connections=size, pool_maxsize=size)
            self.session.mount("http://", pooled)
            self.session.mount("https://", pooled)
        else:
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
            token_port=opts.get("token_port"),
            allow_http_token=bool(opts.get("allow_http_token", False)),
        )

    # ---------------------------------------------------------------- public
    def get(self, url: str, dataset_id: str | None = None, validators: dict | None = None,
            max_bytes: int | None = None, purpose: str = "page") -> FetchResult:
        try:   # before robots.txt: a private address is refused as such, and its robots.txt never asked
            self._check_target(url)
        except FetchError as exc:
            result = FetchResult(url, url, None, exc.kind, error=str(exc))
            self._log(dataset_id, url, 1, result, 0.0, None, purpose)
            return result
        refusal = self._robots_refusal(url, dataset_id, self.policy(_host(url)))
        if refusal:
            result = FetchResult(url, url, None, "skipped-robots", error=refusal)
            self._log(dataset_id, url, 0, result, 0.0, None, purpose)
            return result
        return self._with_retries(url, dataset_id, validators or {}, max_bytes or self.http["max_bytes"],
                                  purpose=purpose)

    def close(self) -> None:
        self.session.close()

    # ---------------------------------------------------------------- robots
    def _agent(self, policy: HostPolicy) -> str:
        return (policy.user_agent or self.http["user_agent"]).split("/", 1)[0]

    def _robots_refusal(self, url: str, dataset_id: str | None, policy: HostPolicy) -> str | None:
        """Why robots.txt forbids url, or None when it may be fetched."""
        parts = urlsplit(url)
        if parts.path == "/robots.txt":
            return None
        if not policy.obey_robots:
            if self.state.first_warning(_host(url)):
                log.warning("IGNORING robots.txt of %s as configured (politeness.obey_robots, "
                            "ignore_robots_hosts or hosts.%s.obey_robots): its rules are not applied",
                            _host(url), _host(url))
            return None
        rules = self._robots_rules(url, dataset_id, policy)
        if isinstance(rules, str):
            return rules
        if rules is not None and not rules.can_fetch(url, self._agent(policy)):
            return f"disallowed by {_origin(url)}/robots.txt for {self._agent(policy)}"
        return None

    def _robots_rules(self, url: str, dataset_id: str | None, policy: HostPolicy):
        """Protego rules of url's origin, None (no rules), or a reason everything is refused.
        Fetched once per origin per run; other origins are not held up meanwhile."""
        origin = _origin(url)
        if origin in self.state.robots:
            return self.state.robots[origin]
        with self.state.origin_lock(origin):
            if origin not in self.state.robots:
                result = self._with_retries(origin + "/robots.txt", dataset_id, {}, ROBOTS_MAX_BYTES,
                                            retries=1, purpose="robots")
                self.state.robots[origin] = _robots_from(result, origin)
            return self.state.robots[origin]

    def _delay(self, url: str, policy: HostPolicy) -> float:
        """Seconds between request starts on url's host: min_delay, or Crawl-delay when larger."""
        rules = self.state.robots.get(_origin(url)) if policy.obey_robots else None
        if rules is None or isinstance(rules, str):
            return policy.min_delay
        crawl_delay = rules.crawl_delay(self._agent(policy))
        return max(policy.min_delay, float(crawl_delay or 0.0))

    # ---------------------------------------------------------------- retries
    def _with_retries(self, url, dataset_id, validators, max_bytes, retries=None, purpose="page"):
        retries = self.http["retries"] if retries is None else retries
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            retry_after = None
            try:
                result = self._walk(url, dataset_id, validators, max_bytes, purpose)
                retry_after = _retry_after(result.headers.get("retry-after"))
            except FetchError as exc:
                result = FetchResult(url, url, None, exc.kind, error=str(exc))
            result.attempts = attempt
            wait = self._wait_before_retry(result, attempt, retries, retry_after)
            self._log(dataset_id, url, attempt, result, (time.monotonic() - started) * 1000, retry_after, purpose)
            if wait is None:
                return result
            if retry_after is None:
                self.sleep(wait)
            else:  # the host asked for a pause: its gate holds every request to it, ours included
                paused = _host(result.final_url)
                self.state.defer(paused, wait, self._delay(result.final_url, self.policy(paused)))

    def _wait_before_retry(self, result: FetchResult, attempt: int, retries: int,
                           retry_after: float | None) -> float | None:
        """Seconds to wait before the next attempt, or None when there is none."""
        if not _retryable(result) or attempt > retries:
            return None
        if retry_after is None:
            base = self.http["backoff_base"] * (2 ** (attempt - 1))
            return min(self.http["backoff_cap"], base) * random.uniform(0.5, 1.0)
        cap = self.http["retry_after_cap"]
        if retry_after > cap:  # retrying sooner than asked would be rude; give up for this run
            result.error = f"{result.error}; Retry-After {retry_after:.0f}s is over the {cap:g}s cap: not retried"
            return None
        return retry_after

    # ---------------------------------------------------------------- one attempt
    def _walk(self, url, dataset_id, validators, max_bytes, purpose) -> FetchResult:
        current, seen = url, {url}
        for hop in range(self.http["max_redirects"] + 1):
            self._check_target(current)
            host = _host(current)
            policy = self.policy(host)   # every hop under its own host's limits, agent and token
            if hop and purpose != "robots":
                refusal = self._robots_refusal(current, dataset_id, policy)
                if refusal:
                    raise FetchError("skipped-robots", f"redirect to {current}: {refusal}")
            with self.state.slot(host, policy, self._delay(current, policy), self.polite["global_concurrency"],
                                 self.sleep):
                status, headers, body = self._request(current, validators if hop == 0 else {}, policy,
                                                      max_bytes)
            if status in REDIRECT_STATUS and headers.get("location"):
                current = urljoin(current, headers["location"])
                if current in seen:
                    raise FetchError("redirect-loop", f"redirect loop at {current}")
                seen.add(current)
                continue
            return _result(url, current, status, headers, body, validators)
        raise FetchError("too-many-redirects", f"more than {self.http['max_redirects']} redirects from {url}")

    def _check_target(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("bad-url", f"only http(s) URLs are fetched: {url[:200]}")
        if self.replaying or self.http["allow_private_addresses"]:
            return
        for address in _addresses(parts.hostname, self.resolver):
            if not _is_public(address):
                raise FetchError("private-address", f"{parts.hostname} resolves to non-public {address}")

    def _request(self, url, validators, policy, max_bytes):
        # The deadline starts once the gate lets us in: waiting our turn is not the server's fault.
        deadline = time.monotonic() + self.http["total_deadline"]
        headers = dict(validators)
        token = policy.token_for(url)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if policy.user_agent:
            headers["User-Agent"] = policy.user_agent
        left = _left(deadline)
        timeout = (min(self.http["connect_timeout"], left), min(self.http["read_timeout"], left))
        try:
            resp = self.session.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=False)
        except NotInArchive as exc:
            raise FetchError("not-in-archive", str(exc)) from None
        except requests.exceptions.Timeout as exc:
            raise FetchError("timeout", f"timeout on {url}: {type(exc).__name__}") from None
        except requests.exceptions.InvalidURL as exc:
            raise FetchError("bad-url", str(exc)[:300]) from None
        except requests.exceptions.RequestException as exc:
            raise FetchError("connection-error", f"{type(exc).__name__}: {exc}"[:300]) from None
        try:
            body = self._read_body(resp, max_bytes, deadline)
        finally:
            resp.close()
        if self.archive is not None:
            sent = {**self.session.headers, **headers}   # the archive drops Authorization itself
            self.archive.record("GET", url, sent, resp.status_code, resp.reason or "", dict(resp.headers), body)
        return resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, body

    def _read_body(self, resp, max_bytes: int, deadline: float) -> bytes:
        """Stream the body; stop past the byte cap, the decompressed cap or the deadline."""
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes \
                and not resp.headers.get("content-encoding"):
            raise FetchError("too-large", f"Content-Length {declared} exceeds the {max_bytes}-byte cap")
        decoder = _decoder(resp.headers.get("content-encoding", ""))
        limit = self.http["max_decompressed_bytes"]
        chunks, received, produced = [], 0, 0
        try:
            while True:
                # read1 returns what one receive brings, so a server trickling bytes still meets
                # the deadline; each receive waits at most the read timeout or what is left.
                _limit_wait(resp.raw, min(self.http["read_timeout"], _left(deadline)))
                chunk = resp.raw.read1(CHUNK, decode_content=False)
                if not chunk:
                    break
                received += len(chunk)
                if received > max_bytes:
                    raise FetchError("too-large", f"body exceeds the {max_bytes}-byte cap")
                data = decoder.decompress(chunk, limit - produced) if decoder else chunk
                produced += len(data)
                if produced > limit:
                    raise FetchError("decompression-bomb", f"decompressed body exceeds {limit} bytes")
                chunks.append(data)
            tail = decoder.flush() if decoder else b""
            if produced + len(tail) > limit:
                raise FetchError("decompression-bomb", f"decompressed body exceeds {limit} bytes")
            chunks.append(tail)
        except FetchError:
            raise
        except Exception as exc:  # socket timeouts, urllib3 protocol errors, zlib and brotli errors
            if time.monotonic() >= deadline:
                raise FetchError("timeout", f"total deadline of {self.http['total_deadline']:g}s passed "
                                            "while reading the body") from None
            kind = "timeout" if "timed out" in str(exc).lower() or isinstance(exc, TimeoutError) else "truncated"
            raise FetchError(kind, f"{type(exc).__name__} while reading body: {exc}"[:300]) from None
        return b"".join(chunks)

    # ---------------------------------------------------------------- ledger
    def _log(self, dataset_id, url, attempt, result: FetchResult, elapsed_ms, retry_after,
             purpose) -> None:
        row = {
            "run_id": self.run_id, "dataset_id": dataset_id, "url": url,
            "host": _host(url), "method": "GET", "purpose": purpose, "attempt": attempt,
            "status": result.status, "outcome": result.outcome,
            "bytes": len(result.body) if result.body is not None else 0, "sha256": result.sha256,
            "elapsed_ms": round(elapsed_ms, 3), "retry_after": retry_after, "error": result.error,
            "etag": result.headers.get("etag"), "last_modified": result.headers.get("last-modified"),
            "content_type": result.headers.get("content-type"),
            "fetched_at": datetime.now(timezone.utc).replace(tzinfo=None),
        }
        with self._ledger_lock:
            self.ledger.append(row)

    def ledger_update(self, dataset_id: str | None, url: str, **values) -> None:
        """Amend the last ledger row of url (a 200 equal to the last body is 'unchanged'; a 304
        carries the sha256 of the body it stands for, so the next run can compare with it)."""
        with self._ledger_lock:
            for row in reversed(self.ledger):
                if row["dataset_id"] == dataset_id and row["url"] == url:
                    row.update(values)
                    return

    def take_ledger(self, dataset_id: str | None) -> list[dict]:
        """Remove and return the ledger rows of one dataset (written with its results)."""
        with self._ledger_lock:
            mine = [r for r in self.ledger if r["dataset_id"] == dataset_id]
            self.ledger = [r for r in self.ledger if r["dataset_id"] != dataset_id]
        return mine


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class _Session(requests.Session):
    """A Session that reads the environment's proxy settings (proxies, no_proxy, the CA bundle)
    once per origin instead of on every request: requests walks the whole environment twice per
    request for them, which was a fifth of a fetch thread's time on a refresh where every page
    answers 304 (benchmarks/README.md). The environment does not change during a run."""

    def __init__(self):
        super().__init__()
        self._settings: dict[tuple, dict] = {}

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if proxies:   # proxies given with the request: requests' own merge, as always
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        key = (_origin(url), stream, verify, cert)
        settings = self._settings.get(key)
        if settings is None:
            settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
            self._settings[key] = settings
        return {**settings, "proxies": dict(settings["proxies"])}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("timeout", "the request's total deadline passed")
    return left


def _limit_wait(raw, seconds: float) -> None:
    """Bound the next socket receive (a replayed response has no socket)."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(seconds)


def _retryable(result: FetchResult) -> bool:
    if result.status is not None:
        return result.status in (408, 429) or result.status >= 500
    return result.outcome in RETRY_OUTCOMES


def _result(url, final, status, headers, body, validators) -> FetchResult:
    if status == 304:
        # A 304 may omit the validators; the ones we sent still stand for the next run.
        headers.setdefault("etag", validators.get("If-None-Match"))
        headers.setdefault("last-modified", validators.get("If-Modified-Since"))
        return FetchResult(url, final, status, "not-modified", headers=headers)
    sha = hashlib.sha256(body).hexdigest()
    if 200 <= status < 300:
        return FetchResult(url, final, status, "ok", body, headers, sha)
    return FetchResult(url, final, status, f"http-{status}", body, headers, sha,
                       error=f"HTTP {status} from {final}")


def _robots_from(result: FetchResult, origin: str):
    """RFC 9309: a robots.txt that is missing (4xx) imposes nothing; one that cannot be read
    (5xx, timeouts, connection errors) means everything is disallowed for this run."""
    if result.ok:
        return _parse_robots(result.body.decode("utf-8", "replace"))
    if result.outcome == "not-in-archive" or (result.status is not None and 400 <= result.status < 500):
        return None
    return f"{origin}/robots.txt unreadable ({result.outcome}): everything disallowed for this run"


def _addresses(hostname: str, resolver) -> list[str]:
    try:
        return [str(ipaddress.ip_address(hostname.strip("[]")))]   # an IP literal needs no lookup
    except ValueError:
        return resolver(hostname)


NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _is_public(address: str) -> bool:
    """A global unicast address, also when an IPv6 form carries an IPv4 address: 64:ff9b::7f00:1
    (NAT64) or 2002:7f00:1:: (6to4) reach 127.0.0.1 through a gateway, as ::ffff:127.0.0.1 does
    on the machine itself; Python judges those IPv6 forms by their prefix only."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:   # ::ffff:a.b.c.d is that IPv4 address
        ip = ip.ipv4_mapped
    inner = _embedded_ipv4(ip) if ip.version == 6 else None
    return _global(ip) and (inner is None or _global(inner))


def _global(ip) -> bool:
    return ip.is_global and not ip.is_multicast


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries: 6to4 (2002::/16), Teredo (the client), NAT64
    (64:ff9b::/96 and the local-use 64:ff9b:1::/48: the last 32 bits), IPv4-compatible
    (::a.b.c.d, deprecated) and IPv4-translated (::ffff:0:a.b.c.d)."""
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    high = int(ip) >> 32
    if any(ip in prefix for prefix in NAT64_PREFIXES) or high == 0 or high == 0xFFFF0000:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


class _Decoder:
    """Content-Encoding decoder that never produces more than it is allowed to (bomb-safe)."""

    def __init__(self, kind: str):
        self._kind = kind
        if kind == "br":
            import brotli

            self._d = brotli.Decompressor()
        else:
            self._d = zlib.decompressobj(16 + zlib.MAX_WBITS if kind == "gzip" else zlib.MAX_WBITS)
        self._started = False

    def decompress(self, chunk: bytes, room: int) -> bytes:
        """Up to room bytes of output; one byte more means the cap was passed."""
        if self._kind == "br":
            return self._brotli(chunk, room)
        try:
            out = self._d.decompress(chunk, room + 1)
        except zlib.error:
            if self._kind != "deflate" or self._started:
                raise
            # Some servers send raw deflate (no zlib header) as "deflate".
            self._d = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._d.decompress(chunk, room + 1)
        self._started = True
        return out

    def _brotli(self, chunk: bytes, room: int) -> bytes:
        try:
            out = [self._d.process(chunk, output_buffer_limit=room + 1)]
        except TypeError:  # brotli < 1.2 has no output bound; the caller's running total still stops it
            return self._d.process(chunk)
        total = len(out[0])
        while total <= room and not self._d.can_accept_more_data():
            more = self._d.process(b"", output_buffer_limit=room + 1 - total)
            if not more:
                break
            out.append(more)
            total += len(more)
        return b"".join(out)

    def flush(self) -> bytes:
        # Every decompress() call consumed its input (or the caller stopped), so this tail is small.
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
