"""Whatever an author's file holds, the build says what is wrong: never a traceback.

Random bytes, random Markdown made of the pieces that matter to the lesson
reader, and random TOML structures for the quiz and settings readers: each must
either give a package or fail with BuildError, whose problems all name a file and
say what is wrong. Derandomized, so CI runs the same examples every time.
"""

from __future__ import annotations

import functools
import json
import math
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import html5lib
import jinja2
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scorm_builder.build import build_package
from scorm_builder.problems import BuildError
from scorm_builder.quiz import QUESTION_KEYS, QUIZ_KEYS, TYPES
from scorm_builder.render import TEMPLATES_DIR, CompiledTemplates, Theme
from scorm_builder.settings import KNOWN_KEYS
from tests.course_factory import PNG, copy_default_course

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


class OneEnvironmentTheme(Theme):
    """The real templates, compiled once: compiling them per example would be most of the time."""

    @functools.cache  # noqa: B019 (one theme for the whole module)
    def environment(self, compiled: CompiledTemplates | None = None) -> jinja2.Environment:
        return super().environment(compiled)


THEME = OneEnvironmentTheme(TEMPLATES_DIR)

LESSON = "# LLMの基礎\n\n## LLMとは\n\nLLMはAIモデルです。\n"
COURSE = 'title = "T"\nidentifier = "c"\nlessons = ["llm-basics"]\n'
QUIZ = '[[questions]]\ntype = "true-false"\ntext = "LLMはAIモデルである。"\nanswer = true\n'


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = copy_default_course(tmp_path_factory.mktemp("fuzz") / "source")
    (source / "lessons" / "figure.png").write_bytes(PNG)
    return source


def builds_or_reports(source: Path) -> None:
    try:
        build_package(source, THEME)
    except BuildError as error:
        assert any(p.severity == "error" for p in error.problems)
        for problem in error.problems:
            assert problem.file and problem.message and problem.describe()


def write(
    source: Path,
    lesson: str | bytes = LESSON,
    quiz: str | bytes = QUIZ,
    course_toml: str = COURSE,
) -> None:
    files = {
        "course.toml": course_toml,
        "lessons/llm-basics.md": lesson,
        "lessons/llm-basics.quiz.toml": quiz,
    }
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (source / name).write_bytes(data)


# Lessons: the pieces of Markdown and HTML the reader treats specially, in any order.
MARKDOWN_PIECES = [
    "# ", "## ", "#", "##　", "### ", "\n", "\n\n", "\r\n", "\r", "\ufeff", "---", "***",
    "```", "~~~", "    ", "\t", "> ", "- ", "1. ", "|", "| --- |", "**", "`", "[^1]", "[^1]: ",
    "![", "](", ")", "[", "]", "figure.png", "missing.png", "../course.toml", "%00", "#x",
    "https://example.com/", "//example.com", "javascript:", "JaVa\tScRiPt:", "data:,x",
    "<", ">", "</", "/>", "&", "&amp;", "&#0;", "\"", "'", "=", "<script>", "</script>",
    "<img src=", "<a href=", "<iframe src=", "<object data=", " onclick=", " srcdoc=",
    "<table>", "<!--", "-->", "<![CDATA[", "\x00", "\x08", "\ufffe", "\U0001f9fc", "手指衛生",
    "　", "a", " ",
]  # fmt: skip
markdown = st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=60).map("".join)


@FUZZ
@given(lesson=st.binary(max_size=500))
def test_lesson_reader_on_random_bytes(course: Path, lesson: bytes) -> None:
    write(course, lesson=lesson)
    builds_or_reports(course)


@FUZZ
@given(lesson=markdown | st.text(max_size=200))
def test_lesson_reader_on_random_markdown(course: Path, lesson: str) -> None:
    write(course, lesson=lesson)
    builds_or_reports(course)


