"""The clock's watchdog (threads without SIGALRM) against thread starts under a limit.

``PyThreadState_SetAsyncExc`` picks its target by thread identifier, and a thread
being started carries its starter's identifier until it runs: a strike sent in
that moment killed the new thread before it said it had started, and the
starter waited forever in ``Thread.start`` (seen once in a thread-pool export
at load 10, hung in a name lookup's thread).
"""
from __future__ import annotations

import ctypes
import os
import signal
import threading
import time

import pytest

from exporter import clock


def _in_a_thread(work, seconds: float = 30) -> list:
    """Run ``work`` in a non-main thread (where the watchdog strikes); fail if it is still running after ``seconds``."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed to the test
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True, name="limited")
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "the limited thread hangs"
    return outcome


def test_no_strike_is_sent_while_the_limited_thread_starts_a_thread(monkeypatch) -> None:
    """The moment a strike could go astray, widened past the deadline: the watchdog waits it out."""
    starting = threading.Event()
    astray: list[str] = []
    real_start, real_strike = threading._start_new_thread, ctypes.pythonapi.PyThreadState_SetAsyncExc

    def slow_start(function, args):  # the new thread gets a CPU late, as on a loaded machine
        if getattr(function, "__self__", None) is not late:
            return real_start(function, args)

        def begun(*args):
            starting.clear()  # from here on the new thread has its own identifier
            return function(*args)

        starting.set()
        time.sleep(0.3)
        return real_start(begun, args)

    def strike(target, exc):
        if exc is not None and starting.is_set():
            astray.append(threading.current_thread().name)
        return real_strike(target, exc)

    monkeypatch.setattr(threading, "_start_new_thread", slow_start)
    monkeypatch.setattr(ctypes.pythonapi, "PyThreadState_SetAsyncExc", strike)

    late = threading.Thread(target=lambda: None, daemon=True)

    def work() -> str:
        with pytest.raises(clock.Strike, match="test limit"):
            with clock.time_limit(0.05, "test limit"):
                clock.start_thread(late)
                time.sleep(1)  # struck here, once the thread has started
        return "struck after the start"

    assert _in_a_thread(work) == ["struck after the start"]
    assert not astray, "a strike was sent while the new thread still had the limited thread's identifier"


def test_many_thread_starts_under_tiny_limits_never_hang() -> None:
    """The real race, many times over: without the shield this hung within a second here, every run."""
    started, struck = [0], [0]
    end = time.monotonic() + 2

    def work() -> None:
        while time.monotonic() < end:
            try:
                with clock.time_limit(0.001 * (1 + struck[0] % 5), "tiny"):
                    while True:
                        clock.start_thread(threading.Thread(target=lambda: None, daemon=True))
                        started[0] += 1
            except clock.Strike:
                struck[0] += 1

    assert _in_a_thread(work) == [None]
    assert struck[0] > 20 and started[0] > struck[0]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_while_a_strike_was_being_sent_can_start_threads() -> None:
    """A watchdog holds its thread's shield while it strikes; a fork at that moment (exporter.forked forks the
    PDF's process) must not leave the child a shield nobody will let go, or its first lookup would hang."""
    with clock._shield():  # a watchdog of this thread is striking it at the moment of the fork
        pid = os.fork()
        if pid == 0:  # the child: ends by itself, or SIGALRM's default action ends it
            signal.alarm(10)
            try:
                clock.start_thread(threading.Thread(target=lambda: None))
                os._exit(0)
            except BaseException:
                os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"the child hung or failed ({status})"
