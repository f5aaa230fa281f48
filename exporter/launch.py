"""The ``exporter`` command's entry point: set up its process, fork the PDF's process first, run the command.

An export of several editions lays its PDF out in a process of its own
(:func:`exporter.editions.start_editions`), and that process spends most of its
life importing WeasyPrint. The sooner it is forked, the sooner the PDF is done:
here it is forked before anything else is imported (click, the writers' option
declarations, the pipeline: about 0.13 s CPU), from a glance at the command
line, and it imports the engine while the command is parsed and the article
read. The glance only has to be right often: when it is wrong, or the export
turns out to need no such process (a batch, a usage error, formats none of
whose writers wants one), the process is stopped or released unused, and one
is forked later where needed. Nothing the command does depends on it: the same
files, errors and statuses.
"""
from __future__ import annotations

import os
import signal
import sys
from typing import Sequence

#: Settings the command gives its own process (never the library: a program using the API owns its process).
#: numpy (which decompresses the language model into the cache the first time, and classifies in a batch's
#: workers) starts one OpenBLAS thread per core at import, for arithmetic on a few hundred numbers; a user's
#: own setting wins.
PROCESS_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1"}

#: the command's global options that take no value (any other, or ``--debug``, and there is no early fork)
_GLOBAL_FLAGS = frozenset({"-q", "--quiet", "-v", "-vv", "-vvv", "--verbose"})
#: whatever makes the command print and stop, or keep one process (``--debug``: whole tracebacks)
_NO_EXPORT = frozenset({"-h", "--help", "--debug", "-V", "--version"})

class Terminated(BaseException):
    """The command was sent ``SIGTERM`` (``kill``, a service manager, a CI timeout): raised in it, so that
    the file being written and the PDF's process go as after an error; the command then ends with
    :data:`~exporter.errors.TERMINATED`. Not an ``Exception``: no fallback swallows it."""


def main() -> None:
    """Run the ``exporter`` command."""
    for name, value in PROCESS_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    global _command
    _command = os.getpid()
    signal.signal(signal.SIGTERM, _terminate)
    formats = formats_to_export(sys.argv[1:])
    try:
        if formats:
            _fork_early(formats)
        from .cli import cli

        cli(prog_name="exporter")
    except (KeyboardInterrupt, Terminated) as stop:  # before or after click runs the command (it has its own)
        from .errors import INTERRUPTED, TERMINATED

        stopped = isinstance(stop, KeyboardInterrupt)
        print(f"exporter: {'interrupted' if stopped else 'terminated'}", file=sys.stderr)
        sys.exit(INTERRUPTED if stopped else TERMINATED)
    finally:
        if formats:
            from .forked import discard_held, reap_released

            discard_held()
            reap_released()


def _terminate(signum: int, frame) -> None:  # noqa: ANN001 - signal handler API
    """``SIGTERM`` in the command raises :class:`Terminated` (once: a second would cut its clean-up short); in a
    process forked from it (a batch's worker) it does what it does by default."""
    if os.getpid() != _command:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    signal.signal(signum, signal.SIG_IGN)
    raise Terminated()


#: the process :func:`main` runs in (its forks handle SIGTERM their own way, or by default)
_command: int | None = None


def formats_to_export(args: Sequence[str]) -> list[str] | None:
    """The formats an ``exporter export`` command line asks for, when it asks for two or more; else None.

    A glance, not a parse (click parses the command later): global flags, then
    ``export``, then ``-f``/``--format`` anywhere (the last one wins), else the
    default formats.
    """
    args = list(args)
    while args and args[0] in _GLOBAL_FLAGS:
        args.pop(0)
    if not args or args[0] != "export" or _NO_EXPORT.intersection(args):
        return None
    given = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg in ("-f", "--format") and i + 1 < len(args):
            given = args[i + 1]
        elif arg.startswith("--format="):
            given = arg.partition("=")[2]
        elif arg.startswith("-f") and len(arg) > 2 and not arg.startswith("--"):
            given = arg[2:]
    if given is None:
        from .options import DEFAULT_FORMATS

        names = list(DEFAULT_FORMATS)
    else:
        names = list(dict.fromkeys(n.strip().lower() for n in given.split(",") if n.strip()))
    return names if len(names) >= 2 else None


def _fork_early(formats: list[str]) -> None:
    """Fork the process :func:`exporter.editions.start_editions` will hand the first edition among ``formats``
    whose writer wants one; it imports that writer's engine, then waits for its work."""
    from .forked import Forked, can_fork, hold

    if not can_fork():
        return
    try:
        hold(Forked(_write_sent, waits_for_input=True, prepare=lambda: _prepare(formats)))
    except OSError:  # no process to be had: start_editions forks later, or writes here
        pass


def _prepare(formats: list[str]) -> None:
    from .editions import import_engine

    import_engine(formats)


def _write_sent(order):  # noqa: ANN001, ANN202 - an editions.Order; its types load in the child only
    from .editions import write_sent

    return write_sent(order)


__all__ = ["main", "formats_to_export", "Terminated", "PROCESS_ENVIRONMENT"]
