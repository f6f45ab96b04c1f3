"""Rebuilding: only the lessons that changed are read and rendered again, and the package is
byte for byte what a clean build makes. The cache is only ever a shortcut: damaged, forged or
deleted, the build still makes the same package."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scorm_builder import build as build_module
from scorm_builder import package, record_sheet, sources
from scorm_builder.build import build, build_package
from scorm_builder.cache import FORMAT, Cache, default_cache_dir
from scorm_builder.model import Lesson, Page, Question, Quiz
from scorm_builder.output import LEDGER_FILE
from scorm_builder.problems import BuildError
from tests.course_factory import PNG, two_lesson_course


@pytest.fixture
def lessons_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the lessons the build really reads (not taken from the cache)."""
    read: list[str] = []
    real = sources.read_lesson

    def counting(path: Path, lesson_id: str, *args: object, **kwargs: object):  # noqa: ANN202
        read.append(lesson_id)
        return real(path, lesson_id, *args, **kwargs)

    monkeypatch.setattr(sources, "read_lesson", counting)
    return read


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own cache folder (what $SCORM_BUILDER_CACHE_DIR names)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SCORM_BUILDER_CACHE_DIR", str(folder))
    return folder


def zip_of(source: Path, output: Path, cache_dir: Path | None = None) -> bytes:
    [(path, _, _)] = build(source, output, cache_dir=cache_dir).written
    return path.read_bytes()


def clean_zip(source: Path, tmp_path: Path) -> bytes:
    """What a build with no cache at all makes."""
    return zip_of(source, tmp_path / "clean", cache_dir=tmp_path / "no-cache")


def cache_entries(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.lesson"))


def read_entry(path: Path) -> tuple[dict, bytes]:
    """A cache entry: its JSON line (after the line of its signature and of its record sheet
    part's lengths), and the page's deflate stream at the end of the file."""
    header, _, rest = path.read_bytes().partition(b"\n")
    line, _, tail = rest.partition(b"\n")
    return json.loads(line), tail[_record_length(header) :]


def _stored(path: Path) -> tuple[bytes, bytes]:
    """The entry's line of signature and lengths, and its record sheet part as stored."""
    header, _, rest = path.read_bytes().partition(b"\n")
    tail = rest.partition(b"\n")[2]
    return header, tail[: _record_length(header)]


def _record_length(header: bytes) -> int:
    return sum(int(length) for length in header.split(b" ")[1:])


def write_entry(path: Path, entry: dict, page: bytes) -> None:
    """What a forger with write access to the cache folder can do: everything but sign."""
    header, record = _stored(path)
    line = json.dumps(entry, ensure_ascii=False).encode()
    path.write_bytes(header + b"\n" + line + b"\n" + record + page)


def test_a_rebuild_reads_only_the_changed_lesson_and_gives_clean_build_bytes(
    tmp_path: Path, lessons_read: list[str], cache: Path
) -> None:
    source = two_lesson_course(tmp_path / "source")
    zip_of(source, tmp_path / "dist")
    assert lessons_read == ["llm-basics", "infection-control"]
    assert len(cache_entries(cache)) == 2
    assert sorted(os.listdir(tmp_path / "dist")) == [
        LEDGER_FILE,
        "ai-basics-for-clinicians.record.csv",
        "ai-basics-for-clinicians.record.html",
        "ai-basics-for-clinicians.zip",
    ]

    lesson = source / "lessons" / "infection-control.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n追記です。\n", encoding="utf-8")
    lessons_read.clear()
    rebuilt = zip_of(source, tmp_path / "dist")
    assert lessons_read == ["infection-control"]

    lessons_read.clear()
    assert rebuilt == clean_zip(source, tmp_path)
    assert lessons_read == ["llm-basics", "infection-control"]


def test_the_record_sheets_of_a_rebuild_are_those_of_a_clean_build(
    tmp_path: Path, lessons_read: list[str]
) -> None:
    """Each lesson's part of the sheets is kept with its page: only the edited lesson's part
    is made again, and the sheets come out byte for byte as a clean build writes them."""
    source = two_lesson_course(tmp_path / "source")
    zip_of(source, tmp_path / "dist")
    names = [f"ai-basics-for-clinicians{suffix}" for suffix in (".record.html", ".record.csv")]
    first = {name: (tmp_path / "dist" / name).read_bytes() for name in names}
    lesson = source / "lessons" / "infection-control.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace("手指衛生", "手洗い"), encoding="utf-8"
    )
    lessons_read.clear()
    zip_of(source, tmp_path / "dist")
    assert lessons_read == ["infection-control"]
    clean_zip(source, tmp_path)
    for name in names:  # the HTML shows the new page title, both the new digests
        rebuilt = (tmp_path / "dist" / name).read_bytes()
        assert rebuilt != first[name]
        assert rebuilt == (tmp_path / "clean" / name).read_bytes()
    assert "手洗い".encode() in (tmp_path / "dist" / names[0]).read_bytes()


