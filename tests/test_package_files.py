"""A package in memory keeps the builder's pages as their zip entries' deflate streams: a
course of a thousand lessons holds a quarter of its pages' size until the zip is written,
and nothing compresses a page twice or unpacks one it does not need."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from scorm_builder.build import build_package
from scorm_builder.check import compare_packages, readers
from scorm_builder.layout import launch_path
from scorm_builder.package import Deflated, write_zip, zip_bytes
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
