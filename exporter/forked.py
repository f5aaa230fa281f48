"""One piece of work run in a forked child while the parent does other work: its result or its error comes back.

Used by :func:`exporter.editions.start_editions` to lay out a PDF on a second
core: the child is forked before the article is read and imports WeasyPrint
(most of a second) while the parent reads and normalises the article; the
parent then sends it the book (pickled: lxml trees pickle as their XML, a few
kilobytes) and writes the EPUB and the text while the child lays out the PDF.
What comes back is only what the work returned or raised:

- an error comes back pickled (an ``OSError`` with its errno), or where it cannot
  be (a class made at run time, like a clock's strike) as the nearest class of its
  ancestry that can, with its message: the parent raises an error of the same
  kind, and the CLI exits with the same status, as if the work had run in it;
- the limits of :mod:`exporter.clock` open in the parent are not inherited: the
  work sent takes them along (``clock.open_limits``, ``clock.resumed``), so a child
  forked before a limit was opened (:mod:`exporter.launch`) keeps it all the same;
- :meth:`Forked.cancel` stops the child with ``SIGTERM``, which raises in it, so
  its atomic writes remove their temporary files, and then reaps it (``SIGKILL``
  after :data:`GRACE` seconds); :meth:`Forked.result` reaps it too, and the child
  reaps the processes it started itself before it ends: no zombies.

Forking is safe only from the one thread of a process; :func:`can_fork` says
when it is, and when a second core makes it worth it.
"""
from __future__ import annotations

import ctypes
import gc
import importlib
import os
import pickle
import signal
import sys
import threading
import time
from typing import Any, Callable

from . import clock
from .errors import LimitError

#: seconds a cancelled child gets to clean up before it is killed
GRACE = 5.0
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
#: signals that end a child from outside or at a limit (a LimitError); any other (SIGSEGV, SIGABRT, SIGBUS)
#: is a crash: a bug in our code or a C library's, exit 70
KILLED_FROM_OUTSIDE = frozenset(int(getattr(signal, name)) for name in ("SIGKILL", "SIGTERM", "SIGXCPU")
                                if hasattr(signal, name))


#: in a forked child: the pid of the process that forked it, and whether it has been told to stop
_forked_from: int | None = None
_stop_requested = False


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


