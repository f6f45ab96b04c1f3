"""The exact-message tests of the areas, run in Japanese too.

Each area's tests say, in English, exactly what an author sees after a mistake
(tests/test_author_errors.py, tests/test_schema_errors.py). Here a sample of those
mistakes is made again with the command speaking Japanese, and what it prints is
compared with the English expectation put into Japanese *through the catalogue*:
`in_japanese` finds which message of the catalogue each English text is (the message ids
are templates: "the lesson '{name}' is listed twice"), takes the values out of it, puts
those into Japanese in turn ("question 3" is a message too), and fills the Japanese
template. So the Japanese run must give, line for line, the English one's file, line and
values in the Japanese catalogue's words; a message the code does not translate, or
translates with other values, fails.
"""

from __future__ import annotations

import functools
import re
import string
from pathlib import Path

import pytest

from scorm_builder import i18n
from scorm_builder.cli import main
from scorm_builder.po_file import read_po
from tests import test_author_errors, test_schema_errors
from tests.course_factory import PNG, copy_default_course
from tests.test_author_errors import Built, Mistake

ROOT = Path(__file__).resolve().parent.parent
JA_CATALOGUE = ROOT / "scorm_builder" / "locale" / "ja" / "LC_MESSAGES" / "scorm_builder.po"


# What some placeholders hold, so that a message of little literal text ("{item} {number}",
# "the {key}") is not read into any text with a space in it.
NUMBER = r"\d[\d.,]*"
VALUE_SHAPES = {
    **dict.fromkeys(
        ("number", "count", "limit", "length", "errors", "warnings", "draw", "size", "low",
         "high", "decimals", "depth"),
        NUMBER,
    ),
    "key": r"[\w.-]+",
    "place": r"\w+ \d+",
    "severity": r"\w+",
    "item": r"\w+(?: \w+)?",
}  # fmt: skip


@functools.cache
def _catalogue() -> tuple[dict[str, str], list[tuple[re.Pattern[str], str, str]]]:
    """The Japanese catalogue as exact texts and as templates (most specific first)."""
    exact, templates = {}, []
    for entry in read_po(JA_CATALOGUE.read_text(encoding="utf-8")):
        if not entry.msgid or entry.msgid_plural is not None or not entry.msgstr[0]:
            continue
        try:
            parts = list(string.Formatter().parse(entry.msgid))
        except ValueError:  # never formatted: a plain text
            parts = [(entry.msgid, None, None, None)]
        names = [name for _, name, _, _ in parts if name is not None]
        if not names or not all(name.isidentifier() for name in names):
            exact[entry.msgid] = entry.msgstr[0]
            continue
        pattern, seen = "", set()
        for literal, name, _, _ in parts:
            pattern += re.escape(literal)
            if name is not None:
                shape = VALUE_SHAPES.get(name, ".*?")
                pattern += f"(?P={name})" if name in seen else f"(?P<{name}>{shape})"
                seen.add(name)
        literal_length = sum(len(literal) for literal, *_ in parts)
        templates.append((literal_length, re.compile(pattern, re.S), entry.msgid, entry.msgstr[0]))
    templates.sort(key=lambda template: -template[0])
    return exact, [(pattern, msgid, msgstr) for _, pattern, msgid, msgstr in templates]


def in_japanese(text: str) -> str:
    """An English message (or several joined, as fixes are: "did you mean 'x'? " + a list)
    as the Japanese catalogue says it; a text that is no message (a file name) stays."""
    exact, templates = _catalogue()
    if text in exact:
        return exact[text]
    for pattern, _msgid, msgstr in templates:
        found = pattern.fullmatch(text)
        if found:
            values = {name: in_japanese(value) for name, value in found.groupdict().items()}
            return msgstr.format(**values)
    # Two messages joined: a known message (ending in a literal) first, or one at the end.
    for pattern, msgid, msgstr in templates:
        if msgid.endswith("}"):
            continue
        found = pattern.match(text)
        if found and found.end() < len(text):
            values = {name: in_japanese(value) for name, value in found.groupdict().items()}
            return msgstr.format(**values) + in_japanese(text[found.end() :])
    for message, translation in exact.items():
        if len(message) > 12 and text.endswith(message) and text != message:
            return in_japanese(text.removesuffix(message)) + translation
    return text


def test_in_japanese_reads_nested_and_joined_messages():
    assert in_japanese("question 3: unknown question type 'singel'") == (
        "問題 3: 問題の種類「singel」はありません"
    )
    assert in_japanese(
        "did you mean 'single'? the types are: single, multiple, true-false, numeric"
    ) == ("「single」のまちがいではありませんか？ 問題の種類（type）は次のどれかです: "
          "single, multiple, true-false, numeric")  # fmt: skip
    assert in_japanese("lessons/llm-basics.md") == "lessons/llm-basics.md"


