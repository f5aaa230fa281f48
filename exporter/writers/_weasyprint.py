"""WeasyPrint's only door to the outside, and the clock on its layout.

:class:`PolicyFetcher` serves every URL WeasyPrint asks for (images, stylesheets,
``@import``, ``<link rel="attachment">``, fonts) from the resource policy; only
the theme's own folders are read directly. :func:`render_limit` bounds the time
one layout may take.
"""
from __future__ import annotations

import ctypes
import platform
import signal
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

# WeasyPrint warns on import when fontconfig knows no font ("Expect ugly output"), as on a slim container;
# the themes bring their own fonts (@font-face), so the warning would only be noise on every run.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r".*FontConfig.*Expect ugly output", category=UserWarning)
    from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..errors import LimitError, ResourceDenied
from ..resources import ResourcePolicy, ResourceUnavailable


class PolicyFetcher(URLFetcher):
    """Serve WeasyPrint's requests from the policy; ``trusted`` folders (theme, fonts) are read directly."""

    def __init__(self, policy: ResourcePolicy, trusted: tuple[Path, ...] = ()) -> None:
        super().__init__()
        self.policy = policy
        self.trusted = tuple(p.resolve() for p in trusted)

    def fetch(self, url, headers=None):  # noqa: D401 - WeasyPrint API
        if url.startswith("file://") and self.trusted:
            path = Path(unquote(urlsplit(url).path)).resolve()
            if any(root in path.parents for root in self.trusted) and path.is_file():
                return URLFetcherResponse(url, body=path.read_bytes())
        try:
            resource = self.policy.fetch(url)
        except (ResourceDenied, ResourceUnavailable, LimitError) as exc:
            raise ValueError(f"not fetched: {exc}") from None
        return URLFetcherResponse(url, body=resource.data, headers={"Content-Type": resource.media_type})


#: seconds between strikes once the render limit has passed and a strike was swallowed
_STRIKE_AGAIN = 0.05


class _Strike(LimitError):
    """What the clock raises: :func:`render_limit` makes a subclass whose ``message`` names the limit.

    A class, not an instance, because a thread is interrupted with a class
    (``PyThreadState_SetAsyncExc``) that Python then calls with no arguments.
    """

    message = "the render limit was reached"

    def __init__(self, *args: object) -> None:
        super().__init__(*(args or (self.message,)))


def _alarm_serves_this_thread() -> bool:
    """``SIGALRM`` reaches only the main thread, and only where the platform has it."""
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


class _Clock:
    """Strikes a thread with :class:`_Strike` after ``seconds``, then every :data:`_STRIKE_AGAIN` until stopped.

    In the main thread, a POSIX interval timer (``SIGALRM``) raises from its
    handler. Any other thread (a thread pool, a Dask worker, a web server
    calling the API), or any thread where there is no ``SIGALRM`` (Windows), is
    struck by a watchdog thread through ``PyThreadState_SetAsyncExc``. Either
    way the exception arrives between two bytecodes of the laying-out thread,
    as WeasyPrint lays out in pure Python.
    """

    def __init__(self, seconds: float, strike: type[_Strike]) -> None:
        self.seconds = seconds
        self.strike = strike
        self.struck = False
        self._main = _alarm_serves_this_thread()
        self._stop = threading.Event()

    @staticmethod
    def available() -> bool:
        return _alarm_serves_this_thread() or platform.python_implementation() == "CPython"

    def start(self) -> None:
        if self._main:
            self._previous = signal.signal(signal.SIGALRM, self._on_alarm)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        else:
            target = threading.get_ident()
            self._watchdog = threading.Thread(target=self._watch, args=(target,), daemon=True,
                                              name="exporter-render-limit")
            self._watchdog.start()

    def _on_alarm(self, signum, frame) -> None:  # noqa: ARG002 - signal handler API
        self.struck = True
        signal.setitimer(signal.ITIMER_REAL, _STRIKE_AGAIN)
        raise self.strike()

    def _watch(self, target: int) -> None:
        delay = self.seconds
        while not self._stop.wait(delay):
            self.struck = True
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(self.strike))
            delay = _STRIKE_AGAIN

    def stop(self) -> None:
        """Disarm; a strike already on its way is absorbed here, not in the caller's next line."""
        while True:
            try:
                if self._main:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, self._previous)
                else:
                    self._stop.set()
                    self._watchdog.join()
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(threading.get_ident()), None)
                return
            except _Strike:
                continue


@contextmanager
def render_limit(seconds: float, what: str = "the PDF") -> Iterator[None]:
    """Raise :class:`LimitError` in the block once ``seconds`` have passed (0: no limit).

    The clock (:class:`_Clock`) interrupts the layout wherever it runs; the
    atomic write then leaves no file. A strike may land where an exception
    cannot escape: in a finaliser (``FontConfiguration.__del__``, where Python
    prints it as "ignored") or under one of WeasyPrint's ``except Exception``
    fallbacks. So the clock strikes again every :data:`_STRIKE_AGAIN` seconds,
    and a block that still ends normally past the limit raises on the way out.
    """
    if not seconds or seconds <= 0 or not _Clock.available():
        yield
        return

    strike = type("RenderLimit", (_Strike,), {"message": f"{what} took longer than the render limit of "
                                                         f"{seconds:g} s (raise it with --max-render-seconds)"})
    clock = _Clock(seconds, strike)
    clock.start()
    try:
        yield
    except Exception as exc:
        if clock.struck and not isinstance(exc, strike):  # a fallback's error in the strike's wake
            raise strike() from None
        raise
    finally:
        clock.stop()
    if clock.struck:  # every strike was swallowed, and the block ran past the limit
        raise strike()
