"""The EPUB 3.3 edition (ebooklib for the package), with an EPUB 2 NCX for older readers.

Every content document (cover, title page, parts, articles, nav) is written here
as complete XHTML, so ``lang``, ``dir``, ``epub:type`` and ARIA roles are exactly
what we say; ebooklib writes the package document, the NCX and the zip, which is
then rewritten with fixed order and timestamps so that the same input gives the
same bytes. Everything the book shows is inside it: images embedded (converted,
scaled, SVG sanitised) or replaced by their alt text, fonts subset to the glyphs
used, a cover generated when none is given. See ``../shared/notes/dependencies.md``
for the ebooklib usages that break epubcheck, all avoided here.
"""
from __future__ import annotations

import copy
import datetime as dt
import io
import logging
import os
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from ebooklib import epub
from lxml import etree

from .. import themes
from ..cover import generate as generate_cover
from ..document import Book, Document, Metadata
from ..errors import UsageError, WriterError
from ..fontsubset import subset_font
from ..images import PreparedImage, prepare, prepare_bytes
from ..options import Option, Settings
from ..resources import ResourcePolicy
from ..tree import NOTE_ROLE, NOTEREF_ROLE
from . import Writer
from .html import article_prefixes, article_section, headings, title_block, url_key

log = logging.getLogger("exporter")
XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{OPS_NS}}}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CSS_FILE = "styles/book.css"
#: Readers (Kindle's Send to Kindle among them) refuse or choke on bigger books.
LARGE_BYTES = 50_000_000
#: Headings deeper than this stay out of the table of contents (it is for finding one's way, not an index).
TOC_DEPTH = 3


#: Words the book itself adds (contents, landmarks), in the book's language where we know them;
#: elsewhere English, marked ``lang="en"`` so that a screen reader voices them right.
LABELS: dict[str, tuple[str, str, str, str]] = {  # contents, cover, title page, start
    "en": ("Contents", "Cover", "Title page", "Start"),
    "fr": ("Table des matières", "Couverture", "Page de titre", "Début"),
    "de": ("Inhalt", "Umschlag", "Titelseite", "Anfang"),
    "es": ("Índice", "Portada", "Portadilla", "Inicio"),
    "it": ("Indice", "Copertina", "Frontespizio", "Inizio"),
    "pt": ("Sumário", "Capa", "Folha de rosto", "Início"),
    "nl": ("Inhoud", "Omslag", "Titelpagina", "Begin"),
    "ru": ("Содержание", "Обложка", "Титульный лист", "Начало"),
    "ar": ("المحتويات", "الغلاف", "صفحة العنوان", "البداية"),
    "he": ("תוכן העניינים", "כריכה", "עמוד השער", "התחלה"),
    "fa": ("فهرست مطالب", "جلد", "صفحه عنوان", "آغاز"),
    "zh": ("目录", "封面", "书名页", "正文"),
    "ja": ("目次", "表紙", "扉", "本文"),
}


def labels(language: str) -> tuple[dict[str, str], str]:
    """The book's own words for ``language``, and the language they are in."""
    primary = language.split("-")[0].lower()
    found = primary if primary in LABELS else "en"
    return dict(zip(("contents", "cover", "titlepage", "start"), LABELS[found])), found


