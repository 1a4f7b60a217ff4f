"""The Prefect flows: harvest-source (one source) and refresh-catalog (every enabled source).

Work is split into batches of sources (settings [run] batch_size): one `collect-batch` task per
batch fetches, extracts and profiles its sources and returns plain results; only this flow
process writes the warehouse (one writer) and scores at publish points (flows/pipeline.py). So a
10,000-source catalog is 10,000 / batch_size task runs, not tens of thousands. The task runner is a setting: threads, or
Dask (prefect-dask) for scale-out.

Politeness across processes: before dispatch the flow reads robots.txt of every origin the sources
name (once per run) and hands each batch the ones it needs; in a shared run (settings
[politeness] shared_limits) it also creates or updates the Prefect global concurrency limits that
hold every host's limits for all workers (fetch/shared_gate.py).
"""
from __future__ import annotations

import os
from collections import deque
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from config.load import Config, Source, default_dir, load
from flows.pipeline import BatchSpec, Run, collect_batch


def _batch_name() -> str:
    from prefect.runtime import task_run

    spec = task_run.parameters["spec"]
    more = f" +{len(spec.sources) - 1}" if len(spec.sources) > 1 else ""
    return f"collect {spec.sources[0].id}{more}"


@task(name="collect-batch", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE, task_run_name=_batch_name,
      cache_result_in_memory=False)  # results are written, then dropped: memory stays per batch
def collect_batch_task(spec: BatchSpec, handed: dict | None = None):
    """handed: what the flow read for every batch (robots.txt) and, in a shared run, the URL of
    the Prefect API that holds the limits."""
    handed = handed or {}
    from fetch.http import seed_run_state

    shared = None
    if handed.get("api"):   # the API the flow talks to: a fetch thread here has none of its settings
        shared = _shared_limits(spec.run_id, spec.settings, handed["api"])
    seed_run_state(spec.run_id, handed.get("robots"), shared)
    return collect_batch(spec)


def _shared_limits(run_id: str, settings: dict, api: str):
    from fetch.shared_gate import SharedLimits

    return SharedLimits(run_id, settings["politeness"]["global_concurrency"], api,
                        settings["http"]["total_deadline"])


class MissingExtra(Exception):
    """A setting needs an optional dependency that is not installed (one line, for the CLI)."""


DASK_EXTRA = "task_runner = \"dask\" needs the dask extra: pip install 'lqs-harvester[dask]'"


def check_extras(config: Config) -> None:
    """Refuse, before anything starts, settings whose extra is not installed."""
    import importlib.util

    def installed(name: str) -> bool:
        try:
            return importlib.util.find_spec(name) is not None
        except ImportError:
            return False

    if config.settings["run"]["task_runner"] == "dask" and not all(
            installed(name) for name in ("prefect_dask", "distributed")):
        raise MissingExtra(DASK_EXTRA)


