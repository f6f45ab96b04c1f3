"""The author's mistakes with a minimum reading time (course.toml) and an attestation block
(a lesson's Markdown), as the author reads them: file, line, message, fix (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorm_builder.lesson import read_lesson
from scorm_builder.problems import BuildError, Problem
from scorm_builder.settings import read_settings
from scorm_builder.sources import read_course
from tests.course_factory import copy_default_course

HEAD = "# 感染対策の基本\n\n## 手指衛生\n\n手指衛生は感染対策の基本です。\n\n"  # line 7 next


def lesson_problems(tmp_path: Path, text: str) -> list[str]:
    lessons = tmp_path / "lessons"
    lessons.mkdir(parents=True, exist_ok=True)
    path = lessons / "infection.md"
    path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    lesson = read_lesson(path, "infection", "lessons/infection.md", problems, table_label="表")
    assert lesson is None, "the reader found nothing wrong"
    return [line for p in problems for line in p.describe().split("\n")]


ATTESTATION_MISTAKES = [
    (
        "unclosed",
        HEAD + ":::attest\n院内感染対策マニュアルを読みました。\n",
        [
            "lessons/infection.md:7: error: the ':::attest' block is never closed",
            "    fix: end the statement with a line that holds only ':::'",
        ],
    ),
    (
        "empty",
        HEAD + ":::attest\n\n:::\n",
        [
            "lessons/infection.md:7: error: the ':::attest' block has no text",
            "    fix: write what the learner confirms between ':::attest' and ':::', for "
            "example: 院内感染対策マニュアル第3版を読み、内容を理解しました。",
        ],
    ),
    (
        "second",
        HEAD + ":::attest\n読みました。\n:::\n\n:::attest\n理解しました。\n:::\n",
        [
            "lessons/infection.md:11: error: the lesson has a second ':::attest' block (the "
            "first is at line 7)",
            "    fix: a lesson has one attestation: merge the two statements into the first block",
        ],
    ),
    (
        "markup",
        HEAD + ":::attest\nマニュアルを読み、\n**内容を理解しました**。\n:::\n",
        [
            "lessons/infection.md:9: error: the attestation is recorded as plain text, but "
            "this line has markup ('**')",
            "    fix: write the statement as plain sentences, without Markdown or HTML",
        ],
    ),
    (
        "html",
        HEAD + ':::attest\n<a href="x.pdf">マニュアル</a>を読みました。\n:::\n',
        [
            "lessons/infection.md:8: error: the attestation is recorded as plain text, but "
            "this line has markup ('<a')",
            "    fix: write the statement as plain sentences, without Markdown or HTML",
        ],
    ),
    (
        "too-long",
        HEAD + ":::attest\n" + "読" * 501 + "\n:::\n",
        [
            "lessons/infection.md:7: error: the attestation is 501 characters long; at most "
            "500 are allowed",
            "    fix: keep it to the statement the learner confirms; explain in the lesson's pages",
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [case[1:] for case in ATTESTATION_MISTAKES],
    ids=[case[0] for case in ATTESTATION_MISTAKES],
)
def test_attestation_mistakes_say_where_and_how_to_fix_them(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    assert lesson_problems(tmp_path, text) == expected


def test_an_attestation_in_a_code_block_is_code_and_the_lines_keep_their_numbers(
    tmp_path: Path,
) -> None:
    text = HEAD + ":::attest\n読みました。\n:::\n\n```\n:::attest\n```\n\n<script>x</script>\n"
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "infection.md").write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    read_lesson(
        lessons / "infection.md", "infection", "lessons/infection.md", problems, table_label="表"
    )
    # The block's lines were left blank, not removed: the <script> is still at line 15.
    assert [(p.rule, p.line) for p in problems] == [("lesson-script", 15)]


def test_an_attestation_becomes_the_lessons_statement(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    text = (
        HEAD
        + ":::attest\n院内感染対策マニュアル第3版を読み、\n内容を理解しました。\n\nThe end.\n:::\n"
    )
    (lessons / "infection.md").write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    lesson = read_lesson(lessons / "infection.md", "infection", "x.md", problems, table_label="表")
    assert problems == [] and lesson is not None
    # Japanese lines join without a space, as in the lesson's paragraphs.
    assert lesson.attestation == "院内感染対策マニュアル第3版を読み、内容を理解しました。\nThe end."
    assert [page.title for page in lesson.pages] == ["手指衛生"]
    assert ":::" not in lesson.pages[0].html


SETTINGS_MISTAKES = [
    (
        "unknown-lesson",
        "[min_reading_minutes]\nllm-basic = 5\n",
        [
            "course.toml:12: error: [min_reading_minutes] names the lesson 'llm-basic', which "
            "lessons = [...] does not list",
            "    fix: did you mean 'llm-basics'? use the name of a listed lesson, for example: "
            "llm-basics = 10",
        ],
    ),
    (
        "quoted",
        '[min_reading_minutes]\nllm-basics = "5"\n',
        [
            "course.toml:12: error: the minimum reading time of 'llm-basics' is \"5\", not a "
            "whole number of minutes from 1 to 480",
            "    fix: write the minutes as a whole number without quotes, for example: "
            "llm-basics = 10 (or remove the line for no minimum)",
        ],
    ),
    (
        "fraction",
        "[min_reading_minutes]\nllm-basics = 2.5\n",
        [
            "course.toml:12: error: the minimum reading time of 'llm-basics' is 2.5, not a "
            "whole number of minutes from 1 to 480",
            "    fix: write the minutes as a whole number without quotes, for example: "
            "llm-basics = 10 (or remove the line for no minimum)",
        ],
    ),
    (
        "zero",
        "[min_reading_minutes]\nllm-basics = 0\n",
        [
            "course.toml:12: error: the minimum reading time of 'llm-basics' is 0, not a "
            "whole number of minutes from 1 to 480",
            "    fix: write the minutes as a whole number without quotes, for example: "
            "llm-basics = 10 (or remove the line for no minimum)",
        ],
    ),
    (
        "not-a-table",
        "",  # written at the top, below
        [
            "course.toml:1: error: min_reading_minutes must be a table of lessons and minutes",
            "    fix: write it at the end of the file as a table, one line per lesson: "
            "[min_reading_minutes] and below it llm-basics = 10",
        ],
    ),
    (
        "misspelt",
        "[min_reading_minute]\nllm-basics = 5\n",
        [
            "course.toml:11: error: unknown setting 'min_reading_minute'",
            "    fix: did you mean 'min_reading_minutes'? the settings are: title, identifier, "
            "language, version, description, pass_mark, lessons, min_reading_minutes",
        ],
    ),
]


@pytest.mark.parametrize(
    ("table", "expected"),
    [case[1:] for case in SETTINGS_MISTAKES],
    ids=[case[0] for case in SETTINGS_MISTAKES],
)
def test_minimum_reading_time_mistakes_say_where_and_how_to_fix_them(
    tmp_path: Path, table: str, expected: list[str]
) -> None:
    source = copy_default_course(tmp_path / "source")
    settings = source / "course.toml"
    text = settings.read_text(encoding="utf-8")
    if not table:
        text = "min_reading_minutes = 5\n" + text
    settings.write_text(text.rstrip("\n") + "\n\n" + table, encoding="utf-8")
    problems: list[Problem] = []
    read_settings(source, problems)
    assert [line for p in problems for line in p.describe().split("\n")] == expected


def test_a_minimum_reading_time_is_kept_per_lesson(tmp_path: Path) -> None:
    source = copy_default_course(tmp_path / "source")
    with (source / "course.toml").open("a", encoding="utf-8") as file:
        file.write("\n[min_reading_minutes]\nllm-basics = 15\n")
    problems: list[Problem] = []
    settings = read_settings(source, problems)
    assert problems == [] and settings is not None
    assert settings.min_reading("llm-basics") == 15
    assert settings.min_reading("other") == 0


def test_settings_written_below_the_reading_table_are_one_error_at_the_table(
    tmp_path: Path,
) -> None:
    """TOML reads every line below [min_reading_minutes] into it: the author is told that,
    once, instead of "no lessons" and "pass_mark is not a lesson"."""
    source = copy_default_course(tmp_path / "source")
    settings = source / "course.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text.replace(
            "pass_mark = 80\n", "[min_reading_minutes]\nllm-basics = 10\n\npass_mark = 80\n"
        ),
        encoding="utf-8",
    )
    problems: list[Problem] = []
    read = read_settings(source, problems)
    assert [line for p in problems for line in p.describe().split("\n")] == [
        "course.toml:8: error: the settings below [min_reading_minutes] (pass_mark, lessons) "
        "are read as part of that table: in TOML, every line after a [table] line belongs "
        "to the table",
        "    fix: move [min_reading_minutes] and its lines to the end of course.toml",
    ]
    assert read is not None and read.lessons == ("llm-basics",) and read.pass_mark == 80
    assert read.min_reading("llm-basics") == 10


def test_a_question_may_not_take_the_ids_of_the_reading_time_or_the_attestation(
    tmp_path: Path,
) -> None:
    source = copy_default_course(tmp_path / "source")
    quiz = source / "lessons" / "llm-basics.quiz.toml"
    text = quiz.read_text(encoding="utf-8")
    first = text.index('id = "', text.index("[[questions]]"))
    line = text[:first].count("\n") + 1
    quiz.write_text(text[:first] + 'id = "reading"' + text[text.index("\n", first) :])
    with pytest.raises(BuildError) as raised:
        read_course(source)
    [problem] = [p for p in raised.value.problems if p.rule == "quiz-reserved-id"]
    assert problem.describe().split("\n") == [
        f"lessons/llm-basics.quiz.toml:{line}: error: question 1: the question id 'reading' is "
        "the one the LMS record uses for the lesson's reading time",
        '    fix: give the question another id, for example: id = "reading-1"',
    ]


def test_the_example_attestation_in_the_docs_reads_as_the_guide_says(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "docs" / "examples" / "attestation.md"
    problems: list[Problem] = []
    lesson = read_lesson(example, "attestation", "attestation.md", problems, table_label="表")
    assert problems == [] and lesson is not None
    assert lesson.attestation == "院内感染対策マニュアル第3版を読み、内容を理解しました。"
    assert [page.title for page in lesson.pages] == ["マニュアルの要点", "外し方の順番"]


def test_the_build_counts_the_attestation_page(tmp_path: Path) -> None:
    """The build's "N pages" line counts the attestation page the learner sees."""
    from scorm_builder.build import build

    source = copy_default_course(tmp_path / "source")
    lesson = source / "lessons" / "llm-basics.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text + "\n:::attest\nLLMの基礎を学びました。\n:::\n", encoding="utf-8")
    [(_, package, _)] = build(source, tmp_path / "dist").written
    assert package.lessons[0].attestation == "LLMの基礎を学びました。"
    assert package.page_count == len(package.lessons[0].pages) + 2  # attestation, quiz


