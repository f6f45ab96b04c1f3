"""`check --against OLD NEW`: what uploading NEW over OLD does to the learners' records.

Moodle keeps a learner's tracks per SCO, keyed by the manifest's `<item identifier>`; on a
re-upload it keeps the SCOs whose identifier it finds again and deletes the others with
their tracks. Inside a SCO, our run-time records each question as an interaction named by
its id, bookmarks a page by its number (`cmi.core.lesson_location`) and keeps the pages
seen and the answers in progress in `cmi.suspend_data`, which it drops when the pages or
questions no longer match. So, per SCO:

- an identifier removed or renamed: error (Moodle drops its tracks);
- a question removed, or the same id with other choices or another answer: warning (old
  and new answers are no longer comparable in the report);
- pages removed: warning (bookmarks past the end point nowhere);
- the saved-state format changed: warning (attempts in progress restart).

The pages' `sco-data` JSON belongs to the run-time, whose shape may change: it is read
defensively, and what cannot be read is simply not compared.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from scorm_builder import answer_key
from scorm_builder.i18n import N_, _
from scorm_builder.package import Deflated, PackageFiles
from scorm_builder.problems import Problem

from .manifest import parse, read
from .paths import MANIFEST, first_few
from .readers import CannotCheck, read_path, read_zip

# Question fields that change how a question is shown, grouped or weighted, not what an
# answer means ("salt" is derived from the ids).
_COSMETIC = {
    "id", "points", "weight", "weighting", "text", "explanation", "feedback", "title",
    "objective", "salt",
}  # fmt: skip
# Keys under which a run-time may name the format of what it saves in suspend_data.
_FORMAT_KEYS = ("suspendFormat", "suspendDataVersion", "stateFormat", "stateVersion")
_NEW_ACTIVITY = N_("or upload the new package as a new activity (the old one keeps its records)")


@dataclass
class Sco:
    identifier: str  # the <item identifier> Moodle keys the tracks on
    title: str
    launch: str | None
    pages: list[str] = field(default_factory=list)
    page_count: int | None = None
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    question_order: list[str] = field(default_factory=list)
    state_format: Any = None
    has_data: bool = False
    attestation: str = ""  # what the learner confirms on the attestation page (our run-time)


def compare_packages(
    old: Path, new_files: Mapping[str, bytes], *, new_unreadable: frozenset[str] = frozenset()
) -> list[Problem]:
    """What uploading the package `new_files` over the zip (or folder) `old` does to the
    learners' records. Raises CannotCheck if `old` cannot be read as a package."""
    del new_unreadable  # the SCOs' pages are kept as text by every reader
    # A launch page that is the same in both records the same way: only the manifest can
    # still change that SCO's fate, so its page is not read (a rebuild after one edit reads
    # one lesson's pages, not the course's). In a zip, "the same" is judged by the CRC and
    # size its directory declares, so those members are not even unpacked.
    unchanged = _unchanged_in_zip(old, new_files) if old.is_file() else frozenset()
    old_files = _read(old, unchanged)
    same = unchanged | {
        path for path, data in old_files.items() if path in new_files and new_files[path] == data
    }
    old_launches = _launches(old_files, str(old))
    # The same manifest (a rebuild that renamed nothing) names the same SCOs: read it once.
    same_manifest = MANIFEST in same
    new_launches = old_launches if same_manifest else _launches(new_files, "the new package")
    return compare(
        _scos(old_files, old_launches, skip_pages=same),
        _scos(new_files, new_launches, skip_pages=same),
    )


def compare_paths(old: Path, new: Path) -> list[Problem]:
    return compare_packages(old, _read(new))


def _read(path: Path, skip: frozenset[str] = frozenset()) -> Mapping[str, bytes]:
    package = read_zip(path, skip=skip) if skip else read_path(path)
    if not package.opened:
        raise CannotCheck(_("cannot compare: {path} is not a readable zip").format(path=path))
    return package.files


def _unchanged_in_zip(old: Path, new_files: Mapping[str, bytes]) -> frozenset[str]:
    """The files of `new_files` whose CRC and size the zip `old` declares for them too."""
    entries = new_files.entries() if isinstance(new_files, PackageFiles) else new_files
    try:
        with zipfile.ZipFile(old) as archive:
            declared = {info.filename: (info.CRC, info.file_size) for info in archive.infolist()}
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return frozenset()  # the reader says what is wrong with it
    same = set()
    for name, entry in entries.items():
        if name == MANIFEST or name not in declared:
            continue
        crc, size = (
            (entry.crc, entry.size)
            if isinstance(entry, Deflated)
            else (zlib.crc32(entry), len(entry))
        )
        if declared[name] == (crc, size):
            same.add(name)
    return frozenset(same)


