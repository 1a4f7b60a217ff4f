"""The crash tests' pause protocol, installed into a child process as warehouse.db.PAUSE_HOOK.

With LQS_TEST_PAUSE_AT=<point> the writer stops at that point, announces it by writing its pid
to LQS_TEST_PAUSE_FILE, and waits until the test deletes that file (or LQS_TEST_PAUSE_SECONDS
pass), so the test can SIGKILL it at exactly that moment or let it go on. Points: writer-open,
before-commit-<n>, commit-<n>, before-publish.

    python -c "import tests.pause_hook as h; h.install(); ..."   (tests/warehouse/driver.py)
    python -m tests.pause_hook lqs ARGS...                        (the real CLI, paused)
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def pause(point: str) -> None:
    if os.environ.get("LQS_TEST_PAUSE_AT") != point:
        return
    marker = os.environ.get("LQS_TEST_PAUSE_FILE")
    if marker:
        Path(marker).write_text(f"{os.getpid()} {point}\n")
    deadline = time.monotonic() + float(os.environ.get("LQS_TEST_PAUSE_SECONDS", "60"))
    while time.monotonic() < deadline and (not marker or Path(marker).exists()):
        time.sleep(0.05)


def install() -> None:
    import warehouse.db

    warehouse.db.PAUSE_HOOK = pause


if __name__ == "__main__":
    install()
    from cli import main

    sys.argv = sys.argv[1:]   # ["lqs", ARGS...]
    main()
