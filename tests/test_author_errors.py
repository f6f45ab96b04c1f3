"""Authors' mistakes: the exact message they see, the exit status, and nothing lost in dist/.

Each case starts from a copy of the default course that has already been built
once, makes one mistake the way an author would (by writing a whole small file,
so the line numbers in the expected message can be read off the case), runs the
real command and checks stderr line by line. After an error, the zip built
before must be byte-identical and alone in the output folder.
"""

from __future__ import annotations

import errno
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import html

import scorm_builder.package
from scorm_builder import answer_key
from scorm_builder.cli import main
from scorm_builder.output import LEDGER_FILE
from tests.course_factory import PNG, copy_default_course

ZIP = "ai-basics-for-clinicians.zip"
FAILED = "build failed: {} error(s), {} warning(s); nothing was written"

COURSE = """\
title = "医療従事者のためのAI基礎"
identifier = "ai-basics-for-clinicians"
pass_mark = 80
lessons = ["llm-basics"]
"""

LESSON = """\
# LLMの基礎

## LLMとは

LLMはテキストを理解し生成するAIモデルです。
"""

QUIZ = """\
[[questions]]
id = "llm-definition"
type = "single"
text = "LLMの説明として最も適切なものはどれですか。"
choices = ["データベース", "AIモデル"]
answer = 2
explanation = "LLMはAIモデルです。"
"""


@dataclass(frozen=True)
class Mistake:
    id: str
    file: str  # relative to the course folder
    content: str | bytes | None  # None: the file is deleted
    stderr: str  # "{src}" stands for the course folder
    exit_code: int = 1
    extra_files: dict[str, bytes] = field(default_factory=dict)

    def make(self, source: Path) -> None:
        path = source / self.file
        if self.content is None:
            path.unlink()
        elif isinstance(self.content, bytes):
            path.write_bytes(self.content)
        else:
            path.write_text(self.content, encoding="utf-8")
        for name, data in self.extra_files.items():
            (source / name).write_bytes(data)


def failed(errors: int, warnings: int = 0) -> str:
    return FAILED.format(errors, warnings) + "\n"


