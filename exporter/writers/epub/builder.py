"""One EPUB being assembled: cover, title page, part openings and articles, in reading order, then the nav."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from ebooklib import epub
from lxml import etree

from ... import dates, themes
from ...cover import generate as generate_cover, shown_text
from ...document import Book, Metadata
from ...errors import UsageError
from ...images import PreparedImage, prepare_bytes
from ...resources import ResourcePolicy
from ...plan import PartOpening, links_inside_book, plan_book
from ...words import Word, word
from ..html import article_section, title_block
from .document import CSS_FILE, EPUB_TYPE, OPS_NS, XML_LANG, Chapter, Page, with_ops, xhtml_document
from .fonts import embed_fonts_and_style
from .images import ImageEmbedder
from .metadata import ContentFacts, accessibility, book_authors, modified_time, package_metadata
from .navigation import article_file, nav_body, number_headings, part_file, toc
from .notes import mark_notes


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
    #: the alt of every image the articles show: None where the tree has no usable description
    image_alts: list[str | None] = field(default_factory=list)
    done: list[Chapter] = field(default_factory=list)
    cover_file: str | None = None
    a11y_summary: str | None = None  #: the publisher's accessibility summary (``--a11y-summary``), if any

    def __post_init__(self) -> None:
        self.meta = self.book.metadata
        self.plan = plan_book(self.book)
        self.modified = modified_time(self.plan)
        package_metadata(self.eb, self.plan)

    def word(self, key: str) -> Word:
        """A word the book adds (contents, cover…), in the book's language where the table has it."""
        return word(key, self.meta.language)

    def _landmark(self, href: str, key: str, kind: str) -> None:
        said = self.word(key)
        self.guide.append({"href": href, "title": said.text, "lang": said.language, "type": kind})

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
            alt = self.meta.title  # what a given picture shows beyond that, only its maker can say
        else:
            shown = replace(self.meta, authors=book_authors(self.plan))
            data, ext, media_type = generate_cover(shown, self.theme), "png", "image/png"
            alt = _as_sentences(shown_text(shown))  # exactly the words drawn on it
        self.cover_file = f"images/cover.{ext}"
        item = epub.EpubCover(uid="cover-image", file_name=self.cover_file)
        item.media_type = media_type
        item.content = data
        self.eb.add_item(item)
        self.eb.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
        said = self.word("cover")
        if said.language == self.meta.language.split("-")[0].lower():
            alt = f"{said.text}: {alt}"
        # the page's one heading is the cover itself, named by its text alternative
        body = etree.Element("section", {EPUB_TYPE: "cover", "class": "cover"}, nsmap={"epub": OPS_NS})
        heading = etree.SubElement(body, "h1", {"class": "cover-image"})
        etree.SubElement(heading, "img", src="../" + self.cover_file, alt=alt, role="doc-cover")
        self._add_page("cover", "text/cover.xhtml", self.word("cover").text, body, self.meta)
        self._landmark("text/cover.xhtml", "cover", "cover")

    def title_page(self) -> None:
        section = etree.Element("section", {EPUB_TYPE: "titlepage", "class": "titlepage"}, nsmap={"epub": OPS_NS})
        meta = replace(self.meta, date=dates.day(self.meta.date))
        if self.book.is_collection:
            meta.authors = book_authors(self.plan)
        section.append(title_block(meta))
        if meta.description:
            etree.SubElement(section, "p", {"class": "description"}).text = meta.description
        if meta.rights:
            etree.SubElement(section, "p", {"class": "rights"}).text = meta.rights
        self._add_page("titlepage", "text/title.xhtml", meta.title, section, self.meta)
        self._landmark("text/title.xhtml", "titlepage", "title-page")

    # --- articles -------------------------------------------------------------------------------
    def articles(self, resources: ResourcePolicy) -> None:
        collection = self.plan.is_collection
        embedder = ImageEmbedder(self.eb, self.images)
        for planned in self.plan.articles:
            if planned.opens is not None:
                self._part_page(planned.opens)
            doc, file_name = planned.doc, article_file(planned)
            policy = resources.for_root(doc.base)  # its budget enforces --max-images for the whole book

            def resolve(src: str, policy: ResourcePolicy = policy) -> str | None:
                return embedder.embed(policy, src)

            shown = replace(doc, metadata=replace(doc.metadata, date=dates.day(doc.metadata.date)))
            section = article_section(shown, resolve, id_prefix=planned.prefix)
            self.image_alts += [None if img.attrib.pop("described", None) == "no" else img.get("alt")
                                for img in section.iter("img")]  # the marker is the tree's, not XHTML
            mark_undescribed_images(section, shown.metadata.language)
            if not collection:  # the title page carries the rest of the title block; the chapter opens with its h1
                header = section.find("header")
                for extra in header[1:]:
                    header.remove(extra)
            section.set(EPUB_TYPE, "bodymatter chapter")
            section.set("role", "doc-chapter")
            number_headings(section, planned.prefix)
            mark_notes(section)
            if collection:
                links_inside_book(section, self.plan, lambda target, anchor, here=planned: (
                    "" if target is here else os.path.basename(article_file(target))) + "#" + anchor)
            self._add_page(f"article{planned.number}", file_name, shown.metadata.title,
                           with_ops(section), shown.metadata)
            self.done.append(Chapter(planned, shown.metadata.title, file_name, section))
        if self.done:
            self._landmark(self.done[0].file_name, "start", "text")

    def _part_page(self, opening: PartOpening) -> None:
        section = etree.Element("section", {EPUB_TYPE: "part", "role": "doc-part", "class": "part"},
                                nsmap={"epub": OPS_NS})
        etree.SubElement(section, "h1", {"class": "part-title"}).text = opening.title
        self._add_page(f"part{opening.number}", part_file(opening), opening.title, section, self.meta)

    # --- navigation, fonts, styles --------------------------------------------------------------
    def finish(self) -> None:
        eb = self.eb
        eb.toc = toc(self.plan, self.done)
        if self.book.is_collection:  # only then is the contents page read in the spine (see below)
            self._landmark("nav.xhtml#toc", "contents", "toc")
        nav = nav_body(eb.toc, self.guide, self.meta.language)
        self._add_page("nav", "nav.xhtml", self.word("contents").text, nav, self.meta, properties=["nav"], spine=False,
                       css=CSS_FILE)
        eb.add_item(epub.EpubNcx())
        eb.guide = self.guide
        embed_fonts_and_style(eb, self.theme, [page for _, page in self.pages])
        accessibility(eb, ContentFacts.of(self.image_alts, self.images,
                                                [t for a in self.done for t in a.section.iter("table")]), self.a11y_summary)
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


def mark_undescribed_images(section: etree._Element, language: str) -> None:
    """An image the tree gives no text alternative (``alt`` absent) says so in words, in the reader's language
    where the table has them: a screen reader then announces an image without a description, rather than
    its file name (no alt) or nothing at all (``alt=""`` would call it decorative). No description is made up,
    and the book's metadata counts these images (:func:`.metadata.accessibility`)."""
    for img in section.iter("img"):
        if img.get("alt") is None:
            here = next((el.get("lang") for el in img.iterancestors() if el.get("lang")), language)
            said = word("undescribed-image", here)
            img.set("alt", said.text)
            if said.language != here.split("-")[0].lower():
                img.set("lang", said.language)
                img.set(XML_LANG, said.language)


def _as_sentences(parts: list[str]) -> str:
    """``parts`` read as one text: each ends with a full stop unless it already ends with punctuation."""
    return " ".join(p if p[-1:] in ".!?…。！？" else p + "." for p in (" ".join(x.split()) for x in parts) if p)
