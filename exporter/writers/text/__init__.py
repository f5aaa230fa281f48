"""The plain-text edition, made like a Project Gutenberg text.

A title block, the text wrapped at ``--width`` display cells (CJK counts
double and may break between characters; words and URLs never break),
``_emphasis_``, numbered link references with a Links list and notes after
each article, tables as aligned columns, and for books a contents list.
The layout lives in :mod:`.blocks`, :mod:`.tables` and :mod:`.wrap`; the
whole edition in :mod:`.edition`.
"""
from __future__ import annotations

from pathlib import Path

from ...document import Book
from ...options import Option, Settings, complete
from ...resources import ResourcePolicy
from .. import Writer
from .marks import EMPHASIS

ENCODINGS = {"utf-8": "utf-8", "ascii": "ascii"}
NEWLINES = {"lf": "\n", "crlf": "\r\n"}


class TextWriter(Writer):
    name = "txt"
    extension = "txt"
    description = "Plain text, wrapped for a terminal or mail, with link and note references (UTF-8 or ASCII)."
    options = (
        Option("width", "Text edition: wrap at this many columns, counted in display cells (0: no wrapping).",
               kind="int", default=72, metavar="COLUMNS", group="txt", minimum=0, maximum=10_000),
        Option("emphasis", "Text edition: how emphasis is marked: underscore (_em_ *strong*), "
               "asterisk (*em* **strong**) or none.", kind="choice", default="underscore",
               choices=tuple(EMPHASIS), group="txt"),
        Option("encoding", "Text edition: character encoding; ascii transliterates (e.g. é→e, 北京→Bei Jing).",
               kind="choice", default="utf-8", choices=tuple(ENCODINGS), group="txt"),
        Option("newline", "Text edition: line ends, lf (Unix) or crlf (Windows).", kind="choice", default="lf",
               choices=tuple(NEWLINES), group="txt"),
    )

    def write(self, book: Book, path: Path, settings: Settings, resources: ResourcePolicy) -> None:
        path.write_bytes(render(book, settings).encode(ENCODINGS[settings.encoding]))


def render(book: Book, settings: Settings | dict | None = None) -> str:
    """The text edition of ``book`` as a string, line ends as ``--newline`` says."""
    from .edition import render_book  # the layout loads when a text is made, not when the writers are listed
    from .inline import Style, transliterate

    settings = complete(TextWriter.options, settings or {})
    width = settings.width
    style = Style(emphasis=settings.emphasis, ascii=settings.encoding == "ascii")
    text = render_book(book, width or None, style)
    if style.ascii:  # every piece was transliterated before layout; this only catches what slipped through
        text = transliterate(text)
    return text.replace("\n", NEWLINES[settings.newline])


__all__ = ["TextWriter", "render"]
