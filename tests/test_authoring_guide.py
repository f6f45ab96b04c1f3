"""The Japanese authoring guide's examples build, as the guide says they do.

Every fenced block of docs/ja/authoring.md with a title (```toml title="course.toml"```) is a
file of the example course: the test writes them into a course folder, adds the picture the
lesson names, and builds it with the real pipeline.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scorm_builder.build import build
from scorm_builder.problems import BuildError
from scorm_builder.reporting import report_lines
from tests.course_factory import PNG

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "ja" / "authoring.md"
FILE_BLOCK = re.compile(r'^```\w+ title="([^"]+)"\n(.*?)^```$', re.M | re.S)


def guide_files() -> dict[str, str]:
    return dict(FILE_BLOCK.findall(GUIDE.read_text(encoding="utf-8")))


def write_course(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    for picture in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", files["lessons/hand-hygiene.md"]):
        (folder / "lessons" / picture).write_bytes(PNG)
    return folder


def test_the_guide_has_the_settings_a_lesson_and_its_quiz():
    assert sorted(guide_files()) == [
        "course.toml",
        "lessons/hand-hygiene.md",
        "lessons/hand-hygiene.quiz.toml",
    ]


def test_the_example_course_builds_without_a_warning_as_the_guide_shows(tmp_path):
    source = write_course(tmp_path / "source", guide_files())
    result = build(source, tmp_path / "dist")
    assert result.warnings == []
    [(path, package, _size)] = result.written
    shown = re.search(
        r"^built dist/(\S+) \([\d.]+ KB\): (\d+) lesson\(s\), (\d+) pages, (\d+) questions$",
        GUIDE.read_text(encoding="utf-8"),
        re.M,
    )
    assert shown, "the guide shows no 'built' line"
    assert shown.groups() == (
        path.name,
        str(len(package.lessons)),
        str(package.page_count),
        str(package.question_count),
    )
    [lesson] = package.lessons
    assert lesson.quiz is not None
    every_type = {"single", "multiple", "true-false", "numeric"}
    assert {q.type for q in lesson.quiz.questions} == every_type


def test_the_error_shown_in_the_guide_names_the_line_the_build_names(tmp_path):
    files = guide_files()
    quiz = "lessons/hand-hygiene.quiz.toml"
    files[quiz] = files[quiz].replace('type = "single"', 'type = "singel"', 1)
    source = write_course(tmp_path / "source", files)
    with pytest.raises(BuildError) as raised:
        build(source, tmp_path / "dist")
    [first, *_] = report_lines(raised.value.problems, Path("source"))
    shown = re.search(r"^(source/lessons/hand-hygiene\.quiz\.toml:\d+): error: (.*)$",
                      GUIDE.read_text(encoding="utf-8"), re.M)  # fmt: skip
    assert shown, "the guide shows no error line"
    assert first.startswith(shown.group(1) + ": error: ")
    assert "singel" in first and "singel" in shown.group(2)
