"""Rules on the pages, styles and scripts of the package.

A hospital network often blocks the internet from the wards: a course that loads a font,
a script or an image from a CDN breaks there, while working fine on the author's laptop.
HTML is parsed (lxml) so that commented-out markup is ignored; CSS is scanned for `url()`
and `@import`; JavaScript is scanned for the calls that load something (import, fetch,
`.src =`, ...), not for every URL in a string, since a link in a text is harmless.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping

import lxml.html
from lxml import etree

from scorm_builder.problems import Problem

from .manifest import Manifest, external_hrefs
from .paths import MANIFEST, is_external, resolve

HTML = (".html", ".htm", ".xhtml")
CSS = (".css",)
JS = (".js", ".mjs")

_LOADING_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "base": ("href",),  # makes every relative URL of the page external
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
_LOADING_RELS = {
    "stylesheet", "icon", "shortcut", "apple-touch-icon", "mask-icon", "manifest",
    "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch",
}  # fmt: skip
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]*)\1\s*\)|@import\s+(["'])([^"']*)\3""", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_EXTERNAL_LITERAL = r"""(["'`])((?:https?:)?//[^"'`\s]*)\1"""
_JS_LOADS = re.compile(
    r"(?:\bimport\s*\(\s*|\bimport\s+|\bfrom\s+|\bimportScripts\s*\(\s*|\bfetch\s*\(\s*"
    r"|\bnew\s+(?:Shared)?Worker\s*\(\s*|\.src\s*=\s*|\.setAttribute\s*\(\s*[\"']src[\"']\s*,\s*"
    r"|\.open\s*\(\s*[\"'][A-Za-z]+[\"']\s*,\s*|\$\.getScript\s*\(\s*)" + _EXTERNAL_LITERAL
)
_JS_LOCAL_IMPORT = re.compile(
    r"""(?:\bimport\s*\(\s*|\bimport\s+|\bfrom\s+)(["'])(\.{1,2}/[^"']+)\1"""
)
_SCORM_API_USE = re.compile(r"\bLMSInitialize\b")


def _line(text: str, offset: int, first_line: int) -> int:
    return first_line + text.count("\n", 0, offset)


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


# --- finding URLs -------------------------------------------------------------------------


def css_urls(text: str, first_line: int = 1) -> Iterator[tuple[str, int]]:
    # Comments become blank lines, so that later line numbers stay right.
    text = _CSS_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    for match in _CSS_URL.finditer(text):
        yield match.group(2) or match.group(4) or "", _line(text, match.start(), first_line)


def js_loads(text: str, first_line: int = 1) -> Iterator[tuple[str, int]]:
    for match in _JS_LOADS.finditer(text):
        yield match.group(2), _line(text, match.start(), first_line)


def _parse_html(data: bytes) -> etree._Element | None:
    try:
        return lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError):
        return None  # an empty page loads nothing


def _elements(document: etree._Element) -> Iterator[etree._Element]:
    return (el for el in document.iter() if isinstance(el.tag, str))


def _is_javascript(script: etree._Element) -> bool:
    # JSON data blocks and templates hold URLs that are text, not loads.
    kind = (script.get("type") or "").strip().lower()
    return kind in ("", "module", "text/javascript", "application/javascript")


def html_urls(document: etree._Element) -> Iterator[tuple[str, int]]:
    for element in _elements(document):
        tag, line = element.tag.lower(), element.sourceline or 1
        attributes = list(_LOADING_ATTRIBUTES.get(tag, ()))
        if tag == "link" and _LOADING_RELS & set((element.get("rel") or "").lower().split()):
            attributes.append("href")
        for attribute in attributes:
            value = element.get(attribute)
            if value is None:
                continue
            if attribute == "srcset":
                for candidate in value.split(","):
                    yield (candidate.split() or [""])[0], line
            else:
                yield value, line
        if element.get("style"):
            yield from css_urls(element.get("style"), line)
        if tag == "style":
            yield from css_urls(element.text or "", line)
        if tag == "script" and element.get("src") is None and _is_javascript(element):
            yield from js_loads(element.text or "", line)


def _urls(name: str, data: bytes) -> Iterator[tuple[str, int]]:
    lower = name.lower()
    if lower.endswith(HTML):
        document = _parse_html(data)
        if document is not None:
            yield from html_urls(document)
    elif lower.endswith(CSS):
        yield from css_urls(_text(data))
    elif lower.endswith(JS):
        yield from js_loads(_text(data))


# --- rules --------------------------------------------------------------------------------


def _external_problem(file: str, url: str, line: int | None) -> Problem:
    return Problem(
        "content-external-url",
        "error",
        file,
        f"loads {url} from outside the package; a locked-down hospital network blocks it",
        "copy the file into the package and refer to it by a relative path",
        line,
    )


def check_external(files: Mapping[str, bytes]) -> list[Problem]:
    return [
        _external_problem(name, url, line)
        for name in sorted(files)
        for url, line in _urls(name, files[name])
        if is_external(url)
    ]


def check_manifest_hrefs(manifest: Manifest) -> list[Problem]:
    return [_external_problem(MANIFEST, href, line) for href, line in external_hrefs(manifest)]


def _page_and_scripts(page: str, files: Mapping[str, bytes]) -> Iterator[str]:
    """The launch page's text and that of every local script it loads, transitively
    (a page often calls the API through a wrapper such as pipwerks or our runtime)."""
    queue, seen = [page], {page}
    while queue and len(seen) < 200:
        name = queue.pop()
        text = _text(files[name])
        yield text
        folder = posixpath.dirname(name)
        if name.lower().endswith(HTML):
            document = _parse_html(files[name])
            sources = (
                []
                if document is None
                else [el.get("src", "") for el in _elements(document) if el.tag.lower() == "script"]
            )
        else:
            sources = [m.group(2) for m in _JS_LOCAL_IMPORT.finditer(text)]
        for source in sources:
            target = None if is_external(source) else resolve(folder, source)
            if target in files and target not in seen:
                seen.add(target)
                queue.append(target)


def check_scorm_api(manifest: Manifest, files: Mapping[str, bytes]) -> list[Problem]:
    problems = []
    for resource in manifest.launched():
        ref = resource.launch
        if resource.scormtype != "sco" or ref is None or ref.name not in files:
            continue
        if ref.name.lower().endswith(HTML) and any(
            _SCORM_API_USE.search(text) for text in _page_and_scripts(ref.name, files)
        ):
            continue
        problems.append(
            Problem(
                "content-no-scorm-api",
                "warning",
                ref.name,
                f"launch page of SCO '{resource.identifier}' never calls LMSInitialize"
                " (itself or in the scripts it loads): the LMS will record nothing",
                "load a SCORM 1.2 API wrapper and call LMSInitialize/LMSFinish, or"
                ' mark the resource adlcp:scormtype="asset"',
            )
        )
    return problems
