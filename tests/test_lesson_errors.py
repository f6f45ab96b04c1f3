"""Lessons: what the reader makes of Markdown, raw HTML and files, and the messages authors see.

Each case writes a whole small lesson (so the line in the expected message can be read off
the case) beside the files it uses, reads it with the real reader and checks the first
problem line by line: file, line, message, fix.
"""

from __future__ import annotations

import os
import pickle
import random
import unicodedata
import zlib
from pathlib import Path

import html5lib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorm_builder import lesson_limits
from scorm_builder.build import build_package
from scorm_builder.lesson import read_lesson
from scorm_builder.lesson_html import ATTRIBUTES, GLOBAL_ATTRIBUTES, STYLE_PROPERTIES, TAGS
from scorm_builder.lesson_limits import MAX_CHARACTERS, MAX_LINE, MAX_PAGES
from scorm_builder.model import Lesson
from scorm_builder.problems import BuildError, Problem
from tests.course_factory import PNG, copy_default_course

HEAD = "# LLMの基礎\n\n## LLMとは\n\n"  # the lesson's body starts on line 5


def read(
    folder: Path, text: str, files: dict[str, bytes] | None = None
) -> tuple[Lesson | None, list[Problem]]:
    lessons = folder / "lessons"
    lessons.mkdir(parents=True, exist_ok=True)
    for name, data in (files or {}).items():
        (lessons / name).parent.mkdir(parents=True, exist_ok=True)
        (lessons / name).write_bytes(data)
    path = lessons / "llm-basics.md"
    path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    lesson = read_lesson(path, "llm-basics", "lessons/llm-basics.md", problems, table_label="表")
    return lesson, problems


def first_problem(folder: Path, text: str, files: dict[str, bytes] | None = None) -> list[str]:
    lesson, problems = read(folder, text, files)
    assert problems, "the reader found nothing wrong"
    return problems[0].describe().split("\n")


def parsed(html: str):  # noqa: ANN201
    return html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)


# Markdown on the tree


def test_a_footnote_definition_inside_a_code_fence_stays_code(tmp_path: Path) -> None:
    lesson, problems = read(
        tmp_path,
        HEAD
        + "```markdown\n本文[^1]\n\n[^1]: 脚注の書き方\n## 見出しではない\n```\n\n本文です。\n",
    )
    assert problems == [] and lesson is not None
    [page] = lesson.pages
    assert "[^1]: 脚注の書き方\n## 見出しではない" in page.html
    assert 'class="footnote"' not in page.html


def test_footnotes_are_numbered_per_lesson_and_shown_on_the_page_that_cites_them(
    tmp_path: Path,
) -> None:
    lesson, problems = read(
        tmp_path,
        "# T\n\n## 一\n\n最初[^a]。\n\n## 二\n\n次[^b]と最初[^a]。\n\n[^a]: 注A\n[^b]: 注B\n",
    )
    assert problems == [] and lesson is not None
    first, second = lesson.pages
    assert '<li id="fn:a">' in first.html and "注A" in first.html
    assert '<ol start="2">' in second.html and '<li id="fn:b">' in second.html
    ids = [e.get("id") for page in lesson.pages for e in parsed(page.html).iter() if e.get("id")]
    assert len(ids) == len(set(ids))  # unique in the one document the lesson becomes


def test_inline_markdown_in_headings_shows_in_the_page_and_is_plain_in_titles(
    tmp_path: Path,
) -> None:
    lesson, problems = read(tmp_path, "# **重要**なレッスン\n\n## `code` と *強調*\n\n本文。\n")
    assert problems == [] and lesson is not None
    assert lesson.title == "重要なレッスン"
    assert lesson.title_html == "<strong>重要</strong>なレッスン"
    assert lesson.pages[0].title == "code と 強調"
    assert lesson.pages[0].title_html == "<code>code</code> と <em>強調</em>"


