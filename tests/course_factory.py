"""Make small courses on disk for tests, the way an author would lay them out."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / "source"

SECOND_LESSON = """# 感染対策の基本

## 手指衛生

手指衛生は感染対策の基本です。

| 場面 | 方法 |
| --- | --- |
| 患者に触れる前 | 手指消毒 |
| 体液に触れた後 | 石けんと流水 |

![手洗いの手順](handwash.png)

## 個人防護具

手袋とマスクを正しく着用します[^1]。

[^1]: 外すときは手袋を先に外します。
"""

SECOND_QUIZ = """
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
choices = ["マスク", "手袋"]
answer = 2
explanation = "手袋を先に外します。"
"""

# The smallest valid PNG: 1x1 transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def copy_default_course(destination: Path) -> Path:
    shutil.copytree(DEFAULT_SOURCE, destination)
    return destination


def two_lesson_course(destination: Path) -> Path:
    """The default course plus a second lesson with a table, an image, a footnote and a quiz."""
    source = copy_default_course(destination)
    lessons = source / "lessons"
    (lessons / "infection-control.md").write_text(SECOND_LESSON, encoding="utf-8")
    (lessons / "infection-control.quiz.toml").write_text(SECOND_QUIZ, encoding="utf-8")
    (lessons / "handwash.png").write_bytes(PNG)
    settings = source / "course.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            'lessons = ["llm-basics"]', 'lessons = ["llm-basics", "infection-control"]'
        ),
        encoding="utf-8",
    )
    return source
