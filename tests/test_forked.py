"""Editions written in a forked child beside the others (exporter/forked.py, write_book(concurrent=True)):
same bytes, same errors and exit statuses, no file half-written, no child left behind.

Each case runs in a fresh interpreter: a pytest-xdist worker has threads, and a process with threads
does not fork (:func:`exporter.forked.can_fork`), so only a subprocess shows what the CLI does.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from helpers import ROOT, SEED

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2,
                                reason="forking needs POSIX and two cores")

PROBE = r"""
import json, os, sys, time
from pathlib import Path
import exporter.forked, exporter.writers as writers
from exporter.errors import LimitError, WriterError
from exporter.writers import Writer

forks = []
parsed_at_fork = []  # whether click (the command's parser) was loaded when each process was forked
real_init = exporter.forked.Forked.__init__
def counting_init(self, *args, **kwargs):
    parsed_at_fork.append("click" in sys.modules)
    real_init(self, *args, **kwargs)
    forks.append(self.pid)
    Path(os.environ["PID_FOLDER"], "child.pid").write_text(str(self.pid))
exporter.forked.Forked.__init__ = counting_init

class Apart(Writer):  # the kind of writer the PDF is: a process of its own
    name = extension = "apart"
    separate_process = True
    def write(self, book, path, settings, resources):
        behaviour = os.environ["APART"]
        Path(os.environ["PID_FOLDER"], "writer.pid").write_text(str(os.getpid()))
        path.write_bytes(b"half")
        if behaviour == "warn":  # logged in the child as in the parent: one line, at the command's level
            import logging
            logging.getLogger("exporter").warning("apart: a warning\nwith a forged line")
            logging.getLogger("exporter").info("apart: some detail")
        if behaviour == "images":  # as the PDF's markup reads them: through the policy it was given
            sizes = [len(resources.for_root(doc.base).fetch(img.get("src")).data)
                     for doc in book.articles for img in doc.tree.iter("img")]
            path.write_text(repr(sizes))
            return
        if behaviour == "writer-error":
            raise WriterError("apart: no font draws U+1F600")
        if behaviour == "bug":
            raise ValueError("a bug in the writer")
        if behaviour == "crash":  # as a C library's bug would: no Python error, a signal
            import signal
            os.kill(os.getpid(), signal.SIGSEGV)
        if behaviour == "spin-with-helper":  # a process of its own, as WeasyPrint's import runs ldconfig
            import subprocess
            helper = subprocess.Popen(["sleep", "1"])
            Path(os.environ["PID_FOLDER"], "helper.pid").write_text(str(helper.pid))
            behaviour = "spin"
        if behaviour in ("swallow-stop", "sleep"):  # a layout that ends on its own a little later
            try:
                time.sleep(2)
            except BaseException:  # noqa: BLE001 - as WeasyPrint does while drawing an SVG: the stop is lost
                if behaviour == "sleep":
                    raise
            time.sleep(0.5)
        if behaviour == "slow-finaliser":  # as WeasyPrint's font folder: removed by a finaliser, which takes time
            class Folder:
                def __del__(self):
                    time.sleep(0.5)
                    Path(os.environ["PID_FOLDER"], "finalised").write_text("yes")
            folder = Folder()
            folder.cycle = folder  # only a collection finalises it (the child's last one, in _wind_up)
            del folder
            behaviour = "spin"
        if behaviour == "stubborn":  # swallows every stop and strike: only SIGKILL ends it
            import signal
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            while True:
                try:
                    while True:
                        pass
                except BaseException:  # noqa: BLE001
                    pass
        if behaviour == "spin":  # pure Python, as a layout is: only the clock or a signal stops it
            while True:
                pass
        path.write_bytes(b"whole")

class Slow(Writer):  # an edition written in the parent that takes its time (half written meanwhile)
    name = extension = "slow"
    def write(self, book, path, settings, resources):
        path.write_bytes(b"half")
        Path(os.environ["PID_FOLDER"], "slow.started").write_text(str(os.getpid()))
        time.sleep(20)
        path.write_bytes(b"whole")

if os.environ.get("BROKEN_PLUGIN"):  # a writer plug-in that cannot be loaded: the command warns, once
    from importlib.metadata import EntryPoint
    real_entry_points = writers.entry_points
    writers.entry_points = lambda group: [*real_entry_points(group=group),
                                          EntryPoint("broken", "no_such_module_here:Writer", group)]

