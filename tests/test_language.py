"""Language detection: a bounded sample and a cached, memory-mapped model, with the answers of the full model."""
from __future__ import annotations

import pytest

import exporter
from exporter.normalise import language
from exporter.tree import text_of
from helpers import corpus_pages, page_metadata

#: Its text is lorem ipsum: Latin, whatever its page's <html lang> says.
LATIN_FILLER = {"data-url-image"}


def pages_with_language() -> list[tuple[str, str, str]]:
    """(page, declared primary language, article text) for every corpus page whose metadata gives ``lang``."""
    found = []
    for page in corpus_pages():
        lang = page_metadata(page).get("lang")
        if lang:
            doc = exporter.normalise((page / "expected.html").read_bytes(), title="t", language="en")
            found.append((page.name, lang.split("-")[0].lower(), text_of(doc.tree)))
    if not found:
        pytest.skip("the corpus pages (tests/ or ../shared) are not here")
    return found


@pytest.fixture(scope="module")
def corpus():
    return pages_with_language()


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty cache folder, and the identifier loaded anew from it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("EXPORTER_NO_CACHE", raising=False)
    language._identifier.cache_clear()
    yield tmp_path / "exporter" / "langid"
    language._identifier.cache_clear()


def test_detection_finds_every_declared_language_of_the_corpus(corpus, fresh_cache):
    wrong = {name: (declared, language.detect(text)) for name, declared, text in corpus
             if language.detect(text) != declared}
    assert set(wrong) <= LATIN_FILLER, wrong
    assert {declared for _, declared, _ in corpus} >= {"en", "de", "fr"}


def test_the_sample_gives_the_full_texts_answer(corpus):
    """Accuracy does not drop: the bounded sample through the cached model answers as the whole text did."""
    full = language._bundled()
    for name, _, text in corpus:
        assert len(text) > 0
        assert language.detect(text) == full.classify(" ".join(text.split()))[0], name


def test_the_model_is_cached_decompressed_and_mapped(fresh_cache):
    assert language.detect("Le gouvernement a présenté son projet de loi sur les retraites.") == "fr"
    (entry,) = fresh_cache.iterdir()
    assert sorted(p.name for p in entry.iterdir()) == sorted(f"{name}.npy" for name in language.ARRAYS)
    language._identifier.cache_clear()
    mapped = language._identifier()
    assert isinstance(mapped, language.MappedModel)  # mapped from the cache, not decompressed again
    for text, code in language.PROBES:
        mine, theirs = mapped.classify(text), language._bundled().classify(text)
        assert mine[0] == theirs[0] == code and mine[1] == pytest.approx(theirs[1], abs=1e-5)


@pytest.mark.parametrize("damage", ["truncate", "scramble", "foreign"])
def test_a_damaged_cache_is_not_trusted(fresh_cache, damage):
    language.detect("warm the cache with some English text")
    (entry,) = fresh_cache.iterdir()
    if damage == "truncate":
        path = entry / "ptc.npy"
        path.write_bytes(path.read_bytes()[: 1000])
    elif damage == "scramble":  # every byte of the weights changed: no probe passes
        path = entry / "ptc.npy"
        data = bytearray(path.read_bytes())
        data[200:] = bytes(len(data) - 200)
        path.write_bytes(bytes(data))
    else:
        (entry / "nextmove_row.npy").write_bytes(b"not a numpy file")
    language._identifier.cache_clear()
    assert language.detect("Die Bundesregierung hat am Mittwoch ihren Entwurf vorgelegt.") == "de"
    assert isinstance(language._identifier(), language.MappedModel)  # the entry was made anew
    assert language._mapped(entry, language.MappedModel) is not None


def test_an_unwritable_cache_falls_back_to_the_bundled_model(fresh_cache, monkeypatch):
    from exporter import cache

    monkeypatch.setattr(cache, "write_atomically", lambda path, write: False)
    assert language.detect("Le gouvernement a présenté son projet de loi.") == "fr"
    assert not isinstance(language._identifier(), language.MappedModel)


def test_no_cache_when_turned_off(fresh_cache, monkeypatch):
    monkeypatch.setenv("EXPORTER_NO_CACHE", "1")
    assert language.detect("The committee will publish its report next week.") == "en"
    assert not fresh_cache.exists()


def test_the_mapped_model_answers_as_py3langid_does(corpus, fresh_cache):
    """Read without numpy, the cached model gives py3langid's answers: windows of every corpus page (40
    languages and scripts among them) and sentences too short to tell much."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    assert language._model_file() == MODEL_DIR / MODEL_FILE
    language.detect("warm the cache")
    mapped, full = language._identifier(), language._bundled()
    assert isinstance(mapped, language.MappedModel)
    texts = [text[start:start + size] for _, _, text in corpus for size in (40, 800)
             for start in range(0, min(len(text), 12_000), 1_500)]
    texts += ["OK", "12345", "ÇA VA BIEN", "", "«»", "東京", "ひらがな", "Привет, мир", "مرحبا بالعالم"]
    assert len(texts) > 100
    for text in texts:
        mine, theirs = mapped.classify_here(text), full.classify(text)
        assert mine[0] == theirs[0], text
        assert mine[1] == pytest.approx(theirs[1], abs=1e-4), text
    # past its first few texts, a process classifies with numpy over the same mapped arrays: the same answers
    answers = [mapped.classify(text) for text in texts]
    assert mapped._vectorised is not None
    assert [code for code, _ in answers] == [full.classify(text)[0] for text in texts]