def _cover_option(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_file():
        raise ValueError(f"{value}: no such file")
    return path


class EpubWriter(Writer):
    name = "epub"
    extension = "epub"
    description = "EPUB 3 e-book (with EPUB 2 NCX), valid under epubcheck 5.3."
    options: tuple[Option, ...] = (
        Option("cover", "Cover image for the EPUB (JPEG, PNG, WebP…); default: one is drawn from the title, "
               "authors and site.", metavar="FILE", group="export", convert=_cover_option),
    )

    def write(self, book: Book, path: Path, settings: Settings, resources: ResourcePolicy) -> None:
        theme = themes.load(settings.get("theme") or "default")
        builder = _Builder(book, theme)
        builder.cover(settings.get("cover"))
        builder.title_page()
        builder.articles(resources)
        builder.finish()
        buffer = io.BytesIO()
        try:
            epub.write_epub(buffer, builder.eb, {"epub3_pages": False, "epub3_landmark": False,
                                                 "mtime": builder.modified, "raise_exceptions": True})
        except OSError:
            raise
        except Exception as exc:  # ebooklib raises bare exceptions for bad content
            raise WriterError(f"EPUB could not be written: {exc}") from exc
        reproducible_zip(buffer.getvalue(), path, builder.modified)
        size = path.stat().st_size
        if size > LARGE_BYTES:
            log.warning("%s: the EPUB is %.0f MB; some readers and Send to Kindle refuse books over 50 MB",
                        book.metadata.title, size / 1e6)


class _Page(epub.EpubItem):
    """A content document we write in full (ebooklib would re-parse it and drop attributes)."""

    def __init__(self, uid: str, file_name: str, content: bytes, properties: list[str] | None = None) -> None:
        super().__init__(uid=uid, file_name=file_name, media_type="application/xhtml+xml", content=content)
        self.properties = properties or []


@dataclass
class _Article:
    doc: Document  #: as the book holds it (parts refer to it)
    title: str  #: as shown (XML-safe)
    file_name: str
    section: etree._Element
    prefix: str


@dataclass
class _Builder:
    """One EPUB being assembled: the ebooklib book plus what the nav, NCX and metadata need to know."""

    book: Book
    theme: themes.Theme
    eb: epub.EpubBook = field(default_factory=epub.EpubBook)
    spine: list = field(default_factory=list)
    guide: list[dict] = field(default_factory=list)
    pages: list[tuple[str, etree._Element]] = field(default_factory=list)
    images: list[PreparedImage] = field(default_factory=list)
    image_alts: list[str] = field(default_factory=list)
    done: list[_Article] = field(default_factory=list)
    cover_file: str | None = None
    licences: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.meta = self.book.metadata
        self.modified = modified_time(self.book)
        self.words, self.words_lang = labels(self.meta.language)
        self._metadata()

    # --- metadata -------------------------------------------------------------------------------
    def _metadata(self) -> None:
        meta, eb = self.meta, self.eb
        eb.set_identifier(self.book.identifier())
        eb.title = meta.title
        eb.add_metadata("DC", "title", meta.title, {"id": "title"})
        eb.add_metadata(None, "meta", "main", {"refines": "#title", "property": "title-type"})
        if meta.subtitle:
            eb.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
            eb.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
        eb.set_language(meta.language)
        for n, author in enumerate(self._authors(), 1):
            eb.add_author(author, uid=f"creator{n}", role="aut")
        for name, value in (("publisher", meta.publisher), ("date", day(meta.date)),
                            ("description", meta.description), ("rights", meta.rights)):
            if value:
                eb.add_metadata("DC", name, value)
        for subject in meta.subjects:
            eb.add_metadata("DC", "subject", subject)
        sources = [meta.source_url] if meta.source_url else []
        if self.book.is_collection:
            sources += [d.metadata.source_url for d in self.book.articles if d.metadata.source_url]
        for source in dict.fromkeys(sources):
            eb.add_metadata("DC", "source", source)
        eb.set_direction(meta.direction if meta.direction in ("ltr", "rtl") else "ltr")

    def _authors(self) -> list[str]:
        if self.meta.authors or not self.book.is_collection:
            return list(self.meta.authors)
        return list(dict.fromkeys(a for d in self.book.articles for a in d.metadata.authors))

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
            shown = replace(self.meta, authors=self._authors())
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
        meta = replace(self.meta, date=day(self.meta.date))
        if self.book.is_collection:
            meta.authors = self._authors()
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
        embedder = _ImageEmbedder(self)
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

            shown = replace(doc, metadata=replace(doc.metadata, date=day(doc.metadata.date)))
            section = article_section(shown, resolve, id_prefix=prefix)
            self.image_alts += [img.get("alt") or "" for img in section.iter("img")]
            if not book.is_collection:
                section.remove(section.find("header"))  # the title page carries it
            section.set(EPUB_TYPE, "bodymatter chapter")
            _number_headings(section, prefix)
            _mark_notes(section)
            if book.is_collection:
                _links_inside_book(section, by_url, file_name)
            self._add_page(f"article{len(self.done) + 1}", file_name, shown.metadata.title,
                           _with_ops(section), shown.metadata)
            self.done.append(_Article(doc, shown.metadata.title, file_name, section, prefix))
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
        eb.toc = self._toc()
        if self.book.is_collection:  # only then is the contents page read in the spine (see below)
            self.guide.append({"href": "nav.xhtml#toc", "title": self.words["contents"], "type": "toc"})
        self._add_page("nav", "nav.xhtml", self.words["contents"], self._nav(), self.meta, properties=["nav"], spine=False,
                       css="styles/book.css")
        eb.add_item(epub.EpubNcx())
        eb.guide = self.guide
        self._fonts_and_style()
        self._accessibility()
        # the contents page is read after the title page in a collection; a single article needs none
        if self.book.is_collection:
            self.spine.insert(2, self.eb.get_item_with_id("nav"))
        eb.spine = self.spine

    def _toc(self) -> list:
        counter = iter(range(1, 100_000))
        entries = []
        by_part: dict[int, list] = {}
        parts_of = {id(doc): n for n, part in enumerate(self.book.parts, 1) for doc in part.articles}
        for art in self.done:
            subs = _heading_tree(art.section, art.file_name, counter)
            title = art.title if self.book.is_collection else self.meta.title
            entry = (epub.Section(title, href=art.file_name), subs) if subs else \
                epub.Link(art.file_name, title, f"toc-{next(counter)}")
            part = parts_of.get(id(art.doc))
            if part is None:
                entries.append(entry)
            else:
                if part not in by_part:
                    by_part[part] = []
                    entries.append((epub.Section(self.book.parts[part - 1].title, href=f"text/part-{part}.xhtml"),
                                    by_part[part]))
                by_part[part].append(entry)
        return entries

    def _nav(self) -> etree._Element:
        """The nav document body: the toc (mirroring the NCX) and the landmarks."""
        body = etree.Element("div", nsmap={"epub": OPS_NS})
        toc = etree.SubElement(body, "nav", {EPUB_TYPE: "toc", "id": "toc", "role": "doc-toc"})
        self._label(etree.SubElement(toc, "h1"), self.words["contents"])

        def entries(parent: etree._Element, items: list) -> None:
            ol = etree.SubElement(parent, "ol")
            for item in items:
                li = etree.SubElement(ol, "li")
                head, children = (item[0], item[1]) if isinstance(item, tuple) else (item, [])
                a = etree.SubElement(li, "a", href=head.href)
                a.text = head.title
                if children:
                    entries(li, children)

        entries(toc, self.eb.toc)
        landmarks = etree.SubElement(body, "nav", {EPUB_TYPE: "landmarks", "id": "landmarks", "hidden": "hidden"})
        self._label(etree.SubElement(landmarks, "h2"), "Landmarks", "en")
        ol = etree.SubElement(landmarks, "ol")
        kinds = {"cover": "cover", "title-page": "titlepage", "text": "bodymatter", "toc": "toc"}
        for mark in self.guide:
            a = etree.SubElement(etree.SubElement(ol, "li"), "a", {EPUB_TYPE: kinds[mark["type"]],
                                                                   "href": mark["href"]})
            self._label(a, mark["title"])
        return body

    def _label(self, el: etree._Element, text: str, language: str | None = None) -> None:
        """Text the book adds; marked with its language when that is not the book's."""
        el.text = text
        language = language or self.words_lang
        if language != self.meta.language.split("-")[0].lower():
            el.set("lang", language)
            el.set(XML_LANG, language)

    def _fonts_and_style(self) -> None:
        wanted = _text_by_face(self.theme.faces, [page for _, page in self.pages])
        faces = []
        for face in self.theme.faces:
            if face not in wanted:
                continue  # nothing in the book is set in this face (no code, no bold italic…): it stays out
            try:
                data = subset_font(face.path, wanted[face])
            except ValueError as exc:
                log.warning("font %s left out: %s", face.path.name, exc)
                continue
            stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", face.path.stem).strip("-.") or "font"
            name = f"fonts/{stem}.{face.path.suffix.lstrip('.').lower()}"
            self.eb.add_item(epub.EpubItem(uid=f"font-{stem}", file_name=name,
                                           media_type=face.media_type, content=data))
            self._licences(face.path.parent)
            faces.append(f'@font-face {{ font-family: "{face.family}"; src: url("../{name}"); '
                         f"font-weight: {face.weight}; font-style: {face.style}; }}")
        css = "\n".join(faces) + "\n" + self.theme.stylesheet("epub")
        self.eb.add_item(epub.EpubItem(uid="style", file_name=CSS_FILE, media_type="text/css",
                                       content=css.encode("utf-8")))

    def _licences(self, folder: Path) -> None:
        """The licence and copyright files that sit beside an embedded font travel with it (the OFL asks so)."""
        for path in sorted(folder.glob("*.txt")):
            if not re.match(r"(OFL|LICEN[CS]E|COPYRIGHT|COPYING)", path.name, re.IGNORECASE):
                continue
            slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{folder.name}-{path.name}").strip("-.")
            name = f"fonts/licences/{slug}"
            if any(item.file_name == name for item in self.eb.get_items()):
                continue
            self.eb.add_item(epub.EpubItem(uid=f"licence-{len(self.licences) + 1}", file_name=name,
                                           media_type="text/plain", content=path.read_bytes()))
            self.licences.append(name)

    def _accessibility(self) -> None:
        """Accessibility metadata that says what is true of this book, no more."""
        add = lambda prop, value: self.eb.add_metadata(None, "meta", value, {"property": prop})  # noqa: E731
        has_images = bool(self.image_alts)
        all_alt = all(alt.strip() for alt in self.image_alts)
        add("schema:accessMode", "textual")
        if has_images:
            add("schema:accessMode", "visual")
        if not has_images or all_alt:
            add("schema:accessModeSufficient", "textual")
        if has_images:
            add("schema:accessModeSufficient", "textual,visual")
        features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
        if has_images and all_alt:
            features.append("alternativeText")
        if any(a.section.find(f".//aside[@role='{NOTE_ROLE}']") is not None for a in self.done):
            features.append("ARIA")
        for feature in features:
            add("schema:accessibilityFeature", feature)
        animated = any(i.animated for i in self.images)
        hazards = ["noSoundHazard", "noMotionSimulationHazard"] + ([] if animated else ["noFlashingHazard"])
        if animated:
            hazards.append("unknownFlashingHazard")
        for hazard in hazards:
            add("schema:accessibilityHazard", hazard)
        summary = ("Reflowable text in reading order, with headings, a table of contents and landmarks to "
                   "find one's way; the stylesheet uses relative sizes and sets no colours, so the reader's own font, "
                   "size and colour settings apply.")
        if has_images:
            summary += (" Every image has a text alternative." if all_alt else
                        " Some images have no text alternative.")
        add("schema:accessibilitySummary", summary)

    # --- documents ------------------------------------------------------------------------------
    def _add_page(self, uid: str, file_name: str, title: str, body: etree._Element, meta: Metadata,
                  properties: list[str] | None = None, spine: bool = True, css: str | None = None) -> None:
        css = css or os.path.relpath(CSS_FILE, os.path.dirname(file_name) or ".")
        content = xhtml_document(body, title, meta.language, meta.direction, css)
        page = _Page(uid, file_name, content, properties)
        self.eb.add_item(page)
        self.pages.append((file_name, body))
        if spine:
            self.spine.append(page)


class _ImageEmbedder:
    """Adds each distinct image once, under a stable name, and says where it went."""

    def __init__(self, builder: _Builder) -> None:
        self.builder = builder
        self.by_source: dict[tuple[str | None, str], str | None] = {}
        self.by_content: dict[bytes, str] = {}

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
        if image.data in self.by_content:
            return self.by_content[image.data]
        n = len(self.by_content) + 1
        name = f"images/image-{n}.{image.extension}"
        self.builder.eb.add_item(epub.EpubItem(uid=f"image{n}", file_name=name, media_type=image.media_type,
                                               content=image.data))
        self.builder.images.append(image)
        self.by_content[image.data] = "../" + name
        return "../" + name


def xhtml_document(body: etree._Element, title: str, language: str, direction: str, css: str) -> bytes:
    """A complete XHTML content document: ``lang``, ``xml:lang`` and ``dir`` on the root and the body."""
    html = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS, "epub": OPS_NS})
    html.set("lang", language)
    html.set(XML_LANG, language)
    html.set("dir", direction)
    head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
    etree.SubElement(head, f"{{{XHTML_NS}}}meta", charset="utf-8")
    etree.SubElement(head, f"{{{XHTML_NS}}}title").text = title or "Untitled"
    etree.SubElement(head, f"{{{XHTML_NS}}}link", rel="stylesheet", type="text/css", href=css)
    xbody = etree.SubElement(html, f"{{{XHTML_NS}}}body", dir=direction)
    head.text = xbody.text = "\n"  # line breaks: the head's title never runs into the first words of the text
    for el in (*head, head):
        el.tail = "\n"
    if body.tag == "div" and not body.attrib:
        children = list(copy.deepcopy(body))
    else:
        children = [copy.deepcopy(body)]
    for child in children:
        xbody.append(_to_xhtml(child))
    return etree.tostring(html, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")


#: Elements after which a line break is written, so that text tools (search, word counts, text-to-speech
#: engines reading the raw text) never see two blocks' words run together.
_LINE_AFTER = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figure", "figcaption", "table",
                         "caption", "tr", "td", "th", "thead", "tbody", "blockquote", "ul", "ol", "pre", "hr",
                         "section", "header", "aside", "nav", "div", "img"})


