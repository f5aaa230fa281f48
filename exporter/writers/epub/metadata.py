"""The package document's metadata: Dublin Core, ``dcterms:modified`` and what is true of the book's accessibility."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from ebooklib import epub
from lxml import etree

from ... import dates
from ...plan import BookPlan
from ...images import PreparedImage


def package_metadata(eb: epub.EpubBook, plan: BookPlan) -> None:
    """Title, subtitle, language, authors, Dublin Core fields, sources and reading direction of the book."""
    book, meta = plan.book, plan.book.metadata
    eb.set_identifier(book.identifier())
    eb.title = meta.title
    eb.add_metadata("DC", "title", meta.title, {"id": "title"})
    eb.add_metadata(None, "meta", "main", {"refines": "#title", "property": "title-type"})
    if meta.subtitle:
        eb.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        eb.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    eb.set_language(meta.language)
    for n, author in enumerate(book_authors(plan), 1):
        eb.add_author(author, uid=f"creator{n}", role="aut")
    for name, value in (("publisher", meta.publisher), ("date", dates.day(meta.date)),
                        ("description", meta.description), ("rights", meta.rights)):
        if value:
            eb.add_metadata("DC", name, value)
    for subject in meta.subjects:
        eb.add_metadata("DC", "subject", subject)
    sources = [meta.source_url] if meta.source_url else []
    if book.is_collection:
        sources += [a.doc.metadata.source_url for a in plan.articles if a.doc.metadata.source_url]
    for source in dict.fromkeys(sources):
        eb.add_metadata("DC", "source", source)
    eb.set_direction(meta.direction if meta.direction in ("ltr", "rtl") else "ltr")


def book_authors(plan: BookPlan) -> list[str]:
    """The book's authors; for a collection without any, every article's authors, each once, in reading order."""
    meta = plan.book.metadata
    if meta.authors or not plan.is_collection:
        return list(meta.authors)
    return list(dict.fromkeys(name for a in plan.articles for name in a.doc.metadata.authors))


#: The conformance claim of EPUB Accessibility 1.1 (its exact form, as DAISY Ace checks it), made only by a
#: book that earns it (:func:`accessibility`).
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
#: Who made the claim: no person reviewed the book, the writer's checks did.
EVALUATOR = "exporter (automated checks)"

_BASE_SUMMARY = ("Reflowable text in reading order, with headings, landmarks and a table of contents to find "
                 "one's way; the stylesheet uses relative sizes and sets no colours, so the reader's own font, size "
                 "and colour settings apply.")


@dataclass(frozen=True)
class ContentFacts:
    """What a book's articles offer a reader who cannot see them: their images (the cover is not counted: its
    text alternative says what the title page says) and their tables."""

    described: int = 0    #: with a real text alternative
    decorative: int = 0   #: ``alt=""``: the source says they carry nothing
    undescribed: int = 0  #: no usable text alternative in the tree (``alt`` absent)
    animated: int = 0
    #: tables of at least two rows and two columns without a single header cell: a screen reader cannot say
    #: which column or row a cell belongs to (WCAG 1.3.1)
    headerless_tables: int = 0

    @classmethod
    def of(cls, alts: list[str | None], images: list[PreparedImage], tables: list[etree._Element]) -> "ContentFacts":
        """From the tree's ``alt`` of every image shown (None: absent), the images embedded and the tables."""
        return cls(described=sum(1 for a in alts if a is not None and a.strip()),
                   decorative=sum(1 for a in alts if a is not None and not a.strip()),
                   undescribed=sum(1 for a in alts if a is None),
                   animated=sum(1 for i in images if i.animated),
                   headerless_tables=sum(1 for t in tables if _headerless(t)))

    @property
    def seen(self) -> int:
        """Images that carry something to see."""
        return self.described + self.undescribed


def _headerless(table: etree._Element) -> bool:
    rows = [row for row in table.iter("tr") if row.find("td") is not None or row.find("th") is not None]
    wide = max((len(row.findall("td")) + len(row.findall("th")) for row in rows), default=0)
    return len(rows) >= 2 and wide >= 2 and next(table.iter("th"), None) is None