@pytest.fixture
def templates_compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from their source (not loaded compiled)."""
    import jinja2

    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *args, **kw):  # noqa: ANN202, ANN002, ANN003
        compiled.append(str(name))
        return real(self, source, name, *args, **kw)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


def as_in_a_new_process(compiled: list[str]) -> None:
    """What running scripts/build again starts with: no renderer kept from the last build,
    no record sheet template either."""
    build_module._renderer.cache_clear()
    record_sheet._environment.cache_clear()
    compiled.clear()


def edit(lesson: Path) -> None:
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n追記です。\n", encoding="utf-8")


def test_a_rebuild_loads_its_templates_compiled_by_the_last_build(
    tmp_path: Path, templates_compiled: list[str], cache: Path
) -> None:
    source = two_lesson_course(tmp_path / "source")
    as_in_a_new_process(templates_compiled)  # not the templates earlier tests compiled
    zip_of(source, tmp_path / "dist")
    assert "lesson.html" in templates_compiled
    edit(source / "lessons" / "infection-control.md")
    as_in_a_new_process(templates_compiled)
    rebuilt = zip_of(source, tmp_path / "dist")
    # Neither the page's templates nor the record sheet's (its lesson.html and sheet.html).
    assert not {"lesson.html", "quiz.html", "attest.html", "sheet.html"} & set(templates_compiled)
    assert rebuilt == clean_zip(source, tmp_path)


def test_compiled_templates_edited_in_the_cache_folder_are_never_loaded(
    tmp_path: Path, templates_compiled: list[str], cache: Path
) -> None:
    """Jinja reads compiled templates with pickle: one planted in a shared cache folder
    (its signature line kept, since the key is not there to sign with) would run code."""
    import pickle

    from jinja2.bccache import bc_magic

    source = two_lesson_course(tmp_path / "source")
    first = zip_of(source, tmp_path / "dist")
    planted = tmp_path / "planted"

    class Payload:
        def __reduce__(self) -> tuple:
            return (Path.touch, (planted,))

    kept = sorted((cache / FORMAT / "templates").iterdir())
    payload = bc_magic + pickle.dumps(Payload())
    assert kept
    for path in kept:
        signature = path.read_bytes().partition(b"\n")[0]
        path.write_bytes(signature + b"\n" + payload)
    edit(source / "lessons" / "infection-control.md")
    as_in_a_new_process(templates_compiled)
    rebuilt = zip_of(source, tmp_path / "dist")
    assert not planted.exists()
    assert "lesson.html" in templates_compiled  # compiled again, and kept signed again
    assert rebuilt != first and rebuilt == clean_zip(source, tmp_path)
    assert all(payload not in path.read_bytes() for path in kept)


def test_a_new_process_ships_the_run_time_as_the_last_build_minified_it_but_never_a_forgery(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scorm_builder import render

    minified: list[str] = []
    real = render.minify

    def counting(name: str, data: bytes) -> bytes:
        minified.append(name)
        return real(name, data)

    monkeypatch.setattr(render, "minify", counting)
    render._minified.cache_clear()  # earlier tests' builds in this process minified them
    source = two_lesson_course(tmp_path / "source")
    first = zip_of(source, tmp_path / "dist")
    assert "runtime.js" in minified
    render._minified.cache_clear()  # as in a new process
    minified.clear()
    assert zip_of(source, tmp_path / "dist") == first
    assert minified == []

    # Someone who may write the cache folder, but has not the key, puts their own script there.
    kept = sorted((cache / FORMAT / "static").iterdir())
    assert len(kept) == 2  # the script and the style sheet
    for path in kept:
        signature = path.read_bytes().partition(b"\n")[0]
        path.write_bytes(signature + b"\n" + b'fetch("https://example.org/steal")')
    render._minified.cache_clear()
    rebuilt = zip_of(source, tmp_path / "dist")
    assert sorted(minified) == ["course.css", "runtime.js"]  # minified again from the source
    assert rebuilt == first


def test_nothing_changed_reads_nothing(tmp_path: Path, lessons_read: list[str]) -> None:
    source = two_lesson_course(tmp_path / "source")
    first = zip_of(source, tmp_path / "dist")
    lessons_read.clear()
    assert zip_of(source, tmp_path / "dist") == first
    assert lessons_read == []


def test_changing_the_course_settings_or_a_quiz_redoes_what_depends_on_it(
    tmp_path: Path, lessons_read: list[str], cache: Path
) -> None:
    source = two_lesson_course(tmp_path / "source")
    zip_of(source, tmp_path / "dist")
    quiz = source / "lessons" / "llm-basics.quiz.toml"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("pass_mark = 80", "pass_mark = 70"))
    lessons_read.clear()
    zip_of(source, tmp_path / "dist")
    assert lessons_read == ["llm-basics"]

    settings = source / "course.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('"1.0"', '"1.1"'))
    lessons_read.clear()
    zip_of(source, tmp_path / "dist")
    assert lessons_read == ["llm-basics", "infection-control"]


def test_the_previews_cache_keeps_lessons_as_made_and_still_checks_their_images(
    tmp_path: Path, lessons_read: list[str]
) -> None:
    """In memory (the preview), a lesson is kept as it was made, not encoded and decoded
    again; an image it uses is still checked on every rebuild."""
    source = two_lesson_course(tmp_path / "source")
    cache = Cache(None)
    first = build_package(source, cache=cache)
    lessons_read.clear()
    again = build_package(source, cache=cache)
    assert lessons_read == []
    assert again.lessons == first.lessons
    image = source / "lessons" / "handwash.png"
    data = image.read_bytes()
    image.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    rebuilt = build_package(source, cache=cache)
    assert lessons_read == ["infection-control"]
    assert dict(rebuilt.files.items()) == dict(build_package(source).files.items())


def test_a_replaced_image_is_taken_again(tmp_path: Path, lessons_read: list[str]) -> None:
    source = two_lesson_course(tmp_path / "source")
    zip_of(source, tmp_path / "dist")
    image = source / "lessons" / "handwash.png"
    before = image.stat()
    data = image.read_bytes()
    image.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # still a PNG, of the same size
    os.utime(image, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same time
    lessons_read.clear()
    rebuilt = zip_of(source, tmp_path / "dist")
    assert lessons_read == ["infection-control"]
    assert rebuilt == clean_zip(source, tmp_path)


def test_a_damaged_cache_is_ignored(tmp_path: Path, lessons_read: list[str], cache: Path) -> None:
    source = two_lesson_course(tmp_path / "source")
    first = zip_of(source, tmp_path / "dist")
    for path in cache_entries(cache):
        path.write_bytes(b"not a cache")
    lessons_read.clear()
    assert zip_of(source, tmp_path / "dist") == first
    assert lessons_read == ["llm-basics", "infection-control"]


def field_index(kind: type, name: str) -> int:
    """Where a dataclass's field is in its cache entry, which holds its values in field order."""
    return [f.name for f in dataclasses.fields(kind)].index(name)


