"""A corpus of small SCORM 1.2 packages, made in memory by the tests themselves.

Two valid packages written by hand, in two styles:
- `reference()`: our layout (one folder per lesson, a shared asset resource that the SCOs
  depend on, schema files at the root, a mastery score), two SCOs;
- `minimal()`: another tool's style: one SCO with an inline API call, its files in a
  `sco/` folder, no dependency, no schema files, no mastery score.
Then one broken package per rule (`BROKEN`), each made from `reference()` by one small
edit, so that it breaks its rule and nothing else.
"""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scorm_builder.check import Limits
from scorm_builder.schema import SCHEMA_DIR, SCHEMA_FILES

Files = dict[str, bytes]

REFERENCE_MANIFEST = """\
<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="hand-hygiene" version="1.0"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd
                        http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="ORG-hand-hygiene">
    <organization identifier="ORG-hand-hygiene">
      <title>Hand hygiene</title>
      <item identifier="ITEM-moments" identifierref="RES-moments">
        <title>The five moments</title>
      </item>
      <item identifier="ITEM-quiz" identifierref="RES-quiz">
        <title>Quiz</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-moments" type="webcontent" adlcp:scormtype="sco"
              href="moments/index.html">
      <file href="moments/index.html"/>
      <file href="moments/hands.png"/>
      <dependency identifierref="RES-shared"/>
    </resource>
    <resource identifier="RES-quiz" type="webcontent" adlcp:scormtype="sco"
              href="quiz/index.html?attempt=1">
      <file href="quiz/index.html"/>
      <dependency identifierref="RES-shared"/>
    </resource>
    <resource identifier="RES-shared" type="webcontent" adlcp:scormtype="asset">
      <file href="shared/scorm.js"/>
      <file href="shared/course.css"/>
      <file href="shared/fonts/body.woff2"/>
      <file href="shared/logo.png"/>
    </resource>
  </resources>
</manifest>
"""


def _page(title: str, body: str) -> bytes:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="stylesheet" href="../shared/course.css">
  <link rel="canonical" href="https://intranet.example.org/courses/hand-hygiene">
  <!-- <script src="https://cdn.example.com/old-wrapper.js"></script> -->
  <script src="../shared/scorm.js"></script>
</head>
<body>
  <img src="../shared/logo.png" alt="" srcset="../shared/logo.png 2x">
{body}
  <p>Sources: <a href="https://www.who.int/campaigns/world-hand-hygiene-day">WHO</a>.</p>
</body>
</html>
""".encode()


def reference() -> Files:
    files = {name: (SCHEMA_DIR / name).read_bytes() for name in SCHEMA_FILES}
    files.update(
        {
            "imsmanifest.xml": REFERENCE_MANIFEST.encode(),
            "moments/index.html": _page(
                "The five moments", '  <img src="hands.png" alt="Five moments">'
            ),
            "moments/hands.png": b"\x89PNG\r\n\x1a\n moments",
            "quiz/index.html": _page("Quiz", "  <form id='quiz'></form>"),
            "shared/scorm.js": b"""\
// A SCORM 1.2 wrapper; see https://scorm.com/scorm-explained/ for the API.
function findAPI(win) {
  for (var depth = 0; win && depth < 8; depth += 1, win = win.parent) {
    try { if (win.API) { return win.API; } } catch (e) { /* cross-origin */ }
  }
  return null;
}
var api = findAPI(window) || (window.opener && findAPI(window.opener));
if (api && String(api.LMSInitialize("")) === "true") {
  api.LMSSetValue("cmi.core.lesson_status", "incomplete");
}
var help = "Questions? https://intranet.example.org/e-learning";
""",
            "shared/course.css": b"""\
