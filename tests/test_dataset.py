"""Datasets: JSON Lines and CSV records, field mapping, one edition per record or books by group, streaming."""
from __future__ import annotations

import csv
import json
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

import exporter
from exporter.batch.datasets import Record, field_mapping, map_fields, read_records, record_metadata
from exporter.cli import cli
from exporter.errors import BatchError

DATA = Path(__file__).parent / "data" / "batch"
RECORDS = DATA / "records.jsonl"


def export_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["export", *args])
    return result.exit_code, result.output


def test_jsonl_with_a_broken_record_exports_the_others_and_reports_it(tmp_path):
    out, report = tmp_path / "out", tmp_path / "report.json"
    code, output = export_cli(str(RECORDS), "-f", "epub,txt", "-o", str(out), "-j", "2", "--report", str(report))
    assert code == 7, output  # BatchError: some records failed
    assert "records.jsonl:3" in output and "3 exported, 0 skipped, 1 failed" in output
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    # two records share the title "Harbour lights return": distinct files, named in dataset order
    assert names == ["an-independent-councillor-would-give-up-her-seat.epub",
                     "an-independent-councillor-would-give-up-her-seat.txt",
                     "harbour-lights-return-4.epub", "harbour-lights-return-4.txt",
                     "harbour-lights-return.epub", "harbour-lights-return.txt"]
    data = json.loads(report.read_text())
    assert (data["exported"], data["skipped"], data["failed"]) == (3, 0, 1)
    assert data["failures"][0]["input"] == "records.jsonl:3" and "not valid JSON" in data["failures"][0]["reason"]
    assert data["files_written"] == 6
    printed = [line for line in output.splitlines() if line.endswith((".epub", ".txt"))]
    assert sorted(Path(line).name for line in printed) == names  # each file printed as it was written
    text = (out / "harbour-lights-return-4.txt").read_text()
    assert "Grace Hopper" in text and "2024-07-09" in text and "https://news.example.org/b" in text


def test_api_raises_batch_error_naming_the_broken_record_after_exporting_the_rest(tmp_path):
    with pytest.raises(BatchError, match=r"1 of 4 inputs failed: records\.jsonl:3: not valid JSON"):
        exporter.export([RECORDS], formats="txt", out=tmp_path, jobs=1)
    assert len(list(tmp_path.glob("*.txt"))) == 3


def test_csv_with_a_field_mapping(tmp_path):
    path = tmp_path / "feed.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["hed", "writer", "when", "permalink", "story"])
        w.writerow(["Tide tables", "Mary Anning", "2024-05-01", "https://example.org/tides",
                    "<p>High water, with a comma, and\na newline inside the cell.</p>"])
        w.writerow(["Lighthouse keepers", "Ida Lewis", "2024-05-02", "https://example.org/keepers",
                    "<p>The last keeper retired in May.</p>"])
    written = exporter.export([path], formats="txt", out=tmp_path / "out", jobs=2,
                              map=["title=hed", "author=writer", "date=when", "html=story"])
    assert sorted(p.name for p in written) == ["lighthouse-keepers.txt", "tide-tables.txt"]
    text = (tmp_path / "out" / "tide-tables.txt").read_text()
    for fact in ("Tide tables", "Mary Anning", "2024-05-01", "https://example.org/tides", "a newline inside the cell"):
        assert fact in text, fact


def test_default_field_names():
    mapping = field_mapping()
    found = map_fields({"Headline": "H", "byline": "B", "link": "L", "content": "<p>x</p>", "published": "2024"},
                       mapping)
    assert found == {"title": "H", "author": "B", "url": "L", "html": "<p>x</p>", "date": "2024"}
    assert map_fields({"title": "T", "text": "t"}, mapping) == {"title": "T", "html": "t"}
    assert field_mapping(["headline=hed"])["title"] == ("hed",)  # the aliases work on the left side too
    record = Record(1, "d.jsonl:1", {"author": "By Jane Doe and Alexandra Sandberg", "date": "2024-07-11T09:30:00Z",
                                     "url": "https://example.org/x", "html": "<p>x</p>"})
    assert record_metadata(record) == {"authors": ["Jane Doe", "Alexandra Sandberg"], "date": "2024-07-11T09:30:00Z",
                                       "source_url": "https://example.org/x"}


