"""Serve a course for preview on 127.0.0.1, rebuilding it whenever a source file changes.

The package is built in memory and served from there; the preview's own page and LMS
(`preview.html`, `preview.js`, `lms.js`) live beside this module and are never part of a package.
"""

from __future__ import annotations

import json
import mimetypes
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree

from scorm_builder.build import build_package
from scorm_builder.cache import Cache
from scorm_builder.console import native_path
from scorm_builder.i18n import _
from scorm_builder.preview.labels import preview_page
from scorm_builder.problems import BuildError
from scorm_builder.render import TEMPLATES_DIR, Theme
from scorm_builder.reporting import report_lines
from scorm_builder.schema import ADLCP_NS, IMSCP_NS

PREVIEW_DIR = Path(__file__).parent
NS = {"cp": IMSCP_NS, "adlcp": ADLCP_NS}


@dataclass
class PreviewState:
    """The latest build: its files, or the errors that stopped it. Guarded by `lock`."""

    source: Path
    theme: Theme = field(default_factory=lambda: Theme(TEMPLATES_DIR))
    version: int = 0
    files: Mapping[str, bytes] = field(default_factory=dict)
    course: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    # Kept between rebuilds, so that saving one lesson redoes only that lesson.
    cache: Cache = field(default_factory=lambda: Cache(None))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rebuild(self) -> None:
        """Build again; whatever goes wrong is shown in the page, and the loop goes on."""
        files: Mapping[str, bytes] | None = None
        course: dict[str, Any] | None = None
        try:
            package = build_package(self.source, self.theme, self.cache)
            files, course, error = package.files, describe_course(package.files), None
        except BuildError as failure:
            error = "\n".join(report_lines(failure.problems, self.source))
        except Exception as failure:  # noqa: BLE001 - a template or disk error must not stop it
            error = _unexpected(failure)
        with self.lock:
            self.version += 1
            self.error = error
            if files is not None and course is not None:
                self.files, self.course = files, course

    def course_json(self) -> bytes:
        with self.lock:
            body = {"version": self.version, "error": self.error, **self.course}
        return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _unexpected(failure: Exception) -> str:
    """An error that is not a mistake in the sources: where it happened, in a few lines."""
    frames = traceback.extract_tb(failure.__traceback__)[-3:]
    could_not = _("the course could not be built: {error}")
    lines = [could_not.format(error=f"{type(failure).__name__}: {failure}")]
    lines += [f"    at {frame.filename}:{frame.lineno} ({frame.name})" for frame in frames]
    lines.append(_("fix the file named above (or the folder), save, and the preview builds again"))
    return "\n".join(lines)


def describe_course(files: Mapping[str, bytes]) -> dict[str, Any]:
    """The SCOs in manifest order, as the LMS menu shows them."""
    manifest = etree.fromstring(files["imsmanifest.xml"])
    resources = {r.get("identifier"): r for r in manifest.iterfind(".//cp:resource", NS)}
    scos = []
    for item in manifest.iterfind(".//cp:item", NS):
        resource = resources.get(item.get("identifierref"))
        if resource is None or resource.get(f"{{{ADLCP_NS}}}scormtype") != "sco":
            continue
        scos.append(
            {
                "id": item.get("identifier"),
                "title": item.findtext("cp:title", namespaces=NS),
                "href": resource.get("href"),
                "masteryScore": item.findtext("adlcp:masteryscore", default="", namespaces=NS),
            }
        )
    return {
        "identifier": manifest.get("identifier"),
        "title": manifest.findtext(".//cp:organization/cp:title", namespaces=NS),
        "scos": scos,
    }


def source_snapshot(folders: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """What changes when an author saves a file: names, sizes and modification times."""
    entries = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                entries.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def watch(state: PreviewState, stop: threading.Event, interval: float = 0.3) -> None:
    folders = [state.source, state.theme.directory]
    seen = _snapshot_or_none(folders)
    while not stop.wait(interval):
        now = _snapshot_or_none(folders)
        if now != seen:
            seen = now
            state.rebuild()


def _snapshot_or_none(folders: list[Path]) -> tuple[tuple[str, int, int], ...] | None:
    try:
        return source_snapshot(folders)
    except OSError:  # a file removed while listing, a folder renamed: look again next time
        return None


def make_handler(state: PreviewState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = unquote(urlsplit(self.path).path)
            if path in ("/", "/index.html"):
                self._send(preview_page().encode("utf-8"), "text/html")
            elif path.startswith("/preview/") and path[9:] in (
                "lms.js",
                "preview.js",
                "preview.css",
            ):
                name = path[9:]
                self._send((PREVIEW_DIR / name).read_bytes(), _type(name))
            elif path == "/api/course":
                self._send(state.course_json(), "application/json")
            elif path.startswith("/package/"):
                name = path[len("/package/") :]
                with state.lock:
                    data = state.files.get(name)
                if data is None:
                    self.send_error(HTTPStatus.NOT_FOUND)
                else:
                    self._send(data, _type(name))
            elif path == "/favicon.ico":
                self.send_response(HTTPStatus.NO_CONTENT)
                self.end_headers()
            else:
                self.send_error(HTTPStatus.NOT_FOUND)

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(HTTPStatus.OK)
            charset = (
                "; charset=utf-8" if content_type.startswith(("text/", "application/j")) else ""
            )
            self.send_header("Content-Type", content_type + charset)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # the terminal stays readable for build messages

    return Handler


def _type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class PreviewServer:
    """A running preview: `url`, and `close()` to stop it (tests start and stop it in-process)."""

    def __init__(self, source: Path, port: int = 0, theme: Theme | None = None) -> None:
        self.state = PreviewState(source, theme or Theme(TEMPLATES_DIR))
        self.state.rebuild()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), make_handler(self.state))
        self._httpd.daemon_threads = True
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._httpd.serve_forever, daemon=True),
            threading.Thread(target=watch, args=(self.state, self._stop), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}/"

    def close(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def serve(source: Path, port: int) -> int:
    server = PreviewServer(source, port)
    print(
        _("preview of {source} at {url} (Ctrl+C to stop)").format(
            source=native_path(source), url=server.url
        )
    )
    if server.state.error:
        print(server.state.error)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.close()
    return 0
