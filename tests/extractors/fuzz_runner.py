"""Runs every adapter on one kind of generated hostile input, in its own process (see test_fuzz.py).

`python -m tests.extractors.fuzz_runner KIND` generates the inputs of KIND, sends each one to every
registered adapter (forced, registry.run(name, ...)) and through detection (extract_document, the
`lqs extract` path), and prints one JSON object: per run the seconds and the error, plus the
process's peak RSS. Inputs are generated here, not passed in, so a 50 MB body never crosses a pipe.
"""
from __future__ import annotations

import codecs
import json
import resource
import sys
import time

KB, MB = 1_000, 1_000_000

# A Zenodo record, a Data Package and a landing page: the shapes whose encodings are varied.
ZENODO = {"id": 123, "doi": "10.5281/zenodo.123", "conceptdoi": "10.5281/zenodo.122",
          "links": {"self": "https://zenodo.org/api/records/123"},
          "metadata": {"title": "Sensor readings Å", "license": {"id": "cc-by-4.0"},
                       "publication_date": "2021-03-04", "resource_type": {"type": "dataset"}},
          "files": [{"key": "data.csv", "size": 1234}]}
PACKAGE = {"name": "readings", "title": "Readings", "licenses": [{"name": "ODC-BY-1.0"}],
           "resources": [{"path": "data.csv", "format": "csv"}]}
PAGE = "<!doctype html><html><head><title>Readings ü</title></head><body><p>10 images</p></body></html>"
MARKDOWN = "# Readings\n\nThe dataset has 1,000 images under CC-BY-4.0.\n\n- a\n- b\n"
PROSE = "The dataset has 1,000 images (CC-BY 4.0) [link](http://x.org/a) size: 12 MB, 2020-01-01. "


