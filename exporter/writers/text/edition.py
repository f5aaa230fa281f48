"""The whole text edition: title blocks, articles with their notes and links, a book's contents.

Each article is self-contained, as in a Project Gutenberg file: its own title
block, its own note and link numbers, its Notes and Links after its text. A
book of several articles opens with its own title block and a contents list,
and a full-width rule of ``#`` separates the articles (and the parts).
"""
from __future__ import annotations

from ...document import Book, Document, Metadata, Part
from .blocks import DEFAULT_WIDTH, Layout, indent, narrower
from .inline import Inline, Style
from .wrap import cells, wrap

NOTES_TITLE = "Notes"
LINKS_TITLE = "Links"
CONTENTS_TITLE = "Contents"


def render_book(book: Book, width: int | None, style: Style) -> str:
    """The edition as one string, ``\\n`` line ends, ending with a newline."""
    rule = "#" * (width or DEFAULT_WIDTH)
    if not book.articles:
        return _join(title_block(book.metadata, width, style))
    if not book.is_collection:
        only = book.articles[0]
        if book.metadata.title == only.metadata.title:
            return _join(article(only, width, style))
        # a book of one article under its own title: both title blocks, so neither is lost
        return _join(title_block(book.metadata, width, style) + ["", "", "", rule, ""] + article(only, width, style))
    starts = _part_starts(book)
    order = _order(book)
    sections = [title_block(book.metadata, width, style) + [""] + contents(book, order, width, style)]
    for doc in order:
        part = starts.get(id(doc))
        opening = [rule, ""] + (_framed(part.title, "#", width, style) + ["", "", ""] if part is not None else [])
        sections.append(opening + article(doc, width, style))
    lines: list[str] = []
    for section in sections:
        if lines:
            lines += ["", "", ""]
        lines += section
    return _join(lines)


def article(doc: Document, width: int | None, style: Style) -> list[str]:
    """Title block, text, then the notes and the links this article refers to."""
    inline = Inline.for_article(doc.tree, style)
    layout = Layout(inline)
    lines = title_block(doc.metadata, width, style)
    body = layout.blocks(doc.tree, width)
    if body:
        lines += ["", ""] + body
    notes = _notes(inline, layout, width)
    if notes:
        lines += ["", ""] + _heading(NOTES_TITLE) + [""] + notes
    if inline.links:
        size = len(f"[{len(inline.links)}]")
        refs = [f"[{n}]".rjust(size) + f" {style.text(url)}" for url, n in inline.links.items()]
        lines += ["", ""] + _heading(LINKS_TITLE) + [""] + refs
    return lines


def title_block(meta: Metadata, width: int | None, style: Style) -> list[str]:
    """Title between two rules of ``=``, then subtitle, authors, date, site and URL, one per line."""
    lines = _framed(meta.title, "=", width, style)
    if meta.subtitle:
        lines += [""] + wrap(style.text(_one_line(meta.subtitle)), width)
    facts = [_byline(meta.authors), meta.date, meta.publisher]
    facts = [style.text(_one_line(x)) for x in facts if x and x.strip()]
    if meta.source_url:
        facts.append(style.text(meta.source_url))
    if facts:
        lines.append("")
        for fact in facts:
            lines += wrap(fact, width)
    return lines


def contents(book: Book, order: list[Document], width: int | None, style: Style) -> list[str]:
    """Numbered article titles, grouped under their parts."""
    lines = _heading(CONTENTS_TITLE) + [""]
    starts = _part_starts(book)
    numbers = [f"{n}." for n in range(1, len(order) + 1)]
    size = max((len(x) for x in numbers), default=0)
    for number, doc in zip(numbers, order):
        part = starts.get(id(doc))
        if part is not None:
            lines += wrap(style.text(_one_line(part.title)), width)
        marker = "  " + number.rjust(size) + " "
        lines += wrap(style.text(_one_line(doc.metadata.title)), width, marker, " " * len(marker))
    return lines


def _notes(inline: Inline, layout: Layout, width: int | None) -> list[str]:
    """Every note, in the order of first reference (unreferenced ones last), hanging under its number."""
    out: list[str] = []
    done: set[str] = set()
    while True:
        pending = [i for i in inline.notes if i not in done]
        if not pending:
            pending = [i for i in inline.notes_by_id if i not in inline.notes][:1]
            if not pending:
                return out
            inline.note_number(pending[0])
        ident = pending[0]
        done.add(ident)
        marker = f"{inline.notes[ident]}. "
        hang = max(4, len(f"{len(inline.notes_by_id)}. "), len(marker))
        lines = layout.flow(inline.notes_by_id[ident], narrower(width, hang), tight=False) or [""]
        if out:
            out.append("")
        out += indent(lines, marker.ljust(hang), " " * hang)


def _framed(title: str, char: str, width: int | None, style: Style) -> list[str]:
    lines = wrap(style.text(_one_line(title)), width) or [""]
    rule = char * max(3, max(cells(line) for line in lines))
    return [rule] + lines + [rule]


def _heading(title: str) -> list[str]:
    return [title, "-" * len(title)]


def _byline(authors: list[str]) -> str:
    names = [_one_line(a) for a in authors if a and a.strip()]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _order(book: Book) -> list[Document]:
    """Articles in book order; articles found only in parts follow, part by part."""
    order = list(book.articles)
    seen = {id(d) for d in order}
    for part in book.parts:
        for doc in part.articles:
            if id(doc) not in seen:
                order.append(doc)
                seen.add(id(doc))
    return order


def _part_starts(book: Book) -> dict[int, Part]:
    """Each part, keyed by its first article, where its heading goes."""
    return {id(part.articles[0]): part for part in book.parts if part.articles}


def _join(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"
