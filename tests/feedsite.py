"""Feeds made for the tests: RSS, Atom and JSON Feed documents, and a morning edition of three feeds.

Shared by tests/test_feeds.py and tests/test_ace.py; the linked pages are served by a
:class:`localsite.LocalSite` (or any object with its ``add``).
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path


def rss_item(title: str, link: str, when: dt.datetime, text: str, author: str = "Jane Doe",
             guid: str | None = None) -> str:
    return (f"<item><title>{title}</title><link>{link}</link><guid>{guid or link}</guid>"
            f"<dc:creator>{author}</dc:creator><pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate>"
            f"<description>A short note.</description><content:encoded><![CDATA[{text}]]></content:encoded></item>")


def rss(title: str, items: list[str]) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>{title}</title><link>https://harbour.example/</link><language>en</language>"
            + "".join(items) + "</channel></rss>")


def atom(title: str, entries: list[tuple[str, str, dt.datetime, str]]) -> str:
    body = "".join(f"<entry><title>{t}</title><id>urn:hills:{n}</id><link href=\"{link}\"/>"
                   f"<updated>{when.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated><author><name>Sam Hill</name></author>"
                   f"<summary>{summary}</summary></entry>" for n, (t, link, when, summary) in enumerate(entries))
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>'
            f"<id>urn:hills</id><updated>2026-11-27T06:00:00Z</updated>{body}</feed>")


def json_feed(title: str, items: list[dict]) -> str:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": title, "language": "en",
                       "home_page_url": "https://market.example/", "items": items})


NOW = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
HOURS = dt.timedelta(hours=1)
LIGHTS = "<p>The harbour lights were switched on again on Friday after nine dark winters.</p>"
FERRY = "<p>The winter ferry timetable starts on Monday with two fewer crossings each day.</p>"
APPLES = "<p>The first apples of the season reached the market stalls early this morning.</p>"


def page(title: str, text: str) -> str:
    """A whole web page: navigation and footer around the article."""
    return (f"<!doctype html><html lang='en'><head><title>{title}</title></head><body>"
            f"<article><h1>{title}</h1><p>{text}</p><p>Walkers are asked to keep to the marked paths.</p></article>"
            "</body></html>")


def make_feeds(folder: Path, site) -> Path:
    """Three feeds (RSS with content:encoded, Atom with summaries linking to pages on the site, JSON Feed)
    and an OPML list of them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "harbour.xml").write_text(rss("Harbour News", [
        rss_item("Lights return to the pier", "https://harbour.example/lights", NOW - 2 * HOURS, LIGHTS),
        rss_item("Ferry timetable changes", "https://harbour.example/ferry", NOW - 30 * HOURS, FERRY, "John Roe"),
    ]))
    frost = site.add("/hills/frost.html", page("Frost on the ridge", "Frost covered the ridge path at dawn today."))
    fog = site.add("/hills/fog.html", page("Fog in the valley", "Fog filled the valley until noon."))
    (folder / "hills.atom").write_text(atom("Hill Walks", [
        ("Frost on the ridge", frost, NOW - 3 * HOURS, "Walkers found frost."),
        ("Fog in the valley", fog, NOW - 5 * HOURS, "A foggy morning."),
    ]))
    (folder / "market.json").write_text(json_feed("Market Days", [
        {"id": "m1", "url": "https://market.example/apples", "title": "Apple harvest arrives", "content_html": APPLES,
         "date_published": (NOW - HOURS).strftime("%Y-%m-%dT%H:%M:%SZ"), "authors": [{"name": "Ann Smith"}]},
        # the same story as the harbour feed's (same link): it appears once
        {"id": "m2", "url": "https://harbour.example/lights", "title": "Lights (shared)", "content_html": LIGHTS,
         "date_published": (NOW - HOURS).strftime("%Y-%m-%dT%H:%M:%SZ")},
    ]))
    opml = folder / "feeds.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head><title>Morning edition</title></head><body>'
                    '<outline text="News"><outline text="Harbour" xmlUrl="harbour.xml"/>'
                    '<outline text="Market" xmlUrl="market.json"/></outline>'
                    '<outline text="Hills" xmlUrl="hills.atom"/></body></opml>')
    return opml