/* Body text font, shipped in the package (not https://fonts.googleapis.com). */
@font-face { font-family: Body; src: url("fonts/body.woff2") format("woff2"); }
body { font-family: Body, sans-serif; background: url(data:image/png;base64,iVBORw0KGgo=); }
""",
            "shared/fonts/body.woff2": b"wOF2 font",
            "shared/logo.png": b"\x89PNG\r\n\x1a\n logo",
        }
    )
    return files


MINIMAL_MANIFEST = """\
<?xml version="1.0"?>
<manifest xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" \
xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2" identifier="MANIFEST-1">
 <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
 <organizations default="TOC1">
  <organization identifier="TOC1"><title>Fire safety</title>
   <item identifier="I_SCO0" identifierref="SCO0"><title>Fire safety</title></item>
  </organization>
 </organizations>
 <resources>
  <resource identifier="SCO0" type="webcontent" adlcp:scormtype="sco" href="sco/launch.htm">
   <file href="sco/launch.htm"/><file href="sco/look.css"/>
  </resource>
 </resources>
</manifest>
"""


def minimal() -> Files:
    return {
        "imsmanifest.xml": MINIMAL_MANIFEST.encode(),
        "sco/launch.htm": b"""<html><head><link href="look.css" rel="stylesheet">
<script>
var API = window.parent.API;
window.onload = function () { API.LMSInitialize(""); };
window.onpagehide = function () { API.LMSFinish(""); };
</script></head><body><h1>Fire safety</h1></body></html>
""",
        "sco/look.css": b"h1 { color: #a00; }\n",
    }


# --- making zips --------------------------------------------------------------------------


def make_zip(files: Files, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def write_folder(files: Files, root: Path) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _set_encrypted_flag(data: bytes, name: str) -> bytes:
    """Mark one member as encrypted in both of its headers, as a password-protected zip
    does (zipfile cannot write encrypted zips)."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    out[info.header_offset + 6] |= 0x1  # local file header: general purpose flags
    central = out.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", out, central + 28)[0]
        if out[central + 46 : central + 46 + length] == name.encode():
            out[central + 8] |= 0x1
            return bytes(out)
        central = out.find(b"PK\x01\x02", central + 4)
    raise AssertionError(f"{name} not found in the central directory")


def _corrupt(data: bytes, name: str) -> bytes:
    """Flip a byte of one stored member's content: its CRC no longer matches."""
    content = reference()[name]
    offset = data.index(content)
    return data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1 :]


def forge_size(data: bytes, name: str, size: int) -> bytes:
    """Declare another uncompressed size for one member, in both of its headers, as a
    forged zip bomb does (the content stays as it is)."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    struct.pack_into("<I", out, info.header_offset + 22, size)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", out, central + 28)[0]
        if out[central + 46 : central + 46 + length] == name.encode():
            struct.pack_into("<I", out, central + 24, size)
            return bytes(out)
        central = out.find(b"PK\x01\x02", central + 4)
    raise AssertionError(f"{name} not found in the central directory")


def zip_with_methods(files: Files, methods: dict[str, int]) -> bytes:
    """A zip whose members named in `methods` use that compression (e.g. ZIP_BZIP2)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data, methods.get(name, zipfile.ZIP_DEFLATED))
    return buffer.getvalue()


def _zip_with_duplicate(files: Files, name: str) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns "Duplicate name"
        with zipfile.ZipFile(buffer, "w") as archive:
            for member, data in files.items():
                archive.writestr(member, data)
            archive.writestr(name, files[name])
    return buffer.getvalue()


# --- broken packages ----------------------------------------------------------------------


def edit(files: Files, name: str, old: str, new: str) -> Files:
    """A copy of `files` with `old` replaced by `new` in one file; `old` must occur once,
    so that a change to the reference package cannot silently disable a broken case."""
    text = files[name].decode()
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
    return {**files, name: text.replace(old, new).encode()}


def without(files: Files, *names: str) -> Files:
    assert all(name in files for name in names)
    return {name: data for name, data in files.items() if name not in names}


def manifest_edit(old: str, new: str) -> Files:
    return edit(reference(), "imsmanifest.xml", old, new)