class Hard(Writer):  # an edition written in the parent that stops the export at once
    name = extension = "hard"
    def write(self, book, path, settings, resources):
        time.sleep(0.5)  # the child is running by now
        raise LimitError("hard: a limit")

import exporter.resources
real_file = exporter.resources.ResourcePolicy._file
def noting_file(self, url):  # each read of a local image, by the process that read it
    with open(Path(os.environ["PID_FOLDER"], "reads"), "a") as reads:
        reads.write(f"{os.getpid()} {url}\n")
    return real_file(self, url)
exporter.resources.ResourcePolicy._file = noting_file

real_get = writers.get
writers.get = lambda name: {"apart": Apart, "hard": Hard, "slow": Slow}.get(name) or real_get(name)

sys.argv = ["exporter", *sys.argv[1:]]
from exporter.launch import main
start = time.monotonic()
try:
    main()
except SystemExit as done:
    code = done.code or 0
seconds = time.monotonic() - start
try:
    left = os.waitpid(-1, os.WNOHANG)
except ChildProcessError:
    left = None
print("\n" + json.dumps({"code": code, "forks": len(forks), "children_left": left, "seconds": seconds,
                         "pid": os.getpid(), "parsed_at_fork": parsed_at_fork}))
"""


def command(tmp_path, formats: str, behaviour: str, *extra: str, article=SEED, quiet: bool = True,
            **env: str) -> tuple[list, dict]:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return ([sys.executable, "-c", PROBE, "export", str(article), "-f", formats, "-o", str(out), "--offline",
             *(["-q"] if quiet else []), *extra], {**os.environ, "PYTHONPATH": str(ROOT), "APART": behaviour, "PID_FOLDER": str(tmp_path), **env})


def run(tmp_path, formats: str, behaviour: str, *extra: str, article=SEED, quiet: bool = True, one_core: bool = False,
        **env: str) -> tuple[dict, str, list[str]]:
    """``one_core``: on one core, where nothing is forked (can_fork): what one process does."""
    argv, environ = command(tmp_path, formats, behaviour, *extra, article=article, quiet=quiet, **env)
    pin = (lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})) if one_core else None
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, env=environ, preexec_fn=pin)
    out = tmp_path / "out"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result, done.stderr, sorted(p.name for p in out.iterdir())


def child_gone(tmp_path) -> bool:
    pid = int((tmp_path / "child.pid").read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_three_editions_written_beside_each_other_are_the_bytes_written_one_after_the_other(tmp_path):
    from exporter.document import Book
    from exporter.editions import load_document, write_book
    from exporter.options import resolve
    from exporter.pipeline import all_options

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    result, stderr, files = run(tmp_path, "epub,pdf,txt", "whole", TMPDIR=str(temporary))
    assert result == {**result, "code": 0, "forks": 1, "children_left": None}, stderr
    assert list(temporary.iterdir()) == []  # WeasyPrint's font folder went with the PDF's process
    settings = resolve(all_options(), {"offline": True})
    alone = write_book(Book.of(load_document(SEED, settings)), ["epub", "pdf", "txt"], tmp_path / "one", settings)
    assert files == sorted(p.name for p in alone)
    for path in alone:
        assert (tmp_path / "out" / path.name).read_bytes() == path.read_bytes(), path.name


def test_an_edition_that_fails_alone_in_the_child_fails_like_in_the_parent(tmp_path):
    result, stderr, files = run(tmp_path, "apart,txt", "writer-error")
    assert (result["code"], result["forks"], result["children_left"]) == (6, 1, None)
    assert "apart: no font draws U+1F600" in stderr
    assert files == ["article.txt"]  # the other edition is written; the failed one leaves nothing


def test_a_bug_in_the_child_is_an_internal_error_as_in_the_parent(tmp_path):
    result, stderr, files = run(tmp_path, "apart,txt", "bug")
    assert (result["code"], result["forks"]) == (70, 1)
    assert "ValueError: a bug in the writer" in stderr
    assert files == ["article.txt"]


def test_a_crash_in_the_child_is_an_internal_error_not_a_limit_and_leaves_no_temporary_file(tmp_path):
    # SIGSEGV, SIGABRT, SIGBUS are bugs (ours or a C library's): exit 70, not 4 as for a kill from outside
    result, stderr, files = run(tmp_path, "apart,txt", "crash")
    assert (result["code"], result["forks"], result["children_left"]) == (70, 1, None), stderr
    assert "internal error" in stderr and "crashed (SIGSEGV)" in stderr
    assert files == ["article.txt"]  # its .part file swept


CUT_SHORT = r"""
import os, signal, sys
import exporter.forked as forked
from exporter.errors import LimitError

