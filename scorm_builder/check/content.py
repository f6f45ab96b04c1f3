"""Rules on the pages, styles and scripts of the package.

A hospital network often blocks the internet from the wards: a course that loads a font,
a script or an image from a CDN breaks there, while working fine on the author's laptop.
HTML is parsed (lxml) so that commented-out markup is ignored; CSS is scanned for `url()`
and `@import`; JavaScript is scanned for the calls that load something (import, fetch,
`.src =`, ...), not for every URL in a string, since a link in a text is harmless.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

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


@dataclass(frozen=True)
class FileFacts:
    """What the content rules need of one file: it depends on the file's name and bytes
    alone, so a build can keep it from one run to the next (see FactsMemo)."""

    external: list[Problem]  # what the file loads from outside the package
    calls_api: bool  # whether its own text calls LMSInitialize
    scripts: tuple[str, ...]  # the package paths of the local scripts it loads


# (file name, digest of its bytes) -> its facts.
FactsMemo = dict[tuple[str, bytes], FileFacts]


def file_facts(name: str, data: bytes) -> FileFacts:
    lower = name.lower()
    urls: list[tuple[str, int]] = []
    scripts: list[str] = []
    if lower.endswith(HTML):
        document = _parse_html(data)  # parsed once for both rules: pages are the bulk
        if document is not None:
            urls = list(html_urls(document))
            scripts = [script.get("src", "") for script in document.iter("script")]
    elif lower.endswith(CSS):
        urls = list(css_urls(_text(data)))
    elif lower.endswith(JS):
        text = _text(data)
        urls = list(js_loads(text))
        scripts = [match.group(2) for match in _JS_LOCAL_IMPORT.finditer(text)]
    folder = posixpath.dirname(name)
    local = (resolve(folder, source) for source in scripts if not is_external(source))
    return FileFacts(
        external=[_external_problem(name, url, line) for url, line in urls if is_external(url)],
        calls_api=lower.endswith(HTML + JS) and bool(_SCORM_API_USE.search(_text(data))),
        scripts=tuple(target for target in local if target),
    )


def facts_of(files: Mapping[str, bytes], memo: FactsMemo | None = None) -> dict[str, FileFacts]:
    memo = {} if memo is None else memo
    facts = {}
    for name, data in files.items():
        key = (name, hashlib.sha256(data).digest())
        if key not in memo:
            memo[key] = file_facts(name, data)
        facts[name] = memo[key]
    return facts


def check_external(facts: Mapping[str, FileFacts]) -> list[Problem]:
    return [problem for name in sorted(facts) for problem in facts[name].external]


def check_manifest_hrefs(manifest: Manifest) -> list[Problem]:
    return [_external_problem(MANIFEST, href, line) for href, line in external_hrefs(manifest)]


def _calls_the_api(page: str, facts: Mapping[str, FileFacts]) -> bool:
    """Whether the launch page or a local script it loads, transitively, calls LMSInitialize
    (a page often calls the API through a wrapper such as pipwerks or our runtime)."""
    queue, seen = [page], {page}
    while queue and len(seen) < 200:
        name = queue.pop()
        if facts[name].calls_api:
            return True
        for target in facts[name].scripts:
            if target in facts and target not in seen:
                seen.add(target)
                queue.append(target)
    return False


def check_scorm_api(manifest: Manifest, facts: Mapping[str, FileFacts]) -> list[Problem]:
    problems = []
    for resource in manifest.launched():
        ref = resource.launch
        if resource.scormtype != "sco" or ref is None or ref.name not in facts:
            continue
        if ref.name.lower().endswith(HTML) and _calls_the_api(ref.name, facts):
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
