"""The subcommands of ``exporter`` (imported by :mod:`exporter.cli` only when one is run or listed).

Options come from :mod:`exporter.options`, the normaliser and the installed writers, declared once and
shared with the Python API.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

import click

from . import themes, writers
from .cli import Context, _Exit, _guarded
from .errors import BatchError, one_line
from .options import DOCUMENT_OPTIONS, EXPORT_OPTIONS, Option, resolve
from .pipeline import DEFAULT_OUTPUT, SAMPLE, all_options, load_document, run_export

EXPORT_HELP = f"""Export article markup to editions: EPUB, PDF and plain text.

INPUT is an HTML fragment, an article or a whole saved page, in any encoding,
an http(s) address to fetch, or a feed; `-` reads standard input. With no INPUT the
bundled sample article is exported.
Editions are written to {DEFAULT_OUTPUT}/ (or -o DIR), one file per format,
named from the title.

\b
Examples:
  exporter export                                   # the sample article, all formats
  exporter export article.html --title "An independent MP" --author "Jane Doe"
  exporter export page.html -f epub -o ~/books --lang fr
  exporter export https://example.org/news/story.html -f epub
  curl -s https://example.org/a | exporter export - -f txt

\b
Books and batches:
  exporter export a.html b.html c.html --book --title "The week"   # one book of three articles
  exporter export book.toml                         # a book described in a manifest
  exporter export articles.jsonl -j 4 --report report.json        # one set of editions per record
  exporter export articles.csv --map html=body_html --group-by date  # a book per day
  exporter export articles.jsonl --resume           # redo only what is missing or changed
  exporter export articles.jsonl --engine dask --scheduler tcp://10.0.0.5:8786

\b
Feeds (RSS, Atom, JSON Feed, OPML lists): one book, a part per feed:
  exporter export feeds.opml --since 24h --max-per-feed 10 --state ~/.morning.json