def task_runner(config: Config):
    run = config.settings["run"]
    if run["task_runner"] == "dask":
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError:
            raise MissingExtra(DASK_EXTRA) from None

        if run["dask_address"]:
            return DaskTaskRunner(address=run["dask_address"])
        return DaskTaskRunner(cluster_class=local_cluster,
                              cluster_kwargs={"n_workers": run["dask_workers"], "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=max(1, run["batch_workers"]))


def local_cluster(**kwargs):
    """A Dask LocalCluster whose worker processes talk to this process's Prefect API. Without
    PREFECT_API_URL (Prefect's temporary server) each worker would start a temporary server of its
    own, on the same database, and report its task runs there instead of to the flow's API."""
    from distributed import LocalCluster

    from fetch.shared_gate import api_url

    return LocalCluster(env={**kwargs.pop("env", {}), "PREFECT_API_URL": api_url()}, **kwargs)


def _window(config: Config) -> int:
    """Batches in flight: one per worker plus one queued, so workers never wait for work."""
    run = config.settings["run"]
    workers = run["dask_workers"] if run["task_runner"] == "dask" else run["batch_workers"]
    return max(1, workers) + 1


def _flow_run_id() -> str | None:
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None


def shared_limits(config: Config, replay) -> bool:
    """Whether this run holds its per-host limits on the Prefect API ([politeness] shared_limits):
    "auto" does when the batches may run in other processes (Dask), or when this flow run comes
    from a deployment, which workers on several machines may be running at the same time."""
    mode = config.settings["politeness"]["shared_limits"]
    if replay or mode == "local":   # a replay talks to no host
        return False
    if mode == "prefect":
        return True
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    from_deployment = bool(context and context.flow_run and context.flow_run.deployment_id)
    return config.settings["run"]["task_runner"] == "dask" or from_deployment


def execute(config: Config, sources: list[Source], kind: str, replay: list[str] | None) -> dict:
    """The body both flows share: batches out to the task runner, results written here."""
    logger = get_run_logger()
    with Run(config, kind, replay, flow_run_id=_flow_run_id()) as run:
        specs = deque(run.batches(sources))
        logger.info("run %s: %d source(s) in %d batch(es)", run.run_id, len(sources), len(specs))
        shared = shared_limits(config, replay)
        before = Before(config, run, sources, shared)
        window = _window(config)
        futures: deque = deque()
        try:
            while specs or futures:
                # A window of batches in flight: finished batches never pile up waiting for the one
                # writer, so memory is bounded by the window, not the catalog size.
                while specs and len(futures) < window:
                    spec = specs.popleft()
                    futures.append(collect_batch_task.submit(spec, before.handed(spec)))
                results = before.attach(futures.popleft().result())
                _write(run, results, logger)
        finally:
            before.close()
    summary = run.summary.as_dict()
    _report(summary)
    logger.info("run %s finished: %d ok, %d failed, %d facts, %.1fs", summary["run_id"], summary["sources_ok"],
                summary["sources_failed"], summary["facts"], summary["seconds"])
    return summary


def _write(run: Run, results, logger) -> None:
    run.write(results)
    run.score(results)
    # One line per batch, and one per failed source with its error: a line per source through
    # Prefect's log handlers was ~20% of an incremental refresh (benchmarks/README.md). Every
    # source's outcome and LQS are in the run report artifact.
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    logger.info("batch of %d source(s): %s; %d facts, %d pages", len(results),
                ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())),
                sum(r.fact_count for r in results), sum(r.pages for r in results))
    for r in results:
        if r.status == "failed":
            logger.info("%s: failed, %d pages, error: %s", r.dataset_id, r.pages, r.error)


class Before:
    """What the flow does before dispatch, once per run: robots.txt of every origin the sources
    name, read here and handed to the batches that need it (a change mid-run is not chased), and
    in a shared run the Prefect limits of those hosts, set from settings (and Crawl-delay).
    The robots.txt fetches are ledgered with the first source of their origin."""

    def __init__(self, config: Config, run: Run, sources: list[Source], shared: bool):
        from concurrent.futures import ThreadPoolExecutor
        from urllib.parse import urlsplit

        from fetch.archive import Replay, WarcArchive
        from fetch.http import Fetcher, seed_run_state

        self.run_id = run.run_id
        self.shared = None
        if shared:
            from fetch.shared_gate import api_url

            self.shared = _shared_limits(run.run_id, config.settings, api_url())
            self.shared.ensure_run()
        first: dict[str, tuple[str, str]] = {}   # origin -> (a URL there, the first source naming it)
        for source in sources:
            for url in _urls_of(source):
                parts = urlsplit(url)
                first.setdefault(f"{parts.scheme}://{parts.netloc}".lower(), (url, source.id))
        archive = WarcArchive(run.archive_path) if first else None
        fetcher = Fetcher(config.settings, run.run_id, archive=archive,
                          replay=Replay(run.replay) if run.replay else None)
        try:
            seed_run_state(run.run_id, None, self.shared)   # the flow's own fetches pass the shared gate too

            def read(item):
                url, source_id = item
                policy = fetcher.policy((urlsplit(url).hostname or "").lower())
                if policy.obey_robots:
                    fetcher._robots_refusal(url, source_id, policy)
                if self.shared is not None:
                    self.shared.ensure_host(urlsplit(url).hostname.lower(), policy.concurrency,
                                            fetcher._delay(url, policy), overwrite=True)

            workers = max(1, min(config.settings["politeness"]["global_concurrency"], len(first)))
            with ThreadPoolExecutor(workers, thread_name_prefix="lqs-robots") as pool:
                list(pool.map(read, first.values()))
            self.rows = {sid: fetcher.take_ledger(sid) for _, sid in first.values()}
        finally:
            fetcher.close()
            if archive is not None:
                archive.close()
        self.state = fetcher.state

    def handed(self, spec: BatchSpec) -> dict:
        from urllib.parse import urlsplit

        from fetch.http import robots_snapshot

        origins = {f"{p.scheme}://{p.netloc}".lower() for s in spec.sources for p in map(urlsplit, _urls_of(s))}
        return {"robots": robots_snapshot(self.state, origins),
                "api": self.shared.api if self.shared is not None else None}

    def attach(self, results):
        """The robots.txt fetches go with the first source of their origin."""
        for result in results:
            rows = self.rows.pop(result.dataset_id, None)
            if rows:
                result.fetches = rows + result.fetches
                result.bytes += sum(r["bytes"] or 0 for r in rows)
        return results

    def close(self) -> None:
        if self.shared is not None:
            try:
                self.shared.close()
            except Exception as exc:  # a leftover run cap is harmless; the run itself is done
                get_run_logger().warning("run limit not removed: %s", exc)