def conforms(facts: ContentFacts) -> bool:
    """Whether the book earns :data:`CONFORMANCE`. The writer makes the rest of it true of every book (language,
    landmarks, headings, roles, reading order, no colours: DAISY Ace and axe check that in the tests); what the
    content decides is whether every image that shows something has a text alternative, whether any image
    moves (WCAG 2.2.2 and 2.3.1 cannot be judged for an animation) and whether every table of data says which
    cells are headers."""
    return facts.undescribed == 0 and facts.animated == 0 and facts.headerless_tables == 0


def accessibility(eb: epub.EpubBook, facts: ContentFacts, summary: str | None = None) -> None:
    """Accessibility metadata that says what is true of this book, no more; ``summary`` (a publisher's own
    words, ``--a11y-summary``) replaces the summary written from the facts."""
    add = lambda prop, value: eb.add_metadata(None, "meta", value, {"property": prop})  # noqa: E731
    claim = conforms(facts)
    if claim:
        eb.add_metadata(None, "meta", CONFORMANCE, {"property": "dcterms:conformsTo", "id": "conformance"})
        eb.add_metadata(None, "meta", EVALUATOR, {"property": "a11y:certifiedBy", "refines": "#conformance"})
    add("schema:accessMode", "textual")
    if facts.seen:
        add("schema:accessMode", "visual")
    if facts.undescribed == 0:
        add("schema:accessModeSufficient", "textual")
    if facts.seen:
        add("schema:accessModeSufficient", "textual,visual")
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability", "ARIA"]
    if facts.described and not facts.undescribed:
        features.append("alternativeText")
    for feature in features:
        add("schema:accessibilityFeature", feature)
    hazards = ["noSoundHazard", "noMotionSimulationHazard"]
    hazards.append("unknownFlashingHazard" if facts.animated else "noFlashingHazard")
    for hazard in hazards:
        add("schema:accessibilityHazard", hazard)
    add("schema:accessibilitySummary", summary if summary and summary.strip() else written_summary(facts, claim))


def written_summary(facts: ContentFacts, claim: bool) -> str:
    """The accessibility summary, from what the book holds."""
    said = [_BASE_SUMMARY]
    total = facts.seen + facts.decorative
    if total:
        parts = [f"{facts.described} with a text description"] if facts.described else []
        if facts.decorative:
            parts.append(f"{facts.decorative} marked decorative")
        if facts.undescribed:
            parts.append(f"{facts.undescribed} without any description (the source gave none)")
        said.append(f"It has {_count(total, 'image')}: " + _listed(parts) + ".")
    if claim:
        said.append("It meets EPUB Accessibility 1.1 and WCAG 2.2 Level AA as far as automated checks can tell.")
    else:
        reasons = []
        if facts.undescribed:
            reasons.append(f"{_count(facts.undescribed, 'image')} {'has' if facts.undescribed == 1 else 'have'} "
                           "no text description")
        if facts.animated:
            reasons.append(f"{_count(facts.animated, 'image')} {'is' if facts.animated == 1 else 'are'} animated "
                           "and cannot be paused")
        if facts.headerless_tables:
            reasons.append(f"{_count(facts.headerless_tables, 'table')} "
                           f"{'has' if facts.headerless_tables == 1 else 'have'} no header cells")
        said.append("It does not claim conformance to EPUB Accessibility 1.1: " + _listed(reasons) + ".")
    return " ".join(said)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _listed(parts: list[str]) -> str:
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def modified_time(plan: BookPlan) -> dt.datetime:
    """``dcterms:modified``: SOURCE_DATE_EPOCH, else the book's date (``--date`` or the article's), else a fixed
    day. Never the clock: the same input must give the same bytes. Any date converts to UTC without
    overflowing (see :mod:`exporter.dates`)."""
    epoch = dates.from_epoch(os.environ.get("SOURCE_DATE_EPOCH", ""))
    if epoch is not None:
        return epoch
    for date in [plan.book.metadata.date] + [a.doc.metadata.date for a in plan.articles]:
        when = dates.utc(date)
        if when is not None:
            return max(when, dates.ZIP_FIRST)
    return dt.datetime(2000, 1, 1)
