"""A course as learners see it, for the layout tests and the screenshots in docs/.

The course is the default one plus a lesson `infection-control` with what makes pages hard to
lay out: emoji in headings, a table, a picture, a footnote, a wide table, a long code line and
a long web address; its quiz has one question of every type.

    page.set_viewport_size({"width": 360, "height": 640})
    open_lesson(page, course, "infection-control")   # as in an LMS that accepts everything
    turn_to(page, 1)
    assert not horizontal_overflow(page)
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from playwright.sync_api import Frame, Page

from tests.browser_support import BuiltCourse
from tests.course_factory import two_lesson_course

LESSON = """# 感染対策の基本

## 🧼 手指衛生

手指衛生は感染対策の**基本**です。患者に触れる前と後、清潔操作の前、体液に触れた後、患者の周りの物に触れた後に行います。

| 場面 | 方法 |
| --- | --- |
| 患者に触れる前 | 擦式アルコール製剤で手指消毒 |
| 体液に触れた後 | 石けんと流水で手洗い |

![手洗いの手順を示す図](handwash.png)

## 🧤 個人防護具

> 手袋は患者ごとに交換します。

手袋とマスクを正しく着用します[^1]。

[^1]: 外すときは手袋を先に外します。

## 📋 記録の例

| 日付 | 病棟 | 場面 | 方法 | 確認者 | 備考 |
| --- | --- | --- | --- | --- | --- |
| 2024年4月1日 | 東3階 | 患者に触れる前 | 擦式アルコール製剤 | 看護師長 | 消毒剤の補充を依頼済み |

```
hand_hygiene_compliance_rate = observed_hand_hygiene_actions / hand_hygiene_opportunities * 100
```

資料: https://www.who.int/publications/i/item/9789241597906/hand-hygiene-guidelines-long-address
"""

QUIZ = """
[[questions]]
id = "hand-hygiene"
type = "true-false"
text = "患者に触れる前には手指消毒を行う。"
answer = true
explanation = "患者に触れる前の手指消毒は基本です。"

[[questions]]
id = "ppe-order"
type = "single"
text = "個人防護具を外すとき、最初に外すのはどれですか。"
choices = ["マスク", "手袋", "ガウン"]
answer = 2
explanation = "最も汚れている手袋を先に外します。"

[[questions]]
id = "moments"
type = "multiple"
text = "手指衛生が必要な場面をすべて選んでください。"
choices = ["患者に触れる前", "体液に触れた後", "休憩室に入るとき"]
answer = [1, 2]
explanation = "患者に触れる前と体液に触れた後は必ず手指衛生を行います。"

[[questions]]
id = "rub-seconds"
type = "numeric"
text = "擦式アルコール製剤を擦り込む時間は、少なくとも何秒ですか。"
answer = 20
explanation = "20〜30秒かけて、乾くまで擦り込みます。"
"""

# The learner's answers: keys ("ab"), "t"/"f", or the number typed.
RIGHT = {"hand-hygiene": "t", "ppe-order": "b", "moments": "ab", "rub-seconds": "20"}
ONE_WRONG = {**RIGHT, "ppe-order": "a"}

# An LMS that accepts everything, so the page shows what learners see in Moodle.
ACCEPTING_LMS = """window.API = {
  LMSInitialize: () => "true", LMSFinish: () => "true", LMSCommit: () => "true",
  LMSGetValue: () => "", LMSSetValue: () => "true",
  LMSGetLastError: () => "0", LMSGetErrorString: () => "", LMSGetDiagnostic: () => ""
};"""


def learner_course(destination: Path) -> Path:
    """Write the course to `destination` and return it (a source folder for `build`)."""
    source = two_lesson_course(destination)
    lessons = source / "lessons"
    (lessons / "infection-control.md").write_text(LESSON, encoding="utf-8")
    (lessons / "infection-control.quiz.toml").write_text(QUIZ, encoding="utf-8")
    (lessons / "handwash.png").write_bytes(picture(960, 360))
    return source


def picture(width: int, height: int) -> bytes:
    """A PNG of five steps (blue bars on a pale ground), wider than any phone."""
    ground, bar = b"\xe8\xf1\xfb", b"\x0b\x5c\xad"
    slot = width // 5
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            step = x // slot
            top = height - 40 - (step + 1) * (height - 80) // 5
            inside = 24 <= x % slot < slot - 24 and top <= y < height - 40
            row += bar if inside else ground
        rows.append(b"\x00" + bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def open_lesson(page: Page, course: BuiltCourse, lesson: str) -> None:
    """Open a lesson's page on its own, with an LMS that accepts everything."""
    page.add_init_script(ACCEPTING_LMS)
    page.goto(course.url + course.launch(lesson))
    page.wait_for_selector("nav.pager:not([hidden])")


def turn_to(page: Page, index: int) -> None:
    """Press "next" or "previous" until page `index` (0 = the first) shows."""
    while (
        shown := int(page.get_attribute("section.page:not([hidden])", "data-page") or 0)
    ) != index:
        page.click('[data-go="next"]' if shown < index else '[data-go="previous"]')


def answer_quiz(page: Page | Frame, answers: dict[str, str]) -> None:
    """Answer on the quiz page (it must show) and submit."""
    for question_id, given in answers.items():
        question = page.locator(f'[data-question="{question_id}"]')
        if question.locator('input[type="text"]').count():
            question.locator('input[type="text"]').fill(given)
        for key in given:
            if question.locator(f'input[value="{key}"]').count():
                question.locator(f'input[value="{key}"]').check()
    page.click('form[data-quiz] button[type="submit"]')
    page.wait_for_selector("[data-result][data-status]")


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: nothing to scroll sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
