"""A loopback catalog server: N synthetic sources in the real structures of supported hosts.

Each source is one of three kinds, in the structure its adapter reads:
  zenodo  /zenodo/api/records/<n>            a Zenodo REST record (files with sizes, licence, DOI)
  box     /box/v/share-<n> (+ /folder/<id>)  a Box shared folder whose listing has a subfolder page
  hf      /hf/api/datasets/org/ds-<n>        a Hugging Face Hub dataset (cardData, siblings)
so a source costs 1-2 requests. Bodies are 5-200 KB (padded with file entries), carry an ETag and
Last-Modified, and answer conditional requests with 304. robots.txt allows everything. Numbers
vary with n and are deterministic, so two runs see identical pages unless `version` changes.
"""
from __future__ import annotations

import hashlib
import json
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KINDS = ("zenodo", "box", "hf")
LAST_MODIFIED = "Sun, 01 Nov 2026 00:00:00 GMT"
# Approximate serialised size of one file entry, to reach a page size without re-measuring.
ZENODO_ENTRY_BYTES = 230
HF_ENTRY_BYTES = 75


def _rng(n: int, version: int) -> random.Random:
    return random.Random(n * 7919 + version)


PAGE_BYTES = (5_000, 200_000)


def _target_bytes(rng: random.Random, size: tuple[int, int] = PAGE_BYTES) -> int:
    return rng.randint(*size)