def _to_xhtml(el: etree._Element) -> etree._Element:
    """Move a tree of plain HTML names into the XHTML namespace, with a newline after each block."""
    for node in el.iter():
        if not isinstance(node.tag, str) or node.tag.startswith("{"):
            continue
        outside_pre = next(node.iterancestors("pre"), None) is None
        if node.tag in _LINE_AFTER and not (node.tail or "").strip() and outside_pre:
            node.tail = "\n"
        elif node.tag == "br" and outside_pre and not (node.tail or " ")[:1].isspace():
            node.tail = "\n" + node.tail  # a line break is white space to text tools too
        node.tag = f"{{{XHTML_NS}}}{node.tag}"
    return el


def _with_ops(section: etree._Element) -> etree._Element:
    """``section`` under an element declaring the ``epub`` prefix (so ``epub:type`` serialises so)."""
    holder = etree.Element("div", nsmap={"epub": OPS_NS})
    holder.append(section)
    return holder


#: What the stylesheets set bold, italic or monospaced (a superset is harmless: it only keeps a face).
_BOLD = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "th", "strong", "b"})
_ITALIC = frozenset({"em", "i", "blockquote", "figcaption", "caption"})
_ITALIC_CLASSES = frozenset({"subtitle", "image-alt", "description"})
_MONO = frozenset({"pre", "code"})


