"""The content version a learner's record is tied to (issue 17): the course's `version` and
a short digest of what the lesson shows and grades.

The digest is taken over the lesson as rendered (page titles and HTML, the quiz with its
answers, the attestation), not over file names or paths, so the same content gives the same
label on any
machine and a changed word or answer gives another one.
"""

from __future__ import annotations

import hashlib

from scorm_builder.model import Lesson

DIGEST_LENGTH = 8  # hex characters: enough to tell versions of one lesson apart


def pages_digest(lesson: Lesson) -> str:
    """A digest of what the lesson's pages show (titles, HTML, the attestation), taken when
    the lesson is read: the build drops the pages' HTML once they are rendered (and the
    cache keeps none), but the record sheet prints the label later."""
    content = repr((lesson.title, lesson.pages, lesson.attestation))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def lesson_digest(lesson: Lesson) -> str:
    """A short hex digest of the lesson's pages and quiz."""
    content = repr((lesson.id, lesson.pages_digest or pages_digest(lesson), lesson.quiz))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def content_version(version: str, lesson: Lesson) -> str:
    """The label the run-time saves with the learner's data, e.g. "1.0+3f9a0c12"."""
    return label(version, lesson_digest(lesson))


def label(version: str, digest: str) -> str:
    """The same label from the course's version and the lesson's `lesson_digest`."""
    return f"{version}+{digest}"
