"""The preview's panels in the language the command speaks (`scorm-builder --lang ja preview`).

preview.html is written in English; the server sends it with its labels translated
(scorm_builder/preview/labels.py). The SCORM data names (lesson_status, score.raw) stay.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from scorm_builder import i18n
from scorm_builder.preview.labels import LABELS, PAGE, SCRIPT_TEXTS, preview_page
from scorm_builder.preview.server import PreviewServer
from tests.course_factory import copy_default_course


def test_every_label_is_a_text_of_the_page_as_it_is_written():
    # A label reworded in preview.html but not here would silently stay English.
    page = PAGE.read_text(encoding="utf-8")
    for label in LABELS:
        escaped = html.escape(label, quote=True)
        assert re.search(f">{re.escape(escaped)}\\s*<", page) or f'="{escaped}"' in page, label


def test_in_japanese_no_label_is_left_in_english_and_the_page_says_its_language():
    with i18n.language("ja"):
        page = preview_page()
    assert '<html lang="ja">' in page
    for label in LABELS:
        escaped = html.escape(label, quote=True)
        assert not re.search(f">{re.escape(escaped)}\\s*<", page), label
        assert f'="{escaped}"' not in page, label
    assert ">LMS が記録している内容<" in page
    assert 'aria-label="レッスン（SCO）"' in page
    words = page.split('<script type="application/json" id="preview-text">')[1]
    words = json.loads(words.split("</script>")[0])
    assert set(words) == set(SCRIPT_TEXTS) and words["launch phase"] == "起動の段階"


def test_in_english_the_page_is_served_as_written_with_the_script_words():
    page = preview_page()
    words = page[page.index('<script type="application/json"') : page.index("</head>")]
    assert page.replace(words, "") == PAGE.read_text(encoding="utf-8")


@pytest.fixture
def japanese_preview(tmp_path: Path, page: Page) -> Iterator[PreviewServer]:
    with i18n.language("ja"):
        server = PreviewServer(copy_default_course(tmp_path / "source"))
        yield server
        page.goto("about:blank")
        server.close()


def test_the_preview_panel_speaks_japanese_in_the_browser(page: Page, japanese_preview):
    page.goto(japanese_preview.url)
    expect(page.locator("aside.panel h2")).to_have_text("LMS が記録している内容")
    expect(page.locator("[data-relaunch]")).to_have_text("閉じて起動し直す")
    expect(page.locator("[data-values] dt").nth(1)).to_have_text("起動の段階")
    expect(page.locator("[data-values] dd[data-value='suspend_data']")).to_contain_text(" 文字")
    # The data names stay as the LMS calls them.
    expect(page.locator("[data-values] dd[data-value='lesson_status']")).to_have_text("incomplete")
