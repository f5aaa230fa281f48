"""Feeds to one edition: RSS (content:encoded), Atom (summaries only), JSON Feed and OPML lists, made here.

Linked pages and one feed are served by a real HTTP server on 127.0.0.1 (allowed explicitly with
``allow_private``); every other address is refused by the loopback guard.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

import exporter
from exporter.errors import BatchError, InputError, ResourceDenied, UsageError
from exporter.feeds.kinds import feed_kind
from exporter.feeds.options import since_cutoff
from exporter.feeds.parse import parse_feed, parse_json_feed
from feedsite import FERRY, HOURS, LIGHTS, NOW, atom, make_feeds, page, rss, rss_item
from helpers import ROOT, epubcheck
from localsite import loopback_only, site  # noqa: F401 - fixtures

TODAY = dt.date.today().isoformat()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "exporter", *args], capture_output=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def text_words(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8").split())


# --- the edition ------------------------------------------------------------------------------------
def test_opml_of_three_feeds_is_one_edition_with_a_part_per_feed(site, tmp_path: Path) -> None:
    opml = make_feeds(tmp_path / "feeds", site)
    written = exporter.export([opml], "epub,pdf,txt", tmp_path / "out", allow_private=True)
    stem = f"morning-edition-{TODAY}"
    assert sorted(p.name for p in written) == [f"{stem}.epub", f"{stem}.pdf", f"{stem}.txt"]
    files = {p.suffix: p for p in written}
    text = text_words(files[".txt"])
    # one part per feed, in the list's order; the entries of each in the feed's order
    parts = [text.index(f"{name} ####") for name in ("Harbour News", "Market Days", "Hill Walks")]
    assert parts == sorted(parts)
    order = [text.index(t) for t in ("Lights return to the pier ===", "Ferry timetable changes ===",
                                     "Apple harvest arrives ===", "Frost on the ridge ===", "Fog in the valley ===")]
    assert order == sorted(order)
    assert "Lights (shared)" not in text, "the same link in two feeds is one entry"
    # author, date and source link of each entry; the full content, or the linked page's article
    assert "John Roe" in text and "https://harbour.example/ferry" in text
    assert (NOW - 30 * HOURS).date().isoformat() in text
    assert "nine dark winters" in text and "Frost covered the ridge path at dawn today" in text
    assert "Walkers found frost." not in text  # the page was fetched: its article, not the summary
    assert site.url("/hills/frost.html") in text
    # title and date of the edition, on its title page (and the cover: subtitle)
    assert text.startswith(f"=============== Morning edition =============== {TODAY}")
    # the EPUB: a nav entry per part with its articles under it; epubcheck clean
    with zipfile.ZipFile(files[".epub"]) as z:
        nav = next(z.read(n).decode() for n in z.namelist() if n.endswith("nav.xhtml"))
    for name in ("Harbour News", "Market Days", "Hill Walks", "Apple harvest arrives"):
        assert name in nav
    result = epubcheck(files[".epub"])
    assert (result["errors"], result["warnings"]) == (0, 0), result["messages"]
    pdf = " ".join(page.extract_text() for page in PdfReader(str(files[".pdf"])).pages)
    for phrase in ("Harbour News", "Hill Walks", "Market Days", "nine dark winters", "Fog filled the valley"):
        assert phrase in " ".join(pdf.split())


def test_second_run_with_state_holds_only_new_entries(site, tmp_path: Path) -> None:
    opml = make_feeds(tmp_path / "feeds", site)
    state = tmp_path / "delivered.json"
    first = exporter.export([opml], "txt", tmp_path / "day1", allow_private=True, state=str(state))
    assert "Frost on the ridge" in first[0].read_text()
    saved = json.loads(state.read_text())
    assert "link://harbour.example/lights" in saved["delivered"]
    # overnight: one new harbour story
    harbour = tmp_path / "feeds" / "harbour.xml"
    harbour.write_text(rss("Harbour News", [
        rss_item("Storm closes the quay", "https://harbour.example/storm", NOW, "<p>A storm closed the quay.</p>"),
        rss_item("Lights return to the pier", "https://harbour.example/lights", NOW - 2 * HOURS, LIGHTS),
        rss_item("Ferry timetable changes", "https://harbour.example/ferry", NOW - 30 * HOURS, FERRY),
    ]))
    second = exporter.export([opml], "txt", tmp_path / "day2", allow_private=True, state=str(state))
    text = text_words(second[0])
    assert "Storm closes the quay" in text
    for old in ("Lights return to the pier", "Ferry timetable changes", "Apple harvest arrives", "Frost on the ridge"):
        assert old not in text
    assert "Market Days" not in text, "a feed with nothing new has no part"
    # a third run: nothing new, nothing written, and that is no failure
    done = cli("export", str(opml), "-f", "txt", "-o", str(tmp_path / "day3"), "--allow-private",
               "--state", str(state))
    assert done.returncode == 0 and b"no new entries" in done.stderr
    assert not (tmp_path / "day3").exists() or list((tmp_path / "day3").iterdir()) == []


def test_state_is_written_atomically_and_a_foreign_file_is_not_overwritten(site, tmp_path: Path) -> None:
    opml = make_feeds(tmp_path / "feeds", site)
    notes = tmp_path / "notes.json"
    notes.write_text('{"my": "shopping list"}')
    with pytest.raises(InputError, match="not a feed state file"):
        exporter.export([opml], "txt", tmp_path / "out", allow_private=True, state=str(notes))
    assert notes.read_text() == '{"my": "shopping list"}'
    state = tmp_path / "state.json"
    exporter.export([opml], "txt", tmp_path / "out", allow_private=True, state=str(state))
    assert json.loads(state.read_text())["format"] == "exporter feed state 1"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_since_max_per_feed_and_newest_first(site, tmp_path: Path) -> None:
    opml = make_feeds(tmp_path / "feeds", site)
    text = text_words(exporter.export([opml], "txt", tmp_path / "a", allow_private=True, since="24h")[0])
    assert "Ferry timetable changes" not in text and "Lights return to the pier" in text
    text = text_words(exporter.export([opml], "txt", tmp_path / "b", allow_private=True, max_per_feed=1,
                                      feed_order="newest")[0])
    assert "Fog in the valley" not in text and "Frost on the ridge" in text  # the newest of Hill Walks
    assert "Ferry timetable changes" not in text
    with pytest.raises(UsageError, match="--since"):
        exporter.export([opml], "txt", tmp_path / "c", since="yesterday-ish")
    assert since_cutoff("2026-11-27") == dt.datetime(2026, 11, 27)
    assert since_cutoff("24h", dt.datetime(2026, 11, 28, 6)) == dt.datetime(2026, 11, 27, 6)


def test_offline_uses_the_summary_and_says_so(site, tmp_path: Path) -> None:
    opml = make_feeds(tmp_path / "feeds", site)
    done = cli("export", str(opml), "-f", "txt", "-o", str(tmp_path / "out"), "--offline", "--report",
               str(tmp_path / "report.json"))
    assert done.returncode == 0, done.stderr
    assert b"2 entries carry only their feed's summary (--offline" in done.stderr
    text = text_words(next((tmp_path / "out").glob("*.txt")))
    assert "Walkers found frost." in text and "Frost covered the ridge" not in text
    assert site.hits == []
    report = json.loads((tmp_path / "report.json").read_text())
    assert any("summary" in note for note in report["notes"])


def test_a_linked_page_that_cannot_be_had_falls_back_to_the_summary(site, tmp_path: Path) -> None:
    feed = tmp_path / "hills.atom"
    feed.write_text(atom("Hill Walks", [("Gone walking", site.url("/gone.html"), NOW, "Only the summary survives."),
                                        ("Frost on the ridge", site.add("/f.html", page("Frost", "Ridge frost.")),
                                         NOW, "Walkers found frost.")]))
    text = text_words(exporter.export([feed], "txt", tmp_path / "out", allow_private=True)[0])
    assert "Only the summary survives." in text and "Ridge frost." in text


def test_a_broken_feed_and_a_broken_entry_are_reported_and_skipped(site, tmp_path: Path) -> None:
    opml = make_feeds(tmp_path / "feeds", site)
    (tmp_path / "feeds" / "cut.xml").write_text("<rss><channel><title>Cut</title><item><title>No end")
    (tmp_path / "feeds" / "broken.xml").write_text("<html><p>Moved: this is a web page now</p>")
    (tmp_path / "feeds" / "empty.xml").write_text(rss("Empty entries", ["<item><title>Nothing here</title></item>"]))
    opml.write_text(opml.read_text().replace(
        "</body>", '<outline text="Broken" xmlUrl="broken.xml"/><outline text="Cut" xmlUrl="cut.xml"/>'
                   '<outline text="Missing" xmlUrl="missing.xml"/>'
                   '<outline text="Empty" xmlUrl="empty.xml"/><outline text="Elsewhere" xmlUrl="/etc/passwd"/>'
                   "</body>"))
    out = tmp_path / "out"
    with pytest.raises(BatchError) as caught:
        exporter.export([opml], "epub,txt", out, allow_private=True)
    message = str(caught.value)
    assert "missing.xml" in message and "no such file" in message
    assert "broken.xml: not a readable RSS, Atom or JSON feed" in message
    assert "cut.xml [entry 1]: no text and no link" in message  # a cut feed is read as far as it goes
    assert "Nothing here" in message and "no text and no link" in message
    assert "/etc/passwd" in message and "outside the input's folder" in message
    text = text_words(next(out.glob("*.txt")))
    assert "nine dark winters" in text and "Frost covered the ridge" in text  # the edition is still made
    done = cli("export", str(opml), "-f", "txt", "-o", str(tmp_path / "cli"), "--allow-private")
    assert done.returncode == 7 and b"Traceback" not in done.stderr
    assert list((tmp_path / "cli").glob("*.txt"))


def test_a_feed_served_over_http_alone_and_in_an_opml(site, tmp_path: Path) -> None:
    feed_url = site.add("/feed.xml", rss("Harbour News", [
        rss_item("Lights return to the pier", "https://harbour.example/lights", NOW, LIGHTS)]),
                        "application/rss+xml; charset=utf-8")
    done = cli("export", feed_url, "-f", "txt", "-o", str(tmp_path / "one"), "--allow-private")
    assert done.returncode == 0, done.stderr
    assert "nine dark winters" in text_words(next((tmp_path / "one").glob(f"harbour-news-{TODAY}.txt")))
    remote_list = site.add("/list.opml", '<opml version="2.0"><head><title>Remote list</title></head><body>'
                                         '<outline text="Harbour" xmlUrl="feed.xml"/>'
                                         '<outline text="Local" xmlUrl="file:///etc/passwd"/></body></opml>',
                           "text/x-opml")
    opml = make_feeds(tmp_path / "feeds", site)
    with pytest.raises(BatchError, match="may only name web addresses"):
        exporter.export([remote_list, opml], "txt", tmp_path / "two", allow_private=True)
    text = text_words(next((tmp_path / "two").glob("*.txt")))
    assert text.count("nine dark winters") == 1  # the served feed and the local one share the story
    refused = cli("export", feed_url, "-f", "txt", "-o", str(tmp_path / "three"))
    assert refused.returncode == 8 and b"--allow-private" in refused.stderr


def test_feed_readers(tmp_path: Path) -> None:
    feed = parse_feed(rss("Harbour", [rss_item("One", "https://h.example/1", NOW, "<p>Full text</p>")]).encode(),
                      "harbour.xml")
    entry = feed.entries[0]
    assert (feed.title, feed.language, entry.title, entry.authors) == ("Harbour", "en", "One", ["Jane Doe"])
    assert entry.content == "<p>Full text</p>" and entry.published == NOW
    plain = parse_json_feed(json.dumps({"version": "https://jsonfeed.org/version/1", "title": "T", "items": [
        {"id": "1", "content_text": "First para.\n\nSecond <para>.", "title": "Plain"}]}).encode(), "t.json")
    assert plain.entries[0].content == "<p>First para.</p><p>Second &lt;para&gt;.</p>"
    assert [feed_kind(b) for b in (b"<?xml version='1.0'?><rss>", b"<feed xmlns='x'>", b"<opml>", b"<html>")] == \
        ["rss", "atom", "opml", None]
    with pytest.raises(InputError, match="not a readable"):
        parse_feed(b"<rss><channel><item>", "broken.xml")


def test_feed_options_without_a_feed_are_a_usage_error(tmp_path: Path) -> None:
    article = tmp_path / "a.html"
    article.write_text("<title>A</title><p>Just an article.</p>")
    with pytest.raises(UsageError, match="--since: for feeds"):
        exporter.export([article], "txt", tmp_path / "one", since="24h")
    with pytest.raises(UsageError, match="--max-per-feed, --state: for feeds"):
        exporter.export([article, article], "txt", tmp_path / "two", state=str(tmp_path / "s.json"), max_per_feed=2)
    assert not (tmp_path / "one").exists() and not (tmp_path / "s.json").exists()


# --- hostile feeds: the feeds are read while the run is planned, outside any article's clock -----------------
def _drip(site):
    """A feed that sends a byte every 0.1 s for 10 s: each fetch ends at --fetch-timeout, never sooner."""
    def respond(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.end_headers()
        for _ in range(100):
            if site.stop.wait(0.1):
                return
            handler.wfile.write(b" ")
            handler.wfile.flush()
    return site.handle("/drip.xml", respond)


def _feed_list(path: Path, urls: list[str]) -> Path:
    path.write_text('<opml version="2.0"><head><title>Many feeds</title></head><body>'
                    + "".join(f'<outline text="Feed {n}" xmlUrl="{u}"/>' for n, u in enumerate(urls)) + "</body></opml>")
    return path


def test_a_list_of_slow_feeds_is_read_within_one_articles_time_limit(site, tmp_path: Path) -> None:
    """30 slow-drip feeds × a 1 s fetch timeout took 30 s to plan, whatever --max-article-seconds said; the
    feeds are the edition's input and share one article's budget: the rest are reported, not read."""
    good = site.add("/feed.xml", rss("Harbour News", [
        rss_item("Lights return to the pier", "https://harbour.example/lights", NOW, LIGHTS)]), "application/rss+xml")
    slow = _drip(site)
    opml = _feed_list(tmp_path / "list.opml", [good] + [f"{slow}?n={n}" for n in range(30)])
    started = time.monotonic()
    with pytest.raises(BatchError) as caught:
        exporter.export([opml], "txt", tmp_path / "out", allow_private=True, fetch_timeout=1, max_article_seconds=3)
    assert time.monotonic() - started < 12
    message = str(caught.value)
    assert "the feeds of one edition took longer than their time limit of 3 s" in message, message
    assert "more feeds it lists were not read" in message and "--max-article-seconds" in message
    assert len([hit for hit in site.hits if hit.startswith("/drip.xml")]) <= 4
    assert "nine dark winters" in text_words(next((tmp_path / "out").glob("*.txt")))  # the edition is still made


def test_the_feeds_of_one_edition_hold_the_input_limit_in_all(site, tmp_path: Path) -> None:
    """Each feed under --max-input-mb, but a list of many: the edition's feeds together are bounded by it."""
    padding = "<!-- " + "x" * 180_000 + " -->"  # ~180 KB a feed, of nothing to export
    urls = [site.add(f"/big{n}.xml", rss(f"Feed {n}", [rss_item(f"Story {n}", f"https://harbour.example/{n}", NOW,
                                                                 LIGHTS)]).replace("<channel>", "<channel>" + padding),
                     "application/rss+xml")
            for n in range(12)]
    opml = _feed_list(tmp_path / "list.opml", urls)
    with pytest.raises(BatchError) as caught:
        exporter.export([opml], "txt", tmp_path / "out", allow_private=True, max_input_mb=1)
    message = str(caught.value)
    assert "the feeds of one edition are over the input limit of 1 MB in all" in message, message
    assert "--max-input-mb" in message
    assert len(site.hits) <= 7