COURSE_MISTAKES = [
    Mistake(
        "course-missing",
        "course.toml",
        None,
        "{src}/course.toml: error: the course settings file is missing\n"
        "    fix: create course.toml in the course folder with at least title, identifier and "
        "lessons (see the README for an example)\n" + failed(1),
    ),
    Mistake(
        "course-syntax",
        "course.toml",
        COURSE.replace('"医療従事者のためのAI基礎"', '"医療従事者のためのAI基礎'),
        "{src}/course.toml:1: error: this file is not valid TOML: a text value has no closing "
        "double quote\n"
        '    fix: add the missing " at the end of the text\n' + failed(1),
    ),
    Mistake(
        "course-unknown-key",
        "course.toml",
        COURSE.replace("pass_mark", "pass_mrak"),
        "{src}/course.toml:3: error: unknown setting 'pass_mrak'\n"
        "    fix: did you mean 'pass_mark'? the settings are: title, identifier, language, "
        "version, description, pass_mark, lessons, min_reading_minutes\n" + failed(1),
    ),
    Mistake(
        "course-no-title",
        "course.toml",
        COURSE.replace('title = "医療従事者のためのAI基礎"\n', ""),
        "{src}/course.toml: error: the course has no title\n"
        '    fix: add a line: title = "コースの名前"\n' + failed(1),
    ),
    Mistake(
        "course-no-identifier",
        "course.toml",
        COURSE.replace('identifier = "ai-basics-for-clinicians"\n', ""),
        "{src}/course.toml: error: the course has no identifier\n"
        '    fix: add a line such as: identifier = "infection-control-2026"\n' + failed(1),
    ),
    Mistake(
        "course-identifier-characters",
        "course.toml",
        COURSE.replace('"ai-basics-for-clinicians"', '"AI基礎 2026"'),
        "{src}/course.toml:2: error: the identifier 'AI基礎 2026' has characters that are not "
        "allowed\n"
        "    fix: use ASCII letters, digits, '-' and '_' only, starting with a letter "
        "(at most 64 characters), for example: infection-control-2026\n" + failed(1),
    ),
    Mistake(
        "course-pass-mark-text",
        "course.toml",
        COURSE.replace("pass_mark = 80", 'pass_mark = "80%"'),
        '{src}/course.toml:3: error: the pass mark "80%" is not a number from 0 to 100\n'
        "    fix: write a percentage without quotes or '%', for example: pass_mark = 80\n"
        + failed(1),
    ),
    Mistake(
        "course-pass-mark-range",
        "course.toml",
        COURSE.replace("pass_mark = 80", "pass_mark = 120"),
        "{src}/course.toml:3: error: the pass mark 120 is not a number from 0 to 100\n"
        "    fix: write a percentage without quotes or '%', for example: pass_mark = 80\n"
        + failed(1),
    ),
    Mistake(
        "course-lesson-missing",
        "course.toml",
        COURSE.replace('["llm-basics"]', '["llm-basics", "infection-control"]'),
        "{src}/course.toml:4: error: the lesson 'infection-control' is listed, but "
        "lessons/infection-control.md does not exist\n"
        "    fix: create lessons/infection-control.md, or correct the name in lessons = [...]\n"
        + failed(1),
    ),
    Mistake(
        "course-lesson-misspelt",
        "course.toml",
        COURSE.replace('["llm-basics"]', '[\n  "llm-basic",\n]'),
        "{src}/course.toml:5: error: the lesson 'llm-basic' is listed, but lessons/llm-basic.md "
        "does not exist\n"
        "    fix: did you mean 'llm-basics'? create lessons/llm-basic.md, or correct the name in "
        "lessons = [...]\n"
        "{src}/lessons/llm-basics.md: warning: this lesson is not in the course (it is not "
        "listed in course.toml)\n"
        '    fix: list "llm-basics" in lessons = [...] of course.toml, or move it away\n'
        + failed(1, 1),
    ),
    Mistake(
        "course-lesson-with-md",
        "course.toml",
        COURSE.replace('["llm-basics"]', '["llm-basics.md"]'),
        "{src}/course.toml:4: error: the lesson 'llm-basics.md' is listed with '.md'\n"
        '    fix: list it without ".md": "llm-basics"\n'
        "{src}/lessons/llm-basics.md: warning: this lesson is not in the course (it is not "
        "listed in course.toml)\n"
        '    fix: list "llm-basics" in lessons = [...] of course.toml, or move it away\n'
        + failed(1, 1),
    ),
    Mistake(
        "course-lesson-twice",
        "course.toml",
        COURSE.replace('["llm-basics"]', '[\n  "llm-basics",\n  "llm-basics",\n]'),
        "{src}/course.toml:6: error: the lesson 'llm-basics' is listed twice\n"
        "    fix: remove the second one\n" + failed(1),
    ),
    Mistake(
        "course-lesson-not-listed",
        "lessons/draft.md",
        LESSON,
        "{src}/lessons/draft.md: warning: this lesson is not in the course (it is not listed "
        "in course.toml)\n"
        '    fix: list "draft" in lessons = [...] of course.toml, or move it away\n'
        "1 warning(s)\n",
        exit_code=0,
    ),
    Mistake(
        "course-quiz-without-lesson",
        "lessons/llm-basic.quiz.toml",
        QUIZ,
        "{src}/lessons/llm-basic.quiz.toml: warning: this quiz belongs to no lesson: there is "
        "no llm-basic.md\n"
        "    fix: name it after its lesson: <lesson>.quiz.toml (for example "
        "llm-basics.quiz.toml)\n"
        "1 warning(s)\n",
        exit_code=0,
    ),
]

