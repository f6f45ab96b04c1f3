"""`scorm-builder check` survives any zip, folder or manifest, and says what it refused.

Peak memory and time on real-sized bombs are measured by benchmarks/check_bombs.py; these
tests show the verdicts, and that reading stops where it must.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorm_builder.check import check_files, check_path, run_check_command
from tests.package_corpus import (
    REFERENCE_MANIFEST,
    forge_size,
    make_zip,
    manifest_edit,
    minimal,
    reference,
    write_folder,
    zip_with_methods,
)


@pytest.fixture(autouse=True)
def never_hang() -> Iterator[None]:
    # A check that blocks (on a FIFO, say) fails here instead of hanging the suite.
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the check did not return in 20 s"))
    signal.alarm(20)
    yield
    signal.alarm(0)


def rules_of(problems) -> set[str]:
    return {p.rule for p in problems}


class CountingReads:
    """Counts the decompressed bytes zipfile hands to the checker."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.total = 0
        read = zipfile.ZipExtFile.read

        def counting(member: zipfile.ZipExtFile, n: int = -1) -> bytes:
            data = read(member, n)
            self.total += len(data)
            return data

        monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)


# --- zips that lie or that LMSs cannot unpack ---------------------------------------------


def test_a_bzip2_member_is_refused_without_decompressing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {**minimal(), "sco/video.mp4": bytes(8 * 1024**2)}
    path = tmp_path / "bomb.zip"
    path.write_bytes(
        forge_size(
            zip_with_methods(files, {"sco/video.mp4": zipfile.ZIP_BZIP2}), "sco/video.mp4", 1000
        )
    )
    reads = CountingReads(monkeypatch)
    problems = check_path(path)
    [refused] = [p for p in problems if p.file == "sco/video.mp4"]
    assert (refused.rule, refused.severity) == ("zip-compression-method", "error")
    assert refused.message == (
        "is compressed with bzip2; LMSs only unpack stored and deflated files"
    )
    # The pages were read; not one byte of the bzip2 member.
    assert reads.total == sum(len(minimal()[name]) for name in minimal())


def test_a_deflate_bomb_with_a_false_size_is_read_to_the_declared_size_plus_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zeros = bytes(64 * 1024**2)  # deflates to 64 KB
    path = tmp_path / "bomb.zip"
    path.write_bytes(
        forge_size(make_zip({**minimal(), "sco/clip.mp4": zeros}), "sco/clip.mp4", 1000)
    )
    reads = CountingReads(monkeypatch)
    problems = check_path(path)
    [lie] = [p for p in problems if p.file == "sco/clip.mp4"]
    assert (lie.rule, lie.severity) == ("zip-size-mismatch", "error")
    assert lie.message.startswith("unpacks to more than the 1,000 bytes its header declares")
    assert reads.total <= sum(len(data) for data in minimal().values()) + 1001


def test_a_member_shorter_than_declared_is_a_size_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "short.zip"
    path.write_bytes(forge_size(make_zip(minimal()), "sco/look.css", 5000))
    [problem] = check_path(path)
    assert (problem.rule, problem.file) == ("zip-size-mismatch", "sco/look.css")
    size = len(minimal()["sco/look.css"])
    assert problem.message.startswith(f"unpacks to {size} bytes, not the 5,000 bytes")


def test_many_small_members_of_zeros_are_refused_as_a_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 80 MiB of zeros in 1 MiB members: each passes the per-file ratio, the zip does not.
    files = {**minimal(), **{f"sco/pad{n}.bin": bytes(1024**2) for n in range(80)}}
    path = tmp_path / "many.zip"
    path.write_bytes(make_zip(files))
    reads = CountingReads(monkeypatch)
    [problem] = check_path(path)
    assert (problem.rule, problem.file) == ("zip-compression-ratio", "many.zip")
    assert problem.message.startswith("the zip compresses ")
    assert reads.total == 0


def test_media_are_not_kept_in_memory(tmp_path: Path) -> None:
    from scorm_builder.check.readers import read_zip

    video = os.urandom(3 * 1024**2)
    path = tmp_path / "video.zip"
    path.write_bytes(
        make_zip(
            {
                **manifest_edit(
                    '<file href="shared/logo.png"/>',
                    '<file href="shared/logo.png"/><file href="shared/intro.mp4"/>',
                ),
                "shared/intro.mp4": video,
            }
        )
    )
    package = read_zip(path)
    assert "shared/intro.mp4" not in package.files
    assert "shared/intro.mp4" in package.unreadable
    assert "moments/index.html" in package.files
    assert check_path(path) == []


# --- folders ------------------------------------------------------------------------------


