"""Rebuilding: only the lessons that changed are read and rendered again, and the package is
byte for byte what a clean build makes."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import pytest

from scorm_builder import package, sources
from scorm_builder.build import build
from scorm_builder.cache import CACHE_FILE
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


def zip_of(source: Path, output: Path) -> bytes:
    [(path, _, _)] = build(source, output).written
    return path.read_bytes()


def test_a_rebuild_reads_only_the_changed_lesson_and_gives_clean_build_bytes(
    tmp_path: Path, lessons_read: list[str]
) -> None:
    source = two_lesson_course(tmp_path / "source")
    zip_of(source, tmp_path / "dist")
    assert lessons_read == ["llm-basics", "infection-control"]
    assert (tmp_path / "dist" / CACHE_FILE).is_file()

    lesson = source / "lessons" / "infection-control.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n追記です。\n", encoding="utf-8")
    lessons_read.clear()
    rebuilt = zip_of(source, tmp_path / "dist")
    assert lessons_read == ["infection-control"]

    lessons_read.clear()
    assert rebuilt == zip_of(source, tmp_path / "clean")  # no cache there
    assert lessons_read == ["llm-basics", "infection-control"]


def test_nothing_changed_reads_nothing(tmp_path: Path, lessons_read: list[str]) -> None:
    source = two_lesson_course(tmp_path / "source")
    first = zip_of(source, tmp_path / "dist")
    lessons_read.clear()
    assert zip_of(source, tmp_path / "dist") == first
    assert lessons_read == []


def test_changing_the_course_settings_or_a_quiz_redoes_what_depends_on_it(
    tmp_path: Path, lessons_read: list[str]
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


def test_a_replaced_image_is_taken_again(tmp_path: Path, lessons_read: list[str]) -> None:
    source = two_lesson_course(tmp_path / "source")
    zip_of(source, tmp_path / "dist")
    image = source / "lessons" / "handwash.png"
    before = image.stat()
    image.write_bytes(bytes(reversed(image.read_bytes())))  # same size
    os.utime(image, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same time
    lessons_read.clear()
    rebuilt = zip_of(source, tmp_path / "dist")
    assert lessons_read == ["infection-control"]
    assert rebuilt == zip_of(source, tmp_path / "clean")


def test_a_damaged_cache_is_ignored(tmp_path: Path, lessons_read: list[str]) -> None:
    source = two_lesson_course(tmp_path / "source")
    first = zip_of(source, tmp_path / "dist")
    (tmp_path / "dist" / CACHE_FILE).write_bytes(b"not a cache")
    lessons_read.clear()
    assert zip_of(source, tmp_path / "dist") == first
    assert lessons_read == ["llm-basics", "infection-control"]


def test_the_same_lessons_in_another_folder_take_that_folders_images(tmp_path: Path) -> None:
    first = two_lesson_course(tmp_path / "first")
    second = two_lesson_course(tmp_path / "second")
    (second / "lessons" / "handwash.png").write_bytes(PNG + b"another picture")
    zip_of(first, tmp_path / "dist")
    assert zip_of(second, tmp_path / "dist") == zip_of(second, tmp_path / "clean")


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
    assert sorted(whole.removed) == sorted(path for path, _, _ in split.written)


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


def test_a_forged_cache_cannot_remove_files_outside_the_output_folder(tmp_path: Path) -> None:
    source = two_lesson_course(tmp_path / "source")
    out = tmp_path / "dist"
    zip_of(source, out)
    precious = tmp_path / "precious.zip"
    precious.write_bytes(b"keep me")
    cache_file = out / CACHE_FILE
    lines = cache_file.read_bytes().split(b"\n", 1)
    header = json.loads(lines[0])
    header["written"] = ["../precious.zip", str(precious)]
    cache_file.write_bytes(json.dumps(header).encode() + b"\n" + lines[1])
    zip_of(source, out)
    assert precious.read_bytes() == b"keep me"


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


def test_a_cache_entry_naming_a_file_outside_the_course_is_not_used(tmp_path: Path) -> None:
    source = two_lesson_course(tmp_path / "source")
    out = tmp_path / "dist"
    clean = zip_of(source, tmp_path / "clean")
    zip_of(source, out)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the package")
    cache_file = out / CACHE_FILE
    lines = []
    for line in cache_file.read_bytes().splitlines():
        item = json.loads(line)
        if item.get("lesson", {}).get("id") == "infection-control":
            item["lesson"]["media"]["infection-control/media/leak.txt"] = str(secret)
            item["media_digests"][str(secret)] = hashlib.sha256(secret.read_bytes()).hexdigest()
        lines.append(json.dumps(item, ensure_ascii=False).encode())
    cache_file.write_bytes(b"\n".join(lines) + b"\n")
    assert zip_of(source, out) == clean