LESSON_MISTAKES = [
    Mistake(
        "lesson-empty",
        "lessons/llm-basics.md",
        "\n\n",
        "{src}/lessons/llm-basics.md: error: the lesson file is empty\n"
        "    fix: write the lesson: a '# title' line, then '## section' headings with text\n"
        + failed(1),
    ),
    Mistake(
        "lesson-no-title",
        "lessons/llm-basics.md",
        LESSON.replace("# LLMの基礎\n", "LLMの基礎\n"),
        "{src}/lessons/llm-basics.md:1: error: the lesson has no '# ' title line\n"
        "    fix: start the file with a line such as: # 感染対策の基本 (a '#', a space, then "
        "the title)\n" + failed(1),
    ),
    Mistake(
        "lesson-empty-section",
        "lessons/llm-basics.md",
        LESSON + "\n## まとめ\n\n---\n",
        "{src}/lessons/llm-basics.md:7: error: the section 'まとめ' has no text\n"
        "    fix: write text under the heading, or remove the heading\n" + failed(1),
    ),
    Mistake(
        "lesson-missing-files",
        "lessons/llm-basics.md",
        LESSON + "\n![LLMの図](images/llm.png)\n\n[配布資料](handout.pdf)\n",
        "{src}/lessons/llm-basics.md:7: error: section 'LLMとは': the file 'images/llm.png' "
        "does not exist\n"
        "    fix: put the file at lessons/images/llm.png in the course folder, or correct the "
        "name (names are case-sensitive)\n"
        "{src}/lessons/llm-basics.md:9: error: section 'LLMとは': the file 'handout.pdf' "
        "does not exist\n"
        "    fix: put the file at lessons/handout.pdf in the course folder, or correct the name "
        "(names are case-sensitive)\n" + failed(2),
    ),
    Mistake(
        "lesson-image-alt",
        "lessons/llm-basics.md",
        LESSON + "\n![](llm.png)\n",
        "{src}/lessons/llm-basics.md:7: warning: section 'LLMとは': the image 'llm.png' has no "
        "alt text\n"
        "    fix: describe the image in the brackets, for screen readers: "
        "![手洗いの手順](file.png)\n"
        "1 warning(s)\n",
        exit_code=0,
        extra_files={"lessons/llm.png": PNG},
    ),
    Mistake(
        "lesson-shift-jis",
        "lessons/llm-basics.md",
        LESSON.encode("cp932"),
        "{src}/lessons/llm-basics.md:1: error: this file is not UTF-8 text (it looks like "
        "Shift_JIS)\n"
        "    fix: open it in your editor and save it again with the encoding 'UTF-8'\n" + failed(1),
    ),
    Mistake(
        "lesson-euc-jp",
        "lessons/llm-basics.md",
        LESSON.encode("euc_jp"),
        "{src}/lessons/llm-basics.md:1: error: this file is not UTF-8 text (it looks like "
        "EUC-JP)\n"
        "    fix: open it in your editor and save it again with the encoding 'UTF-8'\n" + failed(1),
    ),
    Mistake(
        "lesson-utf-16",
        "lessons/llm-basics.md",
        LESSON.encode("utf-16"),
        "{src}/lessons/llm-basics.md:1: error: this file is not UTF-8 text (it looks like "
        "UTF-16)\n"
        "    fix: open it in your editor and save it again with the encoding 'UTF-8'\n" + failed(1),
    ),
    Mistake(
        "lesson-control-character",
        "lessons/llm-basics.md",
        LESSON.replace("AIモデルです。", "AIモデルです。\x08"),
        "{src}/lessons/llm-basics.md:5: error: the line has an invisible control character "
        "(U+0008)\n"
        "    fix: retype the line; the character often comes from copying text out of another "
        "program\n" + failed(1),
    ),
]

