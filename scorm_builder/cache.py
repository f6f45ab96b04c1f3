"""A memo of what each lesson became (its model and its page), kept between builds.

The build wraps its per-lesson stages with it (build.py); no stage knows it exists. An
entry is found by a key that digests everything the lesson's result depends on (the
builder's code, templates and libraries, the course folder and settings, the lesson's own
files); the files a lesson uses (images) are checked by content on every lookup.

It lives in a cache folder of the user's (`$SCORM_BUILDER_CACHE_DIR`, else
`$XDG_CACHE_HOME/scorm-builder`, else `~/.cache/scorm-builder`), never in dist/, and holds
nothing the build trusts without checking: no check verdicts; an entry that is damaged,
forged or of other types than expected is ignored, so a damaged cache is only a slower
build. The folder may be shared (a CI folder) and anyone who can write it can recompute a
digest: so each entry (its JSON and its page's deflate stream) is signed (HMAC-SHA256) with
a key kept outside the cache folder (`$SCORM_BUILDER_CACHE_KEY`, else a random key made once in
`$XDG_CONFIG_HOME/scorm-builder/cache.key`, readable by the user only); an entry signed
with another key is not used. Each entry is one file: a line of JSON (never pickle: reading it
never runs code), then the lesson's record sheet part (its HTML, then its CSV rows, their
lengths on the signature's line) and last the page's deflate stream; the page and the part
are read back from the file when they are written into dist/, not kept in memory.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import hmac
import itertools
import json
import operator
import os
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from scorm_builder.model import Lesson
from scorm_builder.package import Deflated, InFile, bytes_of
from scorm_builder.problems import Problem
from scorm_builder.record_sheet import LessonPart
from scorm_builder.signed_files import SignedFiles, replace
from scorm_builder.sources import read_regular_file

CACHE_DIR_VARIABLE = "SCORM_BUILDER_CACHE_DIR"
CACHE_KEY_VARIABLE = "SCORM_BUILDER_CACHE_KEY"
FORMAT = "v8"  # a folder per format: an older builder's entries are never read


def default_cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    if environ.get(CACHE_DIR_VARIABLE):
        return Path(environ[CACHE_DIR_VARIABLE])
    if environ.get("XDG_CACHE_HOME"):
        return Path(environ["XDG_CACHE_HOME"]) / "scorm-builder"
    return Path.home() / ".cache" / "scorm-builder"


def cache_key_file(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the signing key lives: the user's config folder, never the (maybe shared) cache."""
    if environ.get("XDG_CONFIG_HOME"):
        return Path(environ["XDG_CONFIG_HOME"]) / "scorm-builder" / "cache.key"
    return Path.home() / ".config" / "scorm-builder" / "cache.key"


def signing_key(environ: Mapping[str, str] = os.environ) -> bytes | None:
    """The key entries are signed with; None if there is none and none can be made (then
    the cache is kept in memory only)."""
    if environ.get(CACHE_KEY_VARIABLE):
        return environ[CACHE_KEY_VARIABLE].encode("utf-8", "surrogateescape")
    path = cache_key_file(environ)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(os.urandom(32))
        return path.read_bytes()  # another build may have made it first: theirs is kept
    except FileExistsError:
        try:
            return path.read_bytes()
        except OSError:
            return None
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class MadeLesson:
    """What a lesson's stages made: the lesson (None if it has errors), its problems, and
    its page once rendered; `key` is the digest of their inputs. Once its page is made, the
    lesson is kept `without_words`."""

    lesson: Lesson | None
    problems: tuple[Problem, ...]
    key: str
    page: Deflated | None = None  # as the zip entry holds it
    record: LessonPart | None = None  # its part of the record sheets


def without_words(lesson: Lesson | None) -> Lesson | None:
    """The lesson without the words its page and record part already hold: its sections'
    HTML, its questions' texts, choices, answers and explanations. What is left (ids, titles, pass
    marks, objectives, how many questions) is all the rest of the build reads, and a course
    of a thousand lessons keeps a thousand of these until the zip is written."""
    if lesson is None:
        return None
    # A title with no markup is its own HTML: one string, kept once.
    pages = tuple(
        dataclasses.replace(page, html="", title_html=_same(page.title_html, page.title))
        for page in lesson.pages
    )
    quiz = lesson.quiz
    if quiz is not None:
        questions = tuple(
            dataclasses.replace(q, text="", explanation="", choices=(), correct=())
            for q in quiz.questions
        )
        quiz = dataclasses.replace(quiz, questions=questions)
    title_html = _same(lesson.title_html, lesson.title)
    return dataclasses.replace(lesson, pages=pages, quiz=quiz, title_html=title_html)


