"""The course as plain data: what the readers produce and the later stages consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

QuestionType = Literal["single", "multiple", "true-false", "numeric"]


@dataclass(frozen=True, slots=True)
class Choice:
    key: str  # one character a-z, the SCORM 1.2 "choice" response format
    text: str


@dataclass(frozen=True, slots=True)
class Question:
    id: str  # ASCII, used as cmi.interactions.n.id
    type: QuestionType
    text: str
    choices: tuple[Choice, ...]
    correct: tuple[str, ...]  # choice keys; "t"/"f" for true-false; one number for numeric
    explanation: str = ""
    points: float = 1.0
    tolerance: float = 0.0  # numeric questions only
    objective: str = ""  # the id of its Objective, in a quiz that has objectives


@dataclass(frozen=True, slots=True)
class Objective:
    """A group of a quiz's questions that tests one thing, scored and reported on its own."""

    id: str  # ASCII, used as cmi.objectives.n.id
    title: str
    draw: int  # questions drawn from the group for each attempt; 0: all of them
    pass_mark: float | None  # None: only the quiz's own pass mark decides


@dataclass(frozen=True, slots=True)
class Quiz:
    questions: tuple[Question, ...]
    pass_mark: float
    max_attempts: int = 0  # 0: unlimited
    shuffle_questions: bool = False
    shuffle_choices: bool = False
    objectives: tuple[Objective, ...] = ()
    draw: int = 0  # a quiz without objectives: questions drawn for each attempt; 0: all


@dataclass(frozen=True, slots=True)
class Page:
    title: str  # plain text: the table of contents, <title>
    title_html: str  # the heading's inline Markdown, rendered (bold, code, links)
    html: str  # rendered body of the section (without its heading)


@dataclass(frozen=True, slots=True)
class Lesson:
    id: str  # ASCII file stem, used in folder names and manifest identifiers
    title: str  # plain text: <title>, the manifest
    title_html: str  # the `#` heading's inline Markdown, rendered
    source: Path
    pages: tuple[Page, ...]
    quiz: Quiz | None
    # Files the lesson's pages use (images), as path from the lesson page (`media/…`) ->
    # source file; the package layout puts them in the lesson's folder.
    media: dict[str, Path] = field(default_factory=dict)
    # The text of its `:::attest` block (paragraphs split by "\n"): what the learner
    # confirms before the quiz opens; "" when it has none.
    attestation: str = ""
    # content_version.pages_digest of the lesson as read, with its HTML: the content version
    # is the same once the HTML is dropped; "" when made without the reader (computed then).
    pages_digest: str = ""


@dataclass(frozen=True, slots=True)
class CourseSettings:
    title: str
    identifier: str
    language: str
    version: str
    description: str
    pass_mark: float
    lessons: tuple[str, ...]
    # (lesson, minutes) from [min_reading_minutes]: the reading time before its quiz opens.
    # A tuple, not a dict: settings are hashed (one renderer per settings).
    min_reading_minutes: tuple[tuple[str, int], ...] = ()

    def min_reading(self, lesson_id: str) -> int:
        """Minutes the lesson's pages must be read before its quiz opens; 0: no minimum."""
        return dict(self.min_reading_minutes).get(lesson_id, 0)


@dataclass(frozen=True, slots=True)
class Course:
    settings: CourseSettings
    lessons: tuple[Lesson, ...]
    source_dir: Path
