"""One piece of work run in a forked child while the parent does other work: its result or its error comes back.

Used by :func:`exporter.editions.write_book` to lay out a PDF on a second core
while the EPUB and the text are written. The child starts from a copy of the
parent (the normalised book included, nothing is serialised on the way in) and
sends back only what the work returned or raised:

- an error comes back pickled (an ``OSError`` with its errno), or where it cannot
  be (a class made at run time, like a clock's strike) as the nearest class of its
  ancestry that can, with its message: the parent raises an error of the same
  kind, and the CLI exits with the same status, as if the work had run in it;
- the limits of :mod:`exporter.clock` open in the parent hold in the child (its
  interval timer is armed again: a fork does not inherit it);
- :meth:`Forked.cancel` stops the child with ``SIGTERM``, which raises in it, so
  its atomic writes remove their temporary files, and then reaps it (``SIGKILL``
  after :data:`GRACE` seconds); :meth:`Forked.result` reaps it too: no zombies.

Forking is safe only from the one thread of a process; :func:`can_fork` says
when it is, and when a second core makes it worth it.
"""
from __future__ import annotations

import importlib
import os
import pickle
import signal
import sys
import threading
import time
from typing import Any, Callable

from . import clock

#: seconds a cancelled child gets to clean up before it is killed
GRACE = 5.0


def can_fork() -> bool:
    """True where a child can be forked safely (POSIX, one thread) and run beside us (two cores or more)."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except AttributeError:  # no affinity call (macOS)
        return (os.cpu_count() or 1) > 1


class Cancelled(BaseException):
    """Raised in a child told to stop: not an ``Exception``, so no fallback swallows it."""


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling (an ``OSError`` keeps its errno), else the nearest class of its ancestry
    that the parent can import by name, made with its message (a clock's strike becomes its named base)."""
    try:
        if type(pickle.loads(pickle.dumps(exc))) is type(exc):
            return exc
    except Exception:  # noqa: BLE001 - a class made at run time, a constructor with other arguments
        pass
    message = str(exc)
    for cls in type(exc).__mro__[1:]:
        try:
            if getattr(importlib.import_module(cls.__module__), cls.__qualname__, None) is cls:
                rebuilt = cls(message)
                pickle.loads(pickle.dumps(rebuilt))
                return rebuilt
        except Exception:  # noqa: BLE001 - not importable, or wants other arguments: try its base
            continue
    return RuntimeError(f"{type(exc).__name__}: {message}")


class Forked:
    """``func()`` running in a forked child; :meth:`result` returns what it returned or raises what it raised.

    An exception ``func`` returns (rather than raises) comes back as a value too, rebuilt like a raised one.
    """

    def __init__(self, func: Callable[[], Any]) -> None:
        for stream in (sys.stdout, sys.stderr):  # or the child would print the parent's buffered text again
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        read, write = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:  # EAGAIN: a process limit; the caller does the work itself
            os.close(read)
            os.close(write)
            raise
        if self.pid == 0:  # the child: never returns into the parent's code
            os.close(read)
            _run_child(func, write)
        os.close(write)
        self._read = read
        self._done = False

    def result(self) -> Any:
        """Wait for the child and return its result, or raise its error (rebuilt in this process)."""
        try:
            chunks = []
            while chunk := os.read(self._read, 1 << 16):
                chunks.append(chunk)
        except BaseException:
            self.cancel()
            raise
        self._close()
        _, status = os.waitpid(self.pid, 0)
        self._done = True
        if not chunks:
            code = os.waitstatus_to_exitcode(status)
            raise RuntimeError(f"the forked writer ended without a result (status {code})")
        kind, value = pickle.loads(b"".join(chunks))
        if kind == "raised":
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child (it cleans up its temporary files) and reap it."""
        self._close()
        if self._done:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + GRACE
        while True:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                break
            time.sleep(0.01)
        self._done = True

    def _close(self) -> None:
        if self._read is not None:
            os.close(self._read)
            self._read = None


def _run_child(func: Callable[[], Any], write: int) -> None:
    """Run ``func`` and send what it returned or raised down ``write`` (errors made portable); then exit."""
    status = 1
    try:
        def stop(signum, frame):  # noqa: ARG001 - signal handler API
            raise Cancelled()

        signal.signal(signal.SIGTERM, stop)
        clock.rearm()
        try:
            value = func()
            payload = ("returned", _portable(value) if isinstance(value, BaseException) else value)
        except Cancelled:
            payload = None
        except BaseException as exc:  # noqa: BLE001 - every error goes back to the parent
            payload = ("raised", _portable(exc))
        if payload is not None:
            data = pickle.dumps(payload)
            view = memoryview(data)
            while view:
                view = view[os.write(write, view):]
            status = 0
    finally:
        os._exit(status)  # no atexit handlers, no outer finally blocks: they belong to the parent


__all__ = ["Forked", "can_fork", "GRACE"]