@FUZZ
@given(lesson=markdown)
@example(lesson="- " * 1000 + "x")  # the Markdown library recurses once per nesting level
@example(lesson="a\vb\fc")  # Word's line and page breaks, copied as plain text
def test_lesson_reader_on_random_markdown_under_a_good_title(course: Path, lesson: str) -> None:
    write(course, lesson="# タイトル\n\n## 節\n\n" + lesson)
    builds_or_reports(course)


# Pathological lessons: each example must be refused (or built) within the deadline, however
# deep or long; before the limits, 2,000 levels took 148 s and 30 KB of '[' over a minute.
TIMED = settings(FUZZ, max_examples=40, deadline=timedelta(seconds=3))
nesting = st.lists(
    st.sampled_from(["- ", "* ", "1. ", "> ", "    ", "\t", "  "]), min_size=1, max_size=8
)
deep_lines = st.builds(
    lambda unit, levels, lines, text: "".join(
        "".join(unit) * (levels * (line + 1) // lines) + text + "\n" for line in range(lines)
    ),
    nesting,
    st.integers(min_value=1, max_value=3000),
    st.integers(min_value=1, max_value=50),
    st.sampled_from(["x", "手指衛生", "[", "![", "**", "`"]),
)
bracket_runs = st.builds(
    lambda opener, length, width, closer: (
        "\n".join(
            (opener * length)[at : at + width] for at in range(0, len(opener) * length, width)
        )
        + closer
    ),
    st.sampled_from(
        ["[", "![", "[^", "[x](", "[]", "<", "**[", "[a](", "[a](<", "<a ", "<a@", "`a", "*a", "_a"]
    ),
    st.integers(min_value=100, max_value=40_000),
    st.integers(min_value=1, max_value=9_000),
    st.sampled_from(["", "]", "](x.png)", ")"]),
)


@TIMED
@given(lesson=deep_lines | bracket_runs)
def test_deep_nesting_and_long_bracket_runs_fail_fast(course: Path, lesson: str) -> None:
    write(course, lesson="# タイトル\n\n## 節\n\n" + lesson)
    builds_or_reports(course)


# Raw HTML from the families browsers parse by their own rules: whatever the mix, either the
# build refuses it with a message, or the page shipped runs nothing but the run-time.
HTML_PIECES = [
    "<svg>", "</svg>", "<math>", "</math>", "<mi>", "<mtext>", "<foreignObject>", "<desc>",
    "<annotation-xml encoding='text/html'>", "<mglyph>", "<style>", "</style>", "<noscript>",
    "</noscript>", "<template>", "</template>", "<base href='x/'>", "<base href=//e.com/>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>", "<meta charset=utf-7>",
    "<form action=https://e.com/>", "</form>", "<input autofocus onfocus=alert(1)>",
    "<button formaction=javascript:alert(1)>", "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>", "<a href=javascript:alert(1)>", "<a href='java\tscript:x'>",
    "<a href=data:text/html,<script>alert(1)</script>>", "</a>", "<iframe srcdoc='<script>'>",
    "<iframe src=x.html>", "<object data=x.svg>", "<textarea>", "</textarea>", "<title>",
    "</title>", "<xmp>", "<noembed>", "<select>", "<table>", "<td>", "<p>", "</p>", "<div>",
    "</div>", "<span style='background:url(//e.com/x)'>", "<p style=x:expression(alert(1))>",
    "<!--", "-->", "--!>", "<![CDATA[", "]]>", "<?x ?>", "&lt;", "&#x3c;script&#x3e;",
    "javascript:alert(1)", "\"", "'", "=", "<", ">", "/", " ", "\n", "\n\n", "    ", "`", "```",
    "x", "手", "[a](", "](javascript:alert(1))", "![", "](x.svg)",
]  # fmt: skip
raw_html = st.lists(st.sampled_from(HTML_PIECES), max_size=40).map("".join)
THE_TEMPLATES_SCRIPTS = [
    {"type": "application/json", "id": "sco-data"},
    {"src": "../shared/runtime.js"},
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcdoc"}


def runs_nothing_but_the_run_time(page: bytes) -> None:
    document = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)
    scripts = []
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        name = element.tag.rpartition("}")[2]
        if name == "script":
            scripts.append(dict(element.attrib))
        for attribute, value in element.items():
            local = attribute.rpartition("}")[2].lower()
            assert not local.startswith("on"), (name, attribute)
            if local in URL_ATTRIBUTES or attribute == "{http://www.w3.org/1999/xlink}href":
                squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
                assert not squeezed.startswith(("javascript:", "data:text/html")), (name, value)
        assert name != "base", element.attrib
        assert name != "form" or element.get("data-quiz") is not None, element.attrib  # the quiz
        refresh = name == "meta" and element.get("http-equiv", "").lower() == "refresh"
        assert not refresh, element.attrib
    assert scripts == THE_TEMPLATES_SCRIPTS


@FUZZ
@given(lesson=raw_html)
@example(lesson="<svg><style><img src=x onerror=alert(1)></style></svg>")
@example(lesson="<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>")
@example(lesson="<noscript><p title='</noscript><img src=x onerror=alert(1)>'>")
@example(lesson="<template><style></template><img src=x onerror=alert(1)></style>")
def test_raw_html_is_refused_or_runs_nothing(course: Path, lesson: str) -> None:
    write(course, lesson="# タイトル\n\n## 節\n\n本文。\n\n" + lesson + "\n")
    try:
        package = build_package(course, THEME)
    except BuildError as error:
        assert any(p.severity == "error" and p.line for p in error.problems)
        return
    for name, data in package.files.items():
        if name.endswith(".html"):
            runs_nothing_but_the_run_time(data)


# Quizzes and settings: random TOML documents, shaped like the real ones often enough
# to get past the syntax and into the checks of every key.
scalars = (
    st.integers(min_value=-3, max_value=30)
    | st.sampled_from([True, False, 0.5, 1e300, -(2**70), math.inf, math.nan])
    | st.text(max_size=8)
    | st.sampled_from([*TYPES, "singel", "", " ", '<b>A</b> & "B"', "llm-basics", "80%"])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=6,
)


def keys(known: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(known) | st.text(min_size=1, max_size=6)


questions = st.lists(st.dictionaries(keys(QUESTION_KEYS), values, max_size=8), max_size=4)
quizzes = st.builds(
    lambda quiz, questions: quiz if questions is None else {**quiz, "questions": questions},
    st.dictionaries(keys(QUIZ_KEYS), values, max_size=4),
    st.none() | questions,
)
course_settings = st.dictionaries(keys(KNOWN_KEYS), values, max_size=6).map(
    lambda data: {"title": "T", "identifier": "c", "lessons": ["llm-basics"], **data}
)


def toml(document: dict[str, Any]) -> str:
    """A TOML document: plain keys first, then lists of tables as [[blocks]]."""
    blocks = {k: v for k, v in document.items() if _is_blocks(v)}
    lines = [f"{_key(k)} = {_value(v)}" for k, v in document.items() if k not in blocks]
    for key, tables in blocks.items():
        for table in tables:
            lines += [
                "",
                f"[[{_key(key)}]]",
                *(f"{_key(k)} = {_value(v)}" for k, v in table.items()),
            ]
    return "\n".join(lines) + "\n"


def _is_blocks(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(t, dict) for t in value)


def _key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)  # a quoted key is always valid TOML


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


@FUZZ
@given(quiz=st.binary(max_size=500))
def test_quiz_reader_on_random_bytes(course: Path, quiz: bytes) -> None:
    write(course, quiz=quiz)
    builds_or_reports(course)


@FUZZ
@given(quiz=quizzes)
def test_quiz_reader_on_random_structures(course: Path, quiz: dict[str, Any]) -> None:
    write(course, quiz=toml(quiz))
    builds_or_reports(course)


@FUZZ
@given(data=course_settings)
def test_settings_reader_on_random_structures(course: Path, data: dict[str, Any]) -> None:
    write(course, course_toml=toml(data))
    builds_or_reports(course)
