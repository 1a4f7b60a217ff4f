"""COCO annotation JSON profiling: time and peak memory of extractors.profile on a big instances file.

    python -m benchmarks.profile_coco [--megabytes 200]

Writes a synthetic `instances_train.json` of about --megabytes MB in COCO's real structure
(images with file_name/width/height, annotations with polygon segmentation, bbox, area, iscrowd;
80 categories; ~7 annotations per image, polygons of 20-60 coordinates as in COCO 2017) to
var/bench/, then in fresh processes (so each peak RSS is its own, read from VmHWM):
  - lqs: profile(name, bytes, None, format="coco") — streamed element by element;
  - json.loads: the whole document decoded at once (what the streaming avoids), for comparison.
Prints `profile_coco: <s> s, peak <MiB> MiB (json.loads peak <MiB> MiB)` and keeps the JSON in
var/bench/profile_coco.json.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time

from benchmarks import _common as C

CHILD = r"""
import json, sys, time
path, mode = sys.argv[1], sys.argv[2]
body = open(path, "rb").read()
started = time.perf_counter()
if mode == "lqs":
    from extractors.profile import profile
    ex = profile("instances_train.json", body, None, format="coco", max_decompressed_bytes=1 << 40)
    assert ex.error is None, ex.error
    out = {k: ex.meta["label_stats"][k] for k in ("rows", "annotations", "classes", "fill_rate")}
else:
    doc = json.loads(body)
    out = {"rows": len(doc["images"]), "annotations": len(doc["annotations"])}
seconds = time.perf_counter() - started
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "file_mib": len(body) / 2**20, **out}))
"""


def write_coco(path, megabytes: int, seed: int = 13) -> int:
    rng = random.Random(seed)
    images = []
    target = megabytes * 2**20
    with open(path, "w") as out:
        out.write('{"info": {"description": "synthetic"}, "licenses": [], "categories": [')
        out.write(",".join(json.dumps({"id": i, "name": f"class {i}", "supercategory": "x"}) for i in range(1, 81)))
        out.write('], "annotations": [')
        written, image, ann = 0, 0, 0
        while written < target:
            image += 1
            images.append(image)
            for _ in range(rng.randint(0, 14)):
                ann += 1
                poly = [round(rng.uniform(0, 640), 2) for _ in range(rng.randrange(20, 60, 2))]
                text = json.dumps({"segmentation": [poly], "area": round(rng.uniform(10, 9000), 2),
                                   "iscrowd": 0, "image_id": image, "bbox": poly[:4],
                                   "category_id": rng.randint(1, 80), "id": ann})
                out.write(("," if ann > 1 else "") + text)
                written += len(text) + 1
        out.write('], "images": [')
        out.write(",".join(json.dumps({"id": i, "file_name": f"{i:012d}.jpg", "width": 640, "height": 480})
                           for i in images))
        out.write("]}")
    return path.stat().st_size


def child(path, mode: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), mode], capture_output=True, text=True,
                          cwd=C.ROOT, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=200)
    args = parser.parse_args()
    folder = C.ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "instances_train.json"
    started = time.perf_counter()
    size = write_coco(path, args.megabytes)
    print(f"wrote {path} ({size / 2**20:.0f} MiB) in {time.perf_counter() - started:.0f} s", flush=True)
    lqs, loads = child(path, "lqs"), child(path, "loads")
    assert (lqs["rows"], lqs["annotations"]) == (loads["rows"], loads["annotations"])
    result = {"file_mib": round(size / 2**20, 1), "lqs": lqs, "json_loads": loads}
    (folder / "profile_coco.json").write_text(json.dumps(result, indent=2))
    path.unlink()
    print(f"profile_coco: {lqs['seconds']:.1f} s, peak {lqs['peak_mib']:.0f} MiB for a "
          f"{size / 2**20:.0f} MiB file of {lqs['annotations']:,} annotations "
          f"(json.loads peak {loads['peak_mib']:.0f} MiB, {loads['seconds']:.1f} s)")


if __name__ == "__main__":
    main()