def _text_by_face(faces: tuple[themes.FontFace, ...], pages: list[etree._Element]) -> dict:
    """The text each face of the theme has to draw, found by the style of each run of text.

    A run goes to the face a reading system would pick for it (same role, then style, then the nearest
    weight), so a theme without a bold face still gets bold text's glyphs in its regular face. The regular
    body face is always kept: the reader's own furniture (page numbers, notes) falls back on it.
    """
    def pick(mono: bool, bold: bool, italic: bool) -> themes.FontFace | None:
        role = [f for f in faces if f.role == ("mono" if mono else "body")] or \
            [f for f in faces if f.role == "body"]
        if not role:
            return None
        return min(role, key=lambda f: (f.style != ("italic" if italic else "normal"),
                                        abs(f.weight - (700 if bold else 400))))

    runs: dict = {}
    for page in pages:
        for el in page.iter():
            if not isinstance(el.tag, str):
                continue
            runs.setdefault(_style_of(el), []).append(el.text or "")
            if el.tail and el.getparent() is not None:
                runs.setdefault(_style_of(el.getparent()), []).append(el.tail)
    wanted: dict = {}
    regular = pick(False, False, False)
    if regular is not None:
        wanted[regular] = ""
    for key, texts in runs.items():
        face = pick(*key)
        text = "".join(texts)
        if face is not None and (text.strip() or face is regular):
            wanted[face] = wanted.get(face, "") + text
    return wanted


