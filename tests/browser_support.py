"""Helpers for browser tests: a local web server, course builds, and the test LMS page.

The server serves, from one origin (an LMS and its SCO are same-origin, as in Moodle):

    /harness/...      tests/browser/ (the LMS page lms.html and its script)
    /scorm-again/...  node_modules/scorm-again/dist (the SCORM 1.2 run-time playing the LMS)
    /axe-core/...     node_modules/axe-core
    /<mount>/...      any folder mounted with `Site.mount`, e.g. an extracted package
"""

from __future__ import annotations

import functools
import http.server
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from playwright.sync_api import Frame, Page

from scorm_builder import answer_key
from scorm_builder.build import build

REPO = Path(__file__).resolve().parent.parent
HARNESS_DIR = REPO / "tests" / "browser"
SOURCE_DIR = REPO / "source"
NODE_MODULES = REPO / "node_modules"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serve files from the site's mounts; quiet, and never cached."""

    def __init__(self, *args: Any, mounts: dict[str, Path], **kwargs: Any) -> None:
        self.mounts = mounts
        super().__init__(*args, **kwargs)

    def translate_path(self, path: str) -> str:
        parts = unquote(urlsplit(path).path).lstrip("/").split("/", 1)
        root = self.mounts.get(parts[0])
        if root is None:
            return str(REPO / "does-not-exist")
        target = (root / (parts[1] if len(parts) > 1 else "")).resolve()
        if not target.is_relative_to(root.resolve()):
            return str(REPO / "does-not-exist")
        return str(target)

    def do_GET(self) -> None:
        if self.path == "/favicon.ico":  # a page opened on its own asks for one
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        # Like Moodle 4.5 in Chrome: no unload handlers in the player or the SCO's frame.
        self.send_header("Permissions-Policy", "unload=()")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Site:
    """A local HTTP server on 127.0.0.1 and a free port, serving mounted folders."""

    mounts: dict[str, Path] = field(default_factory=dict)
    _server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> None:
        handler = functools.partial(_Handler, mounts=self.mounts)
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server, "the site is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def mount(self, name: str, folder: Path) -> str:
        """Serve `folder` under /name/ and return its URL (ending in /)."""
        self.mounts[name] = folder
        return f"{self.base_url}/{name}/"


@dataclass(frozen=True)
class BuiltCourse:
    """A course built and extracted into a served folder."""

    url: str  # the package root, ending in /
    folder: Path  # the extracted package
    zip_path: Path
    launches: tuple[str, ...]  # each SCO's launch file, in course order

    def launch(self, lesson: str) -> str:
        return f"{lesson}/index.html"


def build_course(site: Site, source_dir: Path, work_dir: Path, name: str) -> BuiltCourse:
    """Build the course in `source_dir` with the real pipeline, extract the zip, serve it."""
    out = work_dir / "dist"
    out.mkdir(parents=True, exist_ok=True)
    result = build(source_dir, out)
    zip_path, package, _ = result.written[0]
    folder = work_dir / "package"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder)
    return BuiltCourse(
        url=site.mount(name, folder),
        folder=folder,
        zip_path=zip_path,
        launches=tuple(f"{lesson.id}/index.html" for lesson in package.lessons),
    )