def japanese_stderr(english: str) -> str:
    """The expected stderr of a failed build, line by line in Japanese."""
    lines = []
    for line in english.split("\n"):
        problem = re.fullmatch(r"(\S+?): (error|warning): (.*)", line, re.S)
        fix = re.fullmatch(r"    fix: (.*)", line, re.S)
        if problem:
            where, severity, message = problem.groups()
            lines.append(f"{where}: {in_japanese(severity)}: {in_japanese(message)}")
        elif fix:
            lines.append(f"    {in_japanese('fix: {fix}').format(fix=in_japanese(fix[1]))}")
        else:
            lines.append(in_japanese(line))
    return "\n".join(lines)


def sample(mistakes: list[Mistake], every: int) -> list[Mistake]:
    return [mistake for index, mistake in enumerate(mistakes) if index % every == 0]


AUTHOR_SAMPLE = sample(test_author_errors.MISTAKES, 3)
SCHEMA_SAMPLE = sample(test_schema_errors.MISTAKES, 4)


@pytest.fixture
def built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Built:
    """The small course both areas' tests start from, built once (in English)."""
    source = copy_default_course(tmp_path / "source")
    (source / "course.toml").write_text(test_author_errors.COURSE, encoding="utf-8")
    lessons = source / "lessons"
    (lessons / "llm-basics.md").write_text(test_author_errors.LESSON, encoding="utf-8")
    (lessons / "llm-basics.quiz.toml").write_text(test_author_errors.QUIZ, encoding="utf-8")
    output = tmp_path / "dist"
    with i18n.language("en"):
        assert main(["--lang", "en", "build", str(source), "-o", str(output)]) == 0
    capsys.readouterr()
    return Built(source, output, (output / test_author_errors.ZIP).read_bytes())


def run_in_both_languages(
    mistake: Mistake, built: Built, capsys, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    """The stderr of a build after `mistake`, in English and in Japanese."""
    mistake.make(built.source)
    outputs, codes = [], []
    for language in ("en", "ja"):
        # A build cache per language: the cache does not yet tell languages apart (see
        # test_a_cached_lesson_speaks_the_language_of_the_build_that_reads_it).
        monkeypatch.setenv(
            "SCORM_BUILDER_CACHE_DIR", str(built.output.parent / f"cache-{language}")
        )
        with i18n.language(language):  # restored after: main() sets it for the process
            codes.append(main(["--lang", language, "build", str(built.source), "-o",
                               str(built.output)]))  # fmt: skip
        outputs.append(capsys.readouterr().err)
    assert codes[0] == codes[1] == mistake.exit_code
    return outputs[0], outputs[1]


@pytest.mark.parametrize("mistake", AUTHOR_SAMPLE + SCHEMA_SAMPLE, ids=lambda m: m.id)
def test_a_sample_of_the_areas_mistakes_in_japanese(
    mistake: Mistake, built: Built, capsys, monkeypatch
):
    english, japanese = run_in_both_languages(mistake, built, capsys, monkeypatch)
    assert english == mistake.stderr.replace("{src}", str(built.source))
    assert japanese == japanese_stderr(english)
    assert japanese != english


def test_a_cached_lesson_speaks_the_language_of_the_build_that_reads_it(
    built: Built, capsys, monkeypatch
):
    # A lesson with a warning is cached by an English build; a Japanese build of the same
    # sources must not replay the English warning.
    monkeypatch.setenv("SCORM_BUILDER_CACHE_DIR", str(built.output.parent / "one-cache"))
    lesson = built.source / "lessons" / "llm-basics.md"
    lesson.write_text(test_author_errors.LESSON + "\n![](handwash.png)\n", encoding="utf-8")
    (lesson.parent / "handwash.png").write_bytes(PNG)
    for language in ("en", "ja"):
        with i18n.language(language):
            assert main(["--lang", language, "build", str(built.source), "-o",
                         str(built.output)]) == 0  # fmt: skip
    warning = capsys.readouterr().err.splitlines()[-3]
    assert "代わりの文章（alt）がありません" in warning, warning


def test_the_japanese_guide_shows_the_error_as_a_japanese_build_prints_it(tmp_path):
    # docs/ja/authoring.md shows what an author on a Japanese PC sees; the English block
    # beside it is checked by tests/test_authoring_guide.py.
    from scorm_builder.build import build
    from scorm_builder.problems import BuildError
    from scorm_builder.reporting import report_lines
    from tests.test_authoring_guide import GUIDE, guide_files, write_course

    files = guide_files()
    quiz = "lessons/hand-hygiene.quiz.toml"
    files[quiz] = files[quiz].replace('type = "single"', 'type = "singel"', 1)
    source = write_course(tmp_path / "source", files)
    with i18n.language("ja"), pytest.raises(BuildError) as raised:
        build(source, tmp_path / "dist")
    with i18n.language("ja"):
        [first, *_rest] = report_lines(raised.value.problems, Path("source"))
    guide = GUIDE.read_text(encoding="utf-8")
    assert first in guide, first
    assert first.startswith("source/lessons/hand-hygiene.quiz.toml:8: エラー: 問題 1: ")
