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
    from helpers import SHARED, epubcheck_jar
    import shutil

    lines = [f"shared corpus: {'found' if SHARED.is_dir() else 'MISSING'} at {SHARED}"]
    lines.append("epubcheck: " + ("jar " + epubcheck_jar() if epubcheck_jar() and shutil.which("java")
                                  else "ABSENT - EPUB validation tests will be skipped"))
    return lines


@pytest.fixture
def seed_path() -> Path:
    if not SEED.is_file():
        pytest.skip(f"the shared seed article is missing at {SEED}")
    return SEED


@pytest.fixture(scope="session")
def pages() -> list[Path]:
    return corpus_pages()
