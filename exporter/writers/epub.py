"""The EPUB 3 edition (ebooklib), with an EPUB 2 NCX for older readers.

Everything the book shows is inside it: images are embedded (or give way to
their alt text), the theme's fonts are embedded with their licences' blessing,
nothing is remote. See ``../shared/notes/dependencies.md`` for the ebooklib
usages that break epubcheck, all avoided here.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ebooklib import epub
from lxml import etree

from .. import themes
from ..document import Book
from ..errors import WriterError
from ..images import prepare
from ..options import Option, Settings
from ..resources import ResourcePolicy
from . import Writer
from .html import article_prefixes, article_section, headings

XHTML_NS = "http://www.w3.org/1999/xhtml"


class EpubWriter(Writer):
    name = "epub"
    extension = "epub"
    description = "EPUB 3 e-book (with EPUB 2 NCX), valid under epubcheck 5.3."
    options: tuple[Option, ...] = ()

    def write(self, book: Book, path: Path, settings: Settings, resources: ResourcePolicy) -> None:
        theme = themes.load(settings.get("theme") or "default")
        eb = self._book(book)
        eb.add_item(epub.EpubItem(uid="style", file_name="styles/book.css", media_type="text/css",
                                  content=self._css(theme).encode("utf-8")))
        for n, face in enumerate(theme.faces, 1):
            eb.add_item(epub.EpubItem(uid=f"font{n}", file_name=f"fonts/{face.path.name}",
                                      media_type=face.media_type, content=face.path.read_bytes()))
        images = _ImageEmbedder(eb)
        chapters, toc = [], []
        for index, (doc, prefix) in enumerate(zip(book.articles, article_prefixes(book)), 1):
            policy = resources.for_root(doc.base)
            section = article_section(doc, lambda src: images.embed(policy, src), id_prefix=prefix)
            file_name = f"text/article-{index}.xhtml"
            for n, h in enumerate(headings(section), 1):
                if not h.get("id"):
                    h.set("id", f"{prefix}h-{n}")
            chapter = epub.EpubHtml(uid=f"article{index}", file_name=file_name, title=doc.metadata.title,
                                    lang=doc.metadata.language, direction=doc.metadata.direction)
            chapter.content = _xhtml(section, doc.metadata.title, doc.metadata.language)
            chapter.add_link(href="../styles/book.css", rel="stylesheet", type="text/css")
            eb.add_item(chapter)
            chapters.append(chapter)
            toc.append(_toc_entry(chapter, doc.metadata.title, section, file_name, index))
        eb.toc = toc
        eb.add_item(epub.EpubNcx())
        eb.add_item(epub.EpubNav())
        eb.spine = chapters
        mtime = _modified(book)
        try:
            epub.write_epub(str(path), eb, {"epub3_pages": False, "mtime": mtime, "raise_exceptions": True})
        except OSError:
            raise
        except Exception as exc:  # ebooklib raises bare exceptions for bad content
            raise WriterError(f"EPUB could not be written: {exc}") from exc

    def _book(self, book: Book) -> epub.EpubBook:
        meta = book.metadata
        eb = epub.EpubBook()
        eb.set_identifier(book.identifier())
        eb.set_title(meta.title)
        eb.set_language(meta.language)
        for n, author in enumerate(meta.authors, 1):
            eb.add_author(author, uid=f"creator{n}")
        for name, value in (("publisher", meta.publisher), ("date", meta.date), ("description", meta.description),
                            ("source", meta.source_url), ("rights", meta.rights)):
            if value:
                eb.add_metadata("DC", name, value)
        for subject in meta.subjects:
            eb.add_metadata("DC", "subject", subject)
        if meta.direction == "rtl":
            eb.set_direction("rtl")
        return eb

    def _css(self, theme: themes.Theme) -> str:
        faces = "\n".join(
            f'@font-face {{ font-family: "{f.family}"; src: url("../fonts/{f.path.name}"); '
            f"font-weight: {f.weight}; font-style: {f.style}; }}" for f in theme.faces)
        return faces + "\n" + theme.stylesheet("epub")


class _ImageEmbedder:
    """Adds each distinct image once, under a stable name, and says where it went."""

    def __init__(self, eb: epub.EpubBook) -> None:
        self.eb = eb
        self.by_source: dict[tuple[str | None, str], str | None] = {}

    def embed(self, policy: ResourcePolicy, src: str) -> str | None:
        key = (str(policy.root), src)
        if key not in self.by_source:
            self.by_source[key] = self._add(policy, src)
        return self.by_source[key]

    def _add(self, policy: ResourcePolicy, src: str) -> str | None:
        resource = policy.try_fetch(src)
        if resource is None:
            return None
        image = prepare(resource)
        if image is None:
            return None
        n = len([v for v in self.by_source.values() if v]) + 1
        name = f"images/image-{n}.{image.extension}"
        self.eb.add_item(epub.EpubItem(uid=f"image{n}", file_name=name, media_type=image.media_type,
                                       content=image.data))
        return "../" + name


def _xhtml(section: etree._Element, title: str, language: str) -> str:
    body = etree.tostring(section, encoding="unicode", method="xml")
    safe_title = etree.Element("title")
    safe_title.text = title
    return (f'<html xmlns="{XHTML_NS}" xmlns:epub="http://www.idpf.org/2007/ops" lang="{language}" '
            f'xml:lang="{language}"><head>{etree.tostring(safe_title, encoding="unicode")}</head>'
            f"<body>{body}</body></html>")


def _toc_entry(chapter: epub.EpubHtml, title: str, section: etree._Element, file_name: str, index: int):
    """The article in the toc, with its headings nested under it (h2 only, to keep the toc short)."""
    subs = [epub.Link(f"{file_name}#{h.get('id')}", " ".join("".join(h.itertext()).split()) or "Section",
                      f"a{index}-toc-{n}")
            for n, h in enumerate((h for h in headings(section) if h.tag == "h2"), 1)]
    if not subs:
        return epub.Link(file_name, title, f"a{index}-toc")
    return (epub.Section(title, href=file_name), subs)


def _modified(book: Book) -> dt.datetime:
    """``dcterms:modified``: from SOURCE_DATE_EPOCH, else the article's date, else a fixed epoch (reproducible)."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).replace(tzinfo=None)
    date = book.metadata.date
    if date:
        try:
            parsed = dt.datetime.fromisoformat(date.replace("Z", "+00:00")) if "T" in date else \
                dt.datetime.fromisoformat((date + "-01-01")[:10] if len(date) < 10 else date[:10])
            if parsed.tzinfo:
                parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
            return parsed.replace(microsecond=0)
        except ValueError:
            pass
    return dt.datetime(2000, 1, 1)