def test_a_redirect_loop_a_huge_feed_and_a_private_address_in_ipv6_form_are_reported_quickly(site, tmp_path: Path,
                                                                                             monkeypatch) -> None:
    """Feed fetches go through the resource policy as pages do: redirects counted, size capped, every
    address (IPv6 forms of private ones too) checked before any connection."""
    import socket

    site.redirect("/loop.xml", "/loop.xml")
    huge = site.add("/huge.xml", rss("Huge", []).replace("<channel>", "<channel><!-- " + "x" * 2_000_000 + " -->"),
                    "application/rss+xml")
    good = site.add("/feed.xml", rss("Harbour News", [
        rss_item("Lights return to the pier", "https://harbour.example/lights", NOW, LIGHTS)]), "application/rss+xml")
    opml = _feed_list(tmp_path / "list.opml", [site.url("/loop.xml"), huge, good])
    started = time.monotonic()
    with pytest.raises(BatchError) as caught:
        exporter.export([opml], "txt", tmp_path / "out", allow_private=True, max_input_mb=1)
    message = str(caught.value)
    assert "loop.xml: too many redirects" in message and "huge.xml: 2.0 MB is over the limit of 1 MB" in message, message
    assert site.hits.count("/loop.xml") == 6 and time.monotonic() - started < 30
    assert "nine dark winters" in text_words(next((tmp_path / "out").glob("*.txt")))

    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: [
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::ffff:7f00:1", 0, 0, 0))] if host == "feeds.test"
        else real(host, *a, **k))
    before = len(site.hits)
    private = _feed_list(tmp_path / "private.opml", [f"http://feeds.test:{site.httpd.server_port}/feed.xml", good])
    with pytest.raises(ResourceDenied, match="::ffff:7f00:1 is a private or local address"):  # the first feed's
        exporter.export([private], "txt", tmp_path / "refused")
    assert len(site.hits) == before, "nothing was requested: the second feed is refused as private too"


