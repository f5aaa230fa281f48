"""Image descriptions a person supplies (``--image-descriptions``): the text alternatives a source lacks.

The exporter never invents a description: an image the source leaves without one
(or with junk the normaliser removed, or TeX no reader could read) stays without,
and the editions say so (the EPUB claims no conformance, a PDF/UA-1 edition is
not declared PDF/UA). Someone who knows the pictures can supply descriptions as
one JSON object mapping each image's address to its description::

    {"images/harbour.jpg": "The harbour at dusk, three fishing boats moored at the quay",
     "https://example.org/chart.png": "Bar chart: fees rose from 40 to 65 euro between 2019 and 2024",
     "rule.png": ""}

The address is the image's ``src`` in the clean tree (``exporter normalise``
prints it): the source's ``src``, or the lazy-loading ``data-src`` or best
``srcset`` candidate it stands for, made absolute against the page's address
(or its ``<base href>``) when the page was fetched. Keys matching no image are
counted in the report (``-v``), the first five named, for a single article or a
dataset record's own object (not for a file a batch's articles share: most of its
keys name other articles' images). An empty description says the image is
decorative. A supplied description replaces whatever the source said, in every edition: the normaliser
applies it, so no writer needs to know where it came from. The option takes a
file, read and checked once (:func:`exporter.options.image_descriptions`); a
dataset record may carry its own object in an ``image_descriptions`` field,
whose entries win over the command's.
"""
from __future__ import annotations

import json
from functools import lru_cache

from .state import State
from .text import clean_field

#: The start of the report line of keys that matched no image. A batch whose articles share one file (the
#: command's, a book.toml's) drops it: there most keys name other articles' images.
UNMATCHED = "{n} image description{s} matched no image of this article (its src in the tree differs)"


@lru_cache(maxsize=4)
def _parsed(value: str) -> dict[str, str]:
    """The descriptions, parsed once a process (a batch's articles share the command's; read only)."""
    return json.loads(value)


def supply_descriptions(state: State) -> None:
    """Each image the descriptions name gets that description as its alt (``""``: decorative)."""
    value = state.settings.get("image_descriptions")
    if not value:
        return
    descriptions = _parsed(value)
    images = list(state.tree.iter("img"))
    note_unmatched(state, descriptions, {(img.get("src") or "").strip() for img in images})
    for img in images:
        given = descriptions.get((img.get("src") or "").strip())
        description = clean_field(given) or ""  # the tree's text: NFC, no control characters or lone surrogates
        if given is None or (given.strip() and not description):
            continue
        img.set("alt", description)
        img.attrib.pop("described", None)
        state.report.note("described {n} image{s} from --image-descriptions" if description
                          else "marked {n} image{s} decorative from --image-descriptions")


def note_unmatched(state: State, descriptions: dict[str, str], sources: set[str]) -> None:
    """Report how many keys match no image of the article (a key written otherwise than the tree's src), naming
    the first five. Costs the article's images and a few keys, not every key of a big shared file."""
    from itertools import islice

    matched = {src for src in sources if src in descriptions}
    unmatched = len(descriptions) - len(matched)
    if unmatched:
        first = [repr(key[:80]).replace("{", "(").replace("}", ")")  # no {n} of the template in a key
                 for key in islice((key for key in descriptions if key not in matched), 5)]
        state.report.note(f"{UNMATCHED}: {', '.join(first)}{', …' if unmatched > 5 else ''}", unmatched)
