"""The errors exporter reports to users.

Every failure a user can cause (bad input, a limit, an unwritable folder) is an
:class:`ExporterError`: the CLI prints its message on one line and exits with its
``exit_code``; anything else is a bug and shows a traceback only with ``--debug``.
"""
from __future__ import annotations


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
