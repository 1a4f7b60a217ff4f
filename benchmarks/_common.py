"""Shared helpers of the benchmarks: machine description, medians, result lines, result files,
child-process measurement (wall, CPU, peak RSS), free ports and the loopback services."""
from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PYTHON = sys.executable
RESULTS = ROOT / "var" / "bench"


# ------------------------------------------------------------------------ machine & output
def machine() -> dict:
    """Cores and memory as /proc tells them, plus the Python and OS."""
    model, cores = "?", os.cpu_count() or 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cpu": model, "cores": cores, "memory_gib": mem_gb, "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}"}


def machine_line() -> str:
    m = machine()
    return f"{m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB RAM, Python {m['python']}, {m['os']}"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def result_line(name: str, value, unit: str, extra: str = "") -> str:
    """The final line every benchmark prints: `name: value unit (ratio …)`."""
    line = f"{name}: {fmt(value)} {unit}"
    return line + (f" ({extra})" if extra else "")


def save(name: str, data: dict) -> Path:
    """Keep the latest result of one benchmark as JSON in var/bench/<name>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), "at": time.strftime("%Y-%m-%d %H:%M:%S"), **data},
                               indent=2, default=str))
    return path


# ------------------------------------------------------------------------ measuring a child
def measure(cmd: list[str], env: dict | None = None, cwd: str | None = None,
            timeout: float = 3600, log: Path | None = None) -> dict:
    """Run cmd under benchmarks/_rusage.py (a fresh wrapper per measurement, so
    RUSAGE_CHILDREN covers exactly that command): wall seconds, user+sys CPU seconds and peak RSS
    (MiB) of the command, its exit code and output tail."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as fh:
        out_json = fh.name
    full = [PYTHON, "-m", "benchmarks._rusage", out_json, "--", *cmd]
    out = open(log, "w") if log else subprocess.PIPE
    try:
        proc = subprocess.run(full, env=env, cwd=cwd or str(ROOT), stdout=out, stderr=subprocess.STDOUT,
                              text=True, timeout=timeout)
        data = json.loads(Path(out_json).read_text() or "{}")
    finally:
        if log:
            out.close()
        os.unlink(out_json)
    tail = Path(log).read_text()[-3000:] if log else (proc.stdout or "")[-3000:]
    data["tail"] = tail
    if data.get("returncode") != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} … exited {data.get('returncode')}:\n{tail}")
    return data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what or url} exited with {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{what or url}: not ready after {timeout:.0f}s")


def stop(proc: subprocess.Popen, grace: float = 10) -> None:
    """Stop a process we started (by its pid, its own process group)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, 15)
    except ProcessLookupError:
        return
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()


# ------------------------------------------------------------------------ loopback services
@contextmanager
def catalog_server(sources: int, workdir: Path, page_bytes: tuple[int, int] | None = None):
    """benchmarks.catalog_server in its own process (it must not compete for the measured
    process's GIL), pages pre-rendered before it says it is ready. Yields its base URL."""
    port = free_port()
    cmd = [PYTHON, "-m", "benchmarks.catalog_server", "--sources", str(sources), "--port", str(port),
           "--prerender"]
    if page_bytes:
        cmd += ["--page-bytes", f"{page_bytes[0]},{page_bytes[1]}"]
    log = open(workdir / "catalog-server.log", "w")
    proc = subprocess.Popen(cmd, cwd=str(ROOT), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/robots.txt", 600, proc, "catalog server")
        yield base
    finally:
        stop(proc)
        log.close()


@contextmanager
def prefect_server(workdir: Path):
    """`prefect server start` on a free 127.0.0.1 port with a temporary PREFECT_HOME (its start-up
    is not timed). Yields the environment a client needs (PREFECT_API_URL, PREFECT_HOME)."""
    home = workdir / "prefect-home"
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api", "PREFECT_UI_ENABLED": "false"}
    env.pop("PREFECT_API_KEY", None)
    log = open(workdir / "prefect-server.log", "w")
    proc = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, cwd=str(workdir), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/api/health", 180, proc, "prefect server")
        yield {"PREFECT_HOME": str(home), "PREFECT_API_URL": env["PREFECT_API_URL"],
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    finally:
        stop(proc, grace=20)
        log.close()


def tempdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
