"""The command in Japanese and in English, run as an author runs it (a subprocess).

    LANG=ja_JP.UTF-8 scorm-builder build    -> every problem in Japanese, at the same file:line
    SCORM_BUILDER_LANG=en, --lang en         -> English whatever the locale

The file names, line numbers and rule ids are the same in both languages: CI reads them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.course_factory import PNG, copy_default_course

ROOT = Path(__file__).resolve().parent.parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana or kanji
# `where: severity: message`, as reporting.py prints a problem (severity in either language).
PROBLEM_LINE = re.compile(
    r"^(?P<where>\S+?): (?P<severity>error|warning|エラー|警告): (?P<text>.*)$"
)
FIX_LINE = re.compile(r"^    (?:fix|直し方): (?P<text>.*)$")


def run(
    *arguments: str, environ: dict[str, str], cwd: Path, cache: Path
) -> subprocess.CompletedProcess[str]:
    # A locale of the user's and a cache of their own per language: nothing comes from the
    # machine running the tests.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    clean.pop("SCORM_BUILDER_LANG", None)
    env = {**clean, "SCORM_BUILDER_CACHE_DIR": str(cache), **environ}
    return subprocess.run(
        [sys.executable, "-m", "scorm_builder", *arguments],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=120,
    )


def common_mistakes(destination: Path) -> Path:
    """The default course with mistakes from the README's table of common errors."""
    source = copy_default_course(destination)
    settings = source / "course.toml"
    text = settings.read_text(encoding="utf-8")
    text = text.replace("pass_mark = 80", "passmark = 80")
    text = text.replace('version = "1.0"', 'version = "1.0-draft-for-the-ward-review"')
    text = text.replace(
        'lessons = ["llm-basics"]', 'lessons = ["llm-basics", "hand-hygiene", "ppe"]'
    )
    settings.write_text(text, encoding="utf-8")
    quiz = source / "lessons" / "llm-basics.quiz.toml"
    text = quiz.read_text(encoding="utf-8").replace('type = "single"', 'type = "singel"', 1)
    quiz.write_text(text, encoding="utf-8")
    (source / "lessons" / "stray.quiz.toml.txt").write_text('[[questions]]\ntext = "x"\n')
    (source / "lessons" / "hand-hygiene.md").write_text(HAND_HYGIENE, encoding="utf-8")
    (source / "lessons" / "draft.md").write_text("# 下書き\n\n## 一\n\n本文\n", encoding="utf-8")
    return source


HAND_HYGIENE = """# 手指衛生

## 手洗い

![](handwash.png)

<p onclick="alert(1)">クリック</p>

## 空の節

## 個人防護具

![手袋](gloves.bmp)
"""


def problems(output: str) -> list[tuple[str, str, str, str]]:
    """(where, severity, message, fix) of each problem printed."""
    found: list[tuple[str, str, str, str]] = []
    for line in output.splitlines():
        if problem := PROBLEM_LINE.match(line):
            found.append((problem["where"], problem["severity"], problem["text"], ""))
        elif (fix := FIX_LINE.match(line)) and found:
            found[-1] = (*found[-1][:3], fix["text"])
    return found