NOT_AN_OPENING = (
    "    fix: the attestation block starts with a line that holds only ':::attest' (at the "
    "start of the line, lowercase), then the statement, then a line ':::'"
)
NEAR_OPENINGS = [
    ("same-line", HEAD + ":::attest 読みました。\n", ":::attest 読みました。"),
    ("spaced", HEAD + "::: attest\n読みました。\n:::\n", "::: attest"),
    ("capitals", HEAD + ":::ATTEST\n読みました。\n:::\n", ":::ATTEST"),
    ("capital", HEAD + ":::Attest\n読みました。\n:::\n", ":::Attest"),
    ("list-item", HEAD + "- :::attest\n読みました。\n:::\n", "- :::attest"),
    ("quote", HEAD + "> :::attest\n> 読みました。\n> :::\n", "> :::attest"),
]


@pytest.mark.parametrize(
    ("text", "shown"),
    [case[1:] for case in NEAR_OPENINGS],
    ids=[case[0] for case in NEAR_OPENINGS],
)
def test_a_line_that_almost_opens_an_attestation_is_an_error_not_text(
    tmp_path: Path, text: str, shown: str
) -> None:
    """Shown as text, it would record nothing: the author is told where and how to fix it."""
    assert lesson_problems(tmp_path, text) == [
        f"lessons/infection.md:7: error: this line does not start an attestation block "
        f"('{shown}'): it would be shown as text, and nothing would be recorded",
        NOT_AN_OPENING,
    ]


