"""Time limits that interrupt pure-Python work wherever it runs, nested if need be.

:func:`time_limit` is the one clock of exporter: the article budget
(``--max-article-seconds``: read, parse, fetch, images and layout together) and
the PDF layout limit (``--max-render-seconds``) are both limits of it, the
second inside the first. :func:`remaining` tells blocking work that no strike
can interrupt (a socket read in a thread, a name lookup) how long it may wait.

How a thread is struck:

- the main thread, where the platform has ``SIGALRM`` (the CLI, each worker of
  a process pool): one POSIX interval timer, armed for the earliest deadline
  of the limits open in that thread, raises from its handler (a blocked system
  call is interrupted too);
- any other thread (a thread pool, a Dask worker, a web server calling the
  API), or any thread where there is no ``SIGALRM`` (Windows): a watchdog
  thread per limit raises in it through ``PyThreadState_SetAsyncExc``.

Either way the exception arrives between two bytecodes. A strike may land where
it cannot escape: in a finaliser (Python prints it as "ignored") or under an
``except Exception`` fallback. So a limit strikes again every
:data:`STRIKE_AGAIN` seconds, and a block that still ends normally past its
limit raises on the way out. C code that never returns to Python (libxml2's
parser, Pillow's decoders) is not interrupted: it is bounded before it starts
(``exporter/read.py``'s attribute guard, ``exporter/images.py``'s pixel cap).

A thread started under a limit must be started with :func:`start_thread`.
``PyThreadState_SetAsyncExc`` picks a thread by its identifier, and until a new
thread runs, its state carries the identifier of the thread that started it
(CPython fills it in only when the new thread begins): a strike in that moment
lands in the new thread, which dies before it says it has started, and the
caller waits for that forever in ``Thread.start``. ``start_thread`` holds this
thread's watchdogs off until the new thread has started.
"""
from __future__ import annotations

import ctypes
import os
import platform
import signal
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import ContextManager, Iterator

from .errors import LimitError

#: seconds between strikes once a limit has passed and a strike was swallowed
STRIKE_AGAIN = 0.05


class Strike(LimitError):
    """What a clock raises: :func:`time_limit` makes a subclass whose ``message`` names the limit.

    A class, not an instance, because a thread is interrupted with a class
    (``PyThreadState_SetAsyncExc``) that Python then calls with no arguments.
    """

    message = "a time limit was reached"

    def __init__(self, *args: object) -> None:
        super().__init__(*(args or (self.message,)))


@dataclass(eq=False)
class _Limit:
    deadline: float
    strike: type[Strike]
    struck: bool = False
    watchdog: threading.Thread | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    #: held by the thread limited while it starts a thread, and by a watchdog while it strikes
    shield: threading.Lock | None = None


_open = threading.local()  # .limits: the limits open in this thread, outermost first; .shield: see start_thread


def _limits() -> list[_Limit]:
    if not hasattr(_open, "limits"):
        _open.limits = []
    return _open.limits


def _shield() -> threading.Lock:
    """This thread's shield: no watchdog strikes it while another thread is being started from it.

    One per process too: a child forked while a watchdog of this thread held the shield (striking)
    would inherit it held, with no watchdog left to let go (exporter.forked forks the PDF's process).
    """
    if getattr(_open, "shield_of", None) != os.getpid():
        _open.shield, _open.shield_of = threading.Lock(), os.getpid()
    return _open.shield


def start_thread(thread: threading.Thread) -> None:
    """``thread.start()``, where no limit of this thread can strike the new thread by mistake.

    Until the new thread has started, a strike sent to this thread's identifier
    may land in the new one instead (see the module's docstring): this
    thread's watchdogs wait, and strike once ``start`` has returned. (The
    alarm of the main thread is not affected: signals are handled in the main
    thread only.)
    """
    with _shield():
        thread.start()


def _alarm_serves_this_thread() -> bool:
    """``SIGALRM`` reaches only the main thread, and only where the platform has it."""
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


def available() -> bool:
    """Whether this thread can be struck at all (CPython for the watchdog, else the alarm)."""
    return _alarm_serves_this_thread() or platform.python_implementation() == "CPython"


def remaining() -> float:
    """Seconds until the earliest limit open in this thread passes (``inf`` when none is open)."""
    limits = _limits()
    if not limits:
        return float("inf")
    return max(0.0, min(limit.deadline for limit in limits) - time.monotonic())