def _style_of(el: etree._Element) -> tuple[bool, bool, bool]:
    """(monospaced, bold, italic) for text directly inside ``el``, as the theme's stylesheet sets it."""
    chain = [el, *el.iterancestors()]
    tags = {a.tag for a in chain}
    classes = {c for a in chain for c in (a.get("class") or "").split()}
    return (bool(tags & _MONO), bool(tags & _BOLD) or "note-label" in classes,
            bool(tags & _ITALIC) or bool(classes & _ITALIC_CLASSES))


def _number_headings(section: etree._Element, prefix: str) -> None:
    """Every heading gets an id for the toc to point at, never one the article already uses."""
    taken = {el.get("id") for el in section.iter() if el.get("id")}
    for n, h in enumerate(headings(section), 1):
        if not h.get("id"):
            ident, k = f"{prefix}h-{n}", 1
            while ident in taken:
                k += 1
                ident = f"{prefix}h-{n}-{k}"
            h.set("id", ident)
            taken.add(ident)


def _heading_tree(section: etree._Element, file_name: str, counter) -> list:
    """Nested toc entries for the headings of one article (h2, h3… down to :data:`TOC_DEPTH`)."""
    root: list = []
    stack: list[tuple[int, list]] = [(1, root)]
    for h in headings(section):
        level = int(h.tag[1])
        if level > TOC_DEPTH:
            continue
        text = " ".join("".join(h.itertext()).split()) or "Section"
        while stack[-1][0] >= level:
            stack.pop()
        children: list = []
        link = epub.Link(f"{file_name}#{h.get('id')}", text, f"toc-{next(counter)}")
        stack[-1][1].append([link, children])
        stack.append((level, children))

    def finish(items: list) -> list:
        out = []
        for link, children in items:
            if children:
                out.append((epub.Section(link.title, href=link.href), finish(children)))
            else:
                out.append(link)
        return out

    return finish(root)