def test_a_long_line_that_almost_opens_an_attestation_is_quoted_in_part(tmp_path: Path) -> None:
    text = HEAD + ":::attest " + "読" * 100 + "\n"
    assert lesson_problems(tmp_path, text)[0] == (
        "lessons/infection.md:7: error: this line does not start an attestation block "
        "(':::attest " + "読" * 30 + "…'): it would be shown as text, and nothing would be recorded"
    )


EXAMPLE = ":::attest\n読みました。\n:::\n"
SHOWN_AS_CODE = [
    ("longer-fence", "````\n```\n" + EXAMPLE + "````\n"),
    ("info-string-does-not-close", "```\n```python\n" + EXAMPLE + "```\n"),
    ("tildes", "~~~\n```\n" + EXAMPLE + "~~~\n"),
    ("indented-code", "例:\n\n    :::attest\n    読みました。\n    :::\n"),
    ("tab-indented-code", "例:\n\n\t:::attest\n\t読みました。\n\t:::\n"),
    ("near-openings", "```\n:::ATTEST\n- :::attest\n:::attest 読みました。\n```\n"),
]


def read_infection(tmp_path: Path, text: str):  # -> (problems, Lesson | None)
    lessons = tmp_path / "lessons"
    lessons.mkdir(parents=True)
    (lessons / "infection.md").write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    lesson = read_lesson(
        lessons / "infection.md", "infection", "lessons/infection.md", problems, table_label="表"
    )
    return problems, lesson


