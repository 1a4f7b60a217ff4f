"""Child processes for the concurrency and crash tests: real processes, not threads.

  driver.py refresh ARCHIVE [LOCK_TIMEOUT]
      One refresh (run_locally, no Prefect) replaying ARCHIVE; prints the summary as JSON.
      Exit 3 with the message on stderr when another writer holds the warehouse. With GO_FILE
      set, it loads everything first and starts only once that file exists (so a test can start
      several at once without paying their imports one after another).
  driver.py hold SECONDS
      Hold the writer, adding a marker row to `runs` (kind 'hold') every 50 ms, until
      CONTROL_DIR/stop exists or SECONDS pass. With PUBLISH_EVERY=N it publishes (ends its
      session) after every N rows, as a run does after every batch. When CONTROL_DIR/publish
      appears it publishes once and writes the number of rows it published to
      CONTROL_DIR/published. Prints {"published": <rows at that publish>, "final": <rows at exit>}.
  driver.py read-loop
      Open the published warehouse read-only again and again until CONTROL_DIR/stop-reading
      exists (then one last read); one JSON line per read: {"ok": true, "holds": <marker rows>,
      "seconds": <open and query>} or {"ok": false, "error": ...}.

LQS_CONFIG / LQS_WAREHOUSE / LQS_ARCHIVE select the warehouse as for `lqs` (hold and read-loop
read LQS_WAREHOUSE only: loading the config imports every extractor, a second of start-up).
READY_FILE, when set, is created once the process holds the writer lock (hold) or has read
(read-loop).
The crash points are warehouse/db.py's PAUSE_HOOK calls; tests/pause_hook.py stops at the one
LQS_TEST_PAUSE_AT names.
"""
from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path


def main(argv: list[str]) -> int:
    command, args = argv[0], argv[1:]
    if command == "refresh":
        return refresh(args[0], float(args[1]) if len(args) > 1 else None)
    if command == "hold":
        return hold(float(args[0]))
    if command == "read-loop":
        return read_loop()
    raise SystemExit(f"unknown command {command!r}")


def refresh(archive: str, lock_timeout: float | None) -> int:
    from config.load import load
    from flows.pipeline import run_locally
    from warehouse.db import WarehouseBusy

    config = load()
    if lock_timeout is not None:
        config.settings["warehouse"]["lock_timeout"] = lock_timeout
    go = os.environ.get("GO_FILE")
    while go and not Path(go).exists():
        time.sleep(0.02)
    try:
        summary = run_locally(config, config.sources, "refresh", replay=[archive])
    except WarehouseBusy as exc:
        print(exc, file=sys.stderr)
        return 3
    print(json.dumps({k: v for k, v in summary.items() if k != "per_source"}))
    return 0


def hold(seconds: float) -> int:
    from warehouse.db import Warehouse

    control = Path(os.environ.get("CONTROL_DIR") or os.devnull)
    deadline = time.monotonic() + seconds
    published, rows = None, 0
    every = int(os.environ.get("PUBLISH_EVERY") or 0)
    with Warehouse(os.environ["LQS_WAREHOUSE"], 5.0).writer("hold test") as w:
        _ready()
        while time.monotonic() < deadline and not (control / "stop").exists():
            with w.transaction() as con:
                con.execute("insert into runs (run_id, kind, started_at, status) values (?, 'hold', ?, 'ok')",
                            [f"hold-{os.getpid()}-{rows}", datetime.now()])
            rows += 1
            if every and rows % every == 0:
                w.publish()
            if published is None and (control / "publish").exists():
                w.publish()  # readers see these rows from here on; the writer keeps the lock
                published = rows
                (control / "published").write_text(str(rows))
            time.sleep(0.05)
    print(json.dumps({"published": published, "final": rows}))
    return 0


def read_loop() -> int:
    from warehouse.db import Warehouse

    warehouse = Warehouse(os.environ["LQS_WAREHOUSE"])
    stop = Path(os.environ["CONTROL_DIR"]) / "stop-reading"
    last = False
    while not last:
        last = stop.exists()
        started = time.monotonic()
        try:
            with warehouse.reader() as con:
                holds = con.execute("select count(*) from runs where kind = 'hold'").fetchall()[0][0]
            print(json.dumps({"ok": True, "holds": holds, "seconds": time.monotonic() - started}), flush=True)
        except Exception as exc:  # the test fails on any of these
            print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}), flush=True)
        _ready()
        time.sleep(0.02)
    return 0


def _ready() -> None:
    ready = os.environ.get("READY_FILE")
    if ready:
        Path(ready).write_text(str(os.getpid()))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.pause_hook import install

    install()
    sys.exit(main(sys.argv[1:]))
