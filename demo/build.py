"""Build demo/demo.warc.gz from demo/site.toml and the pages under demo/pages.

Usage: python -m demo.build [--out demo/demo.warc.gz]
Deterministic: records carry fixed dates and ids, so the archive only changes when a page does.
"""
from __future__ import annotations

import argparse
import gzip
import io
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED_DATE = "2026-11-01T00:00:00Z"
HTTP_DATE = "Sun, 01 Nov 2026 00:00:00 GMT"


def responses(site: Path = HERE / "site.toml") -> list[dict]:
    entries = tomllib.loads(site.read_text("utf-8")).get("response", [])
    out = []
    for entry in entries:
        body = b""
        if "file" in entry:
            body = (HERE / "pages" / entry["file"]).read_bytes()
            if entry.get("gunzip"):
                body = gzip.decompress(body)
        headers = {"Content-Type": entry.get("content_type", "application/octet-stream"), "Date": HTTP_DATE}
        if "location" in entry:
            headers["Location"] = entry["location"]
        if "etag" in entry:
            headers["ETag"] = entry["etag"]
        out.append({"url": entry["url"], "status": entry.get("status", 200), "headers": headers, "body": body})
    return out


def build(out: Path) -> int:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    items = responses()
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for n, item in enumerate(items):
        reason = {200: "OK", 302: "Found", 404: "Not Found"}.get(item["status"], "")
        headers = list(item["headers"].items()) + [("Content-Length", str(len(item["body"])))]
        http = StatusAndHeaders(f"{item['status']} {reason}", headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            item["url"], "response", payload=io.BytesIO(item["body"]), http_headers=http,
            warc_headers_dict={"WARC-Date": FIXED_DATE, "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>"})
        writer.write_record(record)
    out.write_bytes(buffer.getvalue())
    return len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "demo.warc.gz")
    args = parser.parse_args()
    count = build(args.out)
    print(f"{args.out}: {count} responses")


if __name__ == "__main__":
    main()
