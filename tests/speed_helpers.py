"""What the shortcut tests of the normaliser share: text strategies, and the real pages and states they run on."""
from __future__ import annotations

import lxml.html
from hypothesis import strategies as st


EXAMPLES = 300

#: Characters the white-space, control and typography rules look at, and a few that they must leave alone.
_MARKS = " \t\n\r\f\v\u00a0\u2028\u2029\u3000\x00\x1f\x7f\x85\ufeff'\"-.:;!?«»…123 Mr. Dr Fr J. K. km % http:// www. @ .com é ß"


def joined(pieces: list[str], max_size: int) -> st.SearchStrategy[str]:
    """Texts made of ``pieces`` (characters or longer strings), up to ``max_size`` of them."""
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


texts = joined(list(_MARKS) + ["a", "B", "word", "  ", "--", "---", ". . .", "1-2", "Mr ", "J. K. ", "5 km", "3 %",
                                "http://x.org/a", "«", " : "], 60)


def _real_pages() -> list:
    from helpers import DATA, HOSTILE, corpus_pages

    pages = [page / name for page in corpus_pages() for name in ("expected.html", "source.html")]
    pages += sorted((DATA / "pages").glob("*.html")) + sorted(HOSTILE.glob("*.html"))
    return [page for page in pages if page.is_file()]


def _states_before(name: str, markups: list[bytes], **options) -> list:
    """The normaliser's state just before every row called ``name``, for each markup (deep copies)."""
    import copy
    import sys

    import exporter
    from exporter.normalise import passes

    module = sys.modules["exporter.normalise"]
    found: list = []
    real = passes.run

    def snapshot(state, steps=None) -> None:
        for step in passes.PASSES:
            if step.name == name:  # every row of that name (remove-empty runs twice)
                found.append(copy.deepcopy(state))
            if step.option is None or state.settings[step.option]:
                step.run(state)

    module.passes.run = snapshot
    try:
        for markup in markups:
            try:
                exporter.normalise(markup, **options)
            except Exception:  # noqa: BLE001 - a page the normaliser refuses has no state to compare
                pass
    finally:
        module.passes.run = real
    return found


def _real_markups() -> list[bytes]:
    from helpers import DATA, corpus_pages

    paths = [page / name for page in corpus_pages() for name in ("expected.html", "source.html")]
    paths += sorted((DATA / "pages").glob("*.html"))
    return [path.read_bytes() for path in paths if path.is_file()]


def _real_parsed_pages() -> list:
    return [lxml.html.fromstring(markup) for markup in _real_markups() if markup.strip()]