def _urls_of(source: Source) -> list[str]:
    urls = list(source.all_urls)
    if source.annotations is not None and source.annotations.url:
        urls.append(source.annotations.url)
    return urls


def _report(summary: dict) -> None:
    """A markdown artifact: one row per source (outcome, fetches, facts, LQS before -> after)."""
    from prefect.artifacts import create_markdown_artifact

    from flows.report import markdown

    try:
        create_markdown_artifact(markdown(summary), key=f"{summary['kind']}-report",
                                 description=f"lqs {summary['kind']} run {summary['run_id']}")
    except Exception as exc:  # a report that cannot be stored must not fail a finished run
        get_run_logger().warning("run report artifact not stored: %s", exc)


def _sources(config: Config, only: list[str] | None) -> list[Source]:
    if only:
        return [config.source(s) for s in only]
    return [s for s in config.sources if s.enabled]


def _replay(replay: str | list[str] | None) -> list[str] | None:
    if not replay:
        return None
    return [replay] if isinstance(replay, str) else list(replay)


def flow_options(config: Config) -> dict:
    """The task runner and timeout that settings give a flow."""
    return {"task_runner": task_runner(config), "timeout_seconds": config.settings["run"]["flow_timeout_seconds"]}


def _options() -> dict:
    """Options from the settings in force (LQS_CONFIG or the bundled config), so deployment runs,
    which import this module fresh, get them too."""
    try:
        return flow_options(load())
    except Exception:  # the flow body loads the config again and reports the error properly
        return {}


FLOW_OPTIONS = _options()

# A configuration handed over by the process that starts a run, by folder: the CLI loads its
# configuration once per command and passes it through configured(); the run takes it (once).
# A flow run in a worker process (a deployment) finds none and loads it from config_dir.
_HANDED_OVER: dict[Path, Config] = {}


def _config(config_dir: str | None) -> Config:
    folder = (Path(config_dir) if config_dir else default_dir()).resolve()
    return _HANDED_OVER.pop(folder, None) or load(config_dir)


@flow(name="harvest-source", description="Harvest one catalog source: fetch, extract, profile, load, score.",
      **FLOW_OPTIONS)
def harvest_source(source_id: str | None = None, replay: str | list[str] | None = None,
                   config_dir: str | None = None, source: dict | None = None) -> dict:
    """One source: a configured one by source_id, or one no config names given as plain data
    in `source` (a [[source]] entry: id, name, url, category; checked by the config's rules)."""
    config = _config(config_dir)
    if (source_id is None) == (source is None):
        raise ValueError("harvest-source needs exactly one of source_id and source")
    if source is None:
        return execute(config, _sources(config, [source_id]), "harvest", _replay(replay))
    return execute(*_with_adhoc(config, source), "harvest", _replay(replay))


def _with_adhoc(config: Config, entry: dict) -> tuple[Config, list[Source]]:
    """The config with the ad hoc source added (the run records every configured source and
    this one in `datasets`), and the one source to harvest."""
    from dataclasses import replace

    from config.edit import checked

    src = checked(config, entry)
    if any(s.id == src.id for s in config.sources):
        raise ValueError(f"source id {src.id!r} is in sources.toml already: harvest it by its id")
    return replace(config, sources=[*config.sources, src]), [src]


@flow(name="refresh-catalog", description="Refresh every enabled source of the catalog.", **FLOW_OPTIONS)
def refresh_catalog(only: list[str] | None = None, replay: str | list[str] | None = None,
                    config_dir: str | None = None) -> dict:
    config = _config(config_dir)
    return execute(config, _sources(config, only), "refresh", _replay(replay))


