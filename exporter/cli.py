"""The ``exporter`` command: the group, its global options, and how failures become exit statuses.

The subcommands live in :mod:`exporter.commands` and are imported only when one is run or listed,
so ``exporter --version`` starts without loading the normaliser, the pipeline or any writer.
Options come from :mod:`exporter.options` and the installed writers.
"""
from __future__ import annotations

import sys
from importlib import import_module
from typing import Callable

import click

from .version import __version__
from .errors import INTERNAL, INTERRUPTED, as_user_error, one_line
from .logs import configure as configure_logging, level_for

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
    configure_logging(level_for(quiet, verbose), debug)
    ctx.obj = Context(debug=debug)


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