def field_of(value: list, kind: type, name: str) -> object:
    return value[field_index(kind, name)]


def set_field(value: list, kind: type, name: str, new: object) -> None:
    value[field_index(kind, name)] = new


def sign_entry(path: Path, entry: dict, page: bytes) -> None:
    """What our own bug (or someone holding the key) could write: a signed entry, so that
    the reader's own checks of what it holds are all that stands in the way."""
    header, record = _stored(path)
    html_length, csv_length = (int(length) for length in header.split(b" ")[1:])
    line = json.dumps(entry, ensure_ascii=False).encode()
    parts = (record[:html_length], record[html_length:], page)
    digests = tuple(hashlib.sha256(part).digest() for part in parts)
    signature = Cache(path.parent.parent)._signature(path.stem, line, digests)
    lengths = f" {html_length} {csv_length}".encode()
    path.write_bytes(signature.encode() + lengths + b"\n" + line + b"\n" + record + page)


def quiz_of(entry: dict) -> list:
    return field_of(entry["lesson"], Lesson, "quiz")  # type: ignore[return-value]


def first_question_of(entry: dict) -> list:
    return field_of(quiz_of(entry), Quiz, "questions")[0]  # type: ignore[index]


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry: set_field(entry["lesson"], Lesson, "title", 12),
        lambda entry: set_field(entry["lesson"], Lesson, "pages", "ページ"),
        lambda entry: set_field(field_of(entry["lesson"], Lesson, "pages")[0], Page, "title", None),
        lambda entry: set_field(quiz_of(entry), Quiz, "pass_mark", "80"),
        lambda entry: set_field(first_question_of(entry), Question, "type", "singel"),
        lambda entry: entry["lesson"].append(1),
        lambda entry: entry["lesson"].pop(),
        lambda entry: entry.update(lesson={"id": "llm-basics"}),
        lambda entry: entry.update(problems=[[1]]),
        lambda entry: entry.update(page=None),
        lambda entry: entry.clear(),
    ],
    ids=[
        "title-a-number",
        "pages-a-string",
        "page-title-null",
        "pass-mark-a-string",
        "unknown-question-type",
        "a-field-too-many",
        "a-field-missing",
        "fields-by-name",
        "damaged-problem",
        "no-page-digest",
        "empty",
    ],
)
def test_a_cache_entry_of_the_wrong_types_is_ignored_not_a_traceback(
    tmp_path: Path, lessons_read: list[str], cache: Path, damage: object
) -> None:
    source = two_lesson_course(tmp_path / "source")
    first = zip_of(source, tmp_path / "dist")
    for path in cache_entries(cache):
        entry, page = read_entry(path)
        damage(entry)  # type: ignore[operator]
        sign_entry(path, entry, page)
    lessons_read.clear()
    assert zip_of(source, tmp_path / "dist") == first
    assert lessons_read == ["llm-basics", "infection-control"]