def _launches(files: Mapping[str, bytes], label: str) -> list[tuple[str, str, str | None]]:
    """Each SCO the manifest names, in its order: identifier, title, launch page."""
    if MANIFEST not in files:
        message = _("cannot compare: {package} has no imsmanifest.xml at its root")
        raise CannotCheck(message.format(package=label))
    root = parse(files[MANIFEST])
    if not isinstance(root, etree._Element):
        message = _("cannot compare: the manifest of {package} cannot be read")
        raise CannotCheck(message.format(package=label))
    manifest = read(root)
    launches = []
    for item in root.iterfind("{*}organizations/{*}organization//{*}item"):
        resource = manifest.resources.get(item.get("identifierref") or "")
        if resource is None or resource.scormtype != "sco":
            continue
        title = (item.findtext("{*}title") or "").strip()
        launch = resource.launch.name if resource.launch else None
        launches.append((item.get("identifier", ""), title, launch))
    return launches


def _scos(
    files: Mapping[str, bytes],
    launches: list[tuple[str, str, str | None]],
    skip_pages: frozenset[str],
) -> dict[str, Sco]:
    scos: dict[str, Sco] = {}
    for identifier, title, launch in launches:
        sco = Sco(identifier, title, launch)
        if launch and launch in files and launch not in skip_pages:
            _read_page(sco, files[launch])
        scos.setdefault(sco.identifier, sco)
    return scos


def _read_page(sco: Sco, page: bytes) -> None:
    # Only the page's titles and its `sco-data` are read here, never judged: libxml2's HTML
    # parser (C, forgiving, a bounded depth) reads a course's hundreds of pages in a blink,
    # where the HTML5 parser the content rules need would take seconds per hundred.
    # (lxml.etree's own parser: lxml.html would only add element classes, and its import.)
    parser = etree.HTMLParser(recover=True, no_network=True, remove_comments=True, remove_pis=True)
    try:
        document = etree.fromstring(page, parser=parser)
    except (etree.ParserError, ValueError):
        return
    if document is None:  # nothing but white space, or no markup at all
        return
    for element in document.iter(tag=etree.Element):
        tag = str(element.tag).lower()
        if tag == "section" and element.get("data-page") is not None:
            heading = next(element.iter("h1", "h2"), None)
            text = "" if heading is None else "".join(str(t) for t in heading.itertext())
            sco.pages.append(" ".join(text.split()))
            if "attest" in (element.get("class") or "").split():
                statement = next(element.iter("blockquote"), None)
                words = "" if statement is None else " ".join(map(str, statement.itertext()))
                sco.attestation = " ".join(words.split())
        if tag == "script" and element.get("id") == "sco-data":
            try:
                data = json.loads(element.text or "")
            except ValueError:
                continue
            _read_sco_data(sco, data)


def _read_sco_data(sco: Sco, data: Any) -> None:
    if not isinstance(data, dict):
        return
    sco.has_data = True
    if isinstance(data.get("pageCount"), int):
        sco.page_count = data["pageCount"]
    sco.state_format = next((data[key] for key in _FORMAT_KEYS if key in data), None)
    quiz = data.get("quiz")
    questions = quiz.get("questions") if isinstance(quiz, dict) else None
    for question in questions if isinstance(questions, list) else []:
        if isinstance(question, dict) and isinstance(question.get("id"), str):
            sco.questions.setdefault(question["id"], question)
            sco.question_order.append(question["id"])


def compare(old: Mapping[str, Sco], new: Mapping[str, Sco]) -> list[Problem]:
    problems = _removed_scos(old, new)
    for identifier, before in old.items():
        after = new.get(identifier)
        if after is not None:
            problems += _compare_sco(before, after)
    return problems


def _removed_scos(old: Mapping[str, Sco], new: Mapping[str, Sco]) -> list[Problem]:
    added = [sco for identifier, sco in new.items() if identifier not in old]
    problems = []
    for identifier, sco in old.items():
        if identifier in new:
            continue
        twin = next(
            (a for a in added if (a.launch and a.launch == sco.launch) or a.title == sco.title),
            None,
        )
        if twin is not None:
            message = _(
                "the SCO '{title}' was renamed from '{old}' to '{new}': Moodle treats it as a "
                "new SCO and deletes the learners' tracks of the old one"
            ).format(title=sco.title, old=identifier, new=twin.identifier)
        else:
            message = _(
                "the SCO '{title}' ('{old}') is not in the new package: Moodle deletes the "
                "learners' tracks of it (scores, statuses, time)"
            ).format(title=sco.title, old=identifier)
        problems.append(
            Problem(
                "against-sco-removed",
                "error",
                MANIFEST,
                message,
                _("keep the identifier '{old}' for that lesson, {or_new_activity}").format(
                    old=identifier, or_new_activity=_(_NEW_ACTIVITY)
                ),
            )
        )
    return problems


