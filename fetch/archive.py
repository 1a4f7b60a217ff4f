"""WARC archiving of every request/response, and replay of an archive as a requests adapter.

Every response the fetcher sees (redirect hops, errors with a status, retries) is written as a
WARC request+response pair. Bodies are stored decoded (Content-Encoding removed) so a replay
serves exactly the bytes the extractors saw. Credentials never reach the archive: the request
record omits Authorization, Cookie and token headers.
"""
from __future__ import annotations

import io
import threading
import zlib
from collections import defaultdict, deque
from pathlib import Path

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

SECRET_HEADERS = {"authorization", "cookie", "proxy-authorization", "x-api-key", "x-auth-token"}
DROP_RESPONSE_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "set-cookie"}
GZIP_LEVEL = 6   # of each WARC record's gzip member


class ArchiveError(Exception):
    """An archive that cannot be read (one line)."""


class NotInArchive(requests.exceptions.ConnectionError):
    """Replay asked for a URL the archive does not hold (never retried)."""


class WarcArchive:
    """Appends request/response records to one gzip-compressed WARC file (thread-safe)."""

    def __init__(self, path: str | Path, software: str = "lqs-harvester"):
        from warcio.warcwriter import WARCWriter

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "ab")
        self._writer = WARCWriter(self._fh, gzip=True)
        self._lock = threading.Lock()
        self._write_info(software)

    def _write_info(self, software: str) -> None:
        record = self._writer.create_warcinfo_record(self.path.name, {"software": software, "format": "WARC/1.1"})
        with self._lock:
            self._writer.write_record(record)

    def record(self, method: str, url: str, request_headers: dict, status: int, reason: str,
               response_headers: dict, body: bytes) -> None:
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        req_headers = [(k, v) for k, v in request_headers.items() if k.lower() not in SECRET_HEADERS]
        path = _request_target(url)
        req = self._writer.create_warc_record(
            url, "request", payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders(f"{method} {path} HTTP/1.1", req_headers, is_http_request=True))
        resp_headers = [(k, v) for k, v in response_headers.items() if k.lower() not in DROP_RESPONSE_HEADERS]
        resp_headers.append(("Content-Length", str(len(body))))
        resp = self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(body),
            http_headers=StatusAndHeaders(f"{status} {reason or ''}".strip(), resp_headers, protocol="HTTP/1.1"))
        # Compress outside the lock (each record is its own gzip member, so members written
        # separately concatenate into a valid WARC); only the append is serialised. Each record
        # is written plain and gzipped at level 6 here: warcio's own gzip wrapper is fixed at
        # level 9, about 4x the CPU for the same size on these pages (benchmarks/README.md).
        members = []
        for record in (resp, req):
            plain = io.BytesIO()
            WARCWriter(plain, gzip=False).write_record(record)
            compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
            members.append(compressor.compress(plain.getvalue()) + compressor.flush())
        with self._lock:
            self._fh.write(b"".join(members))
            self._fh.flush()

    def close(self) -> None:
        with self._lock:
            self._fh.close()


def _request_target(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def archive_files(paths: list[str | Path]) -> list[Path]:
    """WARC files named directly, and every *.warc.gz in a named folder (a large run writes one
    file per batch), in name order so replays are deterministic."""
    out = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(path.glob("*.warc.gz"))
            if not found:
                raise ArchiveError(f"{path}: no *.warc.gz files in this folder")
            out += found
        else:
            out.append(path)
    return out


class Replay:
    """An index of the responses in one or more WARC files, served in recorded order per URL."""

    def __init__(self, paths: list[str | Path]):
        self._queues: dict[str, deque] = defaultdict(deque)
        self._last: dict[str, tuple] = {}
        self._lock = threading.Lock()
        for path in archive_files(paths):
            self._load(path)

    def _load(self, path: Path) -> None:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        if not path.is_file():
            raise ArchiveError(f"{path}: replay archive not found")
        try:
            with open(path, "rb") as fh:
                for rec in ArchiveIterator(fh):
                    if rec.rec_type != "response" or rec.http_headers is None:
                        continue
                    url = rec.rec_headers.get_header("WARC-Target-URI")
                    status = int(rec.http_headers.get_statuscode() or 0)
                    reason = rec.http_headers.protocol and rec.http_headers.statusline.split(" ", 1)[-1]
                    headers = [(k, v) for k, v in rec.http_headers.headers
                               if k.lower() not in DROP_RESPONSE_HEADERS]
                    body = rec.content_stream().read()
                    self._queues[url].append((status, reason, headers, body))
        except (ArchiveLoadFailed, OSError, ValueError) as exc:
            raise ArchiveError(f"{path}: not a readable WARC archive: {exc}") from None

    def __len__(self) -> int:
        return sum(len(q) for q in self._queues.values()) + len(self._last)

    def urls(self) -> list[str]:
        return sorted(set(self._queues) | set(self._last))

    def next(self, url: str) -> tuple | None:
        with self._lock:
            queue = self._queues.get(url)
            if queue:
                self._last[url] = queue.popleft()
            return self._last.get(url)


class ReplayAdapter(BaseAdapter):
    """A requests transport adapter that answers from a Replay instead of the network."""

    def __init__(self, replay: Replay):
        super().__init__()
        self.replay = replay

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        from urllib3.response import HTTPResponse

        hit = self.replay.next(request.url)
        if hit is None:
            raise NotInArchive(f"not in the replay archive: {request.url}", request=request)
        status, reason, headers, body = hit
        raw = HTTPResponse(body=io.BytesIO(body), headers=headers + [("Content-Length", str(len(body)))],
                           status=status, reason=reason, preload_content=False, decode_content=False)
        response = requests.Response()
        response.status_code = status
        response.reason = reason
        response.headers = CaseInsensitiveDict(raw.headers)
        response.raw = raw
        response.url = request.url
        response.request = request
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        return response

    def close(self):
        pass


class BodyStore:
    """Content-addressed copies of page bodies, so a 304 can be re-read without a refetch."""

    def __init__(self, directory: str | Path):
        self.dir = Path(directory)

    def _path(self, sha256: str) -> Path:
        return self.dir / sha256[:2] / f"{sha256}.gz"

    def put(self, sha256: str, body: bytes) -> None:
        import gzip
        import os

        path = self._path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(gzip.compress(body, compresslevel=1))  # speed over size: a cache
        os.replace(tmp, path)

    def get(self, sha256: str | None) -> bytes | None:
        import gzip

        if not sha256:
            return None
        try:
            return gzip.decompress(self._path(sha256).read_bytes())
        except (FileNotFoundError, OSError, EOFError):
            return None