def _same(text: str, other: str) -> str:
    return other if text == other else text


class Cache:
    """Lesson results by key, in `folder`; None keeps them in memory only (preview, tests)."""

    def __init__(self, folder: Path | None, key: bytes | None = None) -> None:
        """`key` signs the entries in `folder` (default: `signing_key()`); without one, the
        entries are kept in memory only."""
        if folder is not None and key is None:
            key = signing_key()
        self.folder = folder / FORMAT if folder is not None and key is not None else None
        self._key = key or b""
        # In memory, a lesson is kept as made, with its media files' digests: a preview's
        # rebuild decodes nothing (200 lessons, one edited: about 50 -> 25 ms).
        self._memory: dict[str, tuple[MadeLesson, dict[str, str]]] = {}

    def get(self, key: str, course_dir: Path) -> MadeLesson | None:
        """The lesson made under `key`, if every part of the entry checks out; else None."""
        if self.folder is None:
            kept = self._memory.get(key)
            if kept is None or not _media_unchanged(kept[1], _resolved(course_dir)):
                return None
            return kept[0]
        stored = self._read(key)
        if stored is None:
            return None
        entry, page, start, lengths, digests = stored
        try:
            made = _decode_entry(key, entry, page, _resolved(course_dir))
        except (_Damaged, ValueError, TypeError, KeyError, RecursionError):
            return None  # damaged or forged: made again, and stored again
        return self._left_in_file(made, key, start, lengths, digests)

    def put(self, made: MadeLesson) -> MadeLesson:
        """Remember a rendered lesson (kept `without_words`); a failure to write only makes the
        next build slower. Returns `made`, its page and record sheet part left in the entry's
        file once written."""
        key = made.key
        if made.lesson is None or made.page is None or made.record is None:
            return made
        if self.folder is None:
            self._memory[key] = (made, _media_digests(made.lesson))
            return made
        text = json.dumps(_encode_entry(made), ensure_ascii=False, default=_json_value)
        entry = text.encode("utf-8")
        record = made.record
        blobs = (bytes_of(record.html), bytes_of(record.csv_rows), made.page.stream)
        digests = tuple(hashlib.sha256(blob).digest() for blob in blobs)
        signature = self._signature(key, entry, digests)
        header = f"{signature} {len(blobs[0])} {len(blobs[1])}".encode()
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # One file: the signature with the part's lengths, the JSON (a line each), then
            # the record sheet part and the page.
            replace(path, b"".join([header, b"\n", entry, b"\n", *blobs]))
        except OSError:
            return made
        start = len(header) + len(entry) + 2
        return self._left_in_file(made, key, start, tuple(map(len, blobs)), digests)

    def signed_files(self, kind: str) -> SignedFiles | None:
        """A store of other files beside the entries (compiled templates), signed with the
        same key; None when the cache is kept in memory only."""
        return None if self.folder is None else SignedFiles(self.folder / kind, self._key)

    def _left_in_file(
        self,
        made: MadeLesson,
        key: str,
        start: int,
        lengths: tuple[int, ...],
        digests: tuple[bytes, ...],
    ) -> MadeLesson:
        """`made` with its record sheet part and its page read from the entry's file (where
        they are stored from `start` on, with these lengths and SHA-256s) when they are
        written, not kept in memory until then."""
        if made.page is None or made.record is None:
            return made
        path = self._path(key)
        starts = itertools.accumulate(lengths[:-1], initial=start)
        html, csv_rows, page = (
            InFile(path, offset, length, digest)
            for offset, length, digest in zip(starts, lengths, digests, strict=True)
        )
        record = dataclasses.replace(made.record, html=html, csv_rows=csv_rows)
        return dataclasses.replace(
            made, page=Deflated(page, made.page.crc, made.page.size), record=record
        )

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        # All in one folder: a clean build of a large course would otherwise make a folder
        # per entry or so, and making one costs as much as writing the entry.
        return self.folder / f"{key}.lesson"

    def _read(
        self, key: str
    ) -> tuple[bytes, bytes, int, tuple[int, ...], tuple[bytes, ...]] | None:
        """The entry's JSON and page if its signature holds; where its record sheet part
        starts in its file, the lengths and SHA-256s of the part's HTML, CSV rows and page."""
        try:
            header, _, rest = self._path(key).read_bytes().partition(b"\n")
            signature, html_length, csv_length = header.split(b" ")
            lengths = (int(html_length), int(csv_length))
        except (OSError, ValueError):
            return None
        entry, _, tail = rest.partition(b"\n")
        html, csv_rows, page = (
            tail[: lengths[0]],
            tail[lengths[0] : sum(lengths)],
            tail[sum(lengths) :],
        )
        digests = tuple(hashlib.sha256(blob).digest() for blob in (html, csv_rows, page))
        if not hmac.compare_digest(signature, self._signature(key, entry, digests).encode()):
            return None  # edited, or signed by someone else: not ours to vouch for
        return entry, page, len(header) + len(entry) + 2, (*lengths, len(page)), digests

    def _signature(self, key: str, entry: bytes, digests: tuple[bytes, ...]) -> str:
        # The stored parts by their SHA-256s, which InFile checks them against when they are
        # read back for dist/: each is hashed once, not once more for the HMAC.
        mac = hmac.new(self._key, digestmod=hashlib.sha256)
        for part in (key.encode(), entry, *digests):
            mac.update(len(part).to_bytes(8, "big"))
            mac.update(part)
        return mac.hexdigest()


