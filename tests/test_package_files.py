"""A package in memory keeps the builder's pages as their zip entries' deflate streams: a
course of a thousand lessons holds a quarter of its pages' size until the zip is written,
and nothing compresses a page twice or unpacks one it does not need."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from scorm_builder import build as build_module
from scorm_builder.build import MemoisedStages, build, build_package
from scorm_builder.cache import Cache
from scorm_builder.check import compare_packages, readers
from scorm_builder.layout import launch_path
from scorm_builder.package import Deflated, InFile, write_zip, zip_bytes
from scorm_builder.problems import BuildError
from scorm_builder.render import TEMPLATES_DIR, Theme
from scorm_builder.sources import read_sources
from scorm_builder.workers import Workers
from tests.course_factory import two_lesson_course


def test_pages_are_kept_compressed_and_read_whole(tmp_path: Path) -> None:
    package = build_package(two_lesson_course(tmp_path / "course"))
    page = launch_path("llm-basics")
    kept = package.files.entries()[page]
    assert isinstance(kept, Deflated)
    assert len(kept.stream) < kept.size / 2
    assert (
        package.files[page].startswith(b"<!DOCTYPE html>") and len(package.files[page]) == kept.size
    )
    assert Deflated.of(package.files[page]) == kept


def test_the_zip_is_the_same_from_compressed_pages_or_from_bytes(tmp_path: Path) -> None:
    package = build_package(two_lesson_course(tmp_path / "course"))
    from_streams = io.BytesIO()
    write_zip(from_streams, package.files.entries())
    assert from_streams.getvalue() == zip_bytes(dict(package.files))
    with zipfile.ZipFile(from_streams) as archive:
        assert archive.testzip() is None
        assert archive.read(launch_path("llm-basics")) == package.files[launch_path("llm-basics")]


def test_check_against_unpacks_only_the_pages_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = two_lesson_course(tmp_path / "course")
    old = tmp_path / "old.zip"
    old.write_bytes(zip_bytes(build_package(course).files))
    lesson = course / "lessons" / "infection-control.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n追記です。\n", encoding="utf-8")
    unpacked: list[str] = []
    real = readers._read_member

    def counting(archive: zipfile.ZipFile, info: zipfile.ZipInfo, keep: bool):  # noqa: ANN202
        unpacked.append(info.filename)
        return real(archive, info, keep)

    monkeypatch.setattr(readers, "_read_member", counting)
    assert compare_packages(old, build_package(course).files) == []
    assert launch_path("infection-control") in unpacked
    assert launch_path("llm-basics") not in unpacked


def test_a_built_page_waits_in_its_cache_entry_not_in_memory(tmp_path: Path) -> None:
    course = two_lesson_course(tmp_path / "course")
    cache = Cache(tmp_path / "cache", key=b"k" * 32)
    made = MemoisedStages(cache, Theme(TEMPLATES_DIR), Workers(1)).make_lessons(
        read_sources(course)
    )
    for lesson in made:
        assert lesson.page is not None and isinstance(lesson.page.held, InFile)
        assert lesson.page.held.path.is_file() and lesson.page.held.length < lesson.page.size
    # Read back, each page is the one a build without a cache folder makes.
    in_memory = build_package(course)
    for lesson in made:
        assert lesson.lesson is not None and lesson.page is not None
        assert lesson.page.inflate() == in_memory.files[launch_path(lesson.lesson.id)]


def test_a_cache_entry_changed_before_the_zip_is_written_stops_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page is never zipped from a file someone changed since the build made it: the build
    says so and writes nothing (the previous package stays)."""
    course = two_lesson_course(tmp_path / "course")
    dist, cache_dir = tmp_path / "dist", tmp_path / "cache"
    build(course, dist, cache_dir=cache_dir)
    previous = {path.name: path.read_bytes() for path in dist.iterdir()}
    (course / "lessons" / "llm-basics.md").write_text(
        "# 変更\n\n## 一\n\n本文。\n", encoding="utf-8"
    )
    real = build_module.lay_out

    def tamper_first(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        for entry in cache_dir.rglob("*.lesson"):
            data = bytearray(entry.read_bytes())
            data[-1] ^= 0xFF  # the last byte of the page's deflate stream
            entry.write_bytes(bytes(data))
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "lay_out", tamper_first)
    with pytest.raises(BuildError) as raised:
        build(course, dist, cache_dir=cache_dir)
    [problem] = [p for p in raised.value.problems if p.severity == "error"]
    assert problem.rule == "build-cache-changed" and "while the build ran" in problem.message
    assert {path.name: path.read_bytes() for path in dist.iterdir()} == previous


def test_a_record_sheet_part_changed_before_the_sheets_are_written_stops_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lesson's part of the record sheet waits in its cache entry too, and is refused the
    same way: an inspector's sheet never holds what someone else wrote into the cache."""
    course = two_lesson_course(tmp_path / "course")
    dist, cache_dir = tmp_path / "dist", tmp_path / "cache"
    build(course, dist, cache_dir=cache_dir)
    previous = {path.name: path.read_bytes() for path in dist.iterdir()}
    real = build_module.lay_out

    def tamper_first(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        for entry in cache_dir.rglob("*.lesson"):
            data = entry.read_bytes()
            header, entry_line = data.split(b"\n", 2)[:2]
            start = len(header) + len(entry_line) + 2  # where the part's HTML starts
            part = data[start:].replace(b'class="facts"', b'class="forged"', 1)
            assert part != data[start:]
            entry.write_bytes(data[:start] + part)
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "lay_out", tamper_first)
    with pytest.raises(BuildError) as raised:
        build(course, dist, cache_dir=cache_dir)  # every part from the cache
    [problem] = [p for p in raised.value.problems if p.severity == "error"]
    assert problem.rule == "build-cache-changed"
    assert {path.name: path.read_bytes() for path in dist.iterdir()} == previous


def test_asking_whether_a_page_is_there_does_not_unpack_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = build_package(two_lesson_course(tmp_path / "course"))
    inflated: list[int] = []
    real = Deflated.inflate
    monkeypatch.setattr(Deflated, "inflate", lambda self: inflated.append(1) or real(self))
    assert launch_path("llm-basics") in package.files
    assert "lessons/nothing-here.html" not in package.files
    assert inflated == []
    assert package.files[launch_path("llm-basics")].startswith(b"<!DOCTYPE html>")
    assert inflated == [1]


def test_a_cache_entry_deleted_before_the_zip_is_written_leaves_no_half_written_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = two_lesson_course(tmp_path / "course")
    cache_dir = tmp_path / "cache"
    build(course, tmp_path / "first", cache_dir=cache_dir)  # fills the cache
    real = build_module.lay_out

    def delete_cache(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        for entry in cache_dir.rglob("*.lesson"):
            entry.unlink()
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "lay_out", delete_cache)
    dist = tmp_path / "dist"
    with pytest.raises(BuildError) as raised:
        build(course, dist, cache_dir=cache_dir)  # every page from the cache, no previous zip
    assert [p.rule for p in raised.value.problems if p.severity == "error"] == [
        "build-cache-changed"
    ]
    assert not dist.exists() or list(dist.iterdir()) == []
