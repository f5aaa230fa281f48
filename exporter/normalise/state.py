"""What every normaliser pass works on: one object, handed from pass to pass in table order."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ..document import Metadata, Report
from ..options import Settings
from ..read import Source

#: How many elements of a tree keep their Python proxy while the passes run (an article has a few thousand): lxml
#: makes a new proxy (through a class lookup) whenever Python meets an element none refers to, and the passes meet
#: each element many times. At most this many (~90 bytes each): a huge page holds 9 MB more at most
KEPT_PROXIES = 100_000


@dataclass
class State:
    """One article on its way through :data:`exporter.normalise.passes.PASSES`.

    Source repairs change ``page`` (the part of the parsed page that is the article);
    conversion makes ``tree`` (the clean ``<article>``), which later passes change;
    the metadata stage settles ``metadata`` from ``settings`` (the options), then
    ``found`` (what the markup says), then fallbacks. Every pass notes what it did in
    ``report``.
    """

    page: etree._Element
    settings: Settings
    source: Source
    report: Report = field(default_factory=Report)
    found: dict[str, Any] = field(default_factory=dict)
    tree: etree._Element | None = None
    metadata: Metadata | None = None