def test_a_bold_lesson_title_is_plain_in_the_contents_the_title_and_the_manifest(
    tmp_path: Path,
) -> None:
    source = copy_default_course(tmp_path / "source")
    lesson_file = source / "lessons" / "llm-basics.md"
    lesson_file.write_text("# **重要**なレッスン\n\n## **第一**の節\n\n本文。\n", encoding="utf-8")
    files = build_package(source).files
    page = files["llm-basics/index.html"].decode()
    assert '<h1 class="lesson-title"><strong>重要</strong>なレッスン</h1>' in page
    assert "<title>重要なレッスン | " in page
    assert 'data-page-link="0">第一の節</a>' in page
    assert '<h2 id="page-1-title" tabindex="-1"><strong>第一</strong>の節</h2>' in page
    assert "<title>重要なレッスン</title>" in files["imsmanifest.xml"].decode()


def test_300_nested_spans_keep_all_their_text(tmp_path: Path) -> None:
    words = "".join(f"<span>{n}</span>" for n in range(3))
    lesson, problems = read(
        tmp_path, HEAD + "<span>" * 300 + "深い" + words + "</span>" * 300 + "\n"
    )
    assert problems == [] and lesson is not None
    tree = parsed(lesson.pages[0].html)
    assert "".join(tree.itertext()) == "深い012"
    assert sum(1 for e in tree.iter("span")) == 303


def test_a_line_break_between_japanese_characters_is_no_space_but_code_keeps_it(
    tmp_path: Path,
) -> None:
    lesson, _ = read(tmp_path, HEAD + "**強調**\nです。<b>太字</b>\nと\n`a\nb`\n")
    assert lesson is not None
    assert "<strong>強調</strong>です。<b>太字</b>と\n<code>a\nb</code>" in lesson.pages[0].html


def test_a_tables_scroll_box_is_labelled_in_the_course_language(tmp_path: Path) -> None:
    lesson, _ = read(tmp_path, HEAD + "| a | b |\n| --- | --- |\n| 1 | 2 |\n")
    assert lesson is not None
    [box] = [e for e in parsed(lesson.pages[0].html).iter("div")]
    assert box.attrib == {
        "class": "table-scroll",
        "tabindex": "0",
        "role": "region",
        "aria-label": "表",
    }


# Files


def test_an_nfd_japanese_file_name_as_macos_saves_it_is_found(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "手順ガイド.png")
    assert decomposed != "手順ガイド.png"
    lesson, problems = read(tmp_path, HEAD + "![手順](手順ガイド.png)\n", {decomposed: PNG})
    assert problems == [] and lesson is not None
    assert list(lesson.media.values()) == [tmp_path / "lessons" / decomposed]
    [name] = lesson.media
    assert name.startswith("media/file-") and name.endswith(".png") and name.isascii()


def test_a_name_that_differs_only_in_capitals_is_its_own_error(tmp_path: Path) -> None:
    assert first_problem(tmp_path, HEAD + "![写真](photo.png)\n", {"Photo.PNG": PNG}) == [
        "lessons/llm-basics.md:5: error: section 'LLMとは': the file is called Photo.PNG; the "
        "lesson says photo.png",
        "    fix: write the name exactly as the file is called (Photo.PNG): the LMS's server "
        "tells capital letters apart",
    ]


def test_a_case_mismatch_is_found_by_listing_the_folder_not_by_asking_the_file_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A case-insensitive file system (macOS, Windows) says photo.png exists and is a file.
    real_is_file = Path.is_file
    monkeypatch.setattr(
        Path,
        "is_file",
        lambda self: real_is_file(self.with_name(self.name.replace("photo", "Photo"))),
    )
    monkeypatch.setattr(Path, "exists", lambda self: True)
    assert first_problem(tmp_path, HEAD + "![写真](img/photo.png)\n", {"img/Photo.png": PNG})[
        0
    ] == (
        "lessons/llm-basics.md:5: error: section 'LLMとは': the file is called img/Photo.png; "
        "the lesson says img/photo.png"
    )