QUIZ_MISTAKES = [
    Mistake(
        "quiz-syntax",
        "lessons/llm-basics.quiz.toml",
        QUIZ.replace("answer = 2", "answer = 2 3"),
        "{src}/lessons/llm-basics.quiz.toml:6: error: this file is not valid TOML: there is "
        "something after the value on this line\n"
        '    fix: put each setting on its own line; text values need "double quotes" at both '
        "ends; numbers and true/false need none\n" + failed(1),
    ),
    Mistake(
        "quiz-type",
        "lessons/llm-basics.quiz.toml",
        QUIZ.replace('"single"', '"singel"'),
        "{src}/lessons/llm-basics.quiz.toml:3: error: question 1: unknown question type "
        "'singel'\n"
        "    fix: did you mean 'single'? the types are: single, multiple, true-false, numeric\n"
        + failed(1),
    ),
    Mistake(
        "quiz-no-text",
        "lessons/llm-basics.quiz.toml",
        QUIZ.replace('text = "LLMの説明として最も適切なものはどれですか。"', 'text = ""'),
        "{src}/lessons/llm-basics.quiz.toml:4: error: question 1: the question has no text\n"
        '    fix: add: text = "質問の文"\n' + failed(1),
    ),
    Mistake(
        "quiz-one-choice",
        "lessons/llm-basics.quiz.toml",
        QUIZ.replace('["データベース", "AIモデル"]', '["AIモデル"]').replace("= 2", "= 1"),
        "{src}/lessons/llm-basics.quiz.toml:5: error: question 1: there are fewer than two "
        "choices\n"
        '    fix: list at least two: choices = ["選択肢1", "選択肢2"]\n' + failed(1),
    ),
    Mistake(
        "quiz-no-answer",
        "lessons/llm-basics.quiz.toml",
        QUIZ.replace("answer = 2\n", ""),
        "{src}/lessons/llm-basics.quiz.toml:1: error: question 1: there is no correct choice\n"
        "    fix: add: answer = 1 (the number of the correct choice, 1 = first)\n" + failed(1),
    ),
    Mistake(
        "quiz-several-answers",
        "lessons/llm-basics.quiz.toml",
        QUIZ.replace("answer = 2", "answer = [1, 2]"),
        "{src}/lessons/llm-basics.quiz.toml:6: error: question 1: a single-choice question has "
        "2 correct choices\n"
        '    fix: use type = "multiple" (learners choose all that apply), or keep one number\n'
        + failed(1),
    ),
    Mistake(
        "quiz-answer-not-a-choice",
        "lessons/llm-basics.quiz.toml",
        QUIZ.replace("answer = 2", "answer = 3"),
        "{src}/lessons/llm-basics.quiz.toml:6: error: question 1: the answer 3 names no choice "
        "(there are choices 1 to 2)\n"
        "    fix: write the number of the correct choice without quotes, counting from 1\n"
        + failed(1),
    ),
    Mistake(
        "quiz-answer-quoted",
        "lessons/llm-basics.quiz.toml",
        QUIZ.replace("answer = 2", 'answer = "AIモデル"'),
        '{src}/lessons/llm-basics.quiz.toml:6: error: question 1: the answer "AIモデル" names '
        "no choice (there are choices 1 to 2)\n"
        "    fix: write the number of the correct choice without quotes, counting from 1\n"
        + failed(1),
    ),
    Mistake(
        "quiz-duplicate-id",
        "lessons/llm-basics.quiz.toml",
        QUIZ + "\n" + QUIZ,
        "{src}/lessons/llm-basics.quiz.toml:10: error: question 2: the id 'llm-definition' is "
        "already used by question 1\n"
        "    fix: give every question its own id\n" + failed(1),
    ),
    Mistake(
        "quiz-no-explanation",
        "lessons/llm-basics.quiz.toml",
        QUIZ.replace('explanation = "LLMはAIモデルです。"\n', ""),
        "{src}/lessons/llm-basics.quiz.toml:1: warning: question 1 has no explanation\n"
        '    fix: add: explanation = "正解の理由" (learners see it after answering)\n'
        "1 warning(s)\n",
        exit_code=0,
    ),
    Mistake(
        "quiz-pass-mark",
        "lessons/llm-basics.quiz.toml",
        "pass_mark = 800\n\n" + QUIZ,
        "{src}/lessons/llm-basics.quiz.toml:1: error: the pass mark 800 is not a number from "
        "0 to 100\n"
        "    fix: write a percentage without quotes or '%', for example: pass_mark = 80\n"
        + failed(1),
    ),
    Mistake(
        "quiz-single-brackets",
        "lessons/llm-basics.quiz.toml",
        QUIZ.replace("[[questions]]", "[questions]"),
        "{src}/lessons/llm-basics.quiz.toml:1: error: the questions are written as [questions], "
        "with single brackets\n"
        "    fix: start every question with [[questions]], with two brackets on each side\n"
        + failed(1),
    ),
]

