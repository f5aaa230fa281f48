"""Footnotes and endnotes in article markup become tree notes (exporter/normalise/notes.py)."""
from __future__ import annotations

from exporter.normalise import normalise
from exporter.tree import INLINE_CONTAINERS, text_of
from helpers import CORPUS, reference_words, recall, words


def _doc(body: str):
    doc = normalise(f"<html lang='en'><body><article>{body}</article></body></html>", title="Notes test")
    assert doc.validation_errors() == []
    return doc


def _notes(doc):
    return doc.tree.findall("aside")


def _refs(doc):
    return [a for a in doc.tree.iter("a") if a.get("role") == "doc-noteref"]


PANDOC = """
<p>Ships carry cargo.<sup><a href="#fn1" id="fnref1" class="footnote-ref">1</a></sup> Planes carry people.<sup><a
href="#fn2" id="fnref2">2</a></sup></p>
<p>More text follows the claims here.</p>
<section class="footnotes" role="doc-endnotes"><hr/><ol>
<li id="fn1"><p>Mostly containers. <a href="#fnref1" class="footnote-back">↩︎</a></p></li>
<li id="fn2"><p>And some freight.</p><p>Second paragraph of the note. <a href="#fnref2">↩︎</a></p></li>
</ol></section>
"""


def test_pandoc_footnotes_become_notes_in_reference_order():
    doc = _doc(PANDOC)
    notes, refs = _notes(doc), _refs(doc)
    assert [n.get("id") for n in notes] == ["fn1", "fn2"]
    assert all(n.get("role") == "doc-footnote" for n in notes)
    assert [r.get("href") for r in refs] == ["#fn1", "#fn2"]
    assert [r.get("id") for r in refs] == ["fnref1", "fnref2"]
    # notes come after every block, the emptied list is gone, both paragraphs of note 2 stay in it
    assert list(doc.tree)[-2:] == notes
    assert doc.tree.find(".//ol") is None
    assert [p.text.strip() for p in notes[1].findall("p")][1].startswith("Second paragraph")
    # the bare back-links went, every word stayed
    assert "↩" not in doc.text
    for word in ("containers", "freight", "Second", "paragraph"):
        assert word in doc.text


def test_wikipedia_references_become_notes_and_sup_ids_move_to_the_links():
    doc = _doc("""<p>Mozilla is a community.<sup id="cite_ref-1" class="reference"><a href="#cite_note-1">[1]</a></sup>
    It was founded in 1998.<sup id="cite_ref-g_2-0" class="reference"><a href="#cite_note-g-2">[2]</a></sup>
    Again.<sup id="cite_ref-g_2-1" class="reference"><a href="#cite_note-g-2">[2]</a></sup></p>
    <h2>References</h2>
    <div class="reflist"><ol class="references">
    <li id="cite_note-1"><span class="mw-cite-backlink"><b><a href="#cite_ref-1">^</a></b></span>
      <span class="reference-text">About the Mozilla Corporation.</span></li>
    <li id="cite_note-g-2"><span class="mw-cite-backlink">^ <a href="#cite_ref-g_2-0"><sup><i><b>a</b></i></sup></a>
      <a href="#cite_ref-g_2-1"><sup><i><b>b</b></i></sup></a></span> <span class="reference-text">Payment, S.
      (2007).</span></li></ol></div>""")
    notes, refs = _notes(doc), _refs(doc)
    assert [n.get("id") for n in notes] == ["cite_note-1", "cite_note-g-2"]
    assert [r.get("id") for r in refs] == ["cite_ref-1", "cite_ref-g_2-0", "cite_ref-g_2-1"]
    assert notes[0].findtext("p").strip() == "About the Mozilla Corporation."
    # lettered back-links carry words (a, b): they stay, and still land on their references
    assert [a.get("href") for a in notes[1].iter("a")] == ["#cite_ref-g_2-0", "#cite_ref-g_2-1"]
    assert doc.tree.find("h2").text == "References"


