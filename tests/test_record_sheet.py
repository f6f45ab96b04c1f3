"""The course record sheet written beside each zip: the key to the LMS's interaction reports.

    files = record_files(course, course.lessons, "ai-basics-for-clinicians")
    html = files["ai-basics-for-clinicians.record.html"]
    rows = read_csv(files["ai-basics-for-clinicians.record.csv"])

The default course's sheet is checked against its quiz file read on its own (tomllib), so a
sheet that drops, renames or mis-keys anything fails here.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import string
import struct
import tomllib
import zipfile
import zlib
from pathlib import Path
from typing import Any

import html5lib
import pytest

from scorm_builder.build import build
from scorm_builder.model import Objective
from scorm_builder.record_sheet import BOM, record_files
from scorm_builder.sources import read_course
from tests.course_factory import DEFAULT_SOURCE, copy_default_course, two_lesson_course

PACKAGE = "ai-basics-for-clinicians"
HTML = f"{PACKAGE}.record.html"
CSV = f"{PACKAGE}.record.csv"
XHTML = "{http://www.w3.org/1999/xhtml}"


def sheet_of(source: Path, package: str = PACKAGE) -> dict[str, bytes]:
    course, _ = read_course(source)
    return record_files(course, course.lessons, package)


def read_csv(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM), newline="")))


def parse_html(data: bytes) -> Any:
    return html5lib.parse(data, treebuilder="lxml", namespaceHTMLElements=True)


def text_of(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def expected_questions(quiz_file: Path) -> list[dict[str, Any]]:
    """What the author wrote, turned into what the LMS stores, without the builder's code."""
    questions = []
    for q in tomllib.loads(quiz_file.read_text(encoding="utf-8"))["questions"]:
        if q["type"] == "true-false":
            choices = {"t": "正しい", "f": "誤り"}
            correct = "t" if q["answer"] else "f"
        elif q["type"] == "numeric":
            choices, correct = {}, str(q["answer"])
        else:
            choices = dict(zip(string.ascii_lowercase, q["choices"], strict=False))
            numbers = q["answer"] if isinstance(q["answer"], list) else [q["answer"]]
            correct = ",".join(sorted(string.ascii_lowercase[n - 1] for n in numbers))
        questions.append({**q, "keys": choices, "pattern": correct})
    return questions


DEFAULT_QUESTIONS = expected_questions(DEFAULT_SOURCE / "lessons" / "llm-basics.quiz.toml")


@pytest.fixture(scope="module")
def default_sheet() -> dict[str, bytes]:
    return sheet_of(DEFAULT_SOURCE)


def test_a_sheet_is_one_html_page_and_one_csv_named_after_the_package(default_sheet):
    assert sorted(default_sheet) == [CSV, HTML]


def test_every_question_of_the_quiz_file_is_in_the_html_with_its_keys_and_answer(default_sheet):
    document = parse_html(default_sheet[HTML])
    articles = document.findall(f".//{XHTML}article")
    assert [a.get("id") for a in articles] == [f"q-llm-basics-{q['id']}" for q in DEFAULT_QUESTIONS]
    for article, question in zip(articles, DEFAULT_QUESTIONS, strict=True):
        facts = facts_of(article)
        assert facts["インタラクション ID"] == question["id"]
        assert facts["配点"] == str(question.get("points", 1))
        assert facts["正解（LMS での表示）"] == question["pattern"]
        assert question["text"] in text_of(article)
        assert question["explanation"] in text_of(article)
        rows = [
            [text_of(cell) for cell in row.findall(f"{XHTML}td")]
            for row in article.findall(f".//{XHTML}tbody/{XHTML}tr")
        ]
        assert [(key, text) for key, text, _ in rows] == list(question["keys"].items())
        marked = ",".join(key for key, _, mark in rows if mark == "✓ 正解")
        assert marked == (question["pattern"] if question["keys"] else "")  # numeric: no choices


def facts_of(element: Any) -> dict[str, str]:
    """The <dt>/<dd> pairs of every fact list inside `element`."""
    facts = {}
    for facts_list in element.iter(f"{XHTML}dl"):
        terms = list(facts_list.iter(f"{XHTML}dt"))
        values = list(facts_list.iter(f"{XHTML}dd"))
        facts.update({text_of(t): text_of(v) for t, v in zip(terms, values, strict=True)})
    return facts


