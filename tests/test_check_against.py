"""`scorm-builder check --against OLD NEW`: what an upload of NEW over OLD does to records.

Each test builds the default course, changes it as an author would (rename a lesson, drop
a question, change an answer, delete a section), builds it again, and compares the zips.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from scorm_builder.build import build_package
from scorm_builder.check import compare_packages, run_check_command
from scorm_builder.package import zip_bytes
from tests.course_factory import DEFAULT_SOURCE

QUIZ = "lessons/llm-basics.quiz.toml"
LESSON = "lessons/llm-basics.md"


def course_copy(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(DEFAULT_SOURCE, folder)
    return folder


def edit(folder: Path, file: str, old: str, new: str, count: int = 1) -> None:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def built_zip(folder: Path) -> Path:
    path = folder.parent / f"{folder.name}.zip"
    path.write_bytes(zip_bytes(build_package(folder).files))
    return path


@pytest.fixture()
def old_zip(tmp_path: Path) -> Path:
    return built_zip(course_copy(tmp_path, "old"))


def findings(old: Path, new_folder: Path) -> list[tuple[str, str]]:
    problems = compare_packages(old, build_package(new_folder).files)
    return sorted((p.rule, p.severity) for p in problems)


def test_the_same_course_again_changes_no_record(tmp_path: Path, old_zip: Path) -> None:
    assert findings(old_zip, course_copy(tmp_path, "new")) == []


def test_a_cosmetic_edit_changes_no_record(tmp_path: Path, old_zip: Path) -> None:
    new = course_copy(tmp_path, "new")
    edit(new, QUIZ, "LLMの「パラメータ」とは何ですか。", "LLMの「パラメータ」とは何でしょうか。")
    edit(new, LESSON, "## 🎓 まとめ：LLMの基礎を理解する", "## 🎓 まとめ")
    # The explanation travels in the encoded answer key: opened, it changes no answer.
    edit(new, QUIZ, 'explanation = "LLMは大量の', 'explanation = "LLMは、大量の')
    assert findings(old_zip, new) == []


def test_a_renamed_lesson_loses_its_tracks(tmp_path: Path, old_zip: Path) -> None:
    new = course_copy(tmp_path, "new")
    (new / LESSON).rename(new / "lessons/llm-intro.md")
    (new / QUIZ).rename(new / "lessons/llm-intro.quiz.toml")
    edit(new, "course.toml", 'lessons = ["llm-basics"]', 'lessons = ["llm-intro"]')
    [problem] = compare_packages(old_zip, build_package(new).files)
    assert (problem.rule, problem.severity, problem.file) == (
        "against-sco-removed",
        "error",
        "imsmanifest.xml",
    )
    assert "was renamed from 'ITEM-llm-basics' to 'ITEM-llm-intro'" in problem.message
    assert "deletes the learners' tracks" in problem.message
    assert problem.fix.startswith("keep the identifier 'ITEM-llm-basics' for that lesson")
    assert "upload the new package as a new activity" in problem.fix


def test_a_removed_question_leaves_answers_without_a_question(
    tmp_path: Path, old_zip: Path
) -> None:
    new = course_copy(tmp_path, "new")
    quiz = (new / QUIZ).read_text(encoding="utf-8")
    blocks = quiz.split("[[questions]]")
    kept = [block for block in blocks if 'id = "parameter-meaning"' not in block]
    (new / QUIZ).write_text("[[questions]]".join(kept), encoding="utf-8")
    problems = compare_packages(old_zip, build_package(new).files)
    assert sorted((p.rule, p.severity) for p in problems) == [
        ("against-question-removed", "warning"),
        ("against-resume-reset", "warning"),
    ]
    removed = next(p for p in problems if p.rule == "against-question-removed")
    assert removed.file == "llm-basics/index.html"
    assert "1 question(s) are gone ('parameter-meaning')" in removed.message


def test_a_changed_answer_makes_old_answers_incomparable(tmp_path: Path, old_zip: Path) -> None:
    new = course_copy(tmp_path, "new")
    edit(new, QUIZ, "answer = 2\n", "answer = 3\n")
    [problem] = compare_packages(old_zip, build_package(new).files)
    assert (problem.rule, problem.severity) == ("against-question-changed", "warning")
    assert "1 question(s) keep their id but change meaning: 'llm-definition' (" in problem.message
    assert "key.correct" in problem.message
    assert problem.fix.startswith("give a changed question a new id")


def test_a_removed_page_breaks_bookmarks_and_resumes(tmp_path: Path, old_zip: Path) -> None:
    new = course_copy(tmp_path, "new")
    text = (new / LESSON).read_text(encoding="utf-8")
    start = text.index("## 💡 重要な洞察")
    end = text.index("## 🎓 まとめ")
    (new / LESSON).write_text(text[:start] + text[end:], encoding="utf-8")
    problems = compare_packages(old_zip, build_package(new).files)
    assert sorted((p.rule, p.severity) for p in problems) == [
        ("against-page-removed", "warning"),
        ("against-resume-reset", "warning"),
    ]
    removed = next(p for p in problems if p.rule == "against-page-removed")
    assert "pages are gone ('💡 重要な洞察：LLMの能力と限界')" in removed.message
    reset = next(p for p in problems if p.rule == "against-resume-reset")
    assert re.search(r"the number of pages changes \(\d+ to \d+\)", reset.message)
    assert "attempts in progress cannot resume" in reset.message


def test_sco_data_of_another_shape_is_not_compared(tmp_path: Path, old_zip: Path) -> None:
    # The run-time owns the page's data block: an unexpected shape is skipped, not a crash.
    files = dict(build_package(course_copy(tmp_path, "new")).files)
    page = files["llm-basics/index.html"].decode()
    page = re.sub(
        r'(<script type="application/json" id="sco-data">).*?(</script>)',
        r'\1{"quiz": 5, "pageCount": "many"}\2',
        page,
        flags=re.S,
    )
    files["llm-basics/index.html"] = page.encode()
    rules = {p.rule for p in compare_packages(old_zip, files)}
    assert rules <= {"against-question-removed", "against-resume-reset"}


def test_the_command_reports_the_upload_in_json(tmp_path: Path, old_zip: Path, capsys) -> None:
    new = course_copy(tmp_path, "new")
    edit(new, "course.toml", 'lessons = ["llm-basics"]', 'lessons = ["llm-intro"]')
    (new / LESSON).rename(new / "lessons/llm-intro.md")
    (new / QUIZ).rename(new / "lessons/llm-intro.quiz.toml")
    new_zip = built_zip(new)
    assert run_check_command(new_zip, "json", strict=False, against=old_zip) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["ok"], report["errors"], report["warnings"]) == (False, 1, 0)
    assert [p["rule"] for p in report["problems"]] == ["against-sco-removed"]


def test_the_command_line_takes_against(tmp_path: Path, old_zip: Path, capsys) -> None:
    from scorm_builder.cli import main

    assert main(["check", "--against", str(old_zip), str(old_zip)]) == 0
    assert capsys.readouterr().out.rstrip().endswith(": 0 errors, 0 warnings: OK")


def test_an_old_package_that_cannot_be_read_stops_the_check(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "old.zip"
    bad.write_bytes(b"not a zip")
    new_zip = built_zip(course_copy(tmp_path, "new"))
    assert run_check_command(new_zip, "text", strict=False, against=bad) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "cannot compare: " in err and "old.zip is not a readable zip" in err


def test_a_new_or_changed_attestation_is_a_warning(tmp_path: Path, old_zip: Path) -> None:
    """Learners confirm a new statement again, and the quiz waits for it: the upload says so."""
    new = course_copy(tmp_path, "new")
    lesson = new / LESSON
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + "\n:::attest\n第3版を読みました。\n:::\n",
        encoding="utf-8",
    )
    assert ("against-attestation-changed", "warning") in findings(old_zip, new)
    again = built_zip(new)
    assert not any(rule == "against-attestation-changed" for rule, _ in findings(again, new))
    edit(new, LESSON, "第3版", "第4版")
    problems = compare_packages(again, build_package(new).files)
    [changed] = [p for p in problems if p.rule == "against-attestation-changed"]
    assert changed.message == (
        "SCO 'ITEM-llm-basics': the attestation learners confirm is new or changed; every "
        "learner confirms it again, and the quiz stays closed until they do"
    )