def test_a_cache_entry_signed_again_unchanged_is_used(
    tmp_path: Path, lessons_read: list[str], cache: Path
) -> None:
    """What the test above re-signs is read: its entries are refused for what they hold."""
    source = two_lesson_course(tmp_path / "source")
    first = zip_of(source, tmp_path / "dist")
    for path in cache_entries(cache):
        sign_entry(path, *read_entry(path))
    lessons_read.clear()
    assert zip_of(source, tmp_path / "dist") == first
    assert lessons_read == []


def test_an_edited_cached_page_is_not_shipped(
    tmp_path: Path, lessons_read: list[str], cache: Path
) -> None:
    """A page is kept compressed under the digest of its content: changed, it no longer
    matches and the lesson is made again."""
    import zlib

    source = two_lesson_course(tmp_path / "source")
    first = zip_of(source, tmp_path / "dist")
    for path in cache_entries(cache):
        entry, deflated = read_entry(path)
        page = zlib.decompress(deflated, -15)
        forged = page.replace(b"</body>", b"<script>steal()</script></body>")
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        write_entry(path, entry, compressor.compress(forged) + compressor.flush())
    lessons_read.clear()
    rebuilt = zip_of(source, tmp_path / "dist")
    assert b"steal()" not in rebuilt and rebuilt == first
    assert lessons_read == ["llm-basics", "infection-control"]


def test_an_edited_record_sheet_part_in_the_cache_is_not_written(
    tmp_path: Path, lessons_read: list[str], cache: Path
) -> None:
    """A lesson's part of the record sheet is kept as it is, after the entry's JSON: changed
    there, the entry is not ours any more, and the lesson is made again."""
    source = two_lesson_course(tmp_path / "source")
    zip_of(source, tmp_path / "dist")
    sheet = tmp_path / "dist" / "ai-basics-for-clinicians.record.html"
    first = sheet.read_bytes()
    for path in cache_entries(cache):
        path.write_bytes(path.read_bytes().replace("正解".encode(), "不正解".encode()))
    lessons_read.clear()
    zip_of(source, tmp_path / "dist")
    assert sheet.read_bytes() == first
    assert lessons_read == ["llm-basics", "infection-control"]


def test_a_forged_cache_entry_with_recomputed_digests_is_not_shipped(
    tmp_path: Path, lessons_read: list[str], cache: Path
) -> None:
    """A cache folder shared by CI can be written by others: a page edited there, with its
    digest recomputed, is still not the builder's, and the lessons are made again."""
    import zlib

    source = two_lesson_course(tmp_path / "source")
    first = zip_of(source, tmp_path / "dist")
    for path in cache_entries(cache):
        entry, deflated = read_entry(path)
        forged = zlib.decompress(deflated, -15).replace(
            b"</body>", b'<script>alert("forged")</script></body>'
        )
        entry["page"] = hashlib.sha256(forged).hexdigest()
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        write_entry(path, entry, compressor.compress(forged) + compressor.flush())
    lessons_read.clear()
    rebuilt = zip_of(source, tmp_path / "dist")
    assert b"forged" not in rebuilt and rebuilt == first
    assert lessons_read == ["llm-basics", "infection-control"]


