"""Child processes for the concurrency and crash tests: real processes, not threads.

  driver.py refresh ARCHIVE [LOCK_TIMEOUT]
      One refresh (run_locally, no Prefect) replaying ARCHIVE; prints the summary as JSON.
      Exit 3 with the message on stderr when another writer holds the warehouse. With GO_FILE
      set, it loads everything first and starts only once that file exists (so a test can start
      several at once without paying their imports one after another).
  driver.py hold SECONDS
      Hold the writer for about SECONDS, adding HOLD_ROWS marker rows to `runs` (kind 'hold'):
      half of them, a publish, the other half, and the final publish on exit.
  driver.py read-loop SECONDS [STOP_AT]
      Open the published warehouse read-only again and again for SECONDS (or until it sees
      STOP_AT marker rows); one JSON line per read: {"ok": true, "holds": <marker rows seen>}
      or {"ok": false, "error": ...}.

LQS_CONFIG / LQS_WAREHOUSE / LQS_ARCHIVE select the warehouse as for `lqs` (hold and read-loop
read LQS_WAREHOUSE only: loading the config imports every extractor, a second of start-up). READY_FILE, when
set, is created once the process holds the writer lock (hold) or has read once (read-loop).
The crash points come from warehouse/db.py (LQS_TEST_PAUSE_AT, see _pause_point).
"""
from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

HOLD_ROWS = 10


def main(argv: list[str]) -> int:
    command, args = argv[0], argv[1:]
    if command == "refresh":
        return refresh(args[0], float(args[1]) if len(args) > 1 else None)
    if command == "hold":
        return hold(float(args[0]))
    if command == "read-loop":
        return read_loop(float(args[0]), int(args[1]) if len(args) > 1 else None)
    raise SystemExit(f"unknown command {command!r}")


def refresh(archive: str, lock_timeout: float | None) -> int:
    from flows.config import load
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

    pause = seconds / HOLD_ROWS
    with Warehouse(os.environ["LQS_WAREHOUSE"], 5.0).writer("hold test") as w:
        _ready()
        for n in range(HOLD_ROWS):
            with w.transaction() as con:
                con.execute("insert into runs (run_id, kind, started_at, status) values (?, 'hold', ?, 'ok')",
                            [f"hold-{os.getpid()}-{n}", datetime.now()])
            time.sleep(pause)
            if n == HOLD_ROWS // 2 - 1:
                w.publish()  # readers see the first half from here on
    return 0


def read_loop(seconds: float, stop_at: int | None) -> int:
    from warehouse.db import Warehouse

    warehouse = Warehouse(os.environ["LQS_WAREHOUSE"])
    deadline = time.monotonic() + seconds
    first = True
    while time.monotonic() < deadline:
        try:
            with warehouse.reader() as con:
                holds = con.execute("select count(*) from runs where kind = 'hold'").fetchall()[0][0]
            print(json.dumps({"ok": True, "holds": holds}), flush=True)
            if holds == stop_at:
                break
        except Exception as exc:  # the test fails on any of these
            print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}), flush=True)
        if first:
            _ready()
            first = False
        time.sleep(0.02)
    return 0


def _ready() -> None:
    ready = os.environ.get("READY_FILE")
    if ready:
        Path(ready).write_text(str(os.getpid()))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main(sys.argv[1:]))
