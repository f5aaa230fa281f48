"""Hostile markup (tests/hostile/) is neutralised in every edition: EPUB, PDF and plain text.

Each corpus file is exported to all three formats with the default policy (no
``--allow-private``). Nothing of an attack may survive: no payload marker
(``CANARY…``), no byte of a file outside the input's folder, no script, handler
or dangerous URL, no PDF attachment or action; the harmless text around it stays.
No socket is opened at all (a guard records any attempt).
"""
from __future__ import annotations

import io
import re
import socket
import zipfile
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from pypdf import PdfReader

import exporter
from helpers import HOSTILE, epub_text, pdf_text

CORPUS = sorted(p.name for p in HOSTILE.iterdir() if p.suffix in (".html", ".xhtml"))
SECRET_MARK = "CANARY_SECRET_PNG"
PASSWD_MARKS = ("root:x:0:0", "root:*:0:0", "/bin/bash", "/sbin/nologin")
#: What must never appear in any edition (case-insensitive), besides the markers.
FORBIDDEN = ("canary", "javascript:", "vbscript:", "data:text/html", "<script", "<iframe", "<object", "<embed",
             "http-equiv", "169.254.", "file:", "srcdoc", "onload", "onclick", "onerror", "onmouseover",
             "@import", "xlink:href=\"f", "foreignobject")
_HANDLER = re.compile(rb"\son[a-z]+\s*=", re.IGNORECASE)


def secret_png() -> bytes:
    """A valid little PNG carrying a marker: were it read, a writer would embed it as is."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET_MARK)
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


@pytest.fixture
def no_network(monkeypatch):
    """Record, and refuse, every connection attempt: these exports must not touch the network."""
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise OSError("network use in a hostile-corpus test")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection",
                        lambda address, *a, **k: (attempts.append(address), (_ for _ in ()).throw(OSError("net")))[1])
    return attempts


@pytest.fixture
def workspace(tmp_path: Path) -> dict:
    """The corpus in an input folder, a secret PNG outside it, and a symlink to the secret inside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.png"
    secret.write_bytes(secret_png())
    folder = tmp_path / "input"
    folder.mkdir()
    for item in HOSTILE.iterdir():
        text = item.read_text(encoding="utf-8")
        text = text.replace("{SECRET_URL}", secret.as_uri()).replace("{SECRET_PATH}", str(secret))
        (folder / item.name).write_text(text, encoding="utf-8")
    (folder / "secret-link.png").symlink_to(secret)
    (folder / "sub").mkdir()
    (folder / "sub" / "up.png").symlink_to("../../outside/secret.png")
    return {"folder": folder, "out": tmp_path / "out", "secret": secret}


def export_all(source: Path, out: Path) -> dict[str, Path]:
    written = exporter.export([source], "epub,pdf,txt", out)
    return {p.suffix[1:]: p for p in written}