HTML_MISTAKES = [
    Mistake(
        "lesson-script",
        "lessons/llm-basics.md",
        LESSON + "\n<script>alert('hi')</script>\n",
        "{src}/lessons/llm-basics.md:7: error: section 'LLMとは': <script> is not allowed\n"
        "    fix: remove the <script> element; lessons cannot run their own code\n" + failed(1),
    ),
    Mistake(
        "lesson-event-handler",
        "lessons/llm-basics.md",
        LESSON + '\n<p onclick="next()">次へ</p>\n',
        "{src}/lessons/llm-basics.md:7: error: section 'LLMとは': the attribute onclick= runs "
        "code\n"
        '    fix: remove onclick="…" from the <p> element\n' + failed(1),
    ),
    Mistake(
        "lesson-javascript-url",
        "lessons/llm-basics.md",
        LESSON + "\n[次へ](javascript:next())\n\n<a href='JAVA\tSCRIPT:next()'>次へ</a>\n",
        "{src}/lessons/llm-basics.md:7: error: section 'LLMとは': a javascript: link runs code\n"
        "    fix: link to a page or a file instead\n"
        "{src}/lessons/llm-basics.md:9: error: section 'LLMとは': a javascript: link runs code\n"
        "    fix: link to a page or a file instead\n" + failed(2),
    ),
    Mistake(
        "lesson-external-embed",
        "lessons/llm-basics.md",
        LESSON + '\n<iframe src="https://www.youtube.com/embed/x"></iframe>\n\n'
        '<object data="//example.com/slides.swf"></object>\n',
        "{src}/lessons/llm-basics.md:7: error: section 'LLMとは': <iframe> loads "
        "'https://www.youtube.com/embed/x' from outside the course, which hospital networks "
        "block\n"
        "    fix: download the file, put it beside the lesson and link to it by name\n"
        "{src}/lessons/llm-basics.md:9: error: section 'LLMとは': <object> loads "
        "'//example.com/slides.swf' from outside the course, which hospital networks block\n"
        "    fix: download the file, put it beside the lesson and link to it by name\n" + failed(2),
    ),
]

MISTAKES = COURSE_MISTAKES + LESSON_MISTAKES + QUIZ_MISTAKES + HTML_MISTAKES


@dataclass(frozen=True)
class Built:
    source: Path
    output: Path
    zip_bytes: bytes

    def build(self, *options: str) -> int:
        return main(["build", str(self.source), "-o", str(self.output), *options])

    def assert_previous_zip_intact(self) -> None:
        # No temporary file left; the ledger and the record sheets of the last good build stay.
        sheets = {ZIP.replace(".zip", ".record.csv"), ZIP.replace(".zip", ".record.html")}
        assert sorted(set(os.listdir(self.output)) - {LEDGER_FILE} - sheets) == [ZIP]
        assert (self.output / ZIP).read_bytes() == self.zip_bytes


@pytest.fixture
def built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Built:
    """The default course with small sources of our own, built once into its output folder."""
    source = copy_default_course(tmp_path / "source")
    (source / "course.toml").write_text(COURSE, encoding="utf-8")
    (source / "lessons" / "llm-basics.md").write_text(LESSON, encoding="utf-8")
    (source / "lessons" / "llm-basics.quiz.toml").write_text(QUIZ, encoding="utf-8")
    output = tmp_path / "dist"
    assert main(["build", str(source), "-o", str(output)]) == 0
    capsys.readouterr()
    return Built(source, output, (output / ZIP).read_bytes())


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_each_mistake_gives_its_message(mistake: Mistake, built: Built, capsys) -> None:
    mistake.make(built.source)
    code = built.build()
    captured = capsys.readouterr()
    assert captured.err == mistake.stderr.replace("{src}", str(built.source))
    assert code == mistake.exit_code
    if code:
        assert captured.out == ""
        built.assert_previous_zip_intact()