def test_aside_endnotes_with_several_paragraphs():
    doc = _doc("""<p>A claim<a href="#n1" role="doc-noteref">*</a> and another<a href="#n2">†</a>.</p>
    <p>Body text continues.</p>
    <aside id="n1" role="doc-endnote"><p>Star note first paragraph.</p><p>Star note second paragraph.</p></aside>
    <aside id="n2" role="doc-endnote"><p>Dagger note.</p></aside>""")
    notes = _notes(doc)
    assert [n.get("id") for n in notes] == ["n1", "n2"]
    assert len(notes[0].findall("p")) == 2
    assert notes[1].findtext("p") == "Dagger note."
    assert doc.tree.findall("p")[-1].text == "Body text continues."


def test_links_that_are_not_notes_are_left_alone():
    doc = _doc("""<h2 id="intro">Introduction</h2><p>See <a href="#intro">1</a> and the
    <a href="#later">later list</a>, or item <a href="#item">a</a>.</p>
    <ol><li id="later">First item of a real list.</li><li id="item">Second item.</li></ol>""")
    assert _notes(doc) == [] and _refs(doc) == []
    assert len(doc.tree.find("ol")) == 2


def test_a_note_referenced_before_and_after_keeps_one_aside_and_ids_stay_unique():
    doc = _doc("""<p>One<sup><a href="#fn1">1</a></sup> and again<sup><a href="#fn1">1</a></sup>.</p>
    <ol class="footnotes"><li id="fn1">Shared note.</li></ol>""")
    assert [n.get("id") for n in _notes(doc)] == ["fn1"]
    ids = [r.get("id") for r in _refs(doc)]
    assert len(ids) == 2 and len(set(ids)) == 2


def test_wikipedia_corpus_page_keeps_every_word_and_validates():
    page = CORPUS / "wikipedia" / "expected.html"
    doc = normalise(page.read_bytes(), title="Mozilla")
    assert doc.validation_errors() == []
    assert len(_notes(doc)) >= 30
    blocks = " ".join(text_of(el) for el in doc.tree.iter(*INLINE_CONTAINERS, "li", "td", "th"))
    assert recall(reference_words(page), words(blocks)) >= 0.99


def test_an_aside_note_in_mid_text_keeps_all_its_paragraphs_and_the_text_after_stays_text():
    doc = _doc("""<p>A claim.<sup><a href="#n1">1</a></sup></p>
    <aside id="n1"><p>Note paragraph one.</p><p>Note paragraph two.</p></aside>
    <p>Body text after the note.</p>""")
    [note] = _notes(doc)
    assert [p.text for p in note.findall("p")] == ["Note paragraph one.", "Note paragraph two."]
    assert [p.text for p in doc.tree.findall("p")][-1] == "Body text after the note."


def test_paragraph_endnotes_keep_their_numbered_backlink():
    doc = _doc("""<p>Claim<a href="#e1" id="r1">[1]</a>.</p><p>Other text here.</p>
    <p id="e1"><a href="#r1">1.</a> The endnote text.</p>""")
    [note] = _notes(doc)
    first = note.find("p")
    assert first[0].tag == "a" and first[0].get("href") == "#r1" and first[0].text == "1."
    assert "The endnote text." in "".join(note.itertext())


def test_a_section_that_a_number_links_to_is_not_made_a_note():
    doc = _doc("""<p>Jump to part <a href="#s1">1</a>.</p>
    <section id="s1"><h2>Part one</h2><p>The first part of the article.</p></section>""")
    assert _notes(doc) == []
    assert doc.tree.find("h2").text == "Part one"


def test_hostile_note_shapes_validate():
    doc = _doc("""<p>Self<a href="#self" id="self">1</a> and loop<sup><a href="#n1" id="r1">2</a></sup>.</p>
    <ol><li id="n1">Note pointing back <a href="#r1">3</a> and to itself <a href="#n1">4</a>.</li></ol>
    <p>Dangling<sup><a href="#nowhere">5</a></sup>.</p>""")
    assert [n.get("id") for n in _notes(doc)] == ["n1"]
