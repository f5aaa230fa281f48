"""Engines run tasks and hand back results as they finish: in-process, a local process pool, or Dask.

Every engine takes an *iterator* of tasks and keeps only a bounded number in
flight, so a dataset streams through: memory stays flat however many records
it holds.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Iterable, Iterator

from ..errors import UsageError
from .tasks import Result, Task, run_partition, run_task

log = logging.getLogger("exporter")
SCHEDULER_ENV = "EXPORTER_DASK_SCHEDULER"


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

    def _new_pool(self) -> ProcessPoolExecutor:
        # fork shares the already imported writers (WeasyPrint takes a second to import)
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method))

    def run(self, tasks: Iterable[Task]) -> Iterator[Result]:
        if self.workers == 1:
            yield from super().run(tasks)
            return
        window = self.workers * 4
        source = iter(tasks)
        pending: dict[Future, tuple[Task, int]] = {}
        retry: list[tuple[Task, int]] = []
        pool = self._new_pool()
        self._pools.append(pool)
        try:
            while True:
                while len(pending) < window:
                    if retry:
                        task, tries = retry.pop()
                    else:
                        task = next(source, None)
                        tries = 0
                        if task is None:
                            break
                    pending[pool.submit(run_task, task)] = (task, tries)
                if not pending:
                    return
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                broken = False
                for future in done:
                    task, tries = pending.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        broken = True
                        if tries >= 1:  # it broke a fresh pool too: this is the task that kills workers
                            yield Result(task.stem, task.origin, "failed",
                                         reason=f"{task.origin}: the worker process died while exporting it")
                        else:
                            retry.append((task, tries + 1))
                if broken:
                    for future, (task, tries) in pending.items():
                        retry.append((task, tries + 1 if future.done() else tries))
                    pending.clear()
                    pool.shutdown(wait=False, cancel_futures=True)
                    self._pools.remove(pool)
                    pool = self._new_pool()
                    self._pools.append(pool)
        finally:
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
        futures = as_completed()
        in_flight: dict = {}
        for chunk in islice(parts, window):
            f = self.client.submit(run_partition, chunk, pure=False)
            in_flight[f] = chunk
            futures.add(f)
        for future in futures:
            chunk = in_flight.pop(future)
            try:
                yield from future.result()
            except Exception as exc:  # a worker lost: the partition's tasks fail, the others go on
                for task in chunk:
                    yield Result(task.stem, task.origin, "failed",
                                 reason=f"{task.origin}: the Dask worker failed ({type(exc).__name__}: {exc})")
            future.release()
            nxt = next(parts, None)
            if nxt is not None:
                f = self.client.submit(run_partition, nxt, pure=False)
                in_flight[f] = nxt
                futures.add(f)

    def close(self) -> None:
        self.client.close()


def make_engine(name: str, jobs: int, scheduler: str | None) -> Engine:
    if name == "dask":
        return DaskEngine(scheduler)
    return LocalEngine(jobs)
