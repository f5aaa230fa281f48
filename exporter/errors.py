"""The errors exporter reports to users.

Every failure a user can cause (bad input, a limit, an unwritable folder) is an
:class:`ExporterError`: the CLI prints its message on one line and exits with its
``exit_code``; anything else is a bug and shows a traceback only with ``--debug``.
"""
from __future__ import annotations

import errno
import re


class ExporterError(Exception):
    """Base of the errors a user can act on. ``str(error)`` is the one line shown."""

    exit_code = 1


class UsageError(ExporterError):
    """Options that contradict each other or name something that does not exist."""

    exit_code = 2


class InputError(ExporterError):
    """The input cannot be read as article markup (missing, empty, binary, undecodable)."""

    exit_code = 3


class LimitError(ExporterError):
    """The input exceeds a documented resource limit (size, depth, images, render time)."""

    exit_code = 4


class OutputError(ExporterError):
    """An edition could not be written (unwritable folder, full disk)."""

    exit_code = 5


class WriterError(ExporterError):
    """A writer failed to produce its edition from a valid tree."""

    exit_code = 6


class BatchError(ExporterError):
    """Some articles of a batch failed; the others were exported."""

    exit_code = 7


class ResourceDenied(ExporterError):
    """The resource policy refused a URL (scheme, location, size or address)."""

    exit_code = 8


#: Statuses that belong to no error class.
SUCCESS = 0
INTERNAL = 70
INTERRUPTED = 130
TERMINATED = 143

#: Every status the command ends with and what it means, one mapping for the CLI, the batch report and the
#: README (tests check that the README and SECURITY.md list each one).
EXIT_STATUSES: dict[int, str] = {
    SUCCESS: "success",
    UsageError.exit_code: "usage: unknown format or option, a bad value, a malformed book.toml",
    InputError.exit_code: "input: missing, a folder, empty, binary, undecodable, no text at all",
    LimitError.exit_code: "a limit was exceeded (size, nesting depth, images, time, memory)",
    OutputError.exit_code: "output: folder not writable, disk full, file too large",
    WriterError.exit_code: "a writer failed on a valid tree",
    BatchError.exit_code: "some articles of a batch failed (each is named; the others were written)",
    ResourceDenied.exit_code: "a resource was refused where it is required",
    INTERNAL: "a bug in exporter (one line; --debug shows the traceback)",
    INTERRUPTED: "interrupted (Ctrl-C)",
    TERMINATED: "stopped by SIGTERM (kill, a service manager); what was being written is removed",
}


def as_user_error(exc: BaseException) -> ExporterError | None:
    """The user-facing error ``exc`` amounts to, or None when it is a bug of ours (exit 70).

    Input can exhaust memory, nest deeper than Python recurses, or fill a disk; those are
    the user's to act on, so they map to a status here, in one place for the CLI and the batch.
    """
    if isinstance(exc, ExporterError):
        return exc
    if isinstance(exc, MemoryError):
        return LimitError("out of memory")
    if isinstance(exc, RecursionError):
        return LimitError("the document is nested too deeply")
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return OutputError(f"{exc.strerror or exc}; nothing was written")
    return None


#: Characters that would break a message's one line or disguise it: controls, line and paragraph
#: separators, and the bidirectional overrides that reorder what a terminal shows.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def one_line(message: object) -> str:
    """``message`` as the one printable line every error promises: a file name with a line break cannot
    forge a second ``exporter: error:`` line, because breaks and control characters are shown escaped."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(message).strip())