@pytest.fixture(scope="module")
def both_languages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The output of one build of the course with mistakes, in each language."""
    folder = tmp_path_factory.mktemp("mistakes")
    common_mistakes(folder / "source")
    outputs = {}
    for language, locale in (("en", "en_US.UTF-8"), ("ja", "ja_JP.UTF-8")):
        result = run(
            "build", environ={"LANG": locale}, cwd=folder, cache=folder / f"cache-{language}"
        )
        assert result.returncode == 1, result.stderr
        assert not (folder / "dist").exists() or not list((folder / "dist").glob("*.zip"))
        outputs[language] = result.stderr
    return outputs


def test_a_japanese_locale_gets_every_problem_in_japanese_at_the_same_place(both_languages):
    english, japanese = problems(both_languages["en"]), problems(both_languages["ja"])
    assert len(english) >= 5 and len(japanese) == len(english)
    severity = {"error": "エラー", "warning": "警告"}
    for (where_en, severity_en, message_en, fix_en), (where_ja, severity_ja, message, fix) in zip(
        english, japanese, strict=True
    ):
        assert (where_ja, severity_ja) == (where_en, severity[severity_en])
        assert JAPANESE.search(message) and message != message_en, message
        assert JAPANESE.search(fix) and fix != fix_en, fix


def test_the_names_the_author_typed_stay_as_typed(both_languages):
    japanese = both_languages["ja"]
    for typed in ("'passmark'", "'singel'", "pass_mark", "single", "ppe.md", "onclick="):
        assert typed.strip("'") in japanese
    assert "source/course.toml:8: エラー: 「passmark」という設定はありません" in japanese
    assert "    直し方: 「pass_mark」のまちがいではありませんか？" in japanese


def test_the_summary_says_in_japanese_that_nothing_was_written(both_languages):
    [summary] = [line for line in both_languages["ja"].splitlines() if "件" in line]
    assert re.search(r"エラー \d+ 件、警告 \d+ 件", summary)
    assert "パッケージは作っていません" in summary
    assert both_languages["en"].splitlines()[-1].startswith("build failed: ")


def test_the_checker_gives_the_same_rule_ids_and_places_in_both_languages(tmp_path):
    package = tmp_path / "package"
    with zipfile.ZipFile(build_default_course(tmp_path)) as archive:
        archive.extractall(package)
    page = package / "llm-basics" / "index.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "</head>", '<script src="https://cdn.example.com/chart.js"></script></head>'
        ),
        encoding="utf-8",
    )
    outputs = {
        language: run(
            "--lang",
            language,
            "check",
            str(package),
            environ={},
            cwd=tmp_path,
            cache=tmp_path / "cache",
        )  # fmt: skip
        for language in ("en", "ja")
    }
    rule_lines = {
        language: re.findall(r"^(\S+): \S+ \[([a-z0-9-]+)\]", result.stdout, re.M)
        for language, result in outputs.items()
    }
    assert rule_lines["en"] == rule_lines["ja"] != []
    assert ("llm-basics/index.html:9", "content-external-url") in rule_lines["ja"]
    assert outputs["ja"].returncode == outputs["en"].returncode == 1
    assert outputs["ja"].stdout.splitlines()[-1].endswith(": エラー 1 件、警告 0 件: 不合格")
    assert "エラー [content-external-url] パッケージの外から https://cdn.example.com/chart.js" in (
        outputs["ja"].stdout
    )


def build_default_course(folder: Path) -> Path:
    source = copy_default_course(folder / "source")
    result = run("build", str(source), environ={}, cwd=folder, cache=folder / "cache")
    assert result.returncode == 0, result.stderr
    [package] = (folder / "dist").glob("*.zip")
    return package


# ---------- which language: --help ----------


@pytest.mark.parametrize(
    ("arguments", "environ", "japanese"),
    [
        (["--help"], {"LANG": "ja_JP.UTF-8"}, True),
        (["build", "--help"], {"LC_ALL": "ja_JP.UTF-8", "LANG": "C"}, True),
        (["--help"], {"LANG": "en_US.UTF-8"}, False),
        (["--help"], {}, False),
        (["--lang", "en", "--help"], {"LANG": "ja_JP.UTF-8"}, False),
        (["--help"], {"LANG": "ja_JP.UTF-8", "SCORM_BUILDER_LANG": "en"}, False),
        (["--lang", "ja", "--help"], {"LANG": "en_US.UTF-8", "SCORM_BUILDER_LANG": "en"}, True),
        (["--lang", "ja", "check", "--help"], {}, True),
    ],
)
def test_help_is_in_the_chosen_language(tmp_path, arguments, environ, japanese):
    result = run(*arguments, environ=environ, cwd=tmp_path, cache=tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    if japanese:
        assert result.stdout.startswith("使い方: scorm-builder")
        assert "この説明を表示して終わります" in result.stdout
    else:
        assert result.stdout.startswith("usage: scorm-builder")
        assert "show this help message and exit" in result.stdout


def test_a_wrong_lang_is_a_usage_error_in_the_language_of_the_environment(tmp_path):
    result = run("--lang", "fr", "build", environ={"LANG": "ja_JP.UTF-8"}, cwd=tmp_path,
                 cache=tmp_path / "cache")  # fmt: skip
    assert result.returncode == 2
    assert "scorm-builder: エラー: --lang: 'en', 'ja' のどれかを指定してください" in result.stderr


# ---------- a Japanese Windows: cp932, output redirected to a file ----------


def test_redirected_cp932_output_never_fails_on_an_emoji_or_a_rare_kanji(tmp_path):
    source = copy_default_course(tmp_path / "source")
    lesson = source / "lessons" / "llm-basics.md"
    # A section title with an emoji and a kanji outside cp932, named in a warning.
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + "\n## 🧼 手洗いと𠮷\n\n![](chart.png)\n",
        encoding="utf-8",
    )
    (source / "lessons" / "chart.png").write_bytes(PNG)
    output = tmp_path / "output.txt"
    inherited = {k: v for k, v in os.environ.items() if k != "SCORM_BUILDER_LANG"}
    environ = {**inherited, "PYTHONIOENCODING": "cp932", "PYTHONUTF8": "0", "LANG": "ja_JP.UTF-8",
               "SCORM_BUILDER_CACHE_DIR": str(tmp_path / "cache")}  # fmt: skip
    with output.open("wb") as file:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "scorm_builder",
                "build",
                str(source),
                "-o",
                str(tmp_path / "d"),
            ],
            stdout=file,
            stderr=subprocess.STDOUT,
            env=environ,
            cwd=tmp_path,
            timeout=120,
        )
    text = output.read_bytes().decode("cp932")
    assert result.returncode == 0, text
    assert "UnicodeEncodeError" not in text
    assert "\\U0001f9fc 手洗いと\\U00020bb7" in text  # the warning names the section
    assert "警告 1 件" in text and "を作りました" in text
