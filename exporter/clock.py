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

Either way the exception arrives where the interpreter checks for one: as a
function begins, after a call returns, at a loop's jump back. A strike may land
where it cannot escape: in a finaliser (Python prints it as "ignored") or under an
``except Exception`` fallback. So a limit strikes again every
:data:`STRIKE_AGAIN` seconds, and a block that still ends normally past its
limit raises on the way out (see the end of :func:`time_limit`).

A strike may also land as a limit starts or closes, its own or one around it:
both happen inside :func:`time_limit`'s ``try``, the closing is done again until
it is done, and an outer limit's strike caught meanwhile is raised once the
limit is closed (a limit left open struck every later block of its thread; one
caught and dropped let its block go on). Left: a strike in contextlib's
``__enter__`` once the limit has started, or as its ``__exit__`` begins, leaves
the generator at its ``yield``, and the limit closes when that is freed.

C code that never returns to Python (libxml2's parser, Pillow's decoders) is
not interrupted: it is bounded before it starts (``exporter/read.py``'s
attribute guard, ``exporter/images.py``'s pixel cap).

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
    #: when the main thread's alarm is to strike next: the deadline, then STRIKE_AGAIN after each strike
    due: float = field(init=False)
    watchdog: threading.Thread | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    #: held by the thread limited while it starts a thread, and by a watchdog while it strikes
    shield: threading.Lock | None = None

    def __post_init__(self) -> None:
        self.due = self.deadline


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
        """Set the timer for the earliest strike due, unless it goes off sooner already.

        Every limit opened or closed arms it: were a strike due put off each time (to STRIKE_AGAIN from now, or
        a millisecond), a loop opening limits inside a passed one would never let it strike. A timer that goes
        off early finds nothing due and arms again."""
        limits = _limits()
        if not limits:
            signal.setitimer(signal.ITIMER_REAL, 0)
            return
        wait = max(min(limit.due for limit in limits) - time.monotonic(), 1e-6)  # 0 would disarm it
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        if not 0 < left <= wait:
            signal.setitimer(signal.ITIMER_REAL, wait)

    @staticmethod
    def on_alarm(signum, frame) -> None:  # noqa: ARG004 - signal handler API
        now = time.monotonic()
        passed = [limit for limit in _limits() if limit.due <= now]
        for limit in passed:  # the earliest strikes now, the others (and it again) after STRIKE_AGAIN
            limit.due = now + STRIKE_AGAIN
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
    """Close ``limit``, once or again: a strike landing in here, or as it begins (where the interpreter checks for
    one, before any ``try`` of its own), leaves the caller to call it again (a strike on its way is absorbed there,
    not in the caller's next line)."""
    limits = _limits()
    if limit in limits:
        limits.remove(limit)
    if _alarm_serves_this_thread():
        _Alarm.arm()
        if not limits:
            signal.signal(signal.SIGALRM, _Alarm.previous)
    elif limit.watchdog is not None:  # None: struck before it had one
        limit.stop.set()
        if limit.watchdog.ident is not None:  # started (a strike may land before, not while: the shield)
            limit.watchdog.join()
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(threading.get_ident()), None)


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
    try:
        _start(limit)  # in the try: a strike landing as it starts (an outer limit's) finds it closed by _stop
        yield
    except Exception as exc:
        if limit.struck and not isinstance(exc, Strike):  # a fallback's error in the strike's wake
            raise strike() from None
        raise
    finally:
        outer = None  # a strike of a limit around this one, landed while this one closed: raised once it is closed
        while True:
            try:
                _stop(limit)
                break
            except Strike as landed:
                if not isinstance(landed, strike):
                    outer = landed
        if outer is not None:
            raise outer
    # Every strike was swallowed, and the block ran past the limit: it fails here all the same. A strike swallowed
    # (by a finaliser, as WeasyPrint's FontConfiguration.__del__ in the suite, or a fallback) costs the limit nothing:
    # struck is set before the strike is sent, never unset, and the limit strikes again every STRIKE_AGAIN seconds
    # until it is closed; a render that ends before then fails here, and its file, written under a temporary name,
    # is not renamed into place. What is lost is the rest of the finaliser's own work: FontConfiguration's removes
    # its font folder, which _weasyprint.remove_font_folder has done already, outside the render limit.
    if limit.struck:
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