class BrowserErrors:
    """Console errors and uncaught exceptions of a page and all its frames."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))

    def _console(self, message: Any) -> None:
        if message.type in ("error", "assert"):
            self.messages.append(f"console {message.type}: {message.text} ({message.location})")


class Lms:
    """The test LMS page (tests/browser/lms.html) in a browser page: launch, exit, read back.

    What the LMS holds is read from the page, never what the SCO shows:
    `calls()` lists every API call, `commits()` what was stored at each LMSCommit/LMSFinish.
    """

    def __init__(self, page: Page, site: Site) -> None:
        self.page = page
        self.site = site

    def launch(
        self,
        course: BuiltCourse,
        launch: str | None = None,
        saved: dict[str, Any] | None = None,
        refuse: dict[str, int] | None = None,
        options: dict[str, Any] | None = None,
    ) -> Frame:
        """Open the LMS page and start one SCO in its `scorm_object` frame; return the frame.

        `options` make the LMS behave as some real ones do (tests/browser/lms.js): `apiDelay`,
        `entry`, `forma`."""
        self.page.goto(f"{self.site.base_url}/harness/lms.html")
        self.page.evaluate(
            "options => window.lms.launch(options)",
            {
                "packageRoot": course.url,
                "href": launch or course.launches[0],
                "saved": saved,
                "refuse": refuse or {},
                "options": options or {},
            },
        )
        frame = self.page.frame(name="scorm_object")
        assert frame is not None
        frame.wait_for_selector("nav.pager:not([hidden])")
        return frame

    def open_next(self, launch: str) -> Frame:
        """Move the frame straight on to another SCO (Moodle's table of contents)."""
        self.page.evaluate("href => window.lms.next(href)", launch)
        frame = self.page.frame(name="scorm_object")
        assert frame is not None
        frame.wait_for_selector("nav.pager:not([hidden])")
        return frame

    def exit(self) -> None:
        """Leave the SCO the way Moodle's "Exit activity" does: unload its frame."""
        self.page.evaluate("() => window.lms.exit()")

    def close_by_lms(self) -> None:
        """Close the player as forma.lms does: the LMS finishes the session, then blanks it."""
        self.page.evaluate("() => window.lms.close()")

    def calls(self) -> list[dict[str, Any]]:
        return self.page.evaluate("() => window.lms.calls")

    def commits(self) -> list[dict[str, Any]]:
        return self.page.evaluate("() => window.lms.commits")

    def stored(self) -> dict[str, Any]:
        """The cmi data the LMS holds after the last successful commit or finish."""
        commits = self.commits()
        assert commits, "the LMS never stored anything"
        return commits[-1]["cmi"]

    def get(self, element: str) -> str:
        """An element of the live data model, read on the LMS side (write-only ones too)."""
        script = "e => String(e.split('.').slice(1).reduce((o, k) => o[k], window.lms.real.cmi))"
        return self.page.evaluate(script, element)


# The run-time's own entries in the journal of interactions, beside the questions' (issue 17).
RECORD_IDS = ("reading", "attest")


def answer_interactions(cmi: dict[str, Any]) -> list[dict[str, Any]]:
    """The interactions of questions answered, in the order written (the reading time and the
    attestation left out)."""
    stored = [cmi["interactions"][str(n)] for n in range(len(cmi["interactions"]))]
    return [i for i in stored if i["id"] not in RECORD_IDS]


def served_site() -> Iterator[Site]:
    """A started Site with the harness and the npm packages mounted (for a pytest fixture)."""
    site = Site()
    site.start()
    site.mount("harness", HARNESS_DIR)
    site.mount("scorm-again", NODE_MODULES / "scorm-again" / "dist")
    site.mount("axe-core", NODE_MODULES / "axe-core")
    try:
        yield site
    finally:
        site.stop()


def in_top_viewport(page: Page, frame: Frame, selector: str) -> bool:
    """Whether the element is wholly inside the visible part of the top window (the learner
    sees it without scrolling anything), wherever the frames that hold it are."""
    box = frame.locator(selector).bounding_box()  # in the top page's CSS pixels
    if box is None:
        return False
    size = page.evaluate("() => ({w: window.innerWidth, h: window.innerHeight})")
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["w"]
        and box["y"] + box["height"] <= size["h"]
    )


def correct_answers(frame: Frame) -> dict[str, list[str]]:
    """Question id -> its correct response (choice keys, or the number), read from the page's
    encoded answer key the way the run-time opens it after submitting."""
    data = frame.evaluate("() => JSON.parse(document.getElementById('sco-data').textContent)")
    return {
        q["id"]: answer_key.decode(q["salt"], q["id"], q["key"])["correct"]
        for q in data["quiz"]["questions"]
    }