"""


def _click_option(opt: Option) -> Callable:
    """Turn one declared option into a click decorator."""
    flags = list(opt.cli_flags)
    help_text = opt.help
    if opt.kind not in ("flag", "multi") and opt.default not in (None, "", ()):
        help_text += f"  [default: {opt.default}]"
    kwargs: dict[str, Any] = {"help": help_text, "default": None, "metavar": opt.metavar}
    if opt.kind == "flag":
        if "/" in flags[0]:
            return click.option(flags[0], opt.name, default=None, help=help_text)
        return click.option(*flags, opt.name, is_flag=True, default=None, help=help_text)
    if opt.kind == "multi":
        kwargs.update(multiple=True, default=())
    elif opt.kind == "choice":
        kwargs.update(type=click.Choice(opt.choices, case_sensitive=False))
        kwargs.pop("metavar")
    elif opt.kind == "int":
        kwargs.update(type=int)
    elif opt.kind == "float":
        kwargs.update(type=float)
    return click.option(*flags, opt.name, **kwargs)


def with_options(options: tuple[Option, ...]) -> Callable:
    def decorate(func: Callable) -> Callable:
        for opt in reversed(options):
            func = _click_option(opt)(func)
        return func
    return decorate


def _given(values: dict[str, Any]) -> dict[str, Any]:
    """Only what the user actually said (so declared defaults apply once, in one place)."""
    return {k: v for k, v in values.items() if v is not None and v != ()}


def _verbosity(ctx: click.Context, param: click.Parameter, value: int | bool) -> None:
    """``-q``/``-v`` after the command name mean what they mean before it."""
    if value:
        level = logging.ERROR if param.name == "quiet" else (logging.INFO, logging.DEBUG)[min(int(value), 2) - 1]
        logging.getLogger().setLevel(level)


def verbosity(func: Callable) -> Callable:
    func = click.option("-v", "--verbose", count=True, expose_value=False, callback=_verbosity,
                        help="Say what is done, including what the normaliser changed (-vv: more).")(func)
    return click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_verbosity,
                        help="Print only errors.")(func)


@click.command(help=EXPORT_HELP)
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option("-f", "--format", "formats", default=None, metavar="LIST",
              help="Formats to write, comma-separated (see `exporter formats`).  [default: epub,pdf,txt, or "
                   "a book.toml's formats]")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), default=DEFAULT_OUTPUT, show_default=True,
              help="Folder the editions are written to (created if needed).")
@with_options(all_options())
@verbosity
@click.pass_obj
def export(obj: Context, inputs: tuple[str, ...], formats: str, out: Path, **options: Any) -> None:
    def run() -> None:
        quiet = logging.getLogger().level >= logging.ERROR
        # each file is printed as soon as it is written (and not kept: a batch runs in flat memory)
        # --debug: one process, so that a failure's traceback is the whole story
        outcome = run_export(list(inputs), formats, out, **_given(options), concurrent=not obj.debug,
                             on_written=(lambda path: None) if quiet else (lambda path: click.echo(str(path))))
        for failure in outcome.failed:
            click.echo(f"exporter: error: {one_line(failure.reason)}", err=True)
        if outcome.batch and not quiet:
            report = options.get("report")
            click.echo(f"exporter: {outcome.summary()}" + (f" (report: {one_line(report)})" if report else ""), err=True)
        if outcome.failed:
            raise _Exit(BatchError.exit_code)
    _guarded(obj, run)


def _list_passes(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from .normalise.passes import describe

        click.echo("\n".join(describe()))
        ctx.exit()


@click.command(name="normalise")
@click.argument("source", metavar="INPUT", default=str(SAMPLE))
@click.option("--passes", is_flag=True, is_eager=True, expose_value=False, callback=_list_passes,
              help="List the normaliser's passes in the order they run, with what each does, and exit.")
@click.option("--report", is_flag=True, help="Also list, on stderr, what the normaliser changed.")
@click.option("--metadata/--no-metadata", "show_metadata", default=False,
              help="Also print the metadata found, as a comment before the tree.")
@with_options(DOCUMENT_OPTIONS)
@verbosity
@click.pass_obj
def normalise_command(obj: Context, source: str, report: bool, show_metadata: bool, **options: Any) -> None:
    """Print the clean document tree of INPUT as XML (for debugging and for other tools).

    Takes the same metadata options as `export`; `-` reads standard input.
    """
    def run() -> None:
        settings = resolve(all_options(), _given(options))
        doc = load_document(source, settings)
        if show_metadata:
            import json

            click.echo("<!-- " + json.dumps(doc.metadata.as_dict(), ensure_ascii=False).replace("--", "- -") + " -->")
        click.echo(doc.to_xml(), nl=False)
        if report:
            for line in doc.report.lines() or ["nothing to change"]:
                click.echo(f"  {line}", err=True)
    _guarded(obj, run)


@click.command()
def formats() -> None:
    """List the installed formats (writers), including those added by other packages."""
    found = sorted(writers.registry().items())
    width = max((len(cls.extension) for _, cls in found), default=0)  # ".kepub.epub" is longer than ".epub"
    for name, cls in found:
        click.echo(f"{name:8} .{cls.extension:{width}} {cls.description}  [{cls.__module__}]")


@click.command(name="themes")
def list_themes() -> None:
    """List the bundled themes."""
    for name in themes.available():
        theme = themes.load(name)
        click.echo(f"{name:12} {theme.settings.get('description', '')}")


@click.command(name="fonts")
@with_options(EXPORT_OPTIONS)
def list_fonts(**options: Any) -> None:
    """List the scripts a news corpus meets and the font that draws each in the PDF: one the theme bundles,
    else a system font (through fontconfig, as WeasyPrint finds it), else none (the PDF fails: boxes)."""
    from .fontfinder import coverage, system_tools

    theme = themes.load(resolve(EXPORT_OPTIONS, _given(options)).theme)
    click.echo(f"Theme {theme.name!r}: the theme's own faces first, then the system's"
               + ("" if system_tools() else " (not checked: fontconfig's fc-list is not installed)"))
    for script, found in coverage(theme):
        if found is None:
            where = "none: prints as boxes, the PDF fails unless --missing-glyphs warn"
            click.echo(f"  {script:11} {where}")
        elif found.bundled:
            click.echo(f"  {script:11} {found.family:24} bundled  {found.path.parent.name}/{found.path.name}")
        else:
            index = f"#{found.index}" if found.path.suffix.lower() == ".ttc" else ""
            click.echo(f"  {script:11} {found.family:24} system   {found.path}{index}")