def test_feeds_named_after_the_input_allowance_is_spent_are_not_read(tmp_path: Path, monkeypatch) -> None:
    """A feed named on the command line after the edition's input allowance is spent is not read at all (only
    the feeds an OPML list names were checked); the feeds together stay below twice --max-input-mb."""
    import exporter.feeds.edition as edition

    padding = "<!-- " + "x" * 380_000 + " -->"  # ~380 KB a feed, of nothing to export
    names = []
    for n in range(4):
        path = tmp_path / f"feed{n}.xml"
        path.write_text(rss(f"Feed {n}", [rss_item(f"Story {n}", f"https://harbour.example/{n}", NOW, LIGHTS)])
                        .replace("<channel>", "<channel>" + padding), encoding="utf-8")
        names.append(str(path))
    read: list[int] = []
    real = edition._bytes_of

    def counted(*args, **kwargs):
        data, base, media_type = real(*args, **kwargs)
        read.append(len(data))
        return data, base, media_type

    monkeypatch.setattr(edition, "_bytes_of", counted)
    with pytest.raises(BatchError) as caught:
        exporter.export(names, "txt", tmp_path / "out", max_input_mb=1)
    message = str(caught.value)
    assert "feed2.xml: the feeds of one edition are over the input limit of 1 MB in all" in message, message
    assert "feed3.xml: not read: the feeds of one edition are over the input limit of 1 MB in all" in message
    assert len(read) == 3 and sum(read) < 2_000_000, read  # before: feed3 read too
    assert "nine dark winters" in text_words(next((tmp_path / "out").glob("*.txt")))