def test_a_text_file_named_like_a_picture_is_an_error(tmp_path: Path) -> None:
    assert first_problem(tmp_path, HEAD + "![写真](photo.png)\n", {"photo.png": b"hello"}) == [
        "lessons/llm-basics.md:5: error: section 'LLMとは': the file 'photo.png' is called .png "
        "but is a text file",
        "    fix: save the file again as .png, or give it the extension of its format",
    ]


def test_a_bmp_picture_is_to_be_saved_as_png(tmp_path: Path) -> None:
    flat = b"BM" + bytes(3_000_000)  # one colour: compresses 1000:1, the zip-bomb rule's kind
    assert len(zlib.compress(flat)) * 100 < len(flat)
    assert first_problem(tmp_path, HEAD + "![図](chart.bmp)\n", {"chart.bmp": flat}) == [
        "lessons/llm-basics.md:5: error: section 'LLMとは': the file 'chart.bmp' is a BMP image, "
        "which is large and uncompressed",
        "    fix: open it in an image editor (Paint, Preview) and save it as PNG",
    ]


def test_a_bmp_named_png_is_to_be_saved_as_png(tmp_path: Path) -> None:
    assert first_problem(tmp_path, HEAD + "![図](chart.png)\n", {"chart.png": b"BM" + bytes(60)})[
        1
    ] == ("    fix: open it in an image editor (Paint, Preview) and save it as PNG")


def test_a_large_video_gets_a_warning_with_the_format_to_use(tmp_path: Path) -> None:
    video = bytes(4) + b"ftypisom" + random.Random(0).randbytes(6_000_000)  # packs 1:1
    lesson, problems = read(
        tmp_path, HEAD + '<video controls src="talk.mp4"></video>\n', {"talk.mp4": video}
    )
    assert lesson is not None
    assert [p.describe() for p in problems] == [
        "lessons/llm-basics.md:5: warning: section 'LLMとは': the file 'talk.mp4' is 6.0 MB: "
        "every learner downloads it, which is slow on hospital networks\n"
        "    fix: save it as MP4 (H.264) at 720p, or shorten it"
    ]


def wav(data: bytes) -> bytes:
    """A WAV file's RIFF header (16-bit mono, 44.1 kHz) around the samples `data`."""
    fmt = (
        b"fmt "
        + (16).to_bytes(4, "little")
        + bytes.fromhex("0100010044ac000088580100020010 00".replace(" ", ""))
    )
    body = b"WAVE" + fmt + b"data" + len(data).to_bytes(4, "little") + data
    return b"RIFF" + len(body).to_bytes(4, "little") + body


@pytest.mark.parametrize(
    ("markdown", "name", "data", "expected"),
    [
        (
            '<audio controls src="silence.wav"></audio>',
            "silence.wav",
            wav(bytes(10_600_000)),  # built with a warning, then `check` refused the zip
            [
                "lessons/llm-basics.md:5: error: section 'LLMとは': the file 'silence.wav' is "
                "10.6 MB but packs 1,023:1 (the limit is 100:1): it is mostly silence or empty "
                "space, and the package checker would refuse the package as a zip bomb",
                "    fix: cut the silent or empty part out, or save the file again from the "
                "program that made it",
            ],
        ),
        (
            "![図](chart.png)",
            "chart.png",
            PNG + bytes(8_000_000),
            [
                "lessons/llm-basics.md:5: error: section 'LLMとは': the file 'chart.png' is "
                "8.0 MB but packs 1,018:1 (the limit is 100:1): it is mostly silence or empty "
                "space, and the package checker would refuse the package as a zip bomb",
                "    fix: cut the silent or empty part out, or save the file again from the "
                "program that made it",
            ],
        ),
        (
            "![図](chart.png)",
            "chart.png",
            PNG[:20],  # built silently before
            [
                "lessons/llm-basics.md:5: error: section 'LLMとは': the image 'chart.png' is cut "
                "short: it is 20 bytes, too few for even the start of a picture",
                "    fix: copy or save the image again from the original",
            ],
        ),
    ],
    ids=["silent-wav", "png-and-zeros", "cut-short-png"],
)
def test_media_the_package_checker_would_refuse_are_refused_when_read(
    tmp_path: Path, markdown: str, name: str, data: bytes, expected: list[str]
) -> None:
    assert first_problem(tmp_path, HEAD + markdown + "\n", {name: data}) == expected


