"""Per-host limits shared by every process of a run, held by Prefect global concurrency limits.

The in-process gate (fetch.http.HostGate) bounds the threads of one process. When a run's batches
run in several processes (Dask workers, or flow runs of a deployment pulled by Prefect workers on
several machines), each process would keep its own limits and a host would get N times the rate we
promise. So, in a shared run, every request to a host also passes these limits on the Prefect API,
which all those processes talk to:

- `lqs-host-<host>-in-flight`: `per_host_concurrency` slots, held while a request is in flight
  (`prefect.concurrency.sync.concurrency`), together with `lqs-run-<run_id>`: `global_concurrency`
  slots, the whole run's cap over all hosts (both taken in one call);
- `lqs-host-<host>-spacing`: one slot that decays at 1 / (min_delay + SHARED_SLACK) per second
  (`rate_limit`): the Prefect server grants it at most once per that interval, so request starts
  to the host are at least min_delay apart, whichever process sends them. Crawl-delay, when
  longer, sets the decay instead. Taken after the in-flight slot, right before the request is
  sent: a request that had to wait for a free in-flight slot cannot start right after another
  one's spacing slot.
- A Retry-After pause reaches every process through the spacing limit: its active slots are set to
  what takes the pause to decay, so nobody is granted the slot before the pause is over.

The spacing slot is granted on the server's clock and the request leaves a moment later; two
processes whose moments differ (one busier than the other) could otherwise arrive slightly closer
than min_delay, hence SHARED_SLACK. Hosts with min_delay 0 (and no Crawl-delay) have no spacing
limit: a request there costs one round trip less, and a Retry-After pause stays in the process
that got it (the other processes pause when the host answers them the same).

Limits are created or updated from settings by the flow before it dispatches (ensure_limits),
and by a worker the first time it meets a host nobody announced (a redirect, a followed link).
Each call is a Prefect API request (measured by benchmarks/shared_gate.py), not a task run.
"""
from __future__ import annotations

import contextlib
import math
import threading

SHARED_SLACK = 0.02          # seconds added to min_delay in a shared run (see the docstring)
ACQUIRE_TIMEOUT = 3600.0     # a slot not granted in an hour means the API is gone: the fetch fails


def in_flight_name(host: str) -> str:
    return f"lqs-host-{host}-in-flight"


def spacing_name(host: str) -> str:
    return f"lqs-host-{host}-spacing"


def run_name(run_id: str) -> str:
    return f"lqs-run-{run_id}"


def decay_for(delay: float) -> float:
    """Slots per second the spacing limit frees: one per (delay + slack)."""
    return 1.0 / (delay + SHARED_SLACK)


class SharedLimits:
    """The Prefect-held limits of one run, as seen from one process (thread-safe)."""

    def __init__(self, run_id: str, global_concurrency: int):
        self.run_id = run_id
        self.global_concurrency = int(global_concurrency)
        self._lock = threading.Lock()
        self._ensured: dict[str, tuple] = {}     # limit name -> (limit, decay) known to be in place
        self._run_ready = False

    # ------------------------------------------------------------------ setup
    def ensure_run(self) -> None:
        with self._lock:
            if self._run_ready:
                return
        upsert(run_name(self.run_id), self.global_concurrency, None)
        with self._lock:
            self._run_ready = True

    def ensure_host(self, host: str, concurrency: int, delay: float, overwrite: bool = False) -> None:
        """The host's limits exist with these values. overwrite=False (a worker): only make them
        stricter than what another process set; True (the flow, from settings): set them."""
        wanted = {in_flight_name(host): (max(1, concurrency), None)}
        if delay > 0:
            wanted[spacing_name(host)] = (1, decay_for(delay))
        for name, (limit, decay) in wanted.items():
            with self._lock:
                if self._ensured.get(name) == (limit, decay) and not overwrite:
                    continue
            upsert(name, limit, decay, stricter_only=not overwrite)
            with self._lock:
                self._ensured[name] = (limit, decay)

    # ------------------------------------------------------------------ per request
    @contextlib.contextmanager
    def slot(self, host: str, concurrency: int, delay: float):
        """Hold the host's in-flight slot and a slot of the run's cap; take the spacing slot last."""
        from prefect.concurrency.sync import concurrency as hold, rate_limit

        self.ensure_run()
        self.ensure_host(host, concurrency, delay)
        with hold([in_flight_name(host), run_name(self.run_id)], occupy=1, timeout_seconds=ACQUIRE_TIMEOUT,
                  strict=True, raise_on_lease_renewal_failure=False):
            if delay > 0:
                rate_limit(spacing_name(host), occupy=1, timeout_seconds=ACQUIRE_TIMEOUT, strict=True)
            yield

    def pause(self, host: str, seconds: float, delay: float) -> None:
        """No process is granted the host's spacing slot for `seconds` (a Retry-After)."""
        if delay <= 0 or seconds <= 0:
            return
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate

        # The slot is free again once active_slots - floor(decay * elapsed) + 1 <= 1.
        slots = math.ceil(seconds * decay_for(delay))
        with get_client(sync_client=True) as client:
            client.update_global_concurrency_limit(
                spacing_name(host), GlobalConcurrencyLimitUpdate(active_slots=slots))

    def close(self) -> None:
        """Remove the run's cap (the host limits stay: the next run updates them)."""
        delete(run_name(self.run_id))


def upsert(name: str, limit: int, decay: float | None, stricter_only: bool = False) -> None:
    """Create the limit, or update it to these values (stricter_only: only to a smaller limit or a
    slower decay, so a worker never loosens what the flow or another worker set)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            current = client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            try:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                    name=name, limit=limit, slot_decay_per_second=decay or 0.0))
                return
            except ObjectAlreadyExists:   # another process created it meanwhile
                current = client.read_global_concurrency_limit_by_name(name)
        new_limit, new_decay = limit, decay or 0.0
        if stricter_only:
            new_limit = min(limit, current.limit)
            if current.slot_decay_per_second and new_decay:
                new_decay = min(new_decay, current.slot_decay_per_second)
        if (current.limit, current.slot_decay_per_second, current.active) != (new_limit, new_decay, True):
            client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(
                limit=new_limit, slot_decay_per_second=new_decay, active=True))


def delete(name: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        with contextlib.suppress(ObjectNotFound):
            client.delete_global_concurrency_limit_by_name(name)