def zenodo_record(n: int, version: int = 0, size: tuple[int, int] = PAGE_BYTES) -> dict:
    rng = _rng(n, version)
    files = []
    for i in range(_target_bytes(rng, size) // ZENODO_ENTRY_BYTES + 1):
        ext = rng.choice(["csv", "zip", "parquet", "json", "tar.gz"])
        files.append({"key": f"part-{i:05d}.{ext}", "size": rng.randint(10_000, 5_000_000_000),
                      "type": ext, "checksum": "md5:" + hashlib.md5(f"{n}-{i}".encode()).hexdigest(),
                      "links": {"self": f"https://zenodo.org/api/files/bucket-{n}/part-{i:05d}.{ext}"}})
    return {
        "id": 100000 + n, "doi": f"10.5281/zenodo.{100000 + n}", "links": {"html": f"https://zenodo.org/records/{100000 + n}"},
        "metadata": {"title": f"Synthetic dataset {n}", "doi": f"10.5281/zenodo.{100000 + n}",
                     "publication_date": f"20{10 + n % 15:02d}-0{1 + n % 9}-1{n % 9}",
                     "license": {"id": rng.choice(["cc-by-4.0", "cc0-1.0", "mit", "cc-by-nc-4.0"])},
                     "access_right": "open", "version": f"1.{n % 5}",
                     "resource_type": {"type": "dataset"},
                     "description": f"<p>{rng.randint(1000, 900000):,} images of synthetic things.</p>"},
        "files": files,
    }


def box_page(n: int, folder: bool, version: int = 0, size: tuple[int, int] = PAGE_BYTES) -> str:
    rng = _rng(n, version)
    root_id, sub_id = 5_000_000 + n, 6_000_000 + n
    sizes = [rng.randint(1_000, 3_000_000_000) for _ in range(max(1, _target_bytes(rng, size) // 250))]

    def item(i, size, parent):
        return {"type": "file", "id": 7_000_000 * (i + 1) + n, "typedID": f"f_{7_000_000 * (i + 1) + n}",
                "name": f"images_{i:04d}.tar.gz", "itemSize": size, "extension": "gz", "parentFolderID": parent}

    if folder:
        items = [item(i, s, sub_id) for i, s in enumerate(sizes)]
        current, name = sub_id, "images"
    else:
        items = [{"type": "folder", "id": sub_id, "typedID": f"d_{sub_id}", "name": "images",
                  "itemSize": sum(sizes), "filesCount": len(sizes), "parentFolderID": root_id},
                 {"type": "file", "id": 8_000_000 + n, "typedID": f"f_{8_000_000 + n}", "name": "labels.csv",
                  "itemSize": rng.randint(1000, 9_000_000), "extension": "csv", "parentFolderID": root_id}]
        current, name = root_id, f"share-{n}"
    data = {"/app-api/enduserapp/shared-item": {"sharedName": f"token{n}", "itemID": root_id, "itemType": "folder"},
            "/app-api/enduserapp/shared-folder": {"currentFolderID": current, "currentFolderName": name,
                                                  "pageCount": 1, "items": items}}
    return f"<html><body><script>\nBox.postStreamData = {json.dumps(data)};\n</script></body></html>"


def hf_dataset(n: int, version: int = 0, size: tuple[int, int] = PAGE_BYTES) -> dict:
    rng = _rng(n, version)
    siblings = [{"rfilename": "README.md", "size": 4000}]
    for i in range(1, _target_bytes(rng, size) // HF_ENTRY_BYTES + 1):
        siblings.append({"rfilename": f"data/train-{i:05d}-of-99999.parquet", "size": rng.randint(10_000, 500_000_000)})
    return {"id": f"org/ds-{n}", "author": "org", "gated": False, "lastModified": "2024-01-01T00:00:00.000Z",
            "cardData": {"license": rng.choice(["mit", "cc-by-4.0", "apache-2.0"]), "pretty_name": f"Synthetic {n}",
                         "task_categories": ["image-classification"]},
            "siblings": siblings}


def source_url(base: str, n: int) -> str:
    kind = KINDS[n % len(KINDS)]
    return {"zenodo": f"{base}/zenodo/api/records/{n}", "box": f"{base}/box/v/share-{n}",
            "hf": f"{base}/hf/api/datasets/org/ds-{n}"}[kind]


def sources_toml(base: str, count: int, category: str = "Computer Vision") -> str:
    lines = []
    for n in range(count):
        lines += ["[[source]]", f'id = "synthetic-{n:05d}"', f'name = "Synthetic {n}"',
                  f'url = "{source_url(base, n)}"', f'category = "{category}"', ""]
    return "\n".join(lines)


class CatalogServer:
    """Serves the synthetic catalog on 127.0.0.1 in a background thread; counts requests."""

    def __init__(self, version: int = 0, page_bytes: tuple[int, int] = PAGE_BYTES, port: int = 0,
                 cache: bool = False):
        self.version = version
        self.page_bytes = page_bytes
        self.requests = 0
        self._lock = threading.Lock()
        # cache=True keeps each rendered page with its ETag, so serving costs no JSON rendering or
        # hashing (benchmarks: the server must not be what is measured). Pages never change while
        # it runs: version is fixed per server.
        self._cache: dict[tuple, tuple[bytes, str, str]] | None = {} if cache else None
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "CatalogServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def body(self, path: str) -> tuple[bytes, str] | None:
        parts = path.split("?", 1)[0].strip("/").split("/")
        try:
            if path == "/robots.txt":
                return b"User-agent: *\nAllow: /\n", "text/plain"
            if parts[:3] == ["zenodo", "api", "records"]:
                return json.dumps(zenodo_record(int(parts[3]), self.version, self.page_bytes)).encode(), "application/json"
            if parts[:2] == ["box", "v"]:
                n = int(parts[2].removeprefix("share-"))
                return box_page(n, folder=len(parts) > 3, version=self.version, size=self.page_bytes).encode(), "text/html; charset=utf-8"
            if parts[:3] == ["hf", "api", "datasets"]:
                return json.dumps(hf_dataset(int(parts[4].removeprefix("ds-")), self.version, self.page_bytes)).encode(), "application/json"
        except (IndexError, ValueError):
            return None
        return None

    @staticmethod
    def _page_key(path: str) -> tuple | None:
        """The page a path names, as (kind, n, subfolder), or None (robots.txt, unknown paths)."""
        parts = path.split("?", 1)[0].strip("/").split("/")
        try:
            if parts[:3] == ["zenodo", "api", "records"]:
                return ("zenodo", int(parts[3]), False)
            if parts[:2] == ["box", "v"]:
                return ("box", int(parts[2].removeprefix("share-")), len(parts) > 3)
            if parts[:3] == ["hf", "api", "datasets"]:
                return ("hf", int(parts[4].removeprefix("ds-")), False)
        except (IndexError, ValueError):
            return None
        return None

    def page(self, path: str) -> tuple[bytes, str, str] | None:
        """(body, content type, ETag) of path, from the cache when there is one."""
        key = self._page_key(path) if self._cache is not None else None
        if key is not None:
            hit = self._cache.get(key)
            if hit is not None:
                return hit
        found = self.body(path)
        if found is None:
            return None
        body, ctype = found
        entry = (body, ctype, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        if key is not None:
            self._cache[key] = entry
        return entry

    def prerender(self, count: int) -> int:
        """Render and cache every page of sources 0..count-1 (a Box share has two pages)."""
        if self._cache is None:
            self._cache = {}
        total = 0
        for n in range(count):
            path = source_url("", n)
            paths = [path] + ([path + f"/folder/{6_000_000 + n}"] if KINDS[n % len(KINDS)] == "box" else [])
            for p in paths:
                total += len(self.page(p)[0])
        return total

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server's naming)
                with server._lock:
                    server.requests += 1
                found = server.page(self.path)
                if found is None:
                    self._send(404, b"not found", "text/plain", {})
                    return
                body, ctype, etag = found
                if self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", None, {"ETag": etag})
                    return
                self._send(200, body, ctype, {"ETag": etag, "Last-Modified": LAST_MODIFIED})

            def _send(self, status, body, ctype, headers):
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet: thousands of requests
                pass

        return Handler


def main() -> None:
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Serve a synthetic catalog on 127.0.0.1.")
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--prerender", action="store_true",
                        help="render and cache every page before serving (benchmarks)")
    parser.add_argument("--page-bytes", default=None, help="MIN,MAX page size in bytes (default 5000,200000)")
    args = parser.parse_args()
    size = tuple(int(x) for x in args.page_bytes.split(",")) if args.page_bytes else PAGE_BYTES
    server = CatalogServer(page_bytes=size, port=args.port, cache=args.prerender)
    if args.prerender:
        started = time.monotonic()
        total = server.prerender(args.sources)
        print(f"rendered {args.sources} sources, {total:,} bytes in {time.monotonic() - started:.1f} s", flush=True)
    with server:
        print(f"serving {args.sources} sources at {server.base}; Ctrl-C stops", flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