def test_a_large_recording_that_packs_like_real_media_is_only_a_warning(tmp_path: Path) -> None:
    lesson, problems = read(
        tmp_path,
        HEAD + '<audio controls src="talk.wav"></audio>\n',
        {"talk.wav": wav(random.Random(1).randbytes(6_000_000))},
    )
    assert lesson is not None
    assert [p.rule for p in problems] == ["lesson-large-file"]


def test_a_linked_svg_is_refused_in_a_sentence_that_says_why(tmp_path: Path) -> None:
    assert first_problem(tmp_path, HEAD + "[図](notes.svg)\n", {"notes.svg": b"<svg/>"}) == [
        "lessons/llm-basics.md:5: error: section 'LLMとは': the file 'notes.svg' is an SVG "
        "drawing, which can run scripts: a lesson may not link, frame or embed it",
        "    fix: show an SVG drawing as an image (![説明](file.svg)); put the text of a page into "
        "the lesson itself, or export it as PDF",
    ]


def test_a_pipe_named_like_a_picture_is_not_a_plain_file(tmp_path: Path) -> None:
    (tmp_path / "lessons").mkdir()
    os.mkfifo(tmp_path / "lessons" / "pic.png")
    assert first_problem(tmp_path, HEAD + "![図](pic.png)\n") == [
        "lessons/llm-basics.md:5: error: section 'LLMとは': 'pic.png' is not a plain file (a "
        "folder, a pipe or a device)",
        "    fix: use the name of a picture, sound, video or document file",
    ]


def test_a_file_without_an_extension_is_named_so(tmp_path: Path) -> None:
    assert first_problem(tmp_path, HEAD + "![図](nul)\n", {"nul": PNG}) == [
        "lessons/llm-basics.md:5: error: section 'LLMとは': a lesson may not ship a file without "
        "an extension ('nul')",
        "    fix: give the file the extension of its format (.png, .jpg, .mp3, .mp4, .pdf) and use "
        "that name",
    ]


@pytest.mark.parametrize(
    ("markdown", "file"),
    [
        ("[資料](notes.html)", "notes.html"),
        ("[図](drawing.svg)", "drawing.svg"),
        ('<iframe src="inner.html"></iframe>', "inner.html"),
        ('<object data="tool.js"></object>', "tool.js"),
    ],
)
def test_pages_scripts_and_svg_cannot_be_linked_framed_or_embedded(
    tmp_path: Path, markdown: str, file: str
) -> None:
    line = first_problem(
        tmp_path, HEAD + markdown + "\n", {file: b"<svg><script>alert(1)</script></svg>"}
    )[0]
    assert line.startswith(
        f"lessons/llm-basics.md:5: error: section 'LLMとは': the file '{file}' is "
    )
    assert line.endswith(": a lesson may not link, frame or embed it")


def test_an_svg_drawing_may_be_shown_as_an_image(tmp_path: Path) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
    lesson, problems = read(tmp_path, HEAD + "![図](drawing.svg)\n", {"drawing.svg": svg})
    assert problems == [] and lesson is not None and len(lesson.media) == 1


def test_a_program_cannot_ship_under_a_lesson(tmp_path: Path) -> None:
    assert first_problem(tmp_path, HEAD + "[ツール](setup.exe)\n", {"setup.exe": b"MZ"})[0] == (
        "lessons/llm-basics.md:5: error: section 'LLMとは': a lesson may not ship files of the "
        "type '.exe' ('setup.exe')"
    )


# Raw HTML: what the browser would build, judged by an allowlist


