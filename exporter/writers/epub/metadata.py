"""The package document's metadata: Dublin Core, ``dcterms:modified`` and what is true of the book's accessibility."""
from __future__ import annotations

import datetime as dt
import os

from ebooklib import epub

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


def accessibility(eb: epub.EpubBook, image_alts: list[str], images: list[PreparedImage], has_notes: bool) -> None:
    """Accessibility metadata that says what is true of this book, no more."""
    add = lambda prop, value: eb.add_metadata(None, "meta", value, {"property": prop})  # noqa: E731
    has_images = bool(image_alts)
    all_alt = all(alt.strip() for alt in image_alts)
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
    if has_notes:
        features.append("ARIA")
    for feature in features:
        add("schema:accessibilityFeature", feature)
    animated = any(i.animated for i in images)
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
