"""Fonts on a fresh machine: bundled faces set Arabic, Hebrew, Hindi and emoji; what no font has fails the PDF.

Every PDF here is made in a subprocess whose fontconfig sees no system font at all (``FONTCONFIG_FILE``
pointing at an empty folder), as on a slim container: WeasyPrint can crash outright in a process with no
font, and the environment variable must be set before fontconfig starts. Whether a PDF draws a box is read
from the PDF itself: every glyph each content stream shows is mapped through its font's encoding to a
glyph id, and glyph 0 is ``.notdef``, the box.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import DATA, ROOT

SCRIPTS = DATA / "scripts"
EXPORTER = [sys.executable, "-m", "exporter"]


@pytest.fixture(scope="module")
def no_fonts(tmp_path_factory) -> dict[str, str]:
    """The environment of a machine whose fontconfig knows no font (an empty font folder, its own cache)."""
    folder = tmp_path_factory.mktemp("no-fonts")
    (folder / "fonts").mkdir()
    conf = folder / "fonts.conf"
    conf.write_text(f"<fontconfig><dir>{folder / 'fonts'}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>")
    return {**os.environ, "PYTHONPATH": str(ROOT), "FONTCONFIG_FILE": str(conf)}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*EXPORTER, *args], capture_output=True, text=True, timeout=300, env=env)


def shown_glyphs(path: Path) -> dict[str, list[int]]:
    """Glyph ids each font of the PDF shows, by font name, decoded through the font's encoding.

    WeasyPrint's fonts are Type0 with ``CIDToGIDMap /Identity``: a two-byte code goes through the
    ``/Encoding`` (``Identity-H``, or a CMap stream of ``<code> cid`` lines) to the glyph id.
    """
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    reader = PdfReader(str(path))
    shown: dict[str, list[int]] = {}
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        current = None
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = fonts[operands[0]].get_object()
            elif operator in (b"Tj", b"TJ"):
                strings = operands[0] if operator == b"TJ" else [operands[0]]
                encoding = _encoding(current)
                name = str(current["/BaseFont"])
                for string in strings:
                    if isinstance(string, (bytes, str)) and not isinstance(string, (int, float)):
                        data = string if isinstance(string, bytes) else string.get_original_bytes()
                        codes = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]
                        shown.setdefault(name, []).extend(encoding.get(c, c) for c in codes)
    return shown


def _encoding(font) -> dict[int, int]:
    """Code → glyph id of a Type0 font: through the ``/Encoding`` (``Identity-H``, or a CMap stream's ``cidchar``
    lines) and the ``CIDToGIDMap`` (``/Identity``, or a stream of two-byte glyph ids, as the PDF writer's text
    layer step makes it for a font with missing glyphs); empty when both are the identity."""
    assert font["/Subtype"] == "/Type0", font
    encoding = font["/Encoding"]
    codes: dict[int, int] = {}
    if encoding != "/Identity-H":
        cmap = encoding.get_object().get_data().decode("latin-1")
        codes = {int(code, 16): int(cid) for code, cid in re.findall(r"<([0-9a-fA-F]{4})>\s+(\d+)", cmap)}
    gids = font["/DescendantFonts"][0].get_object().get("/CIDToGIDMap")
    if gids is None or gids == "/Identity":
        return codes
    data = gids.get_object().get_data()
    table = {cid: int.from_bytes(data[2 * cid:2 * cid + 2], "big") for cid in range(len(data) // 2)}
    return {code: table.get(codes.get(code, code), codes.get(code, code)) for code in set(codes) | set(table)}


def boxes(path: Path) -> int:
    return sum(glyphs.count(0) for glyphs in shown_glyphs(path).values())


def text_by_font(path: Path) -> dict[str, str]:
    """The text each font of the PDF draws (through its ToUnicode map), by font name without the subset tag."""
    from pypdf import PdfReader

    drawn: dict[str, list[str]] = {}

    def visit(text, cm, tm, font, size):
        if font is not None and text:
            drawn.setdefault(str(font["/BaseFont"]).split("+")[-1], []).append(text)

    for page in PdfReader(str(path)).pages:
        page.extract_text(visitor_text=visit)
    return {font: "".join(texts) for font, texts in drawn.items()}


#: article → the face that must draw its script, and the script's characters
SCRIPT_CASES = [
    ("arabic", "Noto-Naskh-Arabic", "[\u0600-\u06ff]"),
    ("hebrew", "Noto-Serif-Hebrew", "[\u0590-\u05ff]"),
    ("hindi", "Noto-Serif-Devanagari", "[\u0900-\u097f]"),
    ("greek", "Noto-Serif", "[\u0370-\u03ff\u1f00-\u1fff]"),  # not half in Charis SIL, which has a few
    ("emoji", "Noto-Emoji", "[\U0001f300-\U0001faff]"),
]


@pytest.mark.parametrize("name, face, script", SCRIPT_CASES)
def test_a_machine_without_fonts_sets_these_scripts_in_the_bundled_faces_without_a_box(no_fonts, tmp_path,
                                                                                        name, face, script):
    done = run(no_fonts, "export", str(SCRIPTS / f"{name}.html"), "-f", "pdf", "--title", name, "-o", str(tmp_path))
    assert done.returncode == 0 and done.stderr == "", done.stderr
    pdf = tmp_path / f"{name}.pdf"
    shown = shown_glyphs(pdf)
    assert {font: glyphs.count(0) for font, glyphs in shown.items() if 0 in glyphs} == {}
    drawn = {font: re.findall(script, text) for font, text in text_by_font(pdf).items()}
    assert sum(map(len, drawn.values())) >= 8, drawn
    assert {font for font, found in drawn.items() if found} <= {face, face + "-Bold", face + "-Italic"}, drawn
    bold = [font for font in shown if font.endswith(face + "-Bold")]
    assert bold or name == "emoji", f"the headings and <strong> of {name} are not in the bold face: {sorted(shown)}"


def test_stars_check_marks_and_circled_numbers_are_in_the_bundled_symbol_faces(no_fonts, tmp_path):
    done = run(no_fonts, "export", str(SCRIPTS / "emoji.html"), "-f", "pdf", "--title", "s", "-o", str(tmp_path))
    assert done.returncode == 0 and done.stderr == "", done.stderr
    drawn = text_by_font(tmp_path / "s.pdf")
    assert "★★★☆☆" in drawn["Noto-Sans-Symbols2"] and "①" in drawn["Noto-Sans-Symbols"]


def test_the_emoji_are_in_the_text_layer(no_fonts, tmp_path):
    done = run(no_fonts, "export", str(SCRIPTS / "emoji.html"), "-f", "pdf", "--title", "e", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    from helpers import pdf_text

    assert pdf_text(tmp_path / "e.pdf").count("🌟") == 3


def test_a_chinese_article_fails_its_pdf_with_one_line_and_status_6_and_writes_nothing(no_fonts, tmp_path):
    done = run(no_fonts, "export", str(SCRIPTS / "chinese.html"), "-f", "pdf", "--title", "zh", "-o", str(tmp_path))
    assert done.returncode == 6
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert re.fullmatch(r"exporter: error: PDF of 'zh': \d+ character\(s\) have no font and print as boxes "
                        r"\(U\+57CE U\+5E02 .*\); install fonts that cover them \(e\.g\. Debian's fonts-noto-cjk\), "
                        r"or accept the boxes with --missing-glyphs warn", lines[0]), lines[0]
    assert list(tmp_path.iterdir()) == []  # no PDF, and no temporary file left behind


def test_missing_glyphs_warn_writes_the_pdf_with_its_boxes_and_says_so(no_fonts, tmp_path):
    done = run(no_fonts, "export", str(SCRIPTS / "chinese.html"), "-f", "pdf", "--title", "zh", "-o", str(tmp_path),
               "--missing-glyphs", "warn")
    assert done.returncode == 0
    assert "have no font and print as boxes" in done.stderr and "--missing-glyphs" not in done.stderr
    assert boxes(tmp_path / "zh.pdf") > 40  # the check above can see boxes: here every Han character is one


def test_in_a_batch_the_chinese_record_fails_with_the_reason_and_the_others_are_written(no_fonts, tmp_path):
    records = tmp_path / "d.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for name in ("hebrew", "chinese"):
            out.write(json.dumps({"title": name, "html": (SCRIPTS / f"{name}.html").read_text()}) + "\n")
    report = tmp_path / "report.json"
    done = run(no_fonts, "export", str(records), "-f", "pdf", "-o", str(tmp_path / "out"), "-j", "1",
               "--report", str(report))
    assert done.returncode == 7, done.stderr
    (failure,) = json.loads(report.read_text())["failures"]
    assert failure["input"] == "d.jsonl:2" and failure["status"] == 6
    assert "have no font and print as boxes" in failure["reason"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == ["hebrew.pdf"]


def test_the_api_takes_the_same_option(tmp_path):
    import exporter
    from exporter.errors import UsageError

    with pytest.raises(UsageError, match="--missing-glyphs"):
        exporter.export([SCRIPTS / "hebrew.html"], formats="pdf", out=tmp_path, missing_glyphs="ignore")


def test_fonts_lists_each_script_with_the_bundled_face_or_none_on_a_machine_without_fonts(no_fonts):
    done = run(no_fonts, "fonts")
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines()[1:]}
    for script, family in (("Latin", "Charis SIL"), ("Arabic", "Noto Naskh Arabic"), ("Hebrew", "Noto Serif Hebrew"),
                           ("Devanagari", "Noto Serif Devanagari"), ("Emoji", "Noto Emoji")):
        assert family in lines[script] and "bundled" in lines[script], lines[script]
    for script in ("Han", "Kana", "Hangul"):
        assert "none: prints as boxes" in lines[script], lines[script]


def test_fonts_names_the_system_face_where_the_theme_has_none(tmp_path):
    from helpers import require

    require("script-fonts")
    import shutil

    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list not found on this machine: apt-get install fontconfig")
    done = run({**os.environ, "PYTHONPATH": str(ROOT)}, "fonts")
    han = next(line for line in done.stdout.splitlines() if line.split()[0] == "Han")
    assert "system" in han and "CJK" in han and ".ttc#" in han, han  # Debian's CJK faces are in collections


def _ink(title: str, language: str) -> bytes:
    """Where the generated cover of ``title`` has light type on its dark field, as a bitmap."""
    import io

    from PIL import Image

    from exporter import themes
    from exporter.cover import generate
    from exporter.document import Metadata

    with Image.open(io.BytesIO(generate(Metadata(title=title, language=language), themes.load("default")))) as image:
        return image.convert("L").point(lambda v: 255 if v > 128 else 0).tobytes()


def test_the_cover_draws_a_chinese_title_from_a_ttc_collection():
    """Boxes all look alike: a title and the same characters in another order draw the same bitmap in boxes.

    Debian installs Noto CJK as .ttc collections only; the cover looked at .ttf and .otf alone.
    """
    from helpers import require

    require("script-fonts")
    from exporter import cover, themes

    path, index = cover._font(themes.load("default"), "城市图书馆延长开放时间", "zh", weight=700)
    assert path.suffix == ".ttc" and index == 2, (path, index)  # the Simplified Chinese face of the collection
    assert _ink("城市图书馆延长开放时间", "zh") != _ink("间时放开长延馆书图市城", "zh")


def test_the_cover_draws_an_arabic_title_in_the_bundled_face_without_system_fonts(no_fonts):
    code = ("from exporter import cover, themes; "
            "print(cover._font(themes.load('default'), 'مقالة عربية', 'ar', weight=700)[0].name)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=no_fonts)
    assert done.stdout.strip() == "NotoNaskhArabic-Bold.ttf", done.stderr


def test_a_pdf_that_fails_lets_the_other_formats_be_written_and_the_status_is_still_6(no_fonts, tmp_path):
    """One edition its writer cannot make does not sink the others: the EPUB and the text edition are there."""
    done = run(no_fonts, "export", str(SCRIPTS / "chinese.html"), "-f", "epub,pdf,txt", "--title", "zh",
               "-o", str(tmp_path))
    assert done.returncode == 6, done.stderr
    assert "have no font and print as boxes" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zh.epub", "zh.txt"]
    assert "城市" in (tmp_path / "zh.txt").read_text(encoding="utf-8")


def test_an_icon_of_the_pages_own_font_is_dropped_not_printed_as_a_box(no_fonts, tmp_path):
    """Private-use characters (Font Awesome's U+F099 and the like) mean nothing without the page's font."""
    page = tmp_path / "icons.html"
    page.write_text("<title>Icons</title><p>The river <i class='fa'>\uf099</i> rose by a metre \uf09a overnight.</p>",
                    encoding="utf-8")
    done = run(no_fonts, "export", str(page), "-f", "pdf,txt", "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert boxes(tmp_path / "out" / "icons.pdf") == 0
    assert "The river rose by a metre overnight." in (tmp_path / "out" / "icons.txt").read_text(encoding="utf-8")