@pytest.mark.parametrize(
    ("html", "message"),
    [
        (
            "<svg><style><img src=x onerror=alert(1)></style></svg>",
            "<svg> and <math> written into the lesson are not allowed: browsers read them by "
            "other rules, which can run code",
        ),
        (
            '<meta http-equiv="refresh" content="0; url=https://example.com/">',
            "<meta> is not allowed: it can reload the page or send it elsewhere",
        ),
        (
            '<form action="https://example.com/"><input name="id"></form>',
            "a form (<form>, <input>, <button>, <select>, <textarea>) is not allowed: it could "
            "send what learners type outside the course",
        ),
        (
            '<base href="x/">',
            "<base> is not allowed: it changes where every link of the page points, and the "
            "course's own files stop loading",
        ),
        ("<marquee>流れる</marquee>", "the tag <marquee> is not allowed in a lesson"),
        ('<p><span data-x="1">x</span></p>', "the attribute data-x= is not allowed on <span>"),
        ("<noscript><p>x</p></noscript>", "the tag <noscript> is not allowed in a lesson"),
        (
            "<template><script>alert(1)</script></template>",
            "the tag <template> is not allowed in a lesson",
        ),
        (
            '<a href="data:text/html,<script>alert(1)</script>">x</a>',
            "a data: address (a file written into the page) is not allowed",
        ),
        ("[次へ](&#106;avascript:next())", "a javascript: link runs code"),  # browsers decode it
        ("[次へ](vbscript:next)", "a vbscript: link runs code"),
        (
            '<p style="color: expression(alert(1))">x</p>',
            "the style= of <p> uses 'expression(', which runs code",
        ),
    ],
)
def test_raw_html_the_allowlist_does_not_hold_is_an_error_at_its_line(
    tmp_path: Path, html: str, message: str
) -> None:
    assert first_problem(tmp_path, HEAD + "本文。\n\n" + html + "\n")[0] == (
        f"lessons/llm-basics.md:7: error: section 'LLMとは': {message}"
    )


@pytest.mark.parametrize(
    ("html", "message"),
    [
        (
            "<style>@import url(https://fonts.example.com/a.css);</style>",
            "<style> loads 'https://fonts.example.com/a.css' from outside the course, which "
            "hospital networks block",
        ),
        (
            '<p style="background: url(https://example.com/bg.png)">x</p>',
            "the style= of <p> loads 'https://example.com/bg.png' from outside the course, which "
            "hospital networks block",
        ),
        (
            '<link rel="stylesheet" href="https://example.com/a.css">',
            "<link> loads 'https://example.com/a.css' from outside the course, which hospital "
            "networks block",
        ),
        (
            '<p style="background: u\\72l(//example.com/bg.png)">x</p>',
            "the style= of <p> loads '//example.com/bg.png' from outside the course, which "
            "hospital networks block",
        ),
    ],
)
def test_an_external_load_in_styles_is_reported_at_the_lesson_line(
    tmp_path: Path, html: str, message: str
) -> None:
    assert first_problem(tmp_path, HEAD + "本文。\n\n" + html + "\n")[0] == (
        f"lessons/llm-basics.md:7: error: section 'LLMとは': {message}"
    )


def test_attributes_markdown_adds_with_braces_are_judged_too(tmp_path: Path) -> None:
    problem = first_problem(tmp_path, HEAD + '```{ .python onclick="alert(1)" }\nx\n```\n')
    assert (
        problem[0]
        == "lessons/llm-basics.md:5: error: section 'LLMとは': the attribute onclick= runs code"
    )
    problem = first_problem(tmp_path, HEAD + "本文\n{: onmouseover=alert(1) }\n")
    assert (
        problem[0]
        == "lessons/llm-basics.md:6: error: section 'LLMとは': the attribute onmouseover= runs code"
    )


