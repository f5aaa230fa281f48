"""Web pages as input (`exporter export https://…`), fetched from a real HTTP server on 127.0.0.1.

The server is a private address: every test that fetches allows it explicitly (``allow_private``), and one
shows it refused without. Proves that the page and its images go through the one resource policy, that
redirects are followed and checked, that the charset comes from the header before the markup, that relative
links and images resolve against the page's address, and that one bad address never sinks a batch.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

import exporter
from exporter.errors import BatchError, InputError, LimitError, ResourceDenied
from helpers import ROOT, epubcheck
from localsite import loopback_only, site  # noqa: F401 - fixtures


def _png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), color).save(out, "PNG")
    return out.getvalue()


BLUE, RED = _png((20, 60, 200)), _png((200, 30, 30))

STORY = """<!doctype html><html lang="en"><head><title>Harbour lights return</title></head><body>
<nav><a href="/">Home</a></nav>
<article><h1>Harbour lights return</h1>
<p>The harbour lights were switched on again on Friday, <a href="../about/council.html">the council</a> said.</p>
<figure><img src="img/lamp.png" alt="A lamp on the pier"><figcaption>The restored lamp.</figcaption></figure>
<p>Residents gathered on the pier to watch the first lamp glow after nine dark winters.</p>
<p><img src="/static/badge.png" alt="Badge"> Fishermen said the lights would make the night crossing safer.</p>
</article></body></html>"""


def story_site(site) -> str:
    site.add("/news/img/lamp.png", BLUE, "image/png")
    site.add("/static/badge.png", RED, "image/png")
    return site.add("/news/harbour.html", STORY)


def epub_images(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as z:
        return [z.read(n) for n in z.namelist() if n.endswith(".png") and "cover" not in n]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "exporter", *args], capture_output=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_page_and_its_images_are_fetched_into_every_edition(site, tmp_path: Path) -> None:
    page = story_site(site)
    written = exporter.export([page], "epub,pdf,txt", tmp_path, allow_private=True)
    files = {p.suffix: p for p in written}
    assert files[".epub"].name == "harbour-lights-return.epub"
    assert sorted(epub_images(files[".epub"])) == sorted([BLUE, RED])  # relative and root-relative sources
    text = files[".txt"].read_text()
    assert "nine dark winters" in " ".join(text.split())
    assert site.url("/about/council.html") in text  # the relative link resolved against the page's address
    assert page in text  # the source URL in the title block
    assert site.hits.count("/news/harbour.html") == 1 and site.hits.count("/news/img/lamp.png") == 1
    result = epubcheck(files[".epub"])
    assert (result["errors"], result["warnings"]) == (0, 0), result["messages"]


def test_redirect_is_followed_and_the_final_address_is_the_base(site, tmp_path: Path) -> None:
    story_site(site)
    start = site.redirect("/r/harbour", "/news/harbour.html")
    written = exporter.export([start], "epub,txt", tmp_path, allow_private=True)
    files = {p.suffix: p for p in written}
    assert sorted(epub_images(files[".epub"])) == sorted([BLUE, RED])
    text = files[".txt"].read_text()
    assert site.url("/news/harbour.html") in text  # the page's real address is its source
    assert site.hits[:2] == ["/r/harbour", "/news/harbour.html"]


def test_redirect_off_the_web_is_refused(site, tmp_path: Path) -> None:
    start = site.redirect("/sneaky", "file:///etc/passwd")
    with pytest.raises(ResourceDenied, match="redirected to a non-web URL"):
        exporter.export([start], "txt", tmp_path, allow_private=True)
    assert list(tmp_path.iterdir()) == []


def test_private_address_is_refused_without_allow_private(site, tmp_path: Path) -> None:
    page = story_site(site)
    with pytest.raises(ResourceDenied, match="private or local address .*--allow-private"):
        exporter.export([page], "txt", tmp_path)
    assert site.hits == [] and list(tmp_path.iterdir()) == []
    done = cli("export", page, "-f", "txt", "-o", str(tmp_path))
    assert done.returncode == 8, done.stderr
    message = done.stderr.decode().strip()
    assert message.startswith("exporter: error: ") and "--allow-private" in message
    assert "\n" not in message and "Traceback" not in message and site.hits == []


def test_images_of_a_page_are_checked_like_the_page(site, tmp_path: Path) -> None:
    """An allowed page whose image sits on a private address: the image is refused without the flag, not
    the page (here both are on 127.0.0.1, so the page is allowed and the image is a data-less alt text)."""
    page = site.add("/p.html", '<title>Pic</title><p>Words stay here.</p>'
                               '<figure><img src="http://127.0.0.1:1/x.png" alt="far away"></figure>')
    written = exporter.export([page], "txt", tmp_path, allow_private=True)
    assert "[Image: far away]" in written[0].read_text()


def test_content_that_is_not_a_page_is_refused(site, tmp_path: Path) -> None:
    picture = site.add("/lamp.png", BLUE, "image/png")
    with pytest.raises(InputError, match="image/png, not a web page"):
        exporter.export([picture], "txt", tmp_path, allow_private=True)
    done = cli("export", picture, "-f", "txt", "-o", str(tmp_path), "--allow-private")
    assert done.returncode == 3 and b"not a web page" in done.stderr and b"Traceback" not in done.stderr


def test_charset_from_the_header_alone(site, tmp_path: Path) -> None:
    body = ("<title>Новости гавани</title><p>Огни гавани снова зажглись в пятницу вечером.</p>"
            "<p>Жители собрались на пирсе.</p>").encode("windows-1251")
    page = site.add("/ru.html", body, "text/html; charset=windows-1251")
    text = exporter.export([page], "txt", tmp_path, allow_private=True)[0].read_text()
    assert "Огни гавани снова зажглись" in text and "Новости гавани" in text


def test_header_charset_wins_over_the_markup(site, tmp_path: Path) -> None:
    body = '<meta charset="windows-1252"><title>Zoe</title><p>Ελληνικά γράμματα στο κείμενο.</p>'.encode("iso-8859-7")
    page = site.add("/el.html", body, "text/html; charset=iso-8859-7")
    text = exporter.export([page], "txt", tmp_path, allow_private=True)[0].read_text()
    assert "Ελληνικά γράμματα" in text


def test_base_href_is_the_base_of_links_and_images(site, tmp_path: Path) -> None:
    site.add("/cdn/lamp.png", BLUE, "image/png")
    page = site.add("/a/b.html", '<head><base href="/cdn/"><title>Based</title></head>'
                                 '<p>See <a href="more.html">more</a>.</p><figure><img src="lamp.png" alt="lamp">'
                                 '</figure><p>Closing words.</p>')
    written = exporter.export([page], "epub,txt", tmp_path, allow_private=True)
    files = {p.suffix: p for p in written}
    assert epub_images(files[".epub"]) == [BLUE]
    assert site.url("/cdn/more.html") in files[".txt"].read_text()


def test_several_addresses_one_bad_never_sinks_the_batch(site, tmp_path: Path) -> None:
    good = story_site(site)
    other = site.add("/other.html", "<title>Second story</title><p>Another story arrives intact.</p>")
    missing = site.url("/gone.html")
    with pytest.raises(BatchError) as caught:
        exporter.export([good, missing, other], "txt", tmp_path, allow_private=True, jobs=1)
    assert "gone.html: HTTP 404" in str(caught.value)
    assert sorted(p.name for p in tmp_path.glob("*.txt")) == ["harbour-lights-return.txt", "second-story.txt"]
    assert site.hits.count("/news/harbour.html") == 1, "the naming pass fetched it; writing did not again"
    done = cli("export", good, missing, "-f", "txt", "-o", str(tmp_path / "cli"), "--allow-private")
    assert done.returncode == 7
    assert b"gone.html: HTTP 404" in done.stderr and b"Traceback" not in done.stderr


def test_offline_refuses_a_page(site, tmp_path: Path) -> None:
    page = story_site(site)
    with pytest.raises(ResourceDenied, match="--offline"):
        exporter.export([page], "txt", tmp_path, offline=True, allow_private=True)
    assert site.hits == []


def test_page_over_the_input_limit_and_a_slow_page_are_limits(site, tmp_path: Path) -> None:
    big = site.add("/big.html", "<title>Big</title><p>" + "word " * 300_000 + "</p>")
    with pytest.raises(LimitError, match="--max-input-mb"):
        exporter.export([big], "txt", tmp_path, allow_private=True, max_input_mb=1)

    def slow(handler) -> None:
        handler.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<p>")
        for _ in range(50):
            if site.stop.wait(0.1):
                return
            handler.wfile.write(b"a")
            handler.wfile.flush()

    crawl = site.handle("/slow.html", slow)
    with pytest.raises(LimitError, match="timed out.*--fetch-timeout"):
        exporter.export([crawl], "txt", tmp_path, allow_private=True, fetch_timeout=0.5)
    assert list(tmp_path.iterdir()) == []


def test_dataset_record_with_a_url_and_no_markup_is_fetched(site, tmp_path: Path) -> None:
    page = story_site(site)
    dataset = tmp_path / "links.jsonl"
    dataset.write_text("\n".join(json.dumps(r) for r in [
        {"url": page, "title": "Lights again"},
        {"url": site.url("/nothing.html")},
        {"title": "Nothing at all"},
    ]) + "\n")
    out = tmp_path / "out"
    with pytest.raises(BatchError) as caught:
        exporter.export([dataset], "epub,txt", out, allow_private=True, jobs=1)
    message = str(caught.value)
    assert "links.jsonl:2" in message and "HTTP 404" in message
    assert "links.jsonl:3" in message and "no url to fetch it from" in message
    assert sorted(p.name for p in out.glob("lights*")) == ["lights-again.epub", "lights-again.txt"]
    assert sorted(epub_images(out / "lights-again.epub")) == sorted([BLUE, RED])
    assert page in (out / "lights-again.txt").read_text()