def test_a_folder_with_a_huge_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_folder(minimal(), tmp_path / "course")
    with (folder / "sco" / "lecture.mp4").open("wb") as sparse:
        sparse.truncate(3 * 1024**3)  # 3 GiB, no disk used

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing may be read from a folder over the limits")

    monkeypatch.setattr(Path, "open", refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    [problem] = check_path(folder)
    assert (problem.rule, problem.file) == ("zip-too-large", "course")
    total = 3 * 1024**3 + sum(len(data) for data in minimal().values())
    assert problem.message == (
        f"the folder unpacks to {total:,} bytes, over the limit of 2,147,483,648"
    )


def test_a_folder_with_too_many_files_is_refused_before_reading(tmp_path: Path) -> None:
    from scorm_builder.check import Limits

    folder = write_folder(
        {**minimal(), **{f"sco/n{i}.txt": b"x" for i in range(30)}}, tmp_path / "c"
    )
    [problem] = check_path(folder, Limits(max_entries=10))
    assert (problem.rule, problem.file) == ("zip-too-large", "c")
    assert problem.message.startswith("the folder holds ")
    assert problem.message.endswith("files or more, over the limit of 10")


def test_a_fifo_given_as_the_package_is_refused_at_once(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "course.zip"
    os.mkfifo(fifo)
    assert run_check_command(fifo, "json", strict=False) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "course.zip is not a regular file or a folder (a pipe or a device?)" in err


def test_a_fifo_and_a_symlink_out_of_a_folder_are_not_read(tmp_path: Path) -> None:
    folder = write_folder(minimal(), tmp_path / "course")
    os.mkfifo(folder / "sco" / "pipe")
    secret = tmp_path / "secret.txt"
    secret.write_text("<script src='https://x.org/a.js'></script>")
    (folder / "sco" / "notes.html").symlink_to(secret)
    (folder / "sco" / "loop").symlink_to(folder, target_is_directory=True)
    problems = check_path(folder)
    assert {(p.rule, p.file, p.severity) for p in problems} == {
        ("folder-special-file", "sco/pipe", "warning"),
        ("folder-special-file", "sco/notes.html", "warning"),
        ("folder-special-file", "sco/loop", "warning"),
    }
    by_file = {p.file: p.message for p in problems}
    assert by_file["sco/notes.html"].startswith("is a symbolic link out of the folder")
    assert by_file["sco/pipe"].startswith("is not a regular file")
    assert by_file["sco/loop"].startswith("is a symbolic link to a folder (not followed)")


# --- manifests with a DTD -----------------------------------------------------------------

XXE = REFERENCE_MANIFEST.replace(
    '<manifest identifier="hand-hygiene"',
    '<!DOCTYPE manifest [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    '<manifest identifier="hand-hygiene"',
).replace("<title>Hand hygiene</title>", "<title>&secret;</title>")


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_manifest_with_a_dtd_is_a_clear_error(output_format: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "xxe.zip"
    path.write_bytes(make_zip({**reference(), "imsmanifest.xml": XXE.encode()}))
    assert run_check_command(path, output_format, strict=False) == 1
    out, err = capsys.readouterr()
    assert err == ""
    message = (
        "the manifest has a DTD (<!DOCTYPE ...>); DTDs and entities are refused, since they"
        " can make an XML reader fetch files or expand without end"
    )
    if output_format == "json":
        report = json.loads(out)
        assert [(p["rule"], p["file"], p["line"], p["message"]) for p in report["problems"]] == [
            ("manifest-dtd", "imsmanifest.xml", 1, message)
        ]
    else:
        assert out.startswith(f"imsmanifest.xml:1: error [manifest-dtd] {message}\n")
    assert "root:" not in out  # /etc/passwd was never read


# --- the command's output -----------------------------------------------------------------


def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path) -> None:
    # 2,000 non-ASCII names: a warning each, far more output than a pipe buffers.
    files = {**reference(), **{f"moments/é{n}.txt": b"x" for n in range(2000)}}
    path = tmp_path / "course.zip"
    path.write_bytes(make_zip(files))
    command = [sys.executable, "-m", "scorm_builder", "check", "--format", "json", str(path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        error = process.stderr.read().decode()
    assert "Traceback" not in error and "BrokenPipe" not in error
    assert process.returncode == 0  # the verdict (warnings only), not a crash


def test_the_report_of_400_unlisted_files_is_one_line(tmp_path: Path, capsys) -> None:
    files = {**reference(), **{f"moments/extra{n:03}.txt": b"x" for n in range(400)}}
    path = tmp_path / "course.zip"
    path.write_bytes(make_zip(files))
    assert run_check_command(path, "text", strict=True) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "imsmanifest.xml: info [manifest-unlisted-file] 400 file(s) are in the package but in"
        " no <file> of the manifest: moments/extra000.txt, moments/extra001.txt,"
        " moments/extra002.txt, moments/extra003.txt, moments/extra004.txt and 395 more",
        "    fix: nothing to do for the LMS (it extracts every file); list them in the resource"
        " that uses them, or delete the ones nothing uses",
        f"{path}: 0 errors, 0 warnings, 1 info: OK",
    ]


def test_a_zlib_error_is_a_finding(tmp_path: Path) -> None:
    data = bytearray(make_zip({**minimal(), "sco/big.js": b"var a = 1;\n" * 5000}))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("sco/big.js")
    start = info.header_offset + 30 + len(info.filename)
    data[start : start + 20] = b"\xff" * 20  # garbage where the deflate stream starts
    path = tmp_path / "broken.zip"
    path.write_bytes(bytes(data))
    problems = check_path(path)
    assert ("zip-unreadable", "sco/big.js") in {(p.rule, p.file) for p in problems}
    assert zlib  # the error reported is zlib's, in the message


# --- any page: no crash, and nesting hides no load ----------------------------------------

PIECES = [
    "<svg>", "<style>", "</style>", "<math>", "<noscript>", "</noscript>", "<template>",
    "<table>", "<select>", "<form>", "<object data='a.swf'>", "<param name=movie value=b.swf>",
    "<a href='..\\\\x.html'>", "<iframe src='x.html'>", "<!--", "-->", "<div>", "</div>", "<p>",
    "<img src='missing.png'>", "url(", "'", '"', "\\", "\x00", "&amp;", "<![CDATA[", "]]>",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.integers(0, 400))
def test_any_page_is_checked_without_a_crash_and_a_load_after_it_is_seen(
    pieces: list[str], depth: int
) -> None:
    # Whatever comes before, a closed-off <script src> at any depth still loads in a
    # browser: the HTML5 parser sees it too.
    noise = "".join(pieces)
    page = (
        f"<!DOCTYPE html><html><head><title>x</title></head><body>{'<div>' * depth}"
        f'<script src="https://cdn.example.com/x.js"></script>{noise}</body></html>'
    )
    files = {**minimal(), "sco/launch.htm": page.encode()}
    problems = check_files(files)
    assert any(
        p.rule == "content-external-url" and "https://cdn.example.com/x.js" in p.message
        for p in problems
    )


def test_a_page_100000_elements_deep_is_read_without_the_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scorm_builder.check import pages

    # Building the HTML5 tree costs time in proportion to the depth for every element:
    # at this depth that is hours. The tokenizer alone still sees every tag.
    def no_tree(data: bytes) -> None:
        raise AssertionError("the tree must not be built for a page this deep")

    monkeypatch.setattr(pages, "parse_html", no_tree)
    page = (
        "<!DOCTYPE html><html><body>" + "<div>" * 100_000
        + '<script src="https://cdn.example.com/x.js"></script>'
        + "<script>var u = 'https://t.example.com/beacon';</script>"
        + "<style>@import 'https://fonts.example.com/a.css';</style>"
    )  # fmt: skip
    problems = check_files({**minimal(), "sco/launch.htm": page.encode()})
    found = {(p.rule, p.message.split(" from ")[0]) for p in problems}
    assert ("content-external-url", "loads https://cdn.example.com/x.js") in found
    assert ("content-external-url", "loads https://fonts.example.com/a.css") in found
    assert "content-external-url-in-script" in {p.rule for p in problems}


def test_pages_past_the_parsing_budget_are_named_not_parsed(tmp_path: Path) -> None:
    from scorm_builder.check import Limits

    path = tmp_path / "course.zip"
    path.write_bytes(make_zip(reference()))
    problems = check_path(path, Limits(max_total_page_bytes=1000))
    assert {(p.rule, p.severity) for p in problems} == {("content-not-inspected", "warning")}
    assert {p.file for p in problems} <= {"moments/index.html", "quiz/index.html"}
    assert "is past the bytes of text the check reads in all (1,000 of pages" in problems[0].message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("sco/look.css", b"url(" * 50_000),  # every scan once went to the end: 30 s
        ("sco/look.css", b"/* " * 50_000),
        ("sco/app.js", b'"a' * 200_000),  # lines once counted from the start: 12 s
        ("sco/app.js", b'x="http://a.example/' * 50_000),
    ],
    ids=["unclosed-urls", "unclosed-comments", "many-strings", "many-urls"],
)
def test_pathological_styles_and_scripts_are_scanned_in_one_pass(name: str, content: bytes) -> None:
    files = {**minimal(), name: content}
    files["sco/launch.htm"] += b'<script src="app.js"></script>'
    check_files(files)  # the alarm above fails the test if this takes 20 s


def test_a_tag_with_100000_attributes_is_named_not_parsed() -> None:
    # html5lib compares each attribute with the tag's earlier ones: minutes for this page.
    files = {**minimal(), "sco/launch.htm": b"<p " + b"a " * 100_000 + b">"}
    problems = check_files(files)
    [problem] = [p for p in problems if p.rule == "content-not-inspected"]
    assert (problem.file, problem.severity) == ("sco/launch.htm", "warning")
    assert problem.message.startswith("holds tags with tens of thousands of attributes")