@pytest.mark.parametrize("mistake", [m for m in MISTAKES if m.exit_code == 0], ids=lambda m: m.id)
def test_strict_turns_warnings_into_errors_and_writes_nothing(mistake, built, capsys) -> None:
    mistake.make(built.source)
    assert built.build("--strict") == 1
    last_line = capsys.readouterr().err.splitlines()[-1]
    assert last_line == (
        "build failed: 0 error(s), 1 warning(s) (--strict: warnings count as errors); "
        "nothing was written"
    )
    built.assert_previous_zip_intact()


def test_several_mistakes_are_reported_together_errors_first_in_file_order(built, capsys):
    source = built.source
    (source / "course.toml").write_text(
        COURSE.replace("pass_mark = 80", "passmark = 80"), encoding="utf-8"
    )
    (source / "lessons" / "llm-basics.md").write_text(
        LESSON + "\n![](missing.png)\n\n## まとめ\n", encoding="utf-8"
    )
    (source / "lessons" / "llm-basics.quiz.toml").write_text(
        QUIZ.replace('"single"', '"singel"').replace('explanation = "LLMはAIモデルです。"\n', "")
        + '\n[[questions]]\nid = "q2"\ntype = "true-false"\ntext = "LLMはAIモデルである。"\n'
        "answer = true\n",
        encoding="utf-8",
    )
    assert built.build() == 1
    src = str(source)
    assert capsys.readouterr().err.splitlines() == [
        f"{src}/course.toml:3: error: unknown setting 'passmark'",
        "    fix: did you mean 'pass_mark'? the settings are: title, identifier, language, "
        "version, description, pass_mark, lessons, min_reading_minutes",
        f"{src}/lessons/llm-basics.md:7: error: section 'LLMとは': the file 'missing.png' does "
        "not exist",
        "    fix: put the file at lessons/missing.png in the course folder, or correct the name "
        "(names are case-sensitive)",
        f"{src}/lessons/llm-basics.md:9: error: the section 'まとめ' has no text",
        "    fix: write text under the heading, or remove the heading",
        f"{src}/lessons/llm-basics.quiz.toml:3: error: question 1: unknown question type 'singel'",
        "    fix: did you mean 'single'? the types are: single, multiple, true-false, numeric",
        f"{src}/lessons/llm-basics.md:7: warning: section 'LLMとは': the image 'missing.png' "
        "has no alt text",
        "    fix: describe the image in the brackets, for screen readers: "
        "![手洗いの手順](file.png)",
        f"{src}/lessons/llm-basics.quiz.toml:8: warning: question 2 has no explanation",
        '    fix: add: explanation = "正解の理由" (learners see it after answering)',
        FAILED.format(4, 2),
    ]
    built.assert_previous_zip_intact()


def test_a_bom_and_windows_line_ends_are_accepted_silently(built, capsys):
    for path in [built.source / "course.toml", *(built.source / "lessons").iterdir()]:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert built.build() == 0
    assert capsys.readouterr().err == ""
    assert (built.output / ZIP).read_bytes() == built.zip_bytes  # the very same package


def test_simple_html_in_a_lesson_is_kept(built, capsys):
    (built.source / "lessons" / "llm-basics.md").write_text(
        LESSON + '\n<p>注意: <b>太字</b>と<span style="color: red">赤</span><br>改行</p>\n\n'
        "<details><summary>詳しく</summary>補足です。</details>\n",
        encoding="utf-8",
    )
    assert built.build() == 0
    assert capsys.readouterr().err == ""
    page = _lesson_page(built)
    assert page.xpath("string(//b)") == "太字"
    assert page.xpath("string(//details[summary='詳しく'])") == "詳しく補足です。"


