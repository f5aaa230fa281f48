"""Where the benchmarks find their inputs: the shared corpus beside the checkout when it is there, else the
copy vendored for the tests, so every benchmark also runs in a fresh clone or an unpacked sdist."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SHARED = ROOT.parent / "shared" / "corpus"
_VENDORED = ROOT / "tests" / "data" / "corpus"


def _first(*candidates: Path) -> Path:
    return next((path for path in candidates if path.exists()), candidates[-1])


#: Folders of Readability pages (``source.html``, ``expected.html``, ``expected-metadata.json``).
CORPUS = _first(_SHARED / "readability", _VENDORED / "readability")
#: A run-on news article with no block structure.
SEED = _first(_SHARED / "seed" / "article.html", _VENDORED / "seed" / "article.html")
#: The sample bundled with the package, where neither corpus is found.
SAMPLE = ROOT / "exporter" / "sample" / "article.html"


def seed_book(articles: int):
    """The seed article (or the bundled sample) repeated as a collection of ``articles`` articles."""
    import copy

    from exporter.document import Book, Document, Metadata
    from exporter.normalise import normalise

    source = SEED if SEED.is_file() else SAMPLE
    base = normalise(source.read_bytes(), title="An independent MP", authors=["Jane Doe"])
    docs = [Document(tree=copy.deepcopy(base.tree), metadata=Metadata(title=f"{base.metadata.title} ({i})",
                     language=base.metadata.language, authors=list(base.metadata.authors)))
            for i in range(1, articles + 1)]
    return Book(metadata=Metadata(title="Benchmark book", authors=["Jane Doe"]), articles=docs)
