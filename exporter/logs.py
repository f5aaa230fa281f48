"""How the command logs: one escaped line on stderr per message, at the level ``-q``/``-v`` chose.

Set up by :mod:`exporter.cli` for the command, and again, at the level the
command chose, by a process forked before the command was parsed
(:mod:`exporter.launch`), so that what it logs reads the same. A program using
the API configures logging itself: the library never does.
"""
from __future__ import annotations

import logging
import sys

from .errors import one_line

#: libraries that log at length: only their errors, unless --debug
NOISY = ("weasyprint", "fontTools")


class OneLineFormatter(logging.Formatter):
    """Log lines as the errors are: ``exporter: `` and one escaped line (a name cannot forge another line)."""

    def format(self, record: logging.LogRecord) -> str:
        return f"exporter: {one_line(record.getMessage())}"


def level_for(quiet: bool, verbose: int) -> int:
    """``-q``: errors only; by default warnings; ``-v`` what is done; ``-vv`` more."""
    return logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]


def configure(level: int, debug: bool = False) -> None:
    """Log to stderr at ``level`` (again in a process that already did: the level changes, no second handler)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter())
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger().setLevel(level)  # also when logging was configured before (tests, embedding)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug else logging.ERROR)