@pytest.mark.parametrize("args, message", [
    (["--map", "title"], "is not FIELD=COLUMN"),
    (["--map", "colour=hue"], "unknown field 'colour'"),
    (["--each", "--group-by", "date"], "contradict"),
])
def test_bad_dataset_options_are_one_clear_usage_error(tmp_path, args, message):
    code, output = export_cli(str(RECORDS), "-f", "txt", "-o", str(tmp_path), *args)
    assert code == 2 and message in output and "Traceback" not in output


def test_a_record_without_markup_or_with_a_bad_date_fails_alone(tmp_path):
    path = tmp_path / "d.jsonl"
    rows = [{"title": "Good", "html": "<p>Fine words.</p>"}, {"title": "No body"},
            {"title": "Bad date", "date": "last Tuesday", "html": "<p>x</p>"}, ["not", "an", "object"]]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    report = tmp_path / "r.json"
    code, output = export_cli(str(path), "-f", "txt", "-o", str(tmp_path / "out"), "--report", str(report))
    assert code == 7
    failures = {f["input"]: f["reason"] for f in json.loads(report.read_text())["failures"]}
    assert set(failures) == {"d.jsonl:2", "d.jsonl:3", "d.jsonl:4"}
    assert "no markup field" in failures["d.jsonl:2"] and "is not a date" in failures["d.jsonl:3"]
    assert "must be an object" in failures["d.jsonl:4"]
    assert [p.name for p in (tmp_path / "out").glob("*.txt")] == ["good.txt"]


def test_an_empty_dataset_and_a_cp1252_csv(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    code, output = export_cli(str(empty), "-f", "txt", "-o", str(tmp_path / "out"))
    assert code == 7 and "empty.jsonl: the dataset holds no records" in output
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes('title,body\r\nCaf\u00e9 cr\u00e8me,"<p>Na\u00efve fa\u00e7ade, \u00a3 5 \u2013 d\u00e9j\u00e0 vu.</p>"\r\n'
                       .encode("cp1252"))
    written = exporter.export([legacy], formats="txt", out=tmp_path / "out")
    text = written[0].read_text()
    assert "Café crème" in text and "Naïve façade, £ 5 – déjà vu." in text  # nothing lost to a wrong encoding


def test_group_by_section_makes_a_book_per_section(tmp_path):
    code, output = export_cli(str(RECORDS), "-f", "txt", "-o", str(tmp_path), "--group-by", "section",
                              "--title", "Digest")
    assert code == 7  # the broken record is still reported
    books = sorted(p.name for p in tmp_path.glob("*.txt"))
    assert books == ["digest-island.txt", "digest-uk.txt"]
    island = (tmp_path / "digest-island.txt").read_text()
    assert "Ada Lovelace" in island and "Grace Hopper" in island and "Contents" in island


def test_group_by_date_orders_books_by_day(tmp_path):
    with pytest.raises(BatchError):
        exporter.export([RECORDS], formats="txt", out=tmp_path, group_by="date")
    assert sorted(p.stem for p in tmp_path.glob("*.txt")) == ["2024-07-08", "2024-07-09", "2024-07-11"]


def test_records_stream_in_flat_memory(tmp_path):
    """Reading a 20 MB dataset holds one record at a time: traced memory stays far below the file's size."""
    path = tmp_path / "big.jsonl"
    body = "<p>" + "word " * 2000 + "</p>"
    with open(path, "w") as fh:
        for n in range(2000):
            fh.write(json.dumps({"title": f"Record {n}", "html": body}) + "\n")
    assert path.stat().st_size > 20_000_000
    tracemalloc.start()
    count = sum(1 for _ in read_records(path, field_mapping()))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 2000
    assert peak < 1_000_000, f"reading the dataset peaked at {peak / 1e6:.1f} MB"