def test_the_csv_has_one_row_per_question_that_reads_back_as_the_quiz_file(default_sheet):
    rows = read_csv(default_sheet[CSV])
    assert len(rows) == len(DEFAULT_QUESTIONS)
    for number, (row, question) in enumerate(zip(rows, DEFAULT_QUESTIONS, strict=True), 1):
        assert row["インタラクション ID"] == question["id"]
        assert row["問題番号"] == str(number)
        assert row["レッスン ID"] == "llm-basics"
        assert row["問題文"] == question["text"]
        assert row["正解（LMS での表示）"] == question["pattern"]
        assert [line for line in row["選択肢（記号: 文章）"].split("\n") if line] == [
            f"{key}: {text}" for key, text in question["keys"].items()
        ]
        assert row["解説"] == question["explanation"]
        kind = {"true-false": "true-false", "numeric": "numeric"}.get(question["type"], "choice")
        assert row["種類"] == kind


def test_the_csv_opens_in_excel_on_a_japanese_windows(default_sheet):
    data = default_sheet[CSV]
    # The BOM is what makes Excel read UTF-8 instead of cp932; CRLF is its line end.
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") >= len(DEFAULT_QUESTIONS) + 1


def test_the_sheet_names_the_version_and_a_digest_of_the_sources(default_sheet):
    facts = facts_of(parse_html(default_sheet[HTML]))
    assert facts["コンテンツのバージョン"] == "1.0"
    digest = facts["ソースのダイジェスト（SHA-256）"]
    assert len(digest) == 64 and set(digest) <= set("0123456789abcdef")
    assert {row["ソースのダイジェスト"] for row in read_csv(default_sheet[CSV])} == {digest}


def test_pages_are_listed_with_their_titles_and_the_quiz_last(default_sheet):
    document = parse_html(default_sheet[HTML])
    section = document.find(f".//{XHTML}section")
    titles = [text_of(li) for li in section.find(f"{XHTML}ol").findall(f"{XHTML}li")]
    course, _ = read_course(DEFAULT_SOURCE)
    assert titles == [page.title for page in course.lessons[0].pages] + ["確認テスト"]


def test_same_sources_give_the_same_bytes_in_any_folder(default_sheet, tmp_path):
    again = sheet_of(copy_default_course(tmp_path / "elsewhere"))
    assert again == default_sheet
    assert sheet_of(DEFAULT_SOURCE) == default_sheet


def test_changing_any_source_file_changes_the_digest(tmp_path):
    source = two_lesson_course(tmp_path / "course")
    before = digests(sheet_of(source))
    (source / "lessons" / "handwash.png").write_bytes(another_png())
    after_image = digests(sheet_of(source))
    assert after_image["infection-control"] != before["infection-control"]
    assert after_image["llm-basics"] == before["llm-basics"]
    assert after_image["package"] != before["package"]
    quiz = source / "lessons" / "llm-basics.quiz.toml"
    quiz.write_text(quiz.read_text(encoding="utf-8") + "\n# note\n", encoding="utf-8")
    assert digests(sheet_of(source))["llm-basics"] != before["llm-basics"]


def another_png() -> bytes:
    """A valid 1x1 PNG other than the course factory's (an opaque red pixel)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def digests(files: dict[str, bytes]) -> dict[str, str]:
    document = parse_html(files[HTML])
    found = {
        "package": facts_of(document.find(f".//{XHTML}header"))["ソースのダイジェスト（SHA-256）"]
    }
    for section in document.findall(f".//{XHTML}section"):
        lesson_id = section.get("id").removeprefix("lesson-")
        found[lesson_id] = facts_of(section)["レッスンのダイジェスト"]
    return found


def test_true_false_and_numeric_questions_show_what_the_lms_stores(tmp_path):
    source = two_lesson_course(tmp_path / "course")
    (source / "lessons" / "infection-control.quiz.toml").write_text(
        """
[[questions]]
id = "hand-hygiene"
type = "true-false"
text = "患者に触れる前には手指消毒を行う。"
answer = false
explanation = "（試験用に誤りを正解にしています）"

