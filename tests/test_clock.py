"""The clock's watchdog (threads without SIGALRM) against thread starts under a limit.

``PyThreadState_SetAsyncExc`` picks its target by thread identifier, and a thread
being started carries its starter's identifier until it runs: a strike sent in
that moment killed the new thread before it said it had started, and the
starter waited forever in ``Thread.start`` (seen once in a thread-pool export
at load 10, hung in a name lookup's thread).

And where a strike lands as limits start and close (found looking into a strike WeasyPrint's FontConfiguration
finaliser swallowed, which is harmless: see the end of ``clock.time_limit``): struck as it started, or as its
closing began, a limit was left open and struck every later block of its thread; an outer limit's strike landing
as an inner one closed was dropped; and in the main thread each limit opened reset the timer, so a passed limit
around a loop of limits never struck at all.
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


# --- where a strike lands: while a limit starts, and while limits inside a passed one open and close ----------------

def _no_limit_left() -> None:
    """This thread has no limit open, no timer armed and no watchdog left running (watchdogs stop at once)."""
    assert clock._limits() == []
    if clock._alarm_serves_this_thread():
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    for _ in range(100):
        if not [t for t in threading.enumerate() if t.name == "exporter-time-limit"]:
            return
        time.sleep(0.01)
    raise AssertionError("a watchdog is left running, striking its thread for ever")


def _struck_as_it_starts(monkeypatch) -> None:
    """An outer limit strikes the moment the inner one has started, before the block of the inner one begins
    (where the interpreter checks for signals and strikes, right after a call returns)."""
    real_start = clock._start

    def start(limit) -> None:
        real_start(limit)
        if limit.strike.message == "inner":
            outer = clock._limits()[0]
            outer.struck = True
            raise outer.strike()

    monkeypatch.setattr(clock, "_start", start)
    with pytest.raises(clock.Strike, match="outer"):
        with clock.time_limit(30, "outer"):
            with clock.time_limit(0.2, "inner"):
                pass
    monkeypatch.setattr(clock, "_start", real_start)
    _no_limit_left()
    time.sleep(0.3)  # past the inner limit's deadline: nothing strikes
    return "nothing struck later"


def test_a_limit_struck_as_it_starts_is_closed_again_in_the_main_thread(monkeypatch) -> None:
    """Left open, the inner limit stayed in the thread's list: its timer struck every later block of the thread."""
    assert _struck_as_it_starts(monkeypatch) == "nothing struck later"


def test_a_limit_struck_as_it_starts_is_closed_again_in_a_thread(monkeypatch) -> None:
    """Left open, its watchdog struck the thread every STRIKE_AGAIN seconds for ever."""
    assert _in_a_thread(lambda: _struck_as_it_starts(monkeypatch)) == ["nothing struck later"]


def _outer_strike() -> type[clock.Strike]:
    outer = clock._limits()[0]
    outer.struck = True
    return outer.strike


def _closing_struck(monkeypatch, where: str) -> list[str]:
    """An outer limit strikes as the inner one closes: as ``_stop`` begins (``where="entry"``: where the interpreter
    checks for a strike when a function starts, before any ``try`` in it), or inside it (``"inside"``)."""
    real_stop, real_arm, struck = clock._stop, clock._Alarm.arm, []

    def stop(limit) -> None:
        if limit.strike.message == "inner" and not struck:
            struck.append(where)
            raise _outer_strike()
        real_stop(limit)

    opened = []

    def arm() -> None:
        inner = [limit for limit in clock._limits() if limit.strike.message == "inner"]
        if inner:
            opened.append(inner)
        elif opened and not struck:  # the inner limit is out of the list: called from its _stop
            struck.append(where)
            raise _outer_strike()
        real_arm()

    if where == "entry":
        monkeypatch.setattr(clock, "_stop", stop)
    else:
        monkeypatch.setattr(clock._Alarm, "arm", staticmethod(arm))
    went_on = []
    with pytest.raises(clock.Strike, match="outer"):
        with clock.time_limit(30, "outer"):
            with clock.time_limit(0.2, "inner"):
                pass
            went_on.append("past the strike")
    monkeypatch.undo()
    assert struck == [where]
    _no_limit_left()
    time.sleep(0.3)  # past the inner limit's deadline: nothing strikes
    return went_on


def test_a_strike_as_a_limit_begins_to_close_leaves_it_closed(monkeypatch) -> None:
    """Raised before _stop's own try, the strike left the inner limit open: its timer struck later blocks."""
    assert _closing_struck(monkeypatch, "entry") == []


def test_an_outer_strike_landing_as_an_inner_limit_closes_is_raised(monkeypatch) -> None:
    """Absorbed while the inner limit closed, the outer limit's strike was lost: its block went on to the next
    strike (a loop of limits inside it, each closing, could absorb every one)."""
    assert _closing_struck(monkeypatch, "inside") == []


def _limits_opened_inside_a_limit_that_passes() -> str:
    """The real races, many times over for two seconds: an outer limit of a few milliseconds around a loop that
    opens and closes limits inside it. Each outer limit must strike, and leave nothing open."""
    end, rounds = time.monotonic() + 2, 0
    while time.monotonic() < end:
        opened = 0
        with pytest.raises(clock.Strike, match="outer"):
            with clock.time_limit(0.001 * (1 + rounds % 5), "outer"):
                while opened < 20_000:  # a hang guard: each takes ~20 us, the outer strikes within a few ms
                    with clock.time_limit(30, "inner"):
                        opened += 1
        assert opened < 20_000, "the outer limit passed and never struck"
        _no_limit_left()
        rounds += 1
    return f"{rounds} rounds"


def test_limits_opened_inside_a_passed_limit_neither_put_off_its_strike_nor_stay_open() -> None:
    """Main thread: each inner limit set the timer again, and a passed limit was put off by STRIKE_AGAIN each time,
    so it never struck; and a strike landing as an inner limit started left that limit open."""
    assert _limits_opened_inside_a_limit_that_passes().endswith("rounds")


def test_limits_opened_inside_a_passed_limit_stay_open_in_no_thread() -> None:
    assert _in_a_thread(_limits_opened_inside_a_limit_that_passes, 60)[0].endswith("rounds")
