import os
import sys
from pathlib import Path

# Every clean tree the normaliser makes during the tests (in-process and in CLI subprocesses)
# is validated against the schema; an invalid one fails the test that made it.
os.environ["EXPORTER_VALIDATE_TREES"] = "1"

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402

from helpers import SEED, corpus_pages  # noqa: E402


def pytest_report_header(config):
    """Where the test inputs come from, and every missing piece of the machine with what it skips."""
    from helpers import CORPUS, NEEDS, SHARED, absent

    pages = corpus_pages()
    vendored = sum(1 for p in pages if p.parent == CORPUS)
    lines = [f"corpus: {vendored} vendored pages and the seed in tests/data/corpus; "
             + (f"{SHARED} adds {len(pages) - vendored} pages and its seed" if SHARED.is_dir()
                else f"no {SHARED} (optional)")]
    missing = absent()
    lines += missing or ["environment: all present (" + ", ".join(n.what for n in NEEDS.values()) + ")"]
    return lines


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def pages() -> list[Path]:
    return corpus_pages()
