"""Synthetic courses of N lessons, made from the default lesson and quiz.

Every lesson's prose is varied (a lesson- and line-specific phrase is woven into
each paragraph, and the question texts are numbered), so no stage can reuse the
work of another lesson by accident: N lessons cost N lessons of Markdown.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / "source"
DEFAULT_LESSON = "llm-basics"
COURSE_ID = "bench-course"

# Lines that are Markdown structure rather than prose: they are left as they are,
# so the varied lessons keep exactly the structure (pages, headings) of the original.
STRUCTURE = re.compile(r"^\s*(#|---|\||>|```|~~~|\[\^|- |\* |\d+\. |$)")


def lesson_id(index: int) -> str:
    return f"lesson-{index:04d}"


def vary_lesson(text: str, index: int, revision: int = 0) -> str:
    """The default lesson with its title numbered and each prose line made unique."""
    lines = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("# "):
            line = f"{line}（第{index}回）"
        elif not STRUCTURE.match(line):
            line = f"{line}（教材{index}・{number}行目・版{revision}）"
        lines.append(line)
    return "\n".join(lines)


def vary_quiz(text: str, index: int) -> str:
    """The default quiz with every question text numbered for this lesson."""
    return re.sub(
        r'^text = "(.*)"$',
        lambda found: f'text = "（第{index}回）{found.group(1)}"',
        text,
        flags=re.MULTILINE,
    )


def make_course(
    destination: Path, lesson_count: int, first: int = 1, source: Path = DEFAULT_SOURCE
) -> Path:
    """Write a course of `lesson_count` varied copies of the default lesson into `destination`.

    Lessons are numbered from `first`; courses with different numbers share no prose.
    """
    if destination.exists():
        shutil.rmtree(destination)
    lessons_dir = destination / "lessons"
    lessons_dir.mkdir(parents=True)
    lesson_text = (source / "lessons" / f"{DEFAULT_LESSON}.md").read_text(encoding="utf-8")
    quiz_text = (source / "lessons" / f"{DEFAULT_LESSON}.quiz.toml").read_text(encoding="utf-8")
    ids = [lesson_id(index) for index in range(first, first + lesson_count)]
    for index, name in enumerate(ids, start=first):
        (lessons_dir / f"{name}.md").write_text(vary_lesson(lesson_text, index), encoding="utf-8")
        (lessons_dir / f"{name}.quiz.toml").write_text(
            vary_quiz(quiz_text, index), encoding="utf-8"
        )
    (destination / "course.toml").write_text(_settings(source, ids), encoding="utf-8")
    return destination


def edit_lesson(course: Path, index: int, revision: int) -> Path:
    """Change the prose of one lesson, as an author fixing a typo would; return its file."""
    path = course / "lessons" / f"{lesson_id(index)}.md"
    original = (DEFAULT_SOURCE / "lessons" / f"{DEFAULT_LESSON}.md").read_text(encoding="utf-8")
    path.write_text(vary_lesson(original, index, revision), encoding="utf-8")
    return path


def markdown_files(course: Path) -> list[Path]:
    """The lesson files of a generated course, in course order."""
    settings = tomllib.loads((course / "course.toml").read_text(encoding="utf-8"))
    return [course / "lessons" / f"{name}.md" for name in settings["lessons"]]


def _settings(source: Path, ids: list[str]) -> str:
    settings = tomllib.loads((source / "course.toml").read_text(encoding="utf-8"))
    lines = [
        f'title = "{settings["title"]}（ベンチマーク）"',
        f'identifier = "{COURSE_ID}"',
        f'language = "{settings["language"]}"',
        f'version = "{settings["version"]}"',
        f'description = "{settings["description"]}"',
        f"pass_mark = {settings['pass_mark']}",
        "lessons = [",
        *(f'  "{name}",' for name in ids),
        "]",
    ]
    return "\n".join(lines) + "\n"