def check_wanted() -> None:
    """Raise :class:`Cancelled` in a forked child whose command is gone or told it to stop: called right before
    its edition is put in place, since library code may swallow the stop itself (WeasyPrint catches
    ``BaseException`` while drawing an SVG) and the child would then finish after the command had ended."""
    if _forked_from is not None and (_stop_requested or os.getppid() != _forked_from):
        raise Cancelled()


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

    def __init__(self, func: Callable[..., Any], *, prepare: Callable[[], Any] | None = None,
                 waits_for_input: bool = False) -> None:
        """Fork now. The child runs ``prepare()`` (its errors are left for ``func`` to meet), then, if
        ``waits_for_input``, waits for the value :meth:`send` gives it and runs ``func(value)``; else ``func()``.
        """
        for stream in (sys.stdout, sys.stderr):  # or the child would print the parent's buffered text again
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        read, write = os.pipe()
        try:
            given, give = os.pipe() if waits_for_input else (None, None)
        except OSError:
            os.close(read)
            os.close(write)
            raise
        # no Ctrl-C or stop between the fork and the child's own handlers: it would unwind the child
        # through the parent's code (which would then report an interruption of its own)
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        parent = os.getpid()
        try:
            self.pid = os.fork()
        except OSError:  # EAGAIN: a process limit; the caller does the work itself
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            for fd in (read, write, given, give):
                if fd is not None:
                    os.close(fd)
            raise
        if self.pid == 0:  # the child: never returns into the parent's code
            _own_signals()
            os.close(read)
            if give is not None:
                os.close(give)
            _run_child(func, write, prepare, given, blocked, parent)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        os.close(write)
        self._room = PIPE_BYTES
        if given is not None:
            os.close(given)
            self._room = _widen(give)
        self._read: int | None = read
        self._give = give
        self._done = False
        self._sender: threading.Thread | None = None

    def send(self, value: Any) -> None:
        """Hand the waiting child its input (once). More than the pipe holds (a book's images) is fed from a
        thread, as the child reads it once it has imported its engine: this process goes on meanwhile."""
        data = pickle.dumps(value)
        give, self._give = self._give, None
        if len(data) <= self._room:
            _send(give, data)
            return
        self._sender = threading.Thread(target=_send, args=(give, data), name="exporter-send", daemon=True)
        clock.start_thread(self._sender)

    def release(self) -> None:
        """Send nothing: the child ends by itself once it is ready (no stop to wait for). It is reaped by
        :func:`reap_released`, which the command calls before it ends."""
        self._close()
        if not self._done:
            self._done = True
            _released.append(self.pid)

    def result(self) -> Any:
        """Wait for the child and return its result, or raise its error (rebuilt in this process)."""
        try:
            data = _read_all(self._read)
        except BaseException:
            self.cancel()
            raise
        self._close()
        _, status = os.waitpid(self.pid, 0)
        self._done = True
        self._close()
        code = os.waitstatus_to_exitcode(status)
        if code < 0:  # whatever it sent: a result cut short by the signal would not unpickle
            name = _signal_name(-code)
            if -code in KILLED_FROM_OUTSIDE:  # the out-of-memory killer, a user, a CPU-time limit
                raise LimitError(f"the process writing this edition was killed ({name})")
            raise RuntimeError(f"the process writing this edition crashed ({name})")  # a bug: ours or a C library's
        if not data:
            raise RuntimeError(f"the forked writer ended without a result (status {code})")
        try:
            kind, value = pickle.loads(data)
        except Exception as exc:  # noqa: BLE001 - cut short or damaged: a bug, said in one line
            raise RuntimeError(f"the forked writer's result could not be read ({type(exc).__name__})") from None
        if kind == "raised":
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child (it cleans up its temporary files) and reap it.

        It gets :data:`GRACE` seconds to clean up, also when a time limit of this process strikes meanwhile
        (past its limit, a limit strikes again every few hundredths of a second; the child has the same
        limit, and stops by itself): the strike is raised once the child is gone. Only a second Ctrl-C or
        a stop of this process kills it at once.
        """
        self._close()
        if self._done:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + GRACE
        struck: clock.Strike | None = None
        try:
            while True:
                try:
                    while not os.waitpid(self.pid, os.WNOHANG)[0]:
                        if time.monotonic() > deadline:
                            raise TimeoutError
                        time.sleep(0.01)
                    break
                except clock.Strike as strike:  # a limit already passed: the child's grace still holds
                    struck = struck or strike
        except BaseException:  # past its grace, or a second Ctrl-C meanwhile: killed, and reaped all the same
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            if not isinstance(sys.exc_info()[1], TimeoutError):
                self._done = True
                self._close()
                raise
        self._done = True
        self._close()
        if struck is not None:
            raise struck

    def _close(self) -> None:
        for name in ("_read", "_give"):
            fd = getattr(self, name)
            if fd is not None:
                os.close(fd)
                setattr(self, name, None)
        if self._sender is not None and self._done:  # the child is gone: its pipe's write fails, the thread ends
            self._sender.join()
            self._sender = None


#: children released (:meth:`Forked.release`) and not yet reaped
_released: list[int] = []


def reap_released() -> None:
    """Wait for the children :meth:`Forked.release` let go (each ends by itself once it is ready)."""
    while _released:
        pid = _released.pop()
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


#: a child forked before its work was known (by the command's launch, exporter.launch), for the first taker
_held: Forked | None = None


def hold(child: Forked) -> None:
    """Keep ``child`` for whoever :func:`take_held` first (one at a time)."""
    global _held
    discard_held()
    _held = child


def take_held() -> Forked | None:
    """The child :func:`hold` kept, to send work to or cancel (once: None after)."""
    global _held
    child, _held = _held, None
    return child


def discard_held() -> None:
    """Stop the held child if nothing took it (a batch, a usage error, an export of one edition)."""
    child = take_held()
    if child is not None:
        child.cancel()


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:  # a real-time signal has no name
        return f"signal {number}"


#: what a pipe holds at the least (POSIX): :meth:`Forked.send` writes more from a thread
PIPE_BYTES = 1 << 16


def _widen(fd: int) -> int:
    """Let the pipe hold a whole book without pictures, so the parent need not wait while the child is
    still importing (nor start a thread to feed it); return what it holds."""
    import fcntl

    if not hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux only: elsewhere writes wait for the reader
        return PIPE_BYTES
    try:
        return max(PIPE_BYTES, fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20))
    except OSError:  # over the system's maximum
        return PIPE_BYTES


def _send(fd: int, data: bytes) -> None:
    try:
        _write_all(fd, data)
    except BrokenPipeError:  # the child is gone: result() says why
        pass
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _run_child(func: Callable[..., Any], write: int, prepare: Callable[[], Any] | None, given: int | None,
               blocked: set, parent: int) -> None:
    """Run ``func`` and send what it returned or raised down ``write`` (errors made portable); then exit."""
    global _forked_from
    _forked_from = parent
    status = 1
    stopped = worked = False
    try:
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a stop sent meanwhile lands here, in the try
            _stop_with(parent)
            clock.forget_inherited()  # the work sent brings its limits (clock.resumed)
            if prepare is not None:
                try:
                    prepare()
                except Exception:  # noqa: BLE001 - func meets the same error where it belongs
                    pass
            # what the parent and prepare() built (modules, an engine's tables) lives as long as the child:
            # the collector no longer walks it, in the layout's collections nor in the last one (_wind_up)
            gc.freeze()
            if given is None:
                worked = True
                value = func()
            else:
                data = _read_all(given)
                if not data:  # the parent gave up before it had the input: nothing to do, nothing to say
                    os._exit(0)
                worked = True
                value = func(pickle.loads(data))
            payload = ("returned", _portable(value) if isinstance(value, BaseException) else value)
        except Cancelled:
            payload = None
            stopped = True
        except BaseException as exc:  # noqa: BLE001 - every error goes back to the parent
            payload = ("raised", _portable(exc))
        if payload is not None:
            _write_all(write, pickle.dumps(payload))
            status = 0
    finally:
        try:
            _wind_up(collect=worked)
        finally:
            if stopped:  # ended by the stop it was sent, as its parent reads the status: a kill, not a bug
                _end_by(signal.SIGTERM)
            os._exit(status)  # no atexit handlers, no outer finally blocks: they belong to the parent


def _end_by(signum: int) -> None:
    """End this process by ``signum``'s default action (no Python handler, no clean-up left to run)."""
    signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})
    os.kill(os.getpid(), signum)