@functools.lru_cache(maxsize=8)
def _resolved(folder: Path) -> Path:
    return folder.resolve()


def lesson_key(fingerprint: str, *parts: str) -> str:
    digest = hashlib.sha256(fingerprint.encode())
    for part in parts:
        data = part.encode("utf-8", "surrogateescape")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def fingerprint(templates_dir: Path) -> str:
    """What every cached result depends on: this code, the templates, the libraries."""
    import jinja2
    import lxml.etree
    import markdown

    from scorm_builder.i18n import current_language

    # Cached lessons keep their problems as text: a build in another language cannot use them.
    versions = [jinja2.__version__, str(lxml.etree.LXML_VERSION), markdown.__version__]
    digest = hashlib.sha256(" ".join([*versions, current_language()]).encode())
    code_dir = Path(__file__).resolve().parent
    code = [*code_dir.rglob("*.py"), *code_dir.rglob("*.po")]  # messages are part of results
    for path in (*sorted(code), *sorted(templates_dir.rglob("*"))):
        if path.is_file():
            digest.update(str(path.relative_to(path.anchor)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """Of a regular file; "" otherwise (a FIFO would block the build here)."""
    try:
        return hashlib.sha256(read_regular_file(path)).hexdigest()
    except OSError:
        return ""


# --- entries: JSON in, checked dataclasses out ---------------------------------------------


class _Damaged(Exception):
    """The entry is not what this builder wrote."""


def _encode_entry(made: MadeLesson) -> dict[str, Any]:
    assert made.lesson is not None and made.page is not None and made.record is not None
    return {
        "lesson": made.lesson,
        "problems": made.problems,
        "media": _media_digests(made.lesson),
        "page": {"crc": made.page.crc, "size": made.page.size},
        # Its HTML and CSV rows follow the JSON, as they are: not base64 in it.
        "record": dataclasses.replace(made.record, html=b"", csv_rows=b""),
    }


def _decode_entry(
    key: str, entry_json: bytes, deflated_page: bytes, course_dir: Path
) -> MadeLesson:
    entry = json.loads(entry_json)
    if not isinstance(entry, dict):
        raise _Damaged
    lesson = _decode(Lesson, entry["lesson"])
    problems = _decode(tuple[Problem, ...], entry["problems"])
    media = _decode(dict[str, str], entry["media"])
    # Every file the lesson uses must be listed, inside the course folder, and unchanged.
    if set(media) != {str(path) for path in lesson.media.values()}:
        raise _Damaged
    if not _media_unchanged(media, course_dir):
        raise _Damaged
    # The page is not inflated to be checked: the signature covers its stream, and the zip
    # takes the stream as it is.
    page = _decode(dict[str, int], entry["page"])
    record = _decode(LessonPart, entry["record"])
    stored = Deflated(deflated_page, page["crc"], page["size"])
    return MadeLesson(lesson, problems, key, stored, record)


def _media_digests(lesson: Lesson) -> dict[str, str]:
    return {str(path): file_digest(path) for path in lesson.media.values()}


def _media_unchanged(digests: Mapping[str, str], course_dir: Path) -> bool:
    """Whether each file is still inside the course folder and as it was when it was read."""
    for name, digest in digests.items():
        path = Path(name)
        if not path.resolve().is_relative_to(course_dir) or file_digest(path) != digest:
            return False
    return True


def _json_value(value: Any) -> Any:
    """What json.dumps cannot write by itself: the model's dataclasses, paths and bytes (its
    C encoder calls this for each, and writes tuples as lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Its fields' values in their order, without their names: the key digests this code,
        # so an entry is only ever read by the same dataclasses, and a lesson's entry is a
        # sixth smaller and a third quicker to read back (README, Performance).
        return _field_values(type(value))(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"the cache cannot hold a {type(value).__name__}")  # extend this


@functools.cache
def _field_values(kind: type) -> Callable[[Any], tuple[Any, ...]]:
    names = [f.name for f in dataclasses.fields(kind)]
    get = operator.attrgetter(*names)
    return get if len(names) > 1 else lambda value: (get(value),)


Decoder = Callable[[Any], Any]


def _decode(kind: Any, value: Any) -> Any:
    """`value` (parsed JSON) as an instance of the type `kind`, checked all the way down."""
    return _decoder(kind)(value)


@functools.cache
def _decoder(kind: Any) -> Decoder:
    """A function that checks and converts JSON into `kind`: made once per type, since the
    type's structure (looked up with typing's introspection) is the slow part."""
    origin, args = get_origin(kind), get_args(kind)
    if origin in (Union, types.UnionType):
        optional = type(None) in args
        options = [_decoder(option) for option in args if option is not type(None)]

        def union(value: Any) -> Any:
            if value is None and optional:
                return None
            for option in options:
                try:
                    return option(value)
                except _Damaged:
                    continue
            raise _Damaged

        return union
    if origin is Literal:
        allowed = frozenset(args)
        return lambda value: value if type(value) is str and value in allowed else _damaged()
    if origin is tuple:
        item = _decoder(args[0])
        return lambda value: tuple(item(x) for x in value) if type(value) is list else _damaged()
    if origin is dict:
        key, item = _decoder(args[0]), _decoder(args[1])
        return lambda value: (
            {key(k): item(v) for k, v in value.items()} if type(value) is dict else _damaged()
        )
    if kind is InFile:  # never read from an entry, which could name any file: b"" stands for it
        return lambda value: _damaged()
    if dataclasses.is_dataclass(kind):
        hints = get_type_hints(kind)
        fields = dataclasses.fields(kind)
        assert all(f.init for f in fields)  # each value goes back through __init__
        decoders = [_decoder(hints[f.name]) for f in fields]
        count = len(decoders)
        factory: Any = kind

        def instance(value: Any) -> Any:
            if type(value) is not list or len(value) != count:
                raise _Damaged
            return factory(*[decode(item) for decode, item in zip(decoders, value, strict=True)])

        return instance
    if kind is Path:
        return lambda value: Path(value) if type(value) is str else _damaged()
    if kind is bytes:
        return lambda value: (
            base64.b64decode(value, validate=True) if type(value) is str else _damaged()
        )
    if kind is float:
        return lambda value: float(value) if type(value) in (int, float) else _damaged()
    if kind in (str, int, bool):
        return lambda value: value if type(value) is kind else _damaged()
    if kind is typing.Any:
        return lambda value: value
    raise TypeError(f"the cache cannot hold a {kind}")  # a new model type: extend this


def _damaged() -> Any:
    raise _Damaged