@pytest.mark.parametrize(
    "code", [case[1] for case in SHOWN_AS_CODE], ids=[case[0] for case in SHOWN_AS_CODE]
)
def test_an_attestation_shown_as_code_stays_in_its_code_block(tmp_path: Path, code: str) -> None:
    """A lesson teaching the syntax shows the block as CommonMark reads code: as code."""
    problems, lesson = read_infection(tmp_path, HEAD + code)
    assert problems == [] and lesson is not None
    assert lesson.attestation == ""
    html = lesson.pages[0].html
    kept = [line.strip() for line in code.split("\n")[1:-2] if line.strip()]
    assert "<pre><code>" in html and "\n".join(kept) in html.replace("&gt;", ">")


def test_after_a_code_example_the_real_attestation_is_taken_and_lines_keep_numbers(
    tmp_path: Path,
) -> None:
    text = (
        HEAD
        + "````\n```\n:::attest\n例の文です。\n:::\n```\n````\n\n"  # lines 7-13
        + "```\n:::attest\n例です。\n:::\n`````\n\n"  # a longer closing fence: lines 15-19
        + EXAMPLE  # lines 21-23
        + "\n<script>x</script>\n"  # line 25
    )
    problems, _lesson = read_infection(tmp_path, text)
    assert [(p.rule, p.line) for p in problems] == [("lesson-script", 25)]
    problems, lesson = read_infection(tmp_path / "again", text.replace("<script>x</script>", ""))
    assert problems == [] and lesson is not None
    assert lesson.attestation == "読みました。"
    assert ":::attest\n例の文です。\n:::" in lesson.pages[0].html


def test_an_unclosed_fence_runs_to_the_end_of_the_lesson(tmp_path: Path) -> None:
    problems, lesson = read_infection(tmp_path, HEAD + "```\n" + EXAMPLE)
    assert problems == [] and lesson is not None
    assert lesson.attestation == ""


IN_A_CONTAINER = [
    ("list-item", "- 例:\n\n  ```\n  :::attest\n  読みました。\n  :::\n  ```\n"),
    ("on-the-items-line", "- ```\n  :::attest\n  読みました。\n  :::\n  ```\n"),
    ("quote", "> ```\n> :::attest\n> - :::attest\n> :::\n> ```\n"),
]


@pytest.mark.parametrize(
    "code", [case[1] for case in IN_A_CONTAINER], ids=[case[0] for case in IN_A_CONTAINER]
)
def test_an_attestation_in_a_fence_in_a_list_or_a_quote_is_code_too(
    tmp_path: Path, code: str
) -> None:
    problems, lesson = read_infection(tmp_path, HEAD + code)
    assert problems == [] and lesson is not None
    assert lesson.attestation == ""
