"""The normaliser: any article markup → a clean :class:`~exporter.document.Document`.

read (decode, parse, pick the content) → the passes of :data:`~exporter.normalise.passes.PASSES`
in order: source repairs on the page, conversion to the vocabulary, structure passes on the
clean tree, metadata (options, then markup, then fallbacks), language passes.
It knows no output format.
"""
from __future__ import annotations

import os
from itertools import islice
from pathlib import Path
from typing import Any

from ..document import Document, Report
from ..errors import LimitError
from ..options import DOCUMENT_OPTIONS, Option, resolve
from ..read import Source, decode_source, parse_html
from ..recursion import deep_recursion
from ..tree import validation_errors
from . import metadata as found_metadata
from . import passes
from .article import find_title
from .page import pick_content
from .state import KEPT_PROXIES, State

#: The options :func:`normalise` accepts (metadata wins over the markup).
OPTIONS: tuple[Option, ...] = DOCUMENT_OPTIONS


def normalise(markup: str | bytes | Source, *, origin: str = "<string>", base: str | Path | None = None,
              stem: str | None = None, **options: Any) -> Document:
    """Normalise article markup (a fragment, an article or a whole page) into a clean document.

    ``options`` are the metadata options (``title``, ``authors``, ``language``,
    ``date``…, which win over what the markup says) and the normaliser's own
    (see :data:`OPTIONS`). Raises :class:`~exporter.errors.InputError` or
    :class:`~exporter.errors.LimitError` for input it cannot take.
    """
    settings = resolve(OPTIONS, options)
    if isinstance(markup, Source):
        source = markup
    else:
        source = decode_source(markup, origin=origin, base=Path(base) if base else None, stem=stem)
    if settings.max_input_mb and len(source.text) > settings.max_input_mb * 1_000_000:
        raise LimitError(f"{source.origin}: input is over the limit of {settings.max_input_mb:g} MB "
                         f"(raise it with --max-input-mb)")
    with deep_recursion():  # the converter recurses per level of nesting, up to --max-depth
        root = parse_html(source.text, source.origin)
        # one Python proxy per parsed element (at most KEPT_PROXIES), kept alive until the passes end
        proxies = list(islice(root.iter(), KEPT_PROXIES))
        found = found_metadata.extract(root)
        report = Report()
        page = pick_content(root, settings.extract, report)
        state = State(page=page, settings=settings, source=source, found=found, report=report)
        passes.run(state)
        del proxies
    tree = state.tree
    if os.environ.get("EXPORTER_VALIDATE_TREES"):  # the test suite sets it: every tree must be valid
        problems = validation_errors(tree)
        if problems:
            raise RuntimeError(f"{source.origin}: the clean tree breaks its schema: {'; '.join(problems[:3])}")
    return Document(tree=tree, metadata=state.metadata, base=source.base, report=state.report, origin=source.origin)


__all__ = ["OPTIONS", "normalise", "find_title"]
