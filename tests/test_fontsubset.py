"""Font subsetting with HarfBuzz: reproducible bytes, the glyphs asked for, layout features and licence kept."""
from __future__ import annotations

import io

import pytest
from fontTools.ttLib import TTFont

from exporter import themes
from exporter.fontfinder import covers
from exporter.fontsubset import DROP_TABLES, _subset, subset_font


@pytest.fixture(scope="module")
def charis():
    return next(f.path for f in themes.load("default").faces if "Charis" in f.path.name)


def features(font: TTFont, table: str) -> set[str]:
    return {record.FeatureTag for record in font[table].table.FeatureList.FeatureRecord}


def test_same_input_same_bytes(charis):
    data = charis.read_bytes()
    extra = frozenset("ŋ北")
    assert _subset.__wrapped__(data, extra) == _subset.__wrapped__(data, extra)  # not the per-process cache


def test_subset_keeps_features_licence_and_no_graphite(charis):
    source = TTFont(charis)
    subset = TTFont(io.BytesIO(subset_font(charis, "Ünïcödé ŋ")))
    assert not set(DROP_TABLES) & set(subset.keys())
    # the typographic features readers use stay (features of dropped glyphs only go with them)
    assert {"liga", "smcp", "c2sc"} <= features(subset, "GSUB") <= features(source, "GSUB")
    assert "mark" in features(subset, "GPOS")
    for name_id in (0, 13, 14):  # copyright and the OFL's licence strings travel with the font
        assert subset["name"].getDebugName(name_id) == source["name"].getDebugName(name_id)
    cmap = subset.getBestCmap()
    assert all(ord(c) in cmap for c in "Ünïcödé ŋ") and ord("ж") not in cmap
    assert len(subset.getGlyphOrder()) < len(source.getGlyphOrder()) / 4


def test_not_a_font_is_a_value_error_and_covers_nothing(tmp_path):
    with pytest.raises(ValueError, match="not a usable font"):
        subset_font(b"these bytes are not a font", "abc")
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"\0" * 64)
    assert covers(junk, "a") is False


def test_covers_reads_the_character_map(charis):
    assert covers(charis, "Ärger ŋ — “quoted”")
    assert not covers(charis, "北京")