@pytest.mark.parametrize("url, base", [("//[x/a", "https://e.org/"), ("http://[x/a", None)])
def test_an_item_address_urlsplit_refuses_links_nowhere_and_its_text_is_exported(tmp_path: Path, url: str,
                                                                                  base: str | None) -> None:
    """An unbalanced IPv6 bracket in a JSON Feed item's url was exit 70 for the whole feed (review-s9 H3)."""
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "F", "items": [
        {"id": "1", "url": url, "title": "One", "content_html": "<p>Some words of text here for the article.</p>"}]}
    if base:
        doc["home_page_url"] = base
    feed = parse_json_feed(json.dumps(doc).encode(), "feed.json")
    assert [entry.link for entry in feed.entries] == [None]
    (tmp_path / "feed.json").write_text(json.dumps(doc))
    done = cli("export", str(tmp_path / "feed.json"), "-f", "txt,epub", "-o", str(tmp_path / "out"), "--offline")
    assert done.returncode == 0, done.stderr
    (text,) = (tmp_path / "out").glob("*.txt")
    assert "Some words of text here for the article." in text.read_text()


def test_an_opml_location_urlsplit_refuses_is_left_out_and_the_others_kept() -> None:
    from exporter.feeds.parse import parse_opml

    opml = (b'<?xml version="1.0"?><opml version="2.0"><head><title>S</title></head><body>'
            b'<outline text="bad" xmlUrl="//[x/feed"/><outline text="good" xmlUrl="feeds/good.xml"/></body></opml>')
    title, subscriptions = parse_opml(opml, "subs.opml", "https://e.org/list/")
    assert [s.location for s in subscriptions] == ["https://e.org/list/feeds/good.xml"]


def test_a_url_urlsplit_refuses_is_its_own_key() -> None:
    from exporter.plan import url_key

    assert url_key("http://[x/") == "http://[x/"
    assert url_key("https://www.example.org/a/") == "//example.org/a"