def _mark_notes(section: etree._Element) -> None:
    """Tree notes → EPUB 3 notes: ``epub:type`` noteref/footnote beside the ARIA roles, and a numbered
    link back from each note to where it is referenced (readers without pop-ups follow links)."""
    refs: dict[str, etree._Element] = {}
    for a in section.iter("a"):
        if a.get("role") == NOTEREF_ROLE:
            a.set(EPUB_TYPE, "noteref")
            refs.setdefault(a.get("href", "")[1:], a)
    notes = [aside for aside in section.iter("aside") if aside.get("role") == NOTE_ROLE]
    for n, aside in enumerate(notes, 1):
        aside.set(EPUB_TYPE, "footnote")
        ref = refs.get(aside.get("id", ""))
        label_text = re.sub(r"^[\[(]|[\])]$", "", "".join(ref.itertext()).strip()) if ref is not None else ""
        label_text = label_text or str(n)
        first = aside[0] if len(aside) and aside[0].tag in ("p", "h2", "h3", "h4", "h5", "h6") else None
        if first is None:
            first = etree.Element("p")
            aside.insert(0, first)
        lead = first[0] if len(first) and not (first.text or "").strip() else None
        if lead is not None and lead.tag == "a" and ref is not None and lead.get("href") == "#" + (ref.get("id") or ""):
            lead.set("class", "note-label")  # the note already opens with its number, linked back: keep it
            continue
        if ref is not None and ref.get("id"):
            label = etree.Element("a", {"href": "#" + ref.get("id"), "class": "note-label"})
        else:
            label = etree.Element("span", {"class": "note-label"})
        label.text = label_text
        label.tail = " " + (first.text or "")
        first.text = None
        first.insert(0, label)
    if notes:
        notes[0].addprevious(etree.Element("hr", {"class": "notes-rule"}))