def test_cache_entries_are_signed_with_a_key_kept_outside_the_cache_folder(
    tmp_path: Path,
) -> None:
    from scorm_builder.cache import cache_key_file, signing_key

    environ = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    key = signing_key(environ)
    assert key is not None and len(key) == 32 and signing_key(environ) == key
    assert cache_key_file(environ).stat().st_mode & 0o077 == 0


def test_the_cache_lives_outside_the_output_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCORM_BUILDER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/me")
    assert default_cache_dir() == Path("/var/cache/me/scorm-builder")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache" / "scorm-builder"
    monkeypatch.setenv("SCORM_BUILDER_CACHE_DIR", "/tmp/ci-cache")
    assert default_cache_dir() == Path("/tmp/ci-cache")


def test_the_same_lessons_in_another_folder_take_that_folders_images(tmp_path: Path) -> None:
    first = two_lesson_course(tmp_path / "first")
    second = two_lesson_course(tmp_path / "second")
    (second / "lessons" / "handwash.png").write_bytes(PNG + b"another picture")
    zip_of(first, tmp_path / "dist")
    assert zip_of(second, tmp_path / "dist") == clean_zip(second, tmp_path)


def test_zips_the_course_no_longer_makes_are_removed(tmp_path: Path) -> None:
    source = two_lesson_course(tmp_path / "source")
    out = tmp_path / "dist"
    split = build(source, out, split=True)
    assert sorted(p.name for p in out.glob("*.zip")) == [
        "ai-basics-for-clinicians-infection-control.zip",
        "ai-basics-for-clinicians-llm-basics.zip",
    ]
    (out / "other-course.zip").write_bytes(b"not ours")
    whole = build(source, out)
    assert sorted(p.name for p in out.glob("*.zip")) == [
        "ai-basics-for-clinicians.zip",
        "other-course.zip",  # never touched: this build did not write it
    ]
    # Each zip goes with its record sheets.
    old_zips = [path for path, _, _ in split.written]
    sheets = [zip.with_suffix(f".record.{kind}") for zip in old_zips for kind in ("csv", "html")]
    assert sorted(whole.removed) == sorted([*old_zips, *sheets])


def test_a_split_build_that_fails_halfway_replaces_no_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = two_lesson_course(tmp_path / "source")
    out = tmp_path / "dist"
    build(source, out, split=True)
    before = {p.name: p.read_bytes() for p in out.glob("*.zip")}
    lesson = source / "lessons" / "llm-basics.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n追記\n", encoding="utf-8")
    written = []
    real_fsync = os.fsync

    def fsync_fails_the_second_time(descriptor: int) -> None:
        written.append(descriptor)
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(descriptor)

    monkeypatch.setattr(package.os, "fsync", fsync_fails_the_second_time)
    with pytest.raises(BuildError):
        build(source, out, split=True)
    assert {p.name: p.read_bytes() for p in out.glob("*.zip")} == before
    assert not list(out.glob(".*.tmp"))