REFRESH_DEPLOYMENT = "nightly"
HARVEST_DEPLOYMENT = "on-demand"


def deployments(config: Config) -> list:
    """The two served deployments: the scheduled refresh (never two at once) and a manual,
    parameterised one-source harvest."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    schedule = config.settings["schedule"]
    refresh = refresh_catalog.to_deployment(
        name=REFRESH_DEPLOYMENT, schedule=Cron(schedule["cron"], timezone=schedule["timezone"]),
        concurrency_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
        parameters={"config_dir": str(config.dir)}, entrypoint_type=EntrypointType.MODULE_PATH,
        description="Scheduled refresh of every enabled source.", tags=["lqs"])
    harvest = harvest_source.to_deployment(
        name=HARVEST_DEPLOYMENT, parameters={"config_dir": str(config.dir)},
        entrypoint_type=EntrypointType.MODULE_PATH, tags=["lqs"],
        description="Harvest one source by hand: --param source_id=<id> [--param replay=<warc>], "
                    "or any URL: --param 'source={\"id\": ..., \"name\": ..., \"url\": ..., \"category\": ...}'.")
    return [refresh, harvest]


def configured(flow_obj, config: Config):
    """The flow with the task runner and timeout from settings; its runs in this process use
    this configuration instead of loading it again."""
    _HANDED_OVER[config.dir.resolve()] = config
    return flow_obj.with_options(**flow_options(config))


def prepare_environment() -> None:
    """Defaults that make an ephemeral Prefect server start reliably on a fresh PREFECT_HOME."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # Telemetry writes race the first migrations of a fresh server database ("database is locked").
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    home = os.environ.get("PREFECT_HOME")
    if home:  # the temporary server cannot start when its home folder is missing
        os.makedirs(os.path.expanduser(home), exist_ok=True)


def start_temporary_server() -> None:
    """Start Prefect's temporary API server (used when PREFECT_API_URL is unset) so that it dies
    with this process, even on `kill -9`.

    Prefect starts it lazily as a plain child (`SubprocessASGIServer`, `python -m uvicorn ...`)
    and stops it from an atexit hook, which never runs when the CLI is killed: the server would
    live on with PPID 1, holding a port and ~190 MB. So the CLI starts it first, from the main
    thread, as the instance Prefect's own code looks up (`SubprocessASGIServer()`, the way
    `prefect_test_harness` registers its server), and the child asks the kernel for SIGKILL
    when its parent dies (Linux prctl PR_SET_PDEATHSIG). The signal follows the thread that
    forked the child, which is why this must run on the main thread. SQLite, the server's
    database, is safe against a kill. Elsewhere than Linux this is a no-op (Prefect's lazy start)."""
    import threading

    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value() or threading.current_thread() is not threading.main_thread():
        return
    die_with_parent = _parent_death_signal()
    if die_with_parent is None:
        return
    from prefect.server.api import server as prefect_server

    base = prefect_server.SubprocessASGIServer
    current = base._instances.get(None)
    if current is not None and current.running:
        return
    base._instances.pop(None, None)

    class TiedServer(base):
        def _run_uvicorn_command(self):
            # Prefect's own command line and environment, with the parent-death signal added to
            # its Popen call (swapped in for this one call only, on this module's reference).
            module_subprocess = prefect_server.subprocess
            prefect_server.subprocess = _SubprocessWithPreexec(module_subprocess, die_with_parent)
            try:
                return super()._run_uvicorn_command()
            finally:
                prefect_server.subprocess = module_subprocess

    TiedServer().start()  # registered under the key Prefect's code looks up


class _SubprocessWithPreexec:
    """The subprocess module, with preexec_fn set on Popen."""

    def __init__(self, module, preexec_fn):
        self._module = module
        self._preexec_fn = preexec_fn

    def __getattr__(self, name):
        return getattr(self._module, name)

    def Popen(self, *args, **kwargs):  # noqa: N802 (the module's name)
        kwargs.setdefault("preexec_fn", self._preexec_fn)
        return self._module.Popen(*args, **kwargs)


def _parent_death_signal():
    """A preexec_fn that makes a child get SIGKILL when its parent dies, or None off Linux."""
    import ctypes
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up now: the child only calls it
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    parent = os.getpid()

    def die_with_parent() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return die_with_parent