def _links_inside_book(section: etree._Element, by_url: dict[str, tuple[str, str]], here: str) -> None:
    """Links to another article of the book go to its chapter, not to the web."""
    ids = {el.get("id") for el in section.iter() if el.get("id")}
    for a in section.iter("a"):
        href = a.get("href", "")
        if not href.startswith(("http://", "https://")):
            continue
        target = by_url.get(url_key(href))
        if target is None or any(anc.get("class") == "title-block" for anc in a.iterancestors()):
            continue  # the title block's source line cites the web page itself: it stays a web link
        file_name, prefix = target
        fragment = urlsplit(href).fragment
        rel = os.path.basename(file_name)
        if file_name == here:
            anchor = prefix + fragment
            a.set("href", f"#{anchor}" if fragment and anchor in ids else f"#{prefix}article")
        else:
            a.set("href", f"{rel}#{prefix}{fragment}" if fragment else f"{rel}#{prefix}article")


def day(date: str | None) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` of an ISO date or date-time: valid as ``dc:date`` (W3CDTF) and as
    an HTML ``datetime`` whatever time-zone spelling the markup used."""
    match = re.match(r"^\d{4}(-\d{2}(-\d{2})?)?", date or "")
    return match.group(0) if match else None


def modified_time(book: Book) -> dt.datetime:
    """``dcterms:modified``: SOURCE_DATE_EPOCH, else the book's date (``--date`` or the article's), else a fixed
    day. Never the clock: the same input must give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).replace(tzinfo=None)
    dates = [book.metadata.date] + [d.metadata.date for d in book.articles]
    for date in filter(None, dates):
        try:
            if "T" in date:
                parsed = dt.datetime.fromisoformat(date.replace("Z", "+00:00"))
            else:
                pieces = (date + "-01-01")[:10] if len(date) < 10 else date[:10]
                parsed = dt.datetime.fromisoformat(pieces if len(date) != 7 else date + "-01")
        except ValueError:
            continue
        if parsed.tzinfo:
            parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return max(parsed.replace(microsecond=0), dt.datetime(1980, 1, 1))
    return dt.datetime(2000, 1, 1)


def reproducible_zip(data: bytes, path: Path, when: dt.datetime) -> None:
    """Rewrite ebooklib's zip: ``mimetype`` first and stored, then every entry in a fixed order with a fixed
    timestamp and permissions, so two exports of the same input are byte-identical."""
    stamp = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = source.namelist()
        order = ["mimetype", "META-INF/container.xml"] + sorted(n for n in names
                                                                 if n not in ("mimetype", "META-INF/container.xml"))
        with zipfile.ZipFile(path, "w") as out:
            for name in order:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 3
                out.writestr(info, source.read(name), compresslevel=9 if name != "mimetype" else None)
