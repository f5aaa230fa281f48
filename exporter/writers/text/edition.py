"""The whole text edition: title blocks, articles with their notes and links, a book's contents.

Each article is self-contained, as in a Project Gutenberg file: its own title
block, its own note and link numbers, its Notes and Links after its text. A
book of several articles opens with its own title block and a contents list,
and a full-width rule of ``#`` separates the articles (and the parts).
"""
from __future__ import annotations

from ...document import Book, Document, Metadata
from ...plan import BookPlan, plan_book
from ...words import byline, word
from .blocks import DEFAULT_WIDTH, Layout, indent, narrower
from .inline import Inline, Style
from .wrap import cells, wrap

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
    plan = plan_book(book)
    sections = [title_block(book.metadata, width, style) + [""] + contents(plan, width, style)]
    for planned in plan.articles:
        part = planned.opens
        opening = [rule, ""] + (_framed(part.title, "#", width, style) + ["", "", ""] if part is not None else [])
        sections.append(opening + article(planned.doc, width, style))
    lines: list[str] = []
    for section in sections:
        if lines:
            lines += ["", "", ""]
        lines += section
    return _join(lines)


def article(doc: Document, width: int | None, style: Style) -> list[str]:
    """Title block, text, then the notes and the links this article refers to (headed in its language)."""
    language = doc.metadata.language
    inline = Inline.for_article(doc.tree, style)
    layout = Layout(inline)
    lines = title_block(doc.metadata, width, style)
    body = layout.blocks(doc.tree, width)
    if body:
        lines += ["", ""] + body
    notes = _notes(inline, layout, width)
    if notes:
        lines += ["", ""] + _heading(word("notes", language).text, style) + [""] + notes
    if inline.links:
        size = len(f"[{len(inline.links)}]")
        refs = [f"[{n}]".rjust(size) + f" {style.text(url)}" for url, n in inline.links.items()]
        lines += ["", ""] + _heading(word("links", language).text, style) + [""] + refs
    return lines


def title_block(meta: Metadata, width: int | None, style: Style) -> list[str]:
    """Title between two rules of ``=``, then subtitle, authors, date, site and URL, one per line."""
    lines = _framed(meta.title, "=", width, style)
    if meta.subtitle:
        lines += [""] + wrap(style.text(_one_line(meta.subtitle)), width)
    facts = [byline(meta.authors, meta.language), meta.date, meta.publisher]
    facts = [style.text(_one_line(x)) for x in facts if x and x.strip()]
    if meta.source_url:
        facts.append(style.text(meta.source_url))
    if facts:
        lines.append("")
        for fact in facts:
            lines += wrap(fact, width)
    return lines


def contents(plan: BookPlan, width: int | None, style: Style) -> list[str]:
    """Numbered article titles, grouped under their parts."""
    lines = _heading(word("contents", plan.book.metadata.language).text, style) + [""]
    size = len(f"{len(plan.articles)}.")
    for planned in plan.articles:
        if planned.opens is not None:
            lines += wrap(style.text(_one_line(planned.opens.title)), width)
        marker = "  " + f"{planned.number}.".rjust(size) + " "
        lines += wrap(style.text(_one_line(planned.doc.metadata.title)), width, marker, " " * len(marker))
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


def _heading(title: str, style: Style) -> list[str]:
    """A heading the edition adds (Contents, Notes, Links), underlined across its display width."""
    title = style.text(title)
    return [title, "-" * cells(title)]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _join(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"