def half_then_killed(fd, data):  # killed while it writes its result: the parent reads half a pickle
    real_write_all(fd, data[: len(data) // 2])
    os.kill(os.getpid(), signal.SIGKILL)
real_write_all = forked._write_all
forked._write_all = half_then_killed
child = forked.Forked(lambda: b"x" * 100_000)
try:
    child.result()
except LimitError as exc:
    print("LimitError:", exc)
"""


def test_a_child_killed_while_sending_its_result_is_a_limit_not_a_broken_pickle(tmp_path):
    done = subprocess.run([sys.executable, "-c", CUT_SHORT], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "LimitError: the process writing this edition was killed (SIGKILL)"


def test_the_article_time_limit_holds_in_the_child(tmp_path):
    result, stderr, files = run(tmp_path, "apart,txt", "spin", "--max-article-seconds", "3")
    assert (result["code"], result["forks"], result["children_left"]) == (4, 1, None), stderr
    assert "time limit" in stderr
    assert result["seconds"] < 30
    assert not [name for name in files if "apart" in name]  # no half-written .apart, no temporary file
    assert child_gone(tmp_path)


def test_a_child_that_swallows_the_time_limit_is_killed_and_its_half_written_file_removed(tmp_path):
    # past the limit, the command's own clock strikes again every 0.05 s, also while it stops the child and
    # sweeps its temporary file: the sweep is done again once the limit is closed
    result, stderr, files = run(tmp_path, "apart,txt", "stubborn", "--max-article-seconds", "3")
    assert (result["code"], result["forks"], result["children_left"]) == (4, 1, None), stderr
    assert "time limit" in stderr
    assert result["seconds"] < 30  # its grace (5 s) and then SIGKILL, past the limit's strikes
    assert files in (["article.txt"], [])  # the text edition is written unless the machine is slow
    assert child_gone(tmp_path)


def test_a_child_past_the_time_limit_gets_its_grace_to_run_its_finalisers(tmp_path):
    # past the limit, the command's clock strikes again every 0.05 s while it waits for the child: that used
    # to kill the child (SIGKILL) in the middle of its last collection, which removes WeasyPrint's font folder
    result, stderr, files = run(tmp_path, "apart,txt", "slow-finaliser", "--max-article-seconds", "3")
    assert (result["code"], result["children_left"]) == (4, None), stderr
    assert "time limit" in stderr
    assert (tmp_path / "finalised").read_text() == "yes"
    assert not [name for name in files if "apart" in name]


def test_a_hard_error_in_the_parent_stops_the_child_and_its_half_written_file(tmp_path):
    result, stderr, files = run(tmp_path, "apart,hard", "spin")
    assert (result["code"], result["forks"], result["children_left"]) == (4, 1, None), stderr
    assert "hard: a limit" in stderr
    assert files == []  # the child's temporary file went with it
    assert child_gone(tmp_path)


def test_an_article_that_cannot_be_read_stops_the_process_forked_for_its_pdf(tmp_path):
    # the PDF's process is forked before the article is read, to import its engine meanwhile
    empty = tmp_path / "empty.html"
    empty.write_text("", encoding="utf-8")
    result, stderr, files = run(tmp_path, "apart,txt", "whole", article=empty)
    assert (result["code"], result["forks"], result["children_left"]) == (3, 1, None), stderr
    assert files == []
    assert child_gone(tmp_path)


def test_a_stopped_child_waits_for_the_processes_it_started(tmp_path):
    # stopped while a helper of its own runs, the child used to end at once: the helper, orphaned, became
    # a zombie where the container's first process reaps none (ldconfig, after a Ctrl-C in WeasyPrint's import)
    result, stderr, files = run(tmp_path, "apart,hard", "spin-with-helper")
    assert (result["code"], result["forks"], result["children_left"]) == (4, 1, None), stderr
    assert child_gone(tmp_path)
    helper = int((tmp_path / "helper.pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(helper, 0)  # ended and reaped before the export returned


def wait_for(path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def ended(pid: int) -> bool:
    """True when ``pid`` runs no more: gone, or a zombie (``Z`` in /proc/<pid>/stat) left to a reaper that is
    not ours (the command that forked it was killed, and the container's first process may reap none)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        stat = open(f"/proc/{pid}/stat", encoding="ascii").read()
    except FileNotFoundError:  # reaped between the two looks
        return True
    return stat[stat.rindex(")") + 2] == "Z"  # the state follows the command name, which may hold spaces


@pytest.mark.parametrize("mode, lasts", [("sleep", 3), ("swallow-stop", 1)])
def test_the_child_stops_when_the_command_is_killed(tmp_path, mode, lasts):
    # the child would finish on its own (a layout that takes 2 s, or one whose library code swallows the
    # stop) and put its edition in place after the command had died: the kernel stops it
    # (PR_SET_PDEATHSIG), and its check before the rename keeps it from finishing all the same
    argv, env = command(tmp_path, "apart,txt", mode)
    command_process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(tmp_path / "writer.pid")
    command_process.kill()
    command_process.wait(timeout=60)
    child = int((tmp_path / "writer.pid").read_text())
    deadline = time.monotonic() + 30
    while not ended(child):
        assert time.monotonic() < deadline, "the child outlived the command"
        time.sleep(0.05)
    time.sleep(lasts)  # past the time the layout would have taken
    assert not [p.name for p in (tmp_path / "out").iterdir() if "apart" in p.name]  # no edition, no temporary file


def test_a_child_that_swallows_its_stop_does_not_put_its_edition_in_place_after_an_error(tmp_path):
    # the parent's error stops the child; library code in it catches the stop, and the layout finishes
    result, stderr, files = run(tmp_path, "apart,hard", "swallow-stop")
    assert (result["code"], result["forks"], result["children_left"]) == (4, 1, None), stderr
    assert files == []
    assert child_gone(tmp_path)


@pytest.mark.parametrize("stop, behaviour", [(signal.SIGKILL, "spin"), (signal.SIGTERM, "spin"),
                                             (signal.SIGTERM, "swallow-stop")])
def test_a_child_killed_from_outside_is_a_limit_naming_the_signal_not_a_bug(tmp_path, stop, behaviour):
    # a kill, or a stop the child turns into Cancelled (or that library code swallowed), ends it by that
    # signal: the command says it was killed (exit 4), not that the writer ended without a result (exit 70)
    argv, env = command(tmp_path, "apart,txt", behaviour)
    command_process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(tmp_path / "writer.pid")
    os.kill(int((tmp_path / "writer.pid").read_text()), stop)
    out, err = command_process.communicate(timeout=120)
    assert json.loads(out.strip().splitlines()[-1])["code"] == 4, err
    assert f"killed ({signal.Signals(stop).name})" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["article.txt"]  # its .part file removed


def test_a_book_with_images_is_written_apart_with_one_read_per_image(tmp_path):
    # the editions share one resource policy: the command reads each image once and sends what it read with
    # the book, so one read or request per image and one count against the limits, as in one process
    from PIL import Image

    Image.new("RGB", (40, 30), "teal").save(tmp_path / "pic.png")
    article = tmp_path / "pictured.html"
    article.write_text("<html lang='en'><title>Pictured</title><p>Words before a picture of the sea.</p>"
                       "<figure><img src='pic.png' alt='The sea'><figcaption>The sea.</figcaption></figure>"
                       "<p>And the same picture again.</p><img src='pic.png' alt='The sea again'></html>",
                       encoding="utf-8")
    result, stderr, files = run(tmp_path, "apart,epub", "images", article=article)
    assert (result["code"], result["forks"], result["children_left"]) == (0, 1, None), stderr
    assert int((tmp_path / "writer.pid").read_text()) != result["pid"]  # written apart
    size = (tmp_path / "pic.png").stat().st_size
    assert (tmp_path / "out" / "pictured.apart").read_text() == repr([size, size])
    reads = (tmp_path / "reads").read_text().split()
    assert reads == [str(result["pid"]), "pic.png"]  # one read, by the command, for both editions
    assert files == ["pictured.apart", "pictured.epub"]


@pytest.mark.parametrize("formats", ["txt,apart", "apart,txt"])
def test_a_book_over_its_image_limit_fails_as_in_one_process(tmp_path, formats):
    # the images are read before the book is sent; past --max-images the editions are written in turn, as
    # one process does: those before the first that reads images are there, and then it fails
    from PIL import Image

    for n in range(3):
        Image.new("RGB", (20, 20), (n * 80, 0, 0)).save(tmp_path / f"p{n}.png")
    article = tmp_path / "many.html"
    article.write_text("<html lang='en'><title>Many</title><p>Three pictures.</p>"
                       + "".join(f"<p><img src='p{n}.png' alt='Picture {n}'></p>" for n in range(3)) + "</html>",
                       encoding="utf-8")
    outcomes = []
    for one_core in (False, True):
        (tmp_path / "out").mkdir(exist_ok=True)
        for old in (tmp_path / "out").iterdir():
            old.unlink()
        result, stderr, files = run(tmp_path, formats, "images", "--max-images", "2", article=article,
                                    one_core=one_core)
        assert (result["code"], result["children_left"]) == (4, None), stderr
        assert "more than 2 images" in stderr and "p2.png" in stderr
        outcomes.append((files, result["forks"]))
    (forked, forks), (alone, none) = outcomes
    assert forks == 1 and none == 0  # the first run did fork, the second did not
    assert forked == alone == (["many.txt"] if formats.startswith("txt") else [])
    assert child_gone(tmp_path)


def test_a_book_with_an_image_larger_than_the_pipe_is_sent_while_the_command_goes_on(tmp_path):
    # the book and its images (~7 MB here) are more than the pipe holds: a thread feeds them as the
    # PDF's process reads them, once it has imported its engine
    from PIL import Image

    Image.frombytes("RGB", (1500, 1500), os.urandom(1500 * 1500 * 3)).save(tmp_path / "noise.png")
    article = tmp_path / "noisy.html"
    article.write_text("<html lang='en'><title>Noisy</title><p>A picture of noise, large and incompressible.</p>"
                       "<p><img src='noise.png' alt='Noise'></p></html>", encoding="utf-8")
    result, stderr, files = run(tmp_path, "apart,txt", "images", article=article)
    assert (result["code"], result["forks"], result["children_left"]) == (0, 1, None), stderr
    size = (tmp_path / "noise.png").stat().st_size
    assert size > 4_000_000
    assert (tmp_path / "out" / "noisy.apart").read_text() == repr([size])
    assert (tmp_path / "reads").read_text().split() == [str(result["pid"]), "noise.png"]


def test_a_book_nested_deeper_than_lxmls_default_limit_reaches_the_pdfs_process(tmp_path):
    # the book travels as XML: read back with libxml2's defaults, 256 levels or a 10 MB text failed (exit 70)
    article = tmp_path / "deep.html"
    article.write_text("<html lang='en'><title>Deep</title>" + "<blockquote>" * 400
                       + "<p>Words at the bottom of many quotations.</p>" + "</blockquote>" * 400 + "</html>",
                       encoding="utf-8")
    result, stderr, files = run(tmp_path, "apart,txt", "whole", article=article)
    assert (result["code"], result["forks"], result["children_left"]) == (0, 1, None), stderr
    assert files == ["deep.apart", "deep.txt"]


def test_a_document_with_a_text_over_ten_megabytes_pickles():
    import pickle

    from exporter.normalise import normalise

    doc = normalise("<title>Big</title><p>A paragraph before the long one.</p><p>x</p>")
    doc.tree.findall(".//p")[-1].text = "word " * 2_200_000  # 11 MB in one text node
    assert pickle.loads(pickle.dumps(doc)).text == doc.text


def test_sigterm_to_the_command_removes_what_it_was_writing_and_stops_the_pdfs_process(tmp_path):
    argv, env = command(tmp_path, "apart,slow", "sleep")
    command_process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(tmp_path / "slow.started")
    command_process.send_signal(signal.SIGTERM)
    out, err = command_process.communicate(timeout=120)
    result = json.loads(out.strip().splitlines()[-1])
    assert (result["code"], result["children_left"]) == (143, None), err
    assert "exporter: terminated" in err and "Traceback" not in err
    assert list((tmp_path / "out").iterdir()) == []  # neither edition, nor a .part of either
    assert child_gone(tmp_path)


def test_a_broken_writer_plug_in_is_reported_once_not_again_by_the_pdfs_process(tmp_path):
    # the PDF's process, forked before the command loaded the writers, loads them too (txt comes first)
    result, stderr, files = run(tmp_path, "txt,apart", "whole", quiet=False, BROKEN_PLUGIN="1")
    assert (result["code"], result["forks"]) == (0, 1), stderr
    assert stderr.count("could not be loaded") == 1, stderr
    assert files == ["article.apart", "article.txt"]


# --- the process forked by the command's launch, before the command is parsed (exporter/launch.py) ---------

def test_the_pdf_process_is_forked_before_the_command_is_parsed(tmp_path):
    # it imports its engine while click parses the command and the article is read: ~0.1 s sooner done
    result, stderr, files = run(tmp_path, "apart,txt", "whole")
    assert (result["code"], result["forks"], result["children_left"]) == (0, 1, None), stderr
    assert result["parsed_at_fork"] == [False]
    assert int((tmp_path / "writer.pid").read_text()) != result["pid"]  # the edition was written apart
    assert files == ["article.apart", "article.txt"]


def test_the_early_process_logs_at_the_level_the_command_set_and_in_one_line_each(tmp_path):
    # forked before the command set up logging: it is sent the level with its work
    result, stderr, _ = run(tmp_path, "apart,txt", "warn", quiet=False)
    assert (result["code"], result["parsed_at_fork"]) == (0, [False]), stderr
    assert "exporter: apart: a warning\\nwith a forged line" in stderr
    assert "some detail" not in stderr  # an info line, below the default level
    result, stderr, _ = run(tmp_path, "apart,txt", "warn", "-v", quiet=False)
    assert "exporter: apart: some detail" in stderr
    result, stderr, _ = run(tmp_path, "apart,txt", "warn")  # -q
    assert result["code"] == 0 and "apart" not in stderr


@pytest.mark.parametrize("case", ["usage error", "batch", "no edition of its own"])
def test_an_early_process_the_export_does_not_need_is_stopped(tmp_path, case):
    second = tmp_path / "second.html"
    second.write_text("<html lang='en'><title>Second</title><p>Another short article.</p></html>", encoding="utf-8")
    formats, extra = {"usage error": ("apart,txt", ("--no-such-option",)),
                      "batch": ("apart,txt", (str(second), "-j", "1")),
                      "no edition of its own": ("epub,txt", ())}[case]
    result, stderr, files = run(tmp_path, formats, "whole", *extra)
    assert result["code"] == (2 if case == "usage error" else 0), stderr
    assert result["children_left"] is None  # reaped, not left running
    assert result["forks"] == 1 and result["parsed_at_fork"] == [False]
    assert child_gone(tmp_path)
    assert not (tmp_path / "writer.pid").exists() or case == "batch"  # a batch's workers write their own
    assert not [name for name in files if name.endswith(".part")]


@pytest.mark.parametrize("args, formats", [
    (["export"], ["epub", "pdf", "txt"]),
    (["-q", "export", "a.html", "-o", "dist"], ["epub", "pdf", "txt"]),
    (["export", "a.html", "-f", "pdf,TXT"], ["pdf", "txt"]),
    (["export", "--format=epub,pdf", "a.html"], ["epub", "pdf"]),
    (["export", "-fpdf,epub"], ["pdf", "epub"]),
    (["export", "-f", "epub,pdf", "a.html", "-f", "txt"], None),  # the last one wins, as in click
    (["export", "a.html", "-f", "txt"], None),
    (["export", "a.html", "-f", "pdf,pdf"], None),
    (["export", "--help"], None),
    (["--debug", "export", "a.html"], None),  # one process, for a whole traceback
    (["--version"], None),
    (["normalise", "a.html"], None),
    (["formats"], None),
    ([], None),
])
def test_the_launch_forks_only_for_an_export_of_two_formats_or_more(args, formats):
    from exporter.launch import formats_to_export

    assert formats_to_export(args) == formats