# --- the main thread: one interval timer for every open limit --------------------------------------
class _Alarm:
    previous: object = None

    @staticmethod
    def arm() -> None:
        """Set the timer for the earliest deadline (or to strike again soon when one has passed)."""
        limits = _limits()
        if not limits:
            signal.setitimer(signal.ITIMER_REAL, 0)
            return
        wait = min(limit.deadline for limit in limits) - time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, max(wait, 0.001) if wait > 0 else STRIKE_AGAIN)

    @staticmethod
    def on_alarm(signum, frame) -> None:  # noqa: ARG004 - signal handler API
        now = time.monotonic()
        passed = [limit for limit in _limits() if limit.deadline <= now]
        _Alarm.arm()
        if passed:
            first = min(passed, key=lambda limit: limit.deadline)
            first.struck = True
            raise first.strike()


def _start(limit: _Limit) -> None:
    limits = _limits()
    if _alarm_serves_this_thread():
        if not limits:
            _Alarm.previous = signal.signal(signal.SIGALRM, _Alarm.on_alarm)
        limits.append(limit)
        _Alarm.arm()
        return
    limits.append(limit)
    target = threading.get_ident()
    limit.shield = _shield()
    limit.watchdog = threading.Thread(target=_watch, args=(limit, target), daemon=True, name="exporter-time-limit")
    start_thread(limit.watchdog)  # the limits around this one may strike meanwhile


def _watch(limit: _Limit, target: int) -> None:
    assert limit.shield is not None
    delay = limit.deadline - time.monotonic()
    while not limit.stop.wait(max(delay, 0)):
        with limit.shield:  # not while the target starts a thread: the strike could land in that thread
            if limit.stop.is_set():
                return
            limit.struck = True
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(limit.strike))
        delay = STRIKE_AGAIN


def _stop(limit: _Limit) -> None:
    """Close ``limit``; a strike already on its way is absorbed here, not in the caller's next line."""
    while True:
        try:
            limits = _limits()
            if limit in limits:
                limits.remove(limit)
            if limit.watchdog is None:
                _Alarm.arm()
                if not limits:
                    signal.signal(signal.SIGALRM, _Alarm.previous)
            else:
                limit.stop.set()
                limit.watchdog.join()
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(threading.get_ident()), None)
            return
        except Strike:
            continue


@contextmanager
def time_limit(seconds: float, message: str) -> Iterator[None]:
    """Raise :class:`LimitError` with ``message`` in the block once ``seconds`` have passed (0: no limit).

    Limits nest: the inner one may end first, or the outer one may strike
    inside it; either way the error names the limit that passed.
    """
    if not seconds or seconds <= 0 or seconds == float("inf") or not available():
        yield
        return
    strike = type("TimeLimit", (Strike,), {"message": message})
    limit = _Limit(time.monotonic() + seconds, strike)
    _start(limit)
    try:
        yield
    except Exception as exc:
        if limit.struck and not isinstance(exc, Strike):  # a fallback's error in the strike's wake
            raise strike() from None
        raise
    finally:
        _stop(limit)
    if limit.struck:  # every strike was swallowed, and the block ran past the limit
        raise strike()


def open_limits() -> list[tuple[float, str]]:
    """The limits open in this thread as (deadline, message), outermost first: what work handed to another
    process takes with it (:func:`resumed` there). Deadlines are ``time.monotonic()``'s, which every process
    of the machine shares."""
    return [(limit.deadline, limit.strike.message) for limit in _limits()]


@contextmanager
def resumed(limits: list[tuple[float, str]]) -> Iterator[None]:
    """The limits :func:`open_limits` gave, open again in this process until the same deadlines."""
    with ExitStack() as stack:
        for deadline, message in limits:
            stack.enter_context(time_limit(max(deadline - time.monotonic(), 0.001), message))
        yield


def forget_inherited() -> None:
    """In a child just forked: drop the limits it inherited (the work it is sent brings its own, see
    :func:`resumed`); a fork resets the interval timer but keeps the parent's list and handler."""
    limits = _limits()
    if limits and _alarm_serves_this_thread():
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, _Alarm.previous)
    limits.clear()


def article_limit(seconds: float | None, articles: int = 1) -> ContextManager[None]:
    """The budget of one task: ``seconds`` (``--max-article-seconds``) for each of its ``articles``."""
    what = "the article" if articles <= 1 else f"the book of {articles} articles"
    limit = (seconds or 0) * max(articles, 1)
    return time_limit(limit, f"{what} took longer than its time limit of {limit:g} s, reading, fetching, images "
                             f"and layout together (raise it with --max-article-seconds)")


__all__ = ["time_limit", "article_limit", "remaining", "available", "start_thread", "open_limits", "resumed",
           "forget_inherited", "Strike", "STRIKE_AGAIN"]
