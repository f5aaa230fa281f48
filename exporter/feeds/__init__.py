"""Feeds to one edition: RSS 2.0, Atom, JSON Feed and OPML lists of feeds → one book, a part per feed.

- ``options``: ``--since``, ``--max-per-feed``, ``--state``, ``--feed-order``, declared once for the CLI and the API;
- ``kinds``: what kind of feed some bytes are (a look at their start; nothing heavy imported);
- ``parse``: bytes → :class:`~exporter.feeds.parse.Feed` of entries (feedparser for RSS and Atom, imported
  only when a feed is read; a small reader of our own for JSON Feed, which feedparser 6.0 does not read)
  and OPML → the feeds it lists;
- ``state``: the entries a ``--state`` file says were delivered, saved atomically;
- ``edition``: reads every feed, chooses the entries (since, state, duplicates, most per feed, order) and
  plans the one book the batch writes (:mod:`exporter.batch.runner`).

Only ``options`` is imported here, so the pipeline can declare the options cheaply.
"""
from .options import FEED_NAMES, FEED_OPTIONS

__all__ = ["FEED_OPTIONS", "FEED_NAMES"]
