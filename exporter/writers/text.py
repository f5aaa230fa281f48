"""The plain-text edition: UTF-8, wrapped at 72 columns, paragraphs separated by blank lines."""
from __future__ import annotations

import textwrap
from pathlib import Path

from lxml import etree

from ..document import Book, Document
from ..options import Option, Settings
from ..resources import ResourcePolicy
from ..tree import BLOCKS
from . import Writer
from .html import byline


class TextWriter(Writer):
    name = "txt"
    extension = "txt"
    description = "Plain text (UTF-8), wrapped for reading in a terminal or mail."
    options = (
        Option("width", "Text edition: wrap at this many columns (0: no wrapping).", kind="int", default=72,
               metavar="COLUMNS", group="txt"),
    )

    def write(self, book: Book, path: Path, settings: Settings, resources: ResourcePolicy) -> None:
        path.write_text(render(book, settings.get("width", 72)), encoding="utf-8")


def render(book: Book, width: int = 72) -> str:
    parts = [render_article(doc, width) for doc in book.articles]
    if book.is_collection:
        head = [book.metadata.title, "=" * min(len(book.metadata.title), width or 72), ""]
        parts.insert(0, "\n".join(head))
    return "\n\n".join(parts).rstrip() + "\n"


def render_article(doc: Document, width: int) -> str:
    meta = doc.metadata
    lines = [meta.title, "=" * max(3, min(len(meta.title), width or 72))]
    for extra in (meta.subtitle, byline(meta), " · ".join(x for x in (meta.date, meta.publisher) if x),
                  meta.source_url):
        if extra:
            lines.append(extra)
    out = ["\n".join(lines)]
    links: list[str] = []
    for block in doc.tree:
        out.extend(_block(block, width, "", links))
    if links:
        out.append("Links\n-----\n" + "\n".join(f"[{i}] {url}" for i, url in enumerate(links, 1)))
    return "\n\n".join(x for x in out if x.strip())


def _inline(el: etree._Element, links: list[str]) -> str:
    parts = [el.text or ""]
    for child in el:
        inner = _inline(child, links)
        if child.tag == "em":
            inner = f"_{inner}_"
        elif child.tag == "strong":
            inner = f"*{inner}*"
        elif child.tag == "br":
            inner = "\n"
        elif child.tag in BLOCKS:
            inner = f" {inner} "
        elif child.tag == "a":
            href = child.get("href", "")
            if href.startswith(("http", "mailto")) and href != inner.strip():
                if href not in links:
                    links.append(href)
                inner = f"{inner} [{links.index(href) + 1}]"
        parts.append(inner)
        parts.append(child.tail or "")
    return "".join(parts)


def _wrap(text: str, width: int, indent: str, first: str | None = None) -> str:
    first = indent if first is None else first
    if not width:
        return "\n".join(first + line if i == 0 else indent + line for i, line in enumerate(text.split("\n")))
    lines = []
    for n, chunk in enumerate(text.split("\n")):
        lines.append(textwrap.fill(chunk, width=width, initial_indent=first if n == 0 else indent,
                                   subsequent_indent=indent, break_long_words=False, break_on_hyphens=False))
    return "\n".join(lines)


def _block(el: etree._Element, width: int, indent: str, links: list[str]) -> list[str]:
    tag = el.tag
    if tag == "p":
        return [_wrap(_inline(el, links), width, indent)]
    if tag in ("h2", "h3", "h4", "h5", "h6"):
        text = " ".join(_inline(el, links).split())
        return [indent + text + "\n" + indent + ("=" if tag == "h2" else "-") * min(len(text), width or 72)]
    if tag == "blockquote" or tag == "aside":
        return [x for child in el for x in _block(child, width, indent + "    ", links)]
    if tag in ("ul", "ol"):
        out = []
        number = int(el.get("start", "1"))
        for li in el:
            marker = f"{number}. " if tag == "ol" else "* "
            number += 1
            sub_indent = indent + " " * len(marker)
            if any(c.tag in ("p", "ul", "ol", "blockquote", "pre", "table", "figure") for c in li):
                inner = [x for c in li for x in _block(c, width, sub_indent, links)]
                if inner:
                    inner[0] = indent + marker + inner[0][len(sub_indent):]
                out.append("\n".join(inner))
            else:
                out.append(_wrap(_inline(li, links), width, sub_indent, indent + marker))
        return ["\n".join(out)]
    if tag == "pre":
        return ["\n".join(indent + line for line in "".join(el.itertext()).split("\n"))]
    if tag == "hr":
        return [" " * max(0, ((width or 72) - 13) // 2) + "*   *   *"]
    if tag == "figure":
        img = el.find("img")
        out = []
        if img is not None:
            out.append(indent + f"[Image: {img.get('alt') or 'no description'}]")
        caption = el.find("figcaption")
        if caption is not None:
            out.append(_wrap(_inline(caption, links), width, indent))
        return ["\n".join(out)]
    if tag == "table":
        rows = []
        caption = el.find("caption")
        if caption is not None:
            rows.append(_wrap(_inline(caption, links), width, indent))
        for tr in el.iter("tr"):
            cells = [" ".join(_inline(c, links).split()) for c in tr]
            rows.append(_wrap(" | ".join(cells), width, indent))
        return ["\n".join(rows)]
    return [_wrap(" ".join("".join(el.itertext()).split()), width, indent)]