@dataclass(frozen=True)
class Broken:
    """A package breaking exactly one rule. `files` is set when the mistake can be made in
    a plain mapping (and so also by the build); `zip` gives the zip's bytes."""

    rule: str
    case: str
    files: Callable[[], Files] | None = None
    raw_zip: Callable[[], bytes] | None = None
    limits: Limits = Limits()
    zip_only: bool = False  # only a zip can break the rule (the build's mapping cannot)
    also: frozenset[str] = frozenset()  # other rules the same mistake rightly breaks

    def zip(self) -> bytes:
        return self.raw_zip() if self.raw_zip else make_zip(self.files())

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.case}"


def _with_ratio_bomb() -> Files:
    files = manifest_edit(
        '<file href="shared/logo.png"/>',
        '<file href="shared/logo.png"/>\n      <file href="shared/padding.bin"/>',
    )
    return {**files, "shared/padding.bin": bytes(4 * 1024**2)}


def _many_zero_files(count: int) -> Files:
    """Files of 1 MiB of zeros each: every one under the per-file ratio rule."""
    zeros = bytes(1024**2)
    files = reference()
    for number in range(count):
        files[f"shared/pad{number}.bin"] = zeros
    return files


def _renamed(files: Files, old: str, new: str) -> Files:
    return {(new if name == old else name): data for name, data in files.items()}


def _external(name: str, old: str, new: str) -> Callable[[], Files]:
    return lambda: edit(reference(), name, old, new)


REFERENCE_SCRIPT = '<script src="../shared/scorm.js"></script>\n</head>'

