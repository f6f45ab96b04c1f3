"""Serve a course for preview on 127.0.0.1, rebuilding it whenever a source file changes.

The package is built in memory and served from there; the preview's own page and LMS
(`preview.html`, `preview.js`, `lms.js`) live beside this module and are never part of a package.
"""

from __future__ import annotations

import json
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from scorm_builder.build import build_package
from scorm_builder.cache import BuildCache
from scorm_builder.cli import report_lines
from scorm_builder.problems import BuildError
from scorm_builder.render import TEMPLATES_DIR
from scorm_builder.schema import ADLCP_NS, IMSCP_NS

PREVIEW_DIR = Path(__file__).parent
NS = {"cp": IMSCP_NS, "adlcp": ADLCP_NS}


@dataclass
class PreviewState:
    """The latest build: its files, or the errors that stopped it. Guarded by `lock`."""

    source: Path
    version: int = 0
    files: dict[str, bytes] = field(default_factory=dict)
    course: dict = field(default_factory=dict)
    error: str | None = None
    cache: BuildCache | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rebuild(self) -> None:
        # Kept between rebuilds, so that saving one lesson redoes only that lesson.
        self.cache = BuildCache.load(None, TEMPLATES_DIR, previous=self.cache)
        try:
            package = build_package(self.source, cache=self.cache)
        except BuildError as failure:
            files, course = None, None
            error = "\n".join(report_lines(failure.problems, self.source))
        else:
            files, course, error = package.files, describe_course(package.files), None
        with self.lock:
            self.version += 1
            self.error = error
            if files is not None:
                self.files, self.course = files, course

    def course_json(self) -> bytes:
        with self.lock:
            body = {"version": self.version, "error": self.error, **self.course}
        return json.dumps(body, ensure_ascii=False).encode("utf-8")


def describe_course(files: dict[str, bytes]) -> dict:
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


def source_snapshot(folders: list[Path]) -> tuple:
    """What changes when an author saves a file: names, sizes and modification times."""
    entries = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                entries.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def watch(state: PreviewState, stop: threading.Event, interval: float = 0.3) -> None:
    folders = [state.source, TEMPLATES_DIR]
    seen = source_snapshot(folders)
    while not stop.wait(interval):
        now = source_snapshot(folders)
        if now != seen:
            seen = now
            state.rebuild()


def make_handler(state: PreviewState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = unquote(urlsplit(self.path).path)
            if path in ("/", "/index.html"):
                self._send((PREVIEW_DIR / "preview.html").read_bytes(), "text/html")
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

    def __init__(self, source: Path, port: int = 0) -> None:
        self.state = PreviewState(source)
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
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def close(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def serve(source: Path, port: int) -> int:
    server = PreviewServer(source, port)
    print(f"preview of {source} at {server.url} (Ctrl+C to stop)")
    if server.state.error:
        print(server.state.error)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.close()
    return 0