[[questions]]
id = "fever"
type = "numeric"
text = "発熱とする体温は何度以上ですか。"
answer = 37.5
tolerance = 0.1
points = 2
""",
        encoding="utf-8",
    )
    files = sheet_of(source, "course")
    rows = [
        r for r in read_csv(files["course.record.csv"]) if r["レッスン ID"] == "infection-control"
    ]
    true_false, numeric = rows
    assert true_false["正解（LMS での表示）"] == "f"
    assert true_false["正解（文章）"] == "誤り"
    assert true_false["選択肢（記号: 文章）"] == "t: 正しい\nf: 誤り"
    assert (numeric["正解（LMS での表示）"], numeric["許容誤差"], numeric["配点"]) == (
        "37.5",
        "0.1",
        "2",
    )
    assert numeric["種類"] == "numeric"
    assert true_false["解説"] and numeric["解説"] == ""


def test_an_english_course_gets_an_english_sheet(tmp_path):
    source = copy_default_course(tmp_path / "course")
    settings = source / "course.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace('language = "ja"', 'language = "en"'),
        encoding="utf-8",
    )
    files = sheet_of(source)
    document = parse_html(files[HTML])
    assert document.getroot().get("lang") == "en"
    assert text_of(document.find(f".//{XHTML}h1")) == "Course record sheet"
    assert "interaction id" in read_csv(files[CSV])[0]


def test_a_split_package_lists_only_its_own_lesson(tmp_path):
    source = two_lesson_course(tmp_path / "course")
    course, _ = read_course(source)
    files = record_files(course, course.lessons[1:], "course-infection-control")
    rows = read_csv(files["course-infection-control.record.csv"])
    assert {row["レッスン ID"] for row in rows} == {"infection-control"}
    assert [row["インタラクション ID"] for row in rows] == ["hand-hygiene", "ppe-order"]


# ---------- in the browser: printable and accessible ----------


@pytest.mark.browser
def test_the_sheet_passes_axe(default_sheet, page, site, tmp_path):
    from tests.test_accessibility import run_axe

    folder = tmp_path / "sheet"
    folder.mkdir()
    (folder / HTML).write_bytes(default_sheet[HTML])
    page.goto(site.mount("record-sheet", folder) + HTML)
    report = run_axe(page.main_frame, site)
    assert report.rules_applied > 10
    assert not report.violations and not report.incomplete, report.problems()


@pytest.mark.browser
def test_the_sheet_prints_on_a4_without_cutting_the_long_ids(default_sheet, page, site, tmp_path):
    folder = tmp_path / "sheet"
    folder.mkdir()
    (folder / HTML).write_bytes(default_sheet[HTML])
    page.goto(site.mount("record-sheet-print", folder) + HTML)
    assert page.pdf(format="A4", prefer_css_page_size=True).startswith(b"%PDF")
    # A4 less 15 mm margins is about 680 CSS pixels: the digests must wrap, not overflow.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 680, "height": 1000})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 680


def test_no_stray_files_are_needed_beside_the_sheet(default_sheet):
    html = default_sheet[HTML].decode("utf-8")
    # One self-contained page: no stylesheet, script or image to carry along.
    for reference in ("<link", "<script", "<img", "src="):
        assert reference not in html


# ---------- objectives and drawn questions (the quiz format of issue 16) ----------


def test_objectives_and_drawn_questions_are_on_the_sheet(tmp_path):
    course, _ = read_course(two_lesson_course(tmp_path / "course"))
    lesson = course.lessons[1]
    assert lesson.quiz is not None
    questions = tuple(
        dataclasses.replace(q, objective=objective)
        for q, objective in zip(lesson.quiz.questions, ["hygiene", "ppe"], strict=True)
    )
    quiz = dataclasses.replace(
        lesson.quiz,
        questions=questions,
        objectives=(Objective("hygiene", "手指衛生", 1, None), Objective("ppe", "防護具", 0, 100)),
        draw=1,
    )
    files = record_files(course, [dataclasses.replace(lesson, quiz=quiz)], "course")
    rows = read_csv(files["course.record.csv"])
    assert [row["目標"] for row in rows] == ["hygiene", "ppe"]
    document = parse_html(files["course.record.html"])
    assert (
        facts_of(document.find(f".//{XHTML}section"))["出題数"]
        == "毎回 1 問（全 2 問から選びます）"
    )
    objectives = [
        [text_of(cell) for cell in row.findall(f"{XHTML}td")]
        for row in document.find(f".//{XHTML}section/{XHTML}table").iter(f"{XHTML}tr")
        if row.findall(f"{XHTML}td")
    ]
    assert objectives == [["hygiene", "手指衛生", "1", "—"], ["ppe", "防護具", "すべて", "100%"]]
    first = facts_of(document.find(f".//{XHTML}article"))
    assert first["目標"] == "hygiene 手指衛生"


# ---------- reading time and attestation (issue 17) ----------

STATEMENT = "院内感染対策マニュアル第3版を読み、内容を理解しました。"


def records_course(tmp_path: Path) -> Path:
    """The default course with a minimum reading time and an attestation."""
    source = copy_default_course(tmp_path / "source")
    settings = source / "course.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "\n[min_reading_minutes]\nllm-basics = 10\n",
        encoding="utf-8",
    )
    lesson = source / "lessons" / "llm-basics.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + f"\n:::attest\n{STATEMENT}\n:::\n", encoding="utf-8"
    )
    return source


def version_in_page(zip_path: Path) -> str:
    """The content version the run-time saves, as the built page carries it."""
    with zipfile.ZipFile(zip_path) as archive:
        page = archive.read("llm-basics/index.html").decode("utf-8")
    data = re.search(r'<script type="application/json" id="sco-data">(.*?)</script>', page, re.S)
    assert data
    return str(json.loads(data.group(1))["version"])


def test_each_lesson_shows_its_content_version_minimum_reading_time_and_attestation(tmp_path):
    source = records_course(tmp_path)
    dist = tmp_path / "dist"
    build(source, dist)
    label = version_in_page(dist / f"{PACKAGE}.zip")
    html = (dist / HTML).read_bytes()
    document = parse_html(html)
    section = document.find(f".//{XHTML}section")
    facts = facts_of(section)
    assert facts["教材の版（受講者の記録と同じ表記）"] == label  # the label of the learner's data
    assert facts["最低学習時間"] == "10分（確認テストが開く前に、レッスンのページを合わせて）"
    assert text_of(section.find(f"{XHTML}blockquote")) == STATEMENT
    titles = [text_of(li) for li in section.find(f"{XHTML}ol").findall(f"{XHTML}li")]
    assert titles[-2:] == ["内容の確認", "確認テスト"]  # the attestation page before the quiz
    rows = read_csv((dist / CSV).read_bytes())
    assert {(r["教材の版"], r["最低学習時間（分）"], r["内容の確認"]) for r in rows} == {
        (label, "10", STATEMENT)
    }
    # A second build takes the lesson from the cache (its pages without their HTML): the
    # sheet is the same, label included.
    build(source, dist)
    assert (dist / HTML).read_bytes() == html


def test_a_lesson_without_a_quiz_still_has_its_row_in_the_csv(tmp_path):
    source = records_course(tmp_path)
    (source / "lessons" / "llm-basics.quiz.toml").unlink()
    rows = read_csv(sheet_of(source)[CSV])
    assert [(r["レッスン ID"], r["内容の確認"], r["問題番号"]) for r in rows] == [
        ("llm-basics", STATEMENT, "")
    ]


def test_a_lesson_without_either_has_neither_on_the_sheet(default_sheet):
    facts = facts_of(parse_html(default_sheet[HTML]).find(f".//{XHTML}section"))
    assert "最低学習時間" not in facts
    assert "内容の確認（受講者が確認する文）" not in default_sheet[HTML].decode("utf-8")
    assert {r["最低学習時間（分）"] for r in read_csv(default_sheet[CSV])} == {""}


def test_a_minimum_for_a_lesson_without_a_quiz_is_the_time_before_it_is_complete(
    tmp_path: Path,
) -> None:
    source = copy_default_course(tmp_path / "source")
    (source / "lessons" / "llm-basics.quiz.toml").unlink()
    with (source / "course.toml").open("a", encoding="utf-8") as file:
        file.write("\n[min_reading_minutes]\nllm-basics = 3\n")
    course, _ = read_course(source)
    sheet = record_files(course, course.lessons, "course")["course.record.html"].decode()
    assert "3分（修了になる前に、レッスンのページを合わせて）" in sheet
    assert "確認テストが開く前に" not in sheet