BROKEN: list[Broken] = [
    # zip
    Broken("zip-unreadable", "not-a-zip", raw_zip=lambda: b"<html>404 Not Found</html>"),
    Broken(
        "zip-unreadable",
        "bad-crc",
        raw_zip=lambda: _corrupt(make_zip(reference(), zipfile.ZIP_STORED), "shared/logo.png"),
    ),
    Broken(
        "zip-encrypted",
        "one-member",
        raw_zip=lambda: _set_encrypted_flag(make_zip(reference()), "moments/hands.png"),
    ),
    Broken("zip-unsafe-path", "dot-dot", lambda: {**reference(), "../evil.txt": b"x"}),
    Broken("zip-unsafe-path", "absolute", lambda: {**reference(), "/tmp/evil.txt": b"x"}),
    Broken("zip-unsafe-path", "backslash", lambda: {**reference(), "notes\\todo.txt": b"x"}),
    Broken(
        "zip-duplicate-name",
        "logo-twice",
        raw_zip=lambda: _zip_with_duplicate(reference(), "shared/logo.png"),
    ),
    Broken("zip-too-large", "total-size", reference, limits=Limits(max_total_bytes=10_000)),
    Broken("zip-too-large", "entry-count", reference, limits=Limits(max_entries=5)),
    Broken("zip-compression-ratio", "zeros", _with_ratio_bomb, zip_only=True),
    Broken(
        "zip-compression-ratio",
        "many-small-zero-files",
        lambda: _many_zero_files(80),
        limits=Limits(total_ratio_floor_bytes=32 * 1024**2),
    ),
    Broken(
        "zip-compression-method",
        "bzip2",
        raw_zip=lambda: zip_with_methods(reference(), {"shared/logo.png": zipfile.ZIP_BZIP2}),
    ),
    Broken(
        "zip-size-mismatch",
        "declared-smaller",
        raw_zip=lambda: forge_size(make_zip(reference()), "shared/course.css", 10),
    ),
    Broken(
        "zip-non-ascii-name",
        "accent",
        lambda: {
            **manifest_edit(
                '<file href="shared/logo.png"/>',
                '<file href="shared/logo.png"/><file href="shared/résumé.pdf"/>',
            ),
            "shared/résumé.pdf": b"%PDF-1.4",
        },
    ),
    # manifest
    Broken("manifest-missing", "absent", lambda: without(reference(), "imsmanifest.xml")),
    Broken(
        "manifest-missing",
        "wrong-case",
        lambda: _renamed(reference(), "imsmanifest.xml", "IMSManifest.xml"),
    ),
    Broken(
        "manifest-not-at-root",
        "zipped-folder",
        lambda: {f"hand-hygiene/{name}": data for name, data in reference().items()},
    ),
    Broken("manifest-not-well-formed", "unclosed", lambda: manifest_edit("</organizations>", "")),
    Broken(
        "manifest-dtd",
        "internal-entity",
        lambda: manifest_edit(
            '<manifest identifier="hand-hygiene"',
            '<!DOCTYPE manifest [<!ENTITY course "Hand hygiene">]>\n<manifest'
            ' identifier="hand-hygiene"',
        ),
    ),
    Broken(
        "manifest-dtd",
        "external-entity",
        lambda: edit(
            manifest_edit(
                '<manifest identifier="hand-hygiene"',
                '<!DOCTYPE manifest [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n<manifest'
                ' identifier="hand-hygiene"',
            ),
            "imsmanifest.xml",
            "<title>Hand hygiene</title>",
            "<title>&secret;</title>",
        ),
    ),
    Broken(
        "manifest-schema",
        "resource-without-type",
        lambda: manifest_edit('"RES-shared" type="webcontent"', '"RES-shared"'),
    ),
    Broken(
        "manifest-scorm-2004",
        "cam-1.3-version",
        lambda: manifest_edit(
            "<schemaversion>1.2</schemaversion>", "<schemaversion>CAM 1.3</schemaversion>"
        ),
    ),
    Broken(
        "manifest-schema-version",
        "version-1.1",
        lambda: manifest_edit(
            "<schemaversion>1.2</schemaversion>", "<schemaversion>1.1</schemaversion>"
        ),
    ),
    Broken(
        "manifest-no-schema-version",
        "no-metadata",
        lambda: manifest_edit(
            """  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
""",
            "",
        ),
    ),
    Broken(
        "manifest-adlcp-prefix",
        "scorm-prefix",
        lambda: {
            **reference(),
            "imsmanifest.xml": REFERENCE_MANIFEST.replace("xmlns:adlcp=", "xmlns:scorm=")
            .replace("adlcp:", "scorm:")
            .encode(),
        },
    ),
    Broken(
        "manifest-duplicate-identifier",
        "items",
        lambda: manifest_edit('"ITEM-quiz"', '"ITEM-moments"'),
    ),
    Broken(
        "manifest-identifier-spelling",
        "guid-starting-with-a-digit",
        lambda: manifest_edit(
            '<item identifier="ITEM-quiz"', '<item identifier="1F9E3C2A-quiz, final"'
        ),
    ),
    Broken(
        "manifest-unresolved-reference",
        "default-organization",
        lambda: manifest_edit('default="ORG-hand-hygiene"', 'default="ORG-fire"'),
    ),
    Broken(
        "manifest-unresolved-reference",
        "item",
        lambda: manifest_edit('identifierref="RES-quiz"', 'identifierref="RES-exam"'),
    ),
    Broken(
        "manifest-unresolved-reference",
        "dependency",
        lambda: manifest_edit(
            '<file href="quiz/index.html"/>\n      <dependency identifierref="RES-shared"/>',
            '<file href="quiz/index.html"/>\n      <dependency identifierref="RES-common"/>',
        ),
    ),
    Broken(
        "manifest-scormtype",
        "uppercase",
        lambda: manifest_edit(
            '"RES-quiz" type="webcontent" adlcp:scormtype="sco"',
            '"RES-quiz" type="webcontent" adlcp:scormtype="SCO"',
        ),
    ),
    Broken(
        "manifest-scormtype",
        "missing",
        lambda: manifest_edit(' type="webcontent" adlcp:scormtype="asset"', ' type="webcontent"'),
    ),
    Broken(
        "manifest-masteryscore",
        "over-100",
        lambda: manifest_edit(">80</adlcp:masteryscore>", ">800</adlcp:masteryscore>"),
    ),
    Broken(
        "manifest-empty-masteryscore",
        "empty",
        lambda: manifest_edit(">80</adlcp:masteryscore>", "></adlcp:masteryscore>"),
    ),
    Broken(
        "manifest-masteryscore",
        "not-a-number",
        lambda: manifest_edit(">80</adlcp:masteryscore>", ">80%</adlcp:masteryscore>"),
    ),
    Broken(
        "manifest-launch-missing",
        "page-not-in-package",
        lambda: without(reference(), "quiz/index.html"),
    ),
    Broken(
        "manifest-launch-missing",
        "sco-without-href",
        lambda: manifest_edit(' href="quiz/index.html?attempt=1"', ""),
        # Its page is then launched by nothing: a note says it was not judged.
        also=frozenset({"content-unreached"}),
    ),
    Broken(
        "manifest-missing-file",
        "logo-not-in-package",
        lambda: without(reference(), "shared/logo.png"),
    ),
    Broken(
        "manifest-missing-file",
        "wrong-case",
        lambda: _renamed(reference(), "moments/hands.png", "moments/Hands.png"),
    ),
    Broken(
        "manifest-unlisted-file",
        "stray-notes",
        lambda: {**reference(), "moments/notes.txt": b"remember to add a video"},
    ),
    # content
    Broken(
        "content-external-url",
        "cdn-script",
        _external(
            "moments/index.html",
            REFERENCE_SCRIPT,
            '<script src="https://cdn.jsdelivr.net/npm/pipwerks-scorm-api-wrapper"></script>\n'
            + REFERENCE_SCRIPT,
        ),
    ),
    Broken(
        "content-external-url",
        "css-font-import",
        _external(
            "shared/course.css",
            "/* Body",
            "@import url('https://fonts.googleapis.com/css2?family=Inter');\n/* Body",
        ),
    ),
    Broken(
        "content-external-url",
        "protocol-relative-image",
        _external("quiz/index.html", "<form", '<img src="//images.example.com/x.png"><form'),
    ),
    Broken(
        "content-external-url",
        "iframe",
        _external(
            "quiz/index.html",
            "<form",
            '<iframe src="https://www.youtube.com/embed/x"></iframe><form',
        ),
    ),
    Broken(
        "content-external-url",
        "inline-style",
        _external(
            "quiz/index.html",
            "<form",
            "<div style=\"background: url('http://example.com/bg.jpg')\"></div><form",
        ),
    ),
    Broken(
        "content-external-url-in-script",
        "script-fetch",
        _external(
            "shared/scorm.js",
            "var help",
            'fetch("https://api.example.com/log", {method: "POST"});\nvar help',
        ),
    ),
    Broken(
        "content-missing-file",
        "image",
        _external("quiz/index.html", "<form", '<img src="figure-1.png" alt="Figure 1"><form'),
    ),
    Broken(
        "content-missing-file",
        "case-only",
        _external("quiz/index.html", "<form", '<img src="../shared/Logo.png" alt=""><form'),
    ),
    Broken(
        "content-plugin",
        "flash-movie",
        _external(
            "quiz/index.html",
            "<form",
            '<object type="application/x-shockwave-flash" data="../shared/logo.png">'
            '<param name="movie" value="quiz.swf"></object><form',
        ),
    ),
    Broken(
        "content-backslash-path",
        "image",
        _external("quiz/index.html", "<form", '<img src="..\\shared\\logo.png" alt=""><form'),
    ),
    Broken("content-not-inspected", "tiny-limit", reference, limits=Limits(max_text_bytes=10)),
    Broken(
        "content-unreached",
        "orphan-page",
        lambda: {
            **manifest_edit(
                '<file href="quiz/index.html"/>',
                '<file href="quiz/index.html"/>\n      <file href="quiz/old.html"/>',
            ),
            "quiz/old.html": b'<link rel="stylesheet" href="https://fonts.example.com/a.css">',
        },
    ),
    Broken(
        "content-no-scorm-api",
        "quiz-without-wrapper",
        _external("quiz/index.html", '  <script src="../shared/scorm.js"></script>\n', ""),
    ),
]