def test_simple_raw_html_reaches_learners_as_written(tmp_path: Path) -> None:
    lesson, problems = read(
        tmp_path,
        HEAD + '注意: <b>太字</b>と<span style="color: red">赤</span><br>改行\n\n'
        "<details><summary>詳しく</summary>補足<ruby>漢字<rt>かんじ</rt></ruby></details>\n\n"
        '<p><a href="https://www.mhlw.go.jp/">厚労省</a></p>\n',
    )
    assert problems == [] and lesson is not None
    html = lesson.pages[0].html
    assert '<b>太字</b>と<span style="color: red">赤</span><br>改行' in html
    assert (
        "<details><summary>詳しく</summary>補足<ruby>漢字<rt>かんじ</rt></ruby></details>" in html
    )
    assert '<a href="https://www.mhlw.go.jp/" target="_blank" rel="noopener noreferrer">' in html


def test_comments_are_notes_for_authors_and_are_not_shipped(tmp_path: Path) -> None:
    lesson, problems = read(tmp_path, HEAD + "本文<!-- 内部メモ -->。\n\n<!-- 次回更新 -->\n")
    assert problems == [] and lesson is not None
    assert "メモ" not in lesson.pages[0].html and "次回" not in lesson.pages[0].html


# Limits, checked before Markdown runs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            HEAD + "あ" * (MAX_CHARACTERS + 1),
            [
                f"lessons/llm-basics.md: error: the lesson is {len(HEAD) + MAX_CHARACTERS + 1:,} "
                f"characters long (the limit is {MAX_CHARACTERS:,})",
                "    fix: split it into several lessons, each its own file listed in course.toml",
            ],
        ),
        (
            # 2,000 levels are 8 MB (over the size limit) and took 148 s and 3.5 GB to build.
            HEAD + "".join("    " * level + "- x\n" for level in range(100)),
            [
                "lessons/llm-basics.md:25: error: the lists or quotes on this line are nested 21 "
                "levels deep (the limit is 20)",
                "    fix: check the spaces and the '-', '1.' or '>' at the start of the line; a "
                "lesson needs a few levels at most",
            ],
        ),
        (
            HEAD + "> " * 50 + "引用\n",
            [
                "lessons/llm-basics.md:5: error: the lists or quotes on this line are nested 50 "
                "levels deep (the limit is 20)",
                "    fix: check the spaces and the '-', '1.' or '>' at the start of the line; a "
                "lesson needs a few levels at most",
            ],
        ),
        (
            HEAD + "あ" * (MAX_LINE + 1) + "\n",
            [
                f"lessons/llm-basics.md:5: error: the line is {MAX_LINE + 1:,} characters long "
                f"(the limit is {MAX_LINE:,})",
                "    fix: break the paragraph into shorter lines (a line break inside a paragraph "
                "does not show)",
            ],
        ),
        (
            "# T\n\n" + "".join(f"## 節{n}\n\n本文。\n\n" for n in range(MAX_PAGES + 1)),
            [
                f"lessons/llm-basics.md:{3 + 4 * MAX_PAGES}: error: the lesson has more than "
                f"{MAX_PAGES} sections ('## ' headings); the LMS can remember at most that many "
                "pages seen",
                "    fix: split it into several lessons, each its own file listed in course.toml",
            ],
        ),
        (
            HEAD + ("[" * 100 + "\n") * 30,  # 3 KB; 30 KB took over a minute
            [
                "lessons/llm-basics.md:19: error: too many '[' without a matching ']' up to this "
                "line (1,500 in this paragraph)",
                "    fix: every '[' of a link or a picture needs its ']'; write a bracket that is "
                "only text as \\[",
            ],
        ),
        (
            HEAD + ("[a](" * 100 + "\n") * 20,  # 2,000 of them on one line took 10 s
            [
                "lessons/llm-basics.md:12: error: too many links whose '](' has no matching ')' "
                "up to this line (800 in this paragraph)",
                "    fix: close each link's address with ')', as in [text](page.html); write a "
                "bracket that is only text as \\] or \\(",
            ],
        ),
        (
            HEAD + ("<a " * 100 + "\n") * 20,  # 20 KB of it took 8 s
            [
                "lessons/llm-basics.md:13: error: too many '<' without a matching '>' up to this "
                "line (900 in this paragraph)",
                "    fix: write a '<' that is only text as \\< or &lt;",
            ],
        ),
        (
            HEAD + ("`a" * 50 + "\n") * 200,  # 240 KB of it took 25 s
            [
                "lessons/llm-basics.md:104: error: the paragraph that ends on this line has "
                "5,000 Markdown marks ('*', '_', '`', '[', '<' and the like) in 10,100 "
                "characters; it would take Markdown too long to read",
                "    fix: split the paragraph with blank lines, and write a mark that is only "
                "text with a backslash before it (\\*)",
            ],
        ),
    ],
    ids=[
        "size",
        "nested-list",
        "nested-quote",
        "line",
        "sections",
        "brackets",
        "link-parens",
        "angles",
        "marks",
    ],  # fmt: skip
)
def test_a_pathological_lesson_is_refused_before_markdown_runs(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    assert first_problem(tmp_path, text) == expected


def test_a_thematic_break_of_many_dashes_is_not_nesting(tmp_path: Path) -> None:
    lesson, problems = read(tmp_path, HEAD + "本文。\n\n" + "- " * 40 + "\n\n続き。\n")
    assert problems == [] and lesson is not None


def test_the_build_reports_a_lesson_mistake_and_raises(tmp_path: Path) -> None:
    source = copy_default_course(tmp_path / "source")
    (source / "lessons" / "llm-basics.md").write_text(
        HEAD + "<script>x</script>\n", encoding="utf-8"
    )
    with pytest.raises(BuildError) as raised:
        build_package(source)
    assert raised.value.problems[0].describe().split("\n")[0] == (
        "lessons/llm-basics.md:5: error: section 'LLMとは': <script> is not allowed"
    )


def test_footnotes_are_judged_and_their_files_collected(tmp_path: Path) -> None:
    lesson, problems = read(
        tmp_path, HEAD + "本文[^1]。\n\n[^1]: ![図](figure.png)\n", {"figure.png": PNG}
    )
    assert problems == [] and lesson is not None
    [name] = lesson.media
    assert f'src="{name}"' in lesson.pages[0].html
    assert first_problem(tmp_path, HEAD + "本文[^1]。\n\n[^1]: [次へ](javascript:next())\n")[0] == (
        "lessons/llm-basics.md:7: error: section 'LLMの基礎': a javascript: link runs code"
    )


def test_an_id_of_the_page_template_or_used_twice_is_an_error(tmp_path: Path) -> None:
    assert first_problem(tmp_path, HEAD + '<p id="main">x</p>\n')[0] == (
        "lessons/llm-basics.md:5: error: section 'LLMとは': the id 'main' is the page's own"
    )
    assert first_problem(tmp_path, HEAD + "### 用語 {#terms}\n\n<p id='terms'>x</p>\n")[0] == (
        "lessons/llm-basics.md:7: error: section 'LLMとは': the id 'terms' is used twice in the "
        "lesson's page"
    )


def test_a_lesson_title_longer_than_the_manifest_allows_is_an_error(tmp_path: Path) -> None:
    assert first_problem(tmp_path, "# " + "長" * 201 + "\n\n## 節\n\n本文。\n") == [
        "lessons/llm-basics.md:1: error: the lesson title is 201 characters long; the LMS takes "
        "at most 200",
        "    fix: shorten the '# ' title line; say more in the first section",
    ]


def test_a_lesson_is_plain_data_that_a_worker_process_can_send_back(tmp_path: Path) -> None:
    lesson, _ = read(tmp_path, HEAD + "![図](figure.png)\n", {"figure.png": PNG})
    assert lesson is not None
    assert pickle.loads(pickle.dumps(lesson)) == lesson


def test_an_iframe_may_show_a_pdf_beside_the_lesson(tmp_path: Path) -> None:
    lesson, problems = read(
        tmp_path,
        HEAD + '<iframe src="guide.pdf" title="手順書" width="100%"></iframe>\n',
        {"guide.pdf": b"%PDF-1.7\n"},
    )
    assert problems == [] and lesson is not None
    [name] = lesson.media
    assert f'<iframe src="{name}" title="手順書" width="100%"></iframe>' in lesson.pages[0].html


def test_a_lesson_that_is_a_pipe_or_huge_is_refused_without_reading_it(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    os.mkfifo(lessons / "llm-basics.md")  # reading it would wait forever
    problems: list[Problem] = []
    path = lessons / "llm-basics.md"
    assert (
        read_lesson(path, "llm-basics", "lessons/llm-basics.md", problems, table_label="表") is None
    )
    assert problems[0].describe() == (
        "lessons/llm-basics.md: error: this is not a plain file (a folder, a pipe or a device)\n"
        "    fix: replace it with the lesson's Markdown file"
    )
    path.unlink()
    with path.open("wb") as sparse:
        sparse.truncate(5_000_000_000)  # 5 GB that take no disk space
    problems = []
    assert (
        read_lesson(path, "llm-basics", "lessons/llm-basics.md", problems, table_label="表") is None
    )
    assert problems[0].describe().split("\n")[0] == (
        "lessons/llm-basics.md: error: the lesson file is 5,000.0 MB (the limit is 4 MB)"
    )


def test_the_readme_lists_the_html_a_lesson_may_use() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")

    def listed(label: str) -> set[str]:
        [line] = [line for line in readme.splitlines() if line.startswith(f"- {label}: ")]
        return {item.strip("` ") for item in line.removeprefix(f"- {label}: ").split(",")}

    assert listed("tags") == set(TAGS)
    assert listed("on every tag") == set(GLOBAL_ATTRIBUTES) | {"aria-…"}
    for tag, names in ATTRIBUTES.items():
        assert listed(f"on `{tag}`") == set(names)
    assert listed("in `style=`") == set(STYLE_PROPERTIES)


def test_a_lesson_that_links_to_a_file_outside_the_course_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text(HEAD + "外のファイル。\n", encoding="utf-8")
    (tmp_path / "course" / "lessons").mkdir(parents=True)
    path = tmp_path / "course" / "lessons" / "llm-basics.md"
    path.symlink_to(outside)
    problems: list[Problem] = []
    assert (
        read_lesson(path, "llm-basics", "lessons/llm-basics.md", problems, table_label="表") is None
    )
    assert [p.describe() for p in problems] == [
        "lessons/llm-basics.md: error: this file is a link to a file outside the course folder\n"
        "    fix: copy the file itself into the course folder in place of the link"
    ]


def scanned_character_by_character(lines: list[str]) -> int:
    """The bracket budget as its definition reads: every character of the paragraph, and
    each line break, adds the '[', '](' and '<' still open after it (a line that opens
    nothing, with nothing open before it, scans nothing)."""
    brackets = parens = angles = scan = 0
    for line in lines:
        if not (brackets or parens or angles or "[" in line or "<" in line):
            continue
        previous = ""
        for character in [*line, "\n"]:
            if character == "[":
                brackets += 1
            elif character == "]" and brackets:
                brackets -= 1
            elif character == "(" and (previous == "]" or parens):
                parens += 1
            elif character == ")" and parens:
                parens -= 1
            elif character == "<":
                angles += 1
            elif character == ">" and angles:
                angles -= 1
            scan += brackets + parens + angles
            previous = character
    return scan


@given(st.lists(st.text(alphabet="[]()<>a ", max_size=40), max_size=8))
def test_the_bracket_budget_counts_what_markdown_scans(lines: list[str]) -> None:
    paragraph = lesson_limits._Paragraph()
    for number, line in enumerate(lines, start=1):
        assert paragraph.add(line, number) is None
    assert paragraph.scan == scanned_character_by_character(lines)