def test_every_file_is_on_disk_before_any_replaces_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files are synced while the next ones are written, and renamed only once all are
    synced: a crash never leaves a renamed file whose data is not on disk."""
    source = two_lesson_course(tmp_path / "source")
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor: int) -> None:
        real_fsync(descriptor)
        events.append("synced")

    def replace(source: str, target: Path) -> None:
        if Path(target).parent == dist:  # not the cache's entries
            events.append(f"renamed {Path(target).name}")
        real_replace(source, target)

    dist = tmp_path / "dist"
    monkeypatch.setattr(package.os, "fsync", fsync)
    monkeypatch.setattr(package.os, "replace", replace)
    build(source, dist, split=True)
    renamed = [event for event in events if event.startswith("renamed")]
    outputs = renamed[:6]  # two zips, each with its two record sheets; then the ledger
    assert renamed[6:] == [f"renamed {LEDGER_FILE}"]
    assert events[:12] == ["synced"] * 6 + outputs


def test_deleting_the_cache_keeps_removing_stale_zips(tmp_path: Path, cache: Path) -> None:
    source = two_lesson_course(tmp_path / "source")
    out = tmp_path / "dist"
    split = build(source, out, split=True)
    for path in sorted(cache.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    whole = build(source, out)
    assert sorted(p for p in whole.removed if p.suffix == ".zip") == sorted(
        path for path, _, _ in split.written
    )
    assert sorted(p.name for p in out.glob("*.zip")) == ["ai-basics-for-clinicians.zip"]


def test_a_forged_ledger_cannot_remove_files_outside_the_output_folder(tmp_path: Path) -> None:
    source = two_lesson_course(tmp_path / "source")
    out = tmp_path / "dist"
    zip_of(source, out)
    precious = tmp_path / "precious.zip"
    precious.write_bytes(b"keep me")
    notes = out / "notes.txt"
    notes.write_bytes(b"not a zip")
    ledger = json.loads((out / LEDGER_FILE).read_bytes())
    ledger["files"] = ["../precious.zip", str(precious), "notes.txt", 7]
    (out / LEDGER_FILE).write_text(json.dumps(ledger))
    zip_of(source, out)
    assert precious.read_bytes() == b"keep me" and notes.read_bytes() == b"not a zip"


def test_a_damaged_ledger_removes_nothing_and_breaks_nothing(tmp_path: Path) -> None:
    source = two_lesson_course(tmp_path / "source")
    out = tmp_path / "dist"
    build(source, out, split=True)
    (out / LEDGER_FILE).write_text('{"course": 1, "files": "x"}')
    assert build(source, out).removed == []


def test_another_course_built_into_the_same_folder_leaves_the_first_ones_zips(
    tmp_path: Path,
) -> None:
    first = two_lesson_course(tmp_path / "first")
    second = two_lesson_course(tmp_path / "second")
    settings = second / "course.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            'identifier = "ai-basics-for-clinicians"', 'identifier = "other-course"'
        ),
        encoding="utf-8",
    )
    out = tmp_path / "dist"
    build(first, out, split=True)
    assert build(second, out).removed == []
    assert len(list(out.glob("*.zip"))) == 3


def test_a_cache_entry_naming_a_file_outside_the_course_is_not_used(
    tmp_path: Path, cache: Path
) -> None:
    source = two_lesson_course(tmp_path / "source")
    out = tmp_path / "dist"
    clean = clean_zip(source, tmp_path)
    zip_of(source, out)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the package")
    for path in cache_entries(cache):
        entry, page = read_entry(path)
        if field_of(entry["lesson"], Lesson, "id") == "infection-control":
            media = field_of(entry["lesson"], Lesson, "media")
            media["media/leak.txt"] = str(secret)  # type: ignore[index]
            entry["media"][str(secret)] = hashlib.sha256(secret.read_bytes()).hexdigest()
            sign_entry(path, entry, page)
    assert zip_of(source, out) == clean


def test_a_build_removes_the_temporary_files_an_interrupted_build_left(tmp_path: Path) -> None:
    source = two_lesson_course(tmp_path / "source")
    out = tmp_path / "dist"
    out.mkdir()
    left = out / ".ai-basics-for-clinicians.zip.k2j4h_x1.tmp"
    left.write_bytes(b"half a zip")
    someone_elses = out / ".other.zip.k2j4h_x1.tmp"
    someone_elses.write_bytes(b"not ours")
    zip_of(source, out)
    assert not left.exists() and someone_elses.exists()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_build_stopped_by_sigterm_or_sighup_while_writing_leaves_no_temporary_file(
    tmp_path: Path, stop: signal.Signals
) -> None:
    """CI timeouts send SIGTERM, a closed terminal SIGHUP: the build ends as after Ctrl+C,
    the previous zip intact."""
    source = two_lesson_course(tmp_path / "source")
    out = tmp_path / "dist"
    previous = zip_of(source, out)
    # A picture that takes a while to deflate, so that the signal arrives mid-write.
    (source / "lessons" / "handwash.png").write_bytes(PNG + os.urandom(40_000_000))
    command = [sys.executable, "-m", "scorm_builder", "build", str(source), "-o", str(out)]
    build_process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(out.glob(".*.tmp")):
        assert build_process.poll() is None, "the build ended before it wrote anything"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    build_process.send_signal(stop)
    _, stderr = build_process.communicate(timeout=60)
    assert build_process.returncode == 128 + stop
    assert f"stopped ({stop.name}); nothing was written" in stderr
    assert not list(out.glob(".*.tmp"))
    assert (out / "ai-basics-for-clinicians.zip").read_bytes() == previous
