"""The ``exporter`` command: the group, its global options, and how failures become exit statuses.

The subcommands live in :mod:`exporter.commands` and are imported only when one is run or listed,
so ``exporter --version`` starts without loading the normaliser, the pipeline or any writer.
Options come from :mod:`exporter.options` and the installed writers.
"""
from __future__ import annotations

import logging
import os
import sys
from importlib import import_module
from typing import Callable

import click

from .version import __version__
from .errors import INTERNAL, INTERRUPTED, as_user_error, one_line

#: subcommand → ``module:attribute`` defining it, imported on first use
COMMANDS = {"export": "exporter.commands:export", "normalise": "exporter.commands:normalise_command",
            "formats": "exporter.commands:formats", "themes": "exporter.commands:list_themes",
            "fonts": "exporter.commands:list_fonts"}


class _LazyGroup(click.Group):
    """A group whose subcommands are imported when run or listed (click's documented lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            module, _, attribute = COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


class Context:
    def __init__(self, debug: bool) -> None:
        self.debug = debug


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="exporter")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", count=True, help="Say what is done (-vv: more).")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: int, debug: bool) -> None:
    """Turn article markup into editions people read: EPUB, print-ready PDF and plain text.

    Start with `exporter export --help`.
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLineFormatter())
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger().setLevel(level)  # also when logging was configured before (tests, embedding)
    for noisy in ("weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.ERROR if not debug else logging.DEBUG)
    ctx.obj = Context(debug=debug)


class _OneLineFormatter(logging.Formatter):
    """Log lines as the errors are: ``exporter: `` and one escaped line (a name cannot forge another line)."""

    def format(self, record: logging.LogRecord) -> str:
        return f"exporter: {one_line(record.getMessage())}"


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _guarded(obj: Context, run: Callable[[], None]) -> None:
    """Run a command; user errors become one line on stderr and the status its class maps to (:data:`errors.EXIT_STATUSES`)."""
    try:
        run()
    except _Exit as done:
        sys.exit(done.code)
    except KeyboardInterrupt:
        click.echo("exporter: interrupted", err=True)
        sys.exit(INTERRUPTED)
    except Exception as exc:
        if obj.debug:
            raise
        problem = as_user_error(exc)
        if problem is None:  # a bug: say so in one line, the traceback with --debug
            click.echo(f"exporter: internal error: {type(exc).__name__}: {one_line(exc)} "
                       "(run with --debug for details)", err=True)
            sys.exit(INTERNAL)
        click.echo(f"exporter: error: {one_line(problem)}", err=True)
        sys.exit(problem.exit_code)


#: Settings the command gives its own process (never the library: a program using the API owns its process).
#: The language model's numpy starts one OpenBLAS thread per core at import, about 0.08 s CPU of a 0.4 s
#: command, for arithmetic on a few hundred numbers; a user's own setting wins.
PROCESS_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1"}


def main() -> None:
    for name, value in PROCESS_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    cli(prog_name="exporter")


if __name__ == "__main__":
    main()