def runs() -> list[tuple[str, bytes, str | None]]:
    """100 KB runs of one delimiter (and of short patterns): backtracking regexes meet these."""
    units = ["[", "(", " ", "a", "1,", "@", ":", "<", "{", '"', "*", "_", "`", "#", "|", "-", "=",
             "\t", "\n", "<a>", "&", "!", "\\", "/", ".", "1", "a ", "[a](", "![", "http://", "--- ",
             "1.", "10 ", "- ", "> ", "doi:10.", "@misc{", "=\n", "\\begin{"]
    # Each unit is sent with one of the three content types in turn (every type meets a third of
    # the units): the type only picks the charset and, in detection, the reader; sending every
    # unit three times tripled the test's time for no new code path.
    ctypes = (None, "text/markdown", "text/plain")
    out = []
    for i, unit in enumerate(units):
        body = (unit * (100 * KB // len(unit) + 1)).encode()
        ctype = ctypes[i % len(ctypes)]
        out.append((f"run {unit!r} as {ctype}", body, ctype))
    return out


def nesting() -> list[tuple[str, bytes, str | None]]:
    n = 100_000
    items = [
        ("json arrays", "[" * n + "]" * n, "application/json"),
        ("json objects", '{"a":' * n + "1" + "}" * n, "application/json"),
        ("json unclosed", "[" * (10 * n), "application/json"),
        ("xml elements", "<a>" * n + "</a>" * n, "application/xml"),
        ("xml unclosed", '<?xml version="1.0"?>' + "<a>" * n, None),
        ("yaml sequences", "- " * 10_000 + "x\n", "application/yaml"),
        ("yaml flow", "a: " + "[" * 10_000 + "]" * 10_000 + "\n", "application/yaml"),
        ("yaml mappings", "".join(" " * i + f"k{i}:\n" for i in range(2_000)), "application/yaml"),
        ("markdown lists", "".join("  " * i + "- x\n" for i in range(1_000)), "text/markdown"),
        ("markdown quotes", "> " * 50_000 + "x\n", "text/markdown"),
        ("markdown emphasis", "*a " * 50_000, "text/markdown"),
        ("markdown links", "[" * 50_000 + "a" + "](x)" * 50_000, "text/markdown"),
        ("html divs", "<!doctype html><html><body>" + "<div>" * n + "</div>" * n, "text/html"),
        ("yaml front matter", "---\n" + "- " * 10_000 + "x\n---\n# T\n", "text/markdown"),
        ("bibtex braces", "@misc{a, title={" + "{" * n + "}" * n + "}}", "application/x-bibtex"),
        ("rst sections", "".join(f"T{i}\n{'=-~^'[i % 4] * 3}\n\n" for i in range(5_000)), "text/x-rst"),
    ]
    return [(label, text.encode(), ctype) for label, text, ctype in items]


def line10mb() -> list[tuple[str, bytes, str | None]]:
    body = (PROSE * (10 * MB // len(PROSE) + 1))[:10 * MB].encode()
    words = ("word " * (2 * MB))[:10 * MB].encode()
    return [("10 MB prose line", body, None), ("10 MB prose line as text", body, "text/plain"),
            ("10 MB word line as markdown", words, "text/markdown")]


def json50mb() -> list[tuple[str, bytes, str | None]]:
    """50 MB of JSON: a record with a large file list and a long description."""
    files = [{"key": f"part-{i:07d}.csv", "size": i, "checksum": "md5:" + "0" * 32} for i in range(150_000)]
    record = dict(ZENODO, files=files)
    record["metadata"] = dict(ZENODO["metadata"], description="x " * (20 * MB))
    head = json.dumps(record)
    body = (head + " " * max(0, 50 * MB - len(head))).encode()
    return [("50 MB JSON record", body, "application/json"), ("50 MB JSON untyped", body, None)]


def _encoded(text: str, codec: str, bom: bytes | None) -> bytes:
    return (bom or b"") + text.encode(codec)


def encodings() -> list[tuple[str, bytes, str | None]]:
    out = []
    docs = [("zenodo", json.dumps(ZENODO, ensure_ascii=False), "application/json"),
            ("package", json.dumps(PACKAGE), None), ("page", PAGE, "text/html"),
            ("markdown", MARKDOWN, "text/markdown")]
    boms = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
            "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}
    for doc, text, ctype in docs:
        for codec, bom in boms.items():
            out.append((f"{doc} {codec} with BOM", _encoded(text, codec, bom), ctype))
            out.append((f"{doc} {codec} without BOM", _encoded(text, codec, None), ctype))
        raw = text.encode()
        out.append((f"{doc} with NUL bytes", raw.replace(b" ", b"\x00"), ctype))
        out.append((f"{doc} truncated UTF-8", raw[:-1] + "é".encode()[:1], ctype))
        out.append((f"{doc} invalid UTF-8", raw.replace(b"e", b"\xc3"), ctype))
    out.append(("1 MB of NUL", b"\x00" * MB, None))
    out.append(("1 MB of 0xff", b"\xff" * MB, "text/plain"))
    out.append(("half a BOM", codecs.BOM_UTF32_LE[:3] + b"{}", "application/json"))
    out.append(("big integer", json.dumps(ZENODO).replace("1234", "9" * 5_000).encode(), None))
    return out


KINDS = {"runs": runs, "nesting": nesting, "line10mb": line10mb, "json50mb": json50mb,
         "encodings": encodings}


def run_kind(kind: str) -> dict:
    from extractors import registry
    from extractors.document import extract_document

    rows = []
    for label, body, ctype in KINDS[kind]():
        for name in registry.names() + [None]:
            started = time.perf_counter()
            if name is None:
                out = extract_document(body, content_type=ctype)
                error, adapter = out.get("error"), out.get("adapter")
            else:
                ex = registry.run(name, None, body, ctype)
                error, adapter = ex.error, name
            rows.append({"input": label, "adapter": adapter, "detected": name is None,
                         "seconds": round(time.perf_counter() - started, 3), "error": error})
    peak_mb = _peak_kb() / 1024
    return {"kind": kind, "rows": rows, "peak_mb": round(peak_mb, 1)}


def _peak_kb() -> float:
    """This process's own peak RSS (VmHWM). Not getrusage's ru_maxrss: Linux keeps that across
    exec, so it would report the pytest process this runner was forked from."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    print(json.dumps(run_kind(sys.argv[1])))