def _stop_with(parent: int) -> None:
    """Stop (``SIGTERM``: :class:`Cancelled`, so the temporary file goes) when ``parent`` dies, killed or not:
    else the child would finish and put its edition in place after the command had failed. Linux asks the
    kernel (``PR_SET_PDEATHSIG``); a parent already gone is caught by the check after it."""
    signal_when_parent_dies(signal.SIGTERM)
    if os.getppid() != parent:
        raise Cancelled()


def signal_when_parent_dies(signum: int) -> bool:
    """Ask the kernel to send this process ``signum`` when its parent dies (Linux's ``PR_SET_PDEATHSIG``):
    True when it was asked, False where it cannot be (no Linux, no libc ``prctl``). The caller then checks
    that the parent is not already gone, which no signal would report."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):  # no libc prctl
        return False


def _own_signals() -> None:
    """The child's signals: Ctrl-C is the parent's to handle (it reaches the whole process group, and the
    parent then stops the child); ``SIGTERM`` raises :class:`Cancelled`, once."""
    def stop(signum, frame):  # noqa: ARG001 - signal handler API
        global _stop_requested
        _stop_requested = True  # for check_wanted, should library code swallow the Cancelled
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: a second would land in the clean-up
        raise Cancelled()

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop)


def _wind_up(collect: bool) -> None:
    """Wait for the child's own children (``ldconfig``, which WeasyPrint's import runs, when a stop came
    in the middle), so that none is left to its fate as a zombie; no clock strikes or stop meanwhile.
    ``collect``: the work ran, and its finalisers must too (stopped while it imported, there are none)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second stop: the parent kills after GRACE anyway
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)
    if collect:  # finalisers os._exit would skip: WeasyPrint's FontConfiguration removes its font folder in one
        gc.collect()
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            continue


__all__ = ["Forked", "can_fork", "check_wanted", "hold", "take_held", "discard_held", "reap_released",
           "signal_when_parent_dies", "GRACE", "PIPE_BYTES"]
