"""Engines run tasks and hand back results as they finish: in-process, a local process pool, or Dask.

Every engine takes an *iterator* of tasks and keeps only a bounded number in
flight, so a dataset streams through: memory stays flat however many records
it holds.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import chain, islice
from typing import Iterable, Iterator

from ..errors import INTERNAL, UsageError
from ..forked import signal_when_parent_dies
from .tasks import Result, Task, run_partition, run_task

log = logging.getLogger("exporter")
SCHEDULER_ENV = "EXPORTER_DASK_SCHEDULER"


def _worker_init(parent: int) -> None:
    """Workers leave Ctrl-C to the parent, which stops the batch cleanly (no traceback from every worker),
    and die with it: a batch killed outright (SIGKILL, the out-of-memory killer) leaves no worker behind."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)


#: seconds between a worker's checks that the batch that started it still runs
PARENT_CHECK_SECONDS = 0.5


def _die_with(parent: int) -> None:
    """End this process as soon as ``parent`` is gone.

    On Linux the kernel kills it with the parent (``PR_SET_PDEATHSIG``): at once, whatever it is doing, even
    inside C code that holds the interpreter's lock for minutes (libxml2, WeasyPrint's layout), where a
    watchdog thread could not run. So a watchdog thread, which notices this process being handed to another
    parent, is started only where the kernel cannot be asked (no Linux, no libc ``prctl``). Either way a
    parent that died before this was set up is caught by the check that follows it.
    """
    watched_by_kernel = signal_when_parent_dies(signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
    if watched_by_kernel:
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exporter-parent-watch", daemon=True).start()


class Engine:
    """Runs tasks; ``run`` yields one result per task, in the order they finish."""

    workers: int = 1

    def run(self, tasks: Iterable[Task]) -> Iterator[Result]:
        for task in tasks:
            yield run_task(task)

    def close(self) -> None:
        pass


class LocalEngine(Engine):
    """A pool of ``jobs`` worker processes (in-process when ``jobs`` is 1: no pool overhead)."""

    def __init__(self, jobs: int) -> None:
        self.workers = max(1, jobs)
        self._pools: list[ProcessPoolExecutor] = []

    def run(self, tasks: Iterable[Task]) -> Iterator[Result]:
        if self.workers == 1:
            yield from super().run(tasks)
            return
        source = iter(tasks)
        first = list(islice(source, self.workers))  # fewer tasks than workers: only as many workers as tasks
        if not first:
            return
        if len(first) < self.workers:
            log.info("%d worker process(es) for %d task(s)", len(first), len(first))
        workers = len(first)
        source = chain(first, source)
        window = workers * 4
        pending: dict[Future, Task] = {}
        pool = self._new_pool_of(workers)
        self._pools.append(pool)
        try:
            while True:
                while len(pending) < window and (task := next(source, None)) is not None:
                    pending[pool.submit(run_task, task)] = task
                if not pending:
                    return
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                suspects: list[Task] = []
                for future in done:
                    task = pending.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        suspects.append(task)
                if suspects:  # a worker died: every task in flight is suspect, the pool is gone
                    suspects += pending.values()
                    pending.clear()
                    self._discard(pool)
                    yield from (self._alone(task) for task in suspects)
                    pool = self._new_pool_of(workers)
                    self._pools.append(pool)
        finally:
            self._discard(pool)

    def _alone(self, task: Task) -> Result:
        """Run one suspect task in a pool of its own: if the worker dies again, this task is the culprit."""
        pool = self._new_pool_of(1)
        try:
            return pool.submit(run_task, task).result()
        except BrokenProcessPool:
            log.info("%s: the worker process died", task.origin)
            return Result(task.stem, task.origin, "failed",
                          reason=f"{task.origin}: the worker process died while exporting it", exit_status=INTERNAL)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _new_pool_of(self, workers: int) -> ProcessPoolExecutor:
        # fork shares the already imported writers (WeasyPrint takes a second to import)
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method), initializer=_worker_init,
                                   initargs=(os.getpid(),))

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        pool.shutdown(wait=True, cancel_futures=True)
        if pool in self._pools:
            self._pools.remove(pool)

    def close(self) -> None:
        while self._pools:
            self._pools.pop().shutdown(wait=True, cancel_futures=True)


class DaskEngine(Engine):
    """The same tasks on a Dask distributed cluster, sent in partitions of ``partition_size`` tasks.

    Workers write editions to the output folder themselves, so on a real cluster
    it must be a shared filesystem path.
    """

    def __init__(self, scheduler: str | None, partition_size: int = 16) -> None:
        address = scheduler or os.environ.get(SCHEDULER_ENV)
        if not address:
            raise UsageError(f"--engine dask needs --scheduler tcp://HOST:PORT (or {SCHEDULER_ENV})")
        try:
            from distributed import Client
        except ImportError:
            raise UsageError("--engine dask needs Dask: pip install 'exporter[dask]'") from None
        _reachable(address)
        try:
            self.client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"--scheduler {address}: cannot reach the Dask scheduler ({exc})") from None
        self.partition_size = max(1, partition_size)
        self.workers = max(1, sum(self.client.nthreads().values()))

    def run(self, tasks: Iterable[Task]) -> Iterator[Result]:
        from distributed import as_completed

        source = iter(tasks)
        window = self.workers * 2  # partitions in flight: the dataset is never all in memory

        def partitions() -> Iterator[list[Task]]:
            while chunk := list(islice(source, self.partition_size)):
                yield chunk

        parts = partitions()
        in_flight: dict = {}
        for chunk in islice(parts, window):
            in_flight[self.client.submit(run_partition, chunk, pure=False)] = chunk
        if not in_flight:
            return
        futures = as_completed(list(in_flight), loop=self.client.loop)
        for future in futures:
            chunk = in_flight.pop(future)
            try:
                yield from future.result()
            except Exception as exc:  # a worker lost: the partition's tasks fail, the others go on
                for task in chunk:
                    yield Result(task.stem, task.origin, "failed",
                                 reason=f"{task.origin}: the Dask worker failed ({type(exc).__name__}: {exc})",
                                 exit_status=INTERNAL)
            future.release()
            nxt = next(parts, None)
            if nxt is not None:
                f = self.client.submit(run_partition, nxt, pure=False)
                in_flight[f] = nxt
                futures.add(f)

    def close(self) -> None:
        self.client.close()


def _reachable(address: str) -> None:
    """Fail at once, in one line, when nothing listens at a tcp:// scheduler address (Dask would retry for 10 s)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in ("tcp", "tls") or not parts.hostname:
        return  # other transports (inproc, ucx): let Dask judge
    try:
        with socket.create_connection((parts.hostname, parts.port or 8786), timeout=5):
            pass
    except OSError as exc:
        raise UsageError(f"--scheduler {address}: cannot reach the Dask scheduler ({exc.strerror or exc})") from None


def make_engine(name: str, jobs: int, scheduler: str | None) -> Engine:
    if name == "dask":
        return DaskEngine(scheduler)
    return LocalEngine(jobs)
