"""One EPUB being assembled: cover, title page, part openings and articles, in reading order, then the nav."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from ebooklib import epub
from lxml import etree

from ... import dates, themes
from ...cover import generate as generate_cover
from ...document import Book, Metadata
from ...errors import UsageError
from ...images import PreparedImage, prepare_bytes
from ...resources import ResourcePolicy
from ..html import article_prefixes, article_section, title_block, url_key
from .document import CSS_FILE, EPUB_TYPE, OPS_NS, Chapter, Page, with_ops, xhtml_document
from .fonts import embed_fonts_and_style
from .images import ImageEmbedder
from .metadata import accessibility, book_authors, modified_time, package_metadata
from .navigation import labels, links_inside_book, nav_body, number_headings, toc
from .notes import has_notes, mark_notes


@dataclass
class Builder:
    """One EPUB being assembled: the ebooklib book plus what the nav, NCX and metadata need to know."""

    book: Book
    theme: themes.Theme
    eb: epub.EpubBook = field(default_factory=epub.EpubBook)
    spine: list = field(default_factory=list)
    guide: list[dict] = field(default_factory=list)
    pages: list[tuple[str, etree._Element]] = field(default_factory=list)
    images: list[PreparedImage] = field(default_factory=list)
    image_alts: list[str] = field(default_factory=list)
    done: list[Chapter] = field(default_factory=list)
    cover_file: str | None = None

    def __post_init__(self) -> None:
        self.meta = self.book.metadata
        self.modified = modified_time(self.book)
        self.words, self.words_lang = labels(self.meta.language)
        package_metadata(self.eb, self.book)

    # --- front matter ---------------------------------------------------------------------------
    def cover(self, given: Path | None) -> None:
        """The cover image (given, or drawn) and a cover page that shows it."""
        if given is not None:
            try:
                raw = Path(given).read_bytes()
            except OSError as exc:
                raise UsageError(f"--cover: {given}: {exc.strerror or exc}") from None
            image = prepare_bytes(raw, max_px=2560)
            if image is None or image.media_type == "image/svg+xml":
                raise UsageError(f"--cover: {given} is not an image this writer can use (JPEG, PNG, WebP…)")
            data, ext, media_type = image.data, image.extension, image.media_type
        else:
            shown = replace(self.meta, authors=book_authors(self.book))
            data, ext, media_type = generate_cover(shown, self.theme), "png", "image/png"
        self.cover_file = f"images/cover.{ext}"
        item = epub.EpubCover(uid="cover-image", file_name=self.cover_file)
        item.media_type = media_type
        item.content = data
        self.eb.add_item(item)
        self.eb.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
        body = etree.Element("section", {EPUB_TYPE: "cover", "class": "cover"}, nsmap={"epub": OPS_NS})
        etree.SubElement(body, "img", src="../" + self.cover_file, alt=self.meta.title)
        self._add_page("cover", "text/cover.xhtml", self.words["cover"], body, self.meta)
        self.guide.append({"href": "text/cover.xhtml", "title": self.words["cover"], "type": "cover"})

    def title_page(self) -> None:
        section = etree.Element("section", {EPUB_TYPE: "titlepage", "class": "titlepage"}, nsmap={"epub": OPS_NS})
        meta = replace(self.meta, date=dates.day(self.meta.date))
        if self.book.is_collection:
            meta.authors = book_authors(self.book)
        section.append(title_block(meta))
        if meta.description:
            etree.SubElement(section, "p", {"class": "description"}).text = meta.description
        if meta.rights:
            etree.SubElement(section, "p", {"class": "rights"}).text = meta.rights
        self._add_page("titlepage", "text/title.xhtml", meta.title, section, self.meta)
        self.guide.append({"href": "text/title.xhtml", "title": self.words["titlepage"], "type": "title-page"})

    # --- articles -------------------------------------------------------------------------------
    def articles(self, resources: ResourcePolicy) -> None:
        book = self.book
        embedder = ImageEmbedder(self.eb, self.images)
        files = [f"text/article-{i}.xhtml" for i in range(1, len(book.articles) + 1)]
        by_url = {url_key(d.metadata.source_url): (f, p) for d, f, p in
                  zip(book.articles, files, article_prefixes(book)) if d.metadata.source_url}
        parts_of = {id(doc): n for n, part in enumerate(book.parts, 1) for doc in part.articles}
        started: set[int] = set()
        for doc, file_name, prefix in zip(book.articles, files, article_prefixes(book)):
            part = parts_of.get(id(doc))
            if part is not None and part not in started:
                started.add(part)
                self._part_page(part)
            policy = resources.for_root(doc.base)  # its budget enforces --max-images for the whole book

            def resolve(src: str, policy: ResourcePolicy = policy) -> str | None:
                return embedder.embed(policy, src)

            shown = replace(doc, metadata=replace(doc.metadata, date=dates.day(doc.metadata.date)))
            section = article_section(shown, resolve, id_prefix=prefix)
            self.image_alts += [img.get("alt") or "" for img in section.iter("img")]
            if not book.is_collection:
                section.remove(section.find("header"))  # the title page carries it
            section.set(EPUB_TYPE, "bodymatter chapter")
            number_headings(section, prefix)
            mark_notes(section)
            if book.is_collection:
                links_inside_book(section, by_url, file_name)
            self._add_page(f"article{len(self.done) + 1}", file_name, shown.metadata.title,
                           with_ops(section), shown.metadata)
            self.done.append(Chapter(doc, shown.metadata.title, file_name, section, prefix))
        if self.done:
            self.guide.append({"href": self.done[0].file_name, "title": self.words["start"], "type": "text"})

    def _part_page(self, number: int) -> None:
        part = self.book.parts[number - 1]
        section = etree.Element("section", {EPUB_TYPE: "part", "class": "part"}, nsmap={"epub": OPS_NS})
        etree.SubElement(section, "h1", {"class": "part-title"}).text = part.title
        self._add_page(f"part{number}", f"text/part-{number}.xhtml", part.title, section, self.meta)

    # --- navigation, fonts, styles --------------------------------------------------------------
    def finish(self) -> None:
        eb = self.eb
        eb.toc = toc(self.book, self.done)
        if self.book.is_collection:  # only then is the contents page read in the spine (see below)
            self.guide.append({"href": "nav.xhtml#toc", "title": self.words["contents"], "type": "toc"})
        nav = nav_body(eb.toc, self.guide, self.words, self.words_lang, self.meta.language)
        self._add_page("nav", "nav.xhtml", self.words["contents"], nav, self.meta, properties=["nav"], spine=False,
                       css=CSS_FILE)
        eb.add_item(epub.EpubNcx())
        eb.guide = self.guide
        embed_fonts_and_style(eb, self.theme, [page for _, page in self.pages])
        accessibility(eb, self.image_alts, self.images, any(has_notes(a.section) for a in self.done))
        # the contents page is read after the title page in a collection; a single article needs none
        if self.book.is_collection:
            self.spine.insert(2, self.eb.get_item_with_id("nav"))
        eb.spine = self.spine

    # --- documents ------------------------------------------------------------------------------
    def _add_page(self, uid: str, file_name: str, title: str, body: etree._Element, meta: Metadata,
                  properties: list[str] | None = None, spine: bool = True, css: str | None = None) -> None:
        css = css or os.path.relpath(CSS_FILE, os.path.dirname(file_name) or ".")
        content = xhtml_document(body, title, meta.language, meta.direction, css)
        page = Page(uid, file_name, content, properties)
        self.eb.add_item(page)
        self.pages.append((file_name, body))
        if spine:
            self.spine.append(page)