def test_quiz_texts_are_shown_as_text_never_as_html(built, capsys):
    tricky = '<b>A</b> & "B"'
    (built.source / "lessons" / "llm-basics.quiz.toml").write_text(
        QUIZ.replace('"データベース"', "'<b>A</b> & \"B\"'")
        .replace('"LLMの説明として最も適切なものはどれですか。"', "'<i>質問</i>'")
        .replace('"LLMはAIモデルです。"', "'<script>alert(1)</script>'"),
        encoding="utf-8",
    )
    assert built.build() == 0
    page = _lesson_page(built)
    assert page.xpath("//ul[@class='choices']/li[1]//span/text()") == [tricky]
    assert page.xpath("string(//legend)").endswith("<i>質問</i>")
    # The explanation travels in the encoded answer key until the learner submits; the
    # run-time then sets it as text (textContent), never as HTML.
    data = json.loads(page.xpath("string(//script[@id='sco-data'])"))["quiz"]["questions"][0]
    key = answer_key.decode(data["salt"], data["id"], data["key"])
    assert key["explanation"] == "<script>alert(1)</script>"
    assert not page.xpath(
        "//ul[@class='choices']//b | //legend/i | //p[@class='explanation']/script"
    )


def _lesson_page(built: Built) -> html.HtmlElement:
    with zipfile.ZipFile(built.output / ZIP) as archive:
        return html.fromstring(archive.read("llm-basics/index.html"))


# Output: what the command can meet when it writes the zip. We run as root, for
# whom no permission bit stops a write, so a read-only folder and a full disk are
# simulated by making the operating system calls fail as they would.

NOT_WRITTEN = (
    "{zip}: error: the package could not be written: {reason}; a previous package there is "
    "unchanged\n"
    "    fix: {fix}\n" + failed(1)
)


def test_output_folder_whose_parent_is_a_file(built, capsys):
    (built.output.parent / "a-file").write_text("not a folder")
    output = built.output.parent / "a-file" / "dist"
    assert main(["build", str(built.source), "-o", str(output)]) == 1
    assert capsys.readouterr().err == NOT_WRITTEN.format(
        zip=output / ZIP,
        reason="the output folder is not a folder (a file has its name or its parent's)",
        fix="choose another output folder with -o, or move that file away",
    )
    built.assert_previous_zip_intact()


def test_output_folder_not_writable(built, capsys, monkeypatch):
    def refuse(*args, **kwargs):  # what mkstemp meets in a folder the user may not write to
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(scorm_builder.package.tempfile, "mkstemp", refuse)
    assert built.build() == 1
    assert capsys.readouterr().err == NOT_WRITTEN.format(
        zip=built.output / ZIP,
        reason="you may not write to the output folder",
        fix="choose a folder you may write to with -o, or ask for write access to this one",
    )
    built.assert_previous_zip_intact()


def test_disk_full_while_writing(built, capsys, monkeypatch):
    def disk_full(descriptor: int) -> None:  # the data did not fit when flushed to disk
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(scorm_builder.package.os, "fsync", disk_full)
    assert built.build() == 1
    assert capsys.readouterr().err == NOT_WRITTEN.format(
        zip=built.output / ZIP,
        reason="the disk is full",
        fix="free some space on the disk, or choose another output folder with -o",
    )
    built.assert_previous_zip_intact()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["build", "no-such-folder"],
            "scorm-builder: the course folder 'no-such-folder' does not exist",
        ),
        (
            ["build", "--no-such-option"],
            "scorm-builder: error: unrecognized arguments: --no-such-option",
        ),
        ([], "scorm-builder: error: the following arguments are required: command"),
    ],
)
def test_using_the_command_wrongly_exits_with_2(arguments, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(arguments) == 2
    assert capsys.readouterr().err.splitlines()[-1] == message
