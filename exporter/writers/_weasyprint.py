"""WeasyPrint's only door to the outside, and the clock on its layout.

:class:`PolicyFetcher` serves every URL WeasyPrint asks for (images, stylesheets,
``@import``, ``<link rel="attachment">``, fonts) from the resource policy; only
the theme's own folders are read directly. :func:`render_limit` bounds the time
one layout may take.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

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


@contextmanager
def render_limit(seconds: float, what: str = "the PDF") -> Iterator[None]:
    """Raise :class:`LimitError` in the block once ``seconds`` have passed (0: no limit).

    WeasyPrint lays out in pure Python in this process, so a POSIX interval timer
    (``SIGALRM``) can interrupt it between bytecodes; the atomic write then leaves
    no file. The signal may land where an exception cannot escape: in a finaliser
    (``FontConfiguration.__del__``, where Python prints it as "ignored") or under
    one of WeasyPrint's ``except Exception`` fallbacks. So once expired, the timer
    re-arms itself to strike again shortly, and a block that still ends normally
    raises on the way out: past the limit, the result is always the error.
    Signals reach only the main thread: elsewhere (a thread pool) the block runs
    unlimited, and a process pool's workers are main threads, so they are
    limited. Where there is no ``SIGALRM`` (Windows) there is no limit.
    """
    if not seconds or seconds <= 0 or not hasattr(signal, "setitimer") \
            or threading.current_thread() is not threading.main_thread():
        yield
        return

    def error() -> LimitError:
        return LimitError(f"{what} took longer than the render limit of {seconds:g} s "
                          f"(raise it with --max-render-seconds)")

    expired_once = False

    def expired(signum, frame):  # noqa: ARG001 - signal handler API
        nonlocal expired_once
        expired_once = True
        signal.setitimer(signal.ITIMER_REAL, _STRIKE_AGAIN)
        raise error()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except Exception as exc:
        if expired_once and not isinstance(exc, LimitError):  # the strike came back in another guise
            raise error() from None
        raise
    finally:
        while True:  # a strike may land mid-cleanup: disarm until it sticks
            try:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                break
            except LimitError:
                continue
    if expired_once:
        raise error()


#: seconds between strikes once the render limit has passed and an exception was swallowed
_STRIKE_AGAIN = 0.05