def epub_bytes(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return b"\n".join(z.read(n) for n in z.namelist())


def assert_clean_text(text: str, where: str) -> None:
    lowered = text.lower()
    for mark in FORBIDDEN:
        assert mark not in lowered, f"{where}: {mark!r} survived"
    for mark in PASSWD_MARKS:
        assert mark not in text, f"{where}: /etc/passwd leaked ({mark!r})"


@pytest.mark.parametrize("name", CORPUS)
def test_hostile_file_is_neutralised_in_every_edition(name: str, workspace: dict, no_network: list) -> None:
    source = workspace["folder"] / name
    safe = re.findall(r"Safe[^<.&]*", source.read_text(encoding="utf-8"))
    assert safe, f"{name} has no harmless text to check for"
    files = export_all(source, workspace["out"])
    assert set(files) == {"epub", "pdf", "txt"}

    # EPUB: every entry of the archive, markup, CSS and images alike.
    raw = epub_bytes(files["epub"])
    assert SECRET_MARK.encode() not in raw, "the secret file outside the input folder was embedded"
    assert_clean_text(raw.decode("utf-8", "replace"), f"{name} EPUB")
    assert not _HANDLER.search(raw), f"{name} EPUB: an on* handler survived"

    # PDF: its text, and no attachment, script, launch action or dangerous link.
    reader = PdfReader(str(files["pdf"]))
    text = pdf_text(files["pdf"])
    assert_clean_text(text, f"{name} PDF text")
    assert not reader.attachments, f"{name} PDF: attachments {list(reader.attachments)}"
    pdf_raw = files["pdf"].read_bytes()
    for token in (b"/JavaScript", b"/JS ", b"/Launch", b"/EmbeddedFile", b"/SubmitForm", b"/ImportData"):
        assert token not in pdf_raw, f"{name} PDF holds {token!r}"
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            assert not uri or uri.startswith(("http://", "https://", "mailto:")), uri

    # Plain text.
    plain = files["txt"].read_text(encoding="utf-8")
    assert_clean_text(plain, f"{name} TXT")

    # The harmless text stays in all three.
    epub_words, pdf_words = " ".join(epub_text(files["epub"]).split()), " ".join(text.split())
    for sentence in safe:
        sentence = " ".join(sentence.split())
        assert sentence in " ".join(plain.split()), f"{name} TXT lost {sentence!r}"
        assert sentence in epub_words, f"{name} EPUB lost {sentence!r}"
        assert sentence.split()[-1] in pdf_words, f"{name} PDF lost {sentence!r}"
    assert no_network == [], f"{name}: connections attempted to {no_network}"


def test_local_files_leave_no_image_in_any_edition(workspace: dict, no_network: list) -> None:
    """files.html names only unreadable targets: no edition may hold a single image."""
    files = export_all(workspace["folder"] / "files.html", workspace["out"])
    with zipfile.ZipFile(files["epub"]) as z:
        images = [n for n in z.namelist() if n.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"))
                  and "cover" not in n.lower()]
    assert images == []
    assert sum(len(page.images) for page in PdfReader(str(files["pdf"])).pages) == 0
    plain = files["txt"].read_text(encoding="utf-8")
    assert "[Image: symlinked secret]" in plain  # the alt text stays in place of the image
    assert no_network == []


def test_symlink_out_of_the_folder_is_refused_but_inside_is_read(tmp_path: Path) -> None:
    """A symlink is judged by where it points: outside the folder, refused; inside, read."""
    from exporter.errors import ResourceDenied
    from exporter.resources import ResourcePolicy

    (tmp_path / "outside").mkdir()
    secret = tmp_path / "outside" / "secret.png"
    secret.write_bytes(secret_png())
    folder = tmp_path / "in"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "ok.png").write_bytes(secret_png())
    (folder / "out.png").symlink_to(secret)
    (folder / "in.png").symlink_to(folder / "img" / "ok.png")
    (folder / "dir-link").symlink_to(tmp_path / "outside", target_is_directory=True)
    policy = ResourcePolicy(root=folder)
    for url in ("out.png", "dir-link/secret.png", secret.as_uri(), str(secret), "img/../../outside/secret.png",
                "file:///etc/passwd", "/etc/passwd", "file://otherhost/etc/passwd"):
        with pytest.raises(ResourceDenied):
            policy.fetch(url)
    assert policy.fetch("in.png").media_type == "image/png"
    assert policy.fetch("img/ok.png").data == (folder / "img" / "ok.png").read_bytes()
    with pytest.raises(ResourceDenied):
        ResourcePolicy(root=folder).fetch("img")  # a folder is not a regular file


def test_hostile_corpus_is_complete() -> None:
    """The corpus covers every attack the issue names (a file lost would silently shrink the test)."""
    text = "\n".join((HOSTILE / n).read_text(encoding="utf-8") for n in CORPUS).lower()
    for attack in ("<script", "onclick=", "javascript:", "vbscript:", "data:text/html", "srcdoc=", "<object",
                   "<embed", "<svg", "@import", "url(\"file:///", "rel=\"attachment\"", "<base href",
                   "<!entity", "system \"file:///etc/passwd\"", "http-equiv=\"refresh\"", "169.254.169.254",
                   "secret-link.png", "evil.svg"):
        assert attack in text, f"no hostile case for {attack!r}"
    assert (HOSTILE / "evil.svg").is_file()