def _compare_sco(old: Sco, new: Sco) -> list[Problem]:
    where = new.launch or MANIFEST
    problems = []
    if new.attestation and new.attestation != old.attestation:
        problems.append(
            Problem(
                "against-attestation-changed",
                "warning",
                where,
                _(
                    "SCO '{sco}': the attestation learners confirm is new or changed; every "
                    "learner confirms it again, and the quiz stays closed until they do"
                ).format(sco=old.identifier),
                _(
                    "expected for a new edition of what they confirm: tell the learners in "
                    "progress; keep the statement as it was if its meaning did not change"
                ),
            )
        )
    removed = [q for q in old.questions if q not in new.questions]
    if removed:
        problems.append(
            Problem(
                "against-question-removed",
                "warning",
                where,
                _(
                    "SCO '{sco}': {count} question(s) are gone ({questions}); the answers "
                    "learners gave to them stay in the LMS report with no question to compare "
                    "them with"
                ).format(sco=old.identifier, count=len(removed), questions=_names(removed)),
                _("keep the questions (with their ids), {or_new_activity}").format(
                    or_new_activity=_(_NEW_ACTIVITY)
                ),
            )
        )
    changed = [
        (q, fields)
        for q in old.questions
        if q in new.questions and (fields := _meaning_changes(old.questions[q], new.questions[q]))
    ]
    if changed:
        shown = "; ".join(f"'{q}' ({', '.join(f)})" for q, f in changed[:3])
        problems.append(
            Problem(
                "against-question-changed",
                "warning",
                where,
                _(
                    "SCO '{sco}': {count} question(s) keep their id but change meaning: "
                    "{questions}; old and new answers under that id are no longer comparable"
                ).format(sco=old.identifier, count=len(changed), questions=shown),
                _(
                    "give a changed question a new id (the old answers then stay readable),"
                    " {or_new_activity}"
                ).format(or_new_activity=_(_NEW_ACTIVITY)),
            )
        )
    problems += _compare_pages(old, new, where)
    return problems


def _meaning_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before, after = _meaning(old), _meaning(new)
    keys = (set(before) & set(after)) - _COSMETIC
    return sorted(key for key in keys if before[key] != after[key])


def _meaning(question: dict[str, Any]) -> dict[str, Any]:
    """The question's fields, with our run-time's encoded answer key opened (it also holds
    the explanation, which changes no answer's meaning). Any other shape is compared as is."""
    fields = dict(question)
    salt, key = fields.get("salt"), fields.get("key")
    if isinstance(salt, str) and isinstance(key, str) and isinstance(fields.get("id"), str):
        try:
            opened = answer_key.decode(salt, fields["id"], key)
        except Exception:  # noqa: BLE001 - another run-time's key: compare it as it is
            return fields
        if isinstance(opened, dict):
            del fields["key"]
            fields.update({f"key.{name}": value for name, value in opened.items()})
            fields.pop("key.explanation", None)
    return fields


def _compare_pages(old: Sco, new: Sco, where: str) -> list[Problem]:
    problems = []
    gone = [title for title in old.pages if title and title not in new.pages]
    old_count = old.page_count if old.page_count is not None else len(old.pages) or None
    new_count = new.page_count if new.page_count is not None else len(new.pages) or None
    fewer = old_count is not None and new_count is not None and new_count < old_count
    # Bookmarks are page numbers: a retitled page still works, a page fewer does not.
    if fewer:
        what = (
            _("pages are gone ({pages})").format(pages=_names(gone))
            if gone
            else _("pages are gone")
        )
        count = _("; {old} pages become {new}").format(old=old_count, new=new_count)
        problems.append(
            Problem(
                "against-page-removed",
                "warning",
                where,
                _(
                    "SCO '{sco}': {what}{count}: a learner's bookmark may point at a page that "
                    "is no longer there, or at another page"
                ).format(sco=old.identifier, what=what, count=count),
                _("keep the pages (add new ones at the end), {or_new_activity}").format(
                    or_new_activity=_(_NEW_ACTIVITY)
                ),
            )
        )
    reasons = []
    if old_count != new_count and old_count is not None and new_count is not None:
        reasons.append(
            _("the number of pages changes ({old} to {new})").format(old=old_count, new=new_count)
        )
    if old.question_order != new.question_order and old.has_data and new.has_data:
        reasons.append(_("the questions change (their number or order)"))
    if old.state_format != new.state_format:
        reasons.append(
            _("the saved-state format changes ({old} to {new})").format(
                old=old.state_format, new=new.state_format
            )
        )
    if reasons:
        problems.append(
            Problem(
                "against-resume-reset",
                "warning",
                where,
                _(
                    "SCO '{sco}': {reasons}, so attempts in progress cannot resume: learners "
                    "who left halfway start the lesson again (pages seen, reading time and "
                    "unsubmitted answers are dropped; recorded scores stay)"
                ).format(sco=old.identifier, reasons=_(" and ").join(reasons)),
                _(
                    "upload when few attempts are in progress (after a deadline), or upload the"
                    " new package as a new activity"
                ),
            )
        )
    return problems


def _names(items: list[str], count: int = 3) -> str:
    return first_few([f"'{item}'" for item in items], count)
