"""What one page, style or script refers to: the facts the content rules judge.

Pages are parsed with html5lib, the HTML5 parsing algorithm browsers use (and the build),
so nesting depth, `<svg><style>` or `<noscript>` hide nothing and invent nothing.
Styles are scanned for `url()` and `@import`. Scripts are scanned for their string
literals: a path to a `.js` file is how loaders (Captivate, Adapt) bring in the SCORM
wrapper, an absolute URL is something the script may load, markup with `src=` in a string
is an element the script may build.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import html5lib

from .paths import is_external

HTML = (".html", ".htm", ".xhtml")
CSS = (".css",)
JS = (".js", ".mjs")
# Plug-ins no current browser runs: Flash, Shockwave, Silverlight, Java applets, Unity Web Player.
PLUGIN_SUFFIXES = (".swf", ".spl", ".dcr", ".xap", ".jar", ".class", ".unity3d")

Kind = Literal["load", "anchor"]


@dataclass(frozen=True)
class Reference:
    """A URL the file uses: `load` is fetched with the page (scripts, styles, images,
    frames, media, fonts); `anchor` is a page the learner may open (a link)."""

    url: str
    line: int
    kind: Kind


@dataclass
class FileFacts:
    references: list[Reference] = field(default_factory=list)
    # Absolute URLs in the file's scripts: loaded only if that code runs.
    script_urls: list[tuple[str, int]] = field(default_factory=list)
    # Local file names in script strings ("libs/SCORM_API_wrapper.js"): loader targets.
    script_paths: list[tuple[str, int]] = field(default_factory=list)
    # Whether the file's own code finds or calls the SCORM API (1.2 or 2004).
    finds_api: bool = False
    # Plug-in content the file embeds or names (a .swf movie, an applet).
    plugins: list[tuple[str, int]] = field(default_factory=list)


def facts_of_file(name: str, data: bytes) -> FileFacts | None:
    """The facts of a page, style or script; None for any other file. (An SVG is an image
    here: shown by <img>, a browser loads nothing it refers to and runs none of its code.)"""
    lower = name.lower()
    if lower.endswith(HTML):
        return html_facts(data)
    if lower.endswith(CSS):
        return FileFacts(references=[Reference(u, n, "load") for u, n in css_urls(_text(data))])
    if lower.endswith(JS):
        facts = FileFacts()
        add_script(facts, _text(data), 1)
        return facts
    return None


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _line(text: str, offset: int, first_line: int) -> int:
    return first_line + text.count("\n", 0, offset)


# --- styles -------------------------------------------------------------------------------

_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]*)\1\s*\)|@import\s+(["'])([^"']*)\3""", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def css_urls(text: str, first_line: int = 1) -> Iterator[tuple[str, int]]:
    # Comments become blank lines, so that later line numbers stay right.
    text = _CSS_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    for match in _CSS_URL.finditer(text):
        yield match.group(2) or match.group(4) or "", _line(text, match.start(), first_line)


# --- scripts ------------------------------------------------------------------------------

_STRING = re.compile(r"""(["'`])((?:\\.|(?!\1)[^\\\n])*)\1""")
_API = re.compile(r"\b(?:LMSInitialize|API_1484_11)\b")
_LOCAL_PATH = re.compile(r"^(?:\./|\.\./)*[\w\-./\\%]+\.(?:m?js|css|html?)(?:[?#][^\s]*)?$", re.I)
_PLUGIN_PATH = re.compile(
    r"^[\w\-./\\%:]*\.(?:" + "|".join(s[1:] for s in PLUGIN_SUFFIXES) + r")(?:[?#]\S*)?$", re.I
)
_URL_WITH_HOST = re.compile(
    r"^(?:https?:)?//[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+(?::\d+)?(?:[/?#]|$)"
)
_MARKUP_URL = re.compile(r"""\b(?:src|href|data)\s*=\s*\\?["']?((?:https?:)?//[^"'\\\s>]+)""", re.I)
# Hosts whose URLs in scripts are XML namespaces and identifiers, never loaded.
_NAMESPACE_HOSTS = {
    "www.w3.org", "w3.org", "purl.org", "ns.adobe.com", "schemas.xmlsoap.org",
    "schemas.microsoft.com", "www.idpf.org", "xmlns.com", "www.imsglobal.org",
    "www.imsproject.org", "www.adlnet.org", "ltsc.ieee.org",
}  # fmt: skip


def _loadable_url(url: str) -> bool:
    if not _URL_WITH_HOST.match(url):
        return False
    host = (urlsplit(url if ":" in url.split("/")[0] else "http:" + url).hostname or "").lower()
    return host not in _NAMESPACE_HOSTS


def add_script(facts: FileFacts, text: str, first_line: int) -> None:
    facts.finds_api = facts.finds_api or bool(_API.search(text))
    for match in _STRING.finditer(text):
        value = match.group(2).strip()
        if not value or len(value) > 2000:
            continue
        line = _line(text, match.start(), first_line)
        if _loadable_url(value):
            facts.script_urls.append((value, line))
        elif _PLUGIN_PATH.match(value) and not is_external(value):
            facts.plugins.append((value, line))
        elif _LOCAL_PATH.match(value):
            facts.script_paths.append((value, line))
        else:
            # Markup built in a string: '<img src="http://…">'.
            facts.script_urls += [
                (url, line) for url in _MARKUP_URL.findall(value) if _loadable_url(url)
            ]


# --- pages --------------------------------------------------------------------------------

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
    "image": ("href",),
    "use": ("href",),
    "feimage": ("href",),
}
_LOADING_RELS = {
    "stylesheet", "icon", "shortcut", "apple-touch-icon", "mask-icon", "manifest",
    "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch",
}  # fmt: skip
_SCRIPT_TYPES = ("", "module", "text/javascript", "application/javascript", "text/ecmascript")
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\"\s;]+)", re.I)
_TREE = html5lib.treebuilders.getTreeBuilder("etree")


def parse_html(data: bytes) -> tuple[ET.Element, dict[ET.Element, int]]:
    """The document as a browser builds it, and the line where each element's start tag
    ends (as libxml2 reports it, so messages point at the tag)."""
    lines: dict[ET.Element, int] = {}
    parser: Any = None

    class Element(_TREE.elementClass):  # type: ignore[misc, name-defined]
        def __init__(self, name: str, namespace: str | None = None) -> None:
            super().__init__(name, namespace)
            lines[self._element] = parser.tokenizer.stream.position()[0]

    class TreeBuilder(_TREE):  # type: ignore[misc, valid-type]
        elementClass = Element

    parser = html5lib.HTMLParser(tree=TreeBuilder, namespaceHTMLElements=False)
    # Scripting on, as in a browser: <noscript> holds text, not elements.
    document = parser.parse(data, scripting=True)
    return document, lines


def local_name(element: ET.Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _attribute(element: ET.Element, wanted: str) -> str | None:
    for key, value in element.attrib.items():
        if key.rsplit("}", 1)[-1].lower() == wanted:
            return str(value)
    return None


def html_facts(data: bytes) -> FileFacts:
    document, lines = parse_html(data)
    facts = FileFacts()
    for element in document.iter():
        tag = local_name(element)
        if not tag:
            continue  # a comment: commented-out markup loads nothing
        line = lines.get(element, 1)

        def load(url: str | None, kind: Kind = "load", at: int = line) -> None:
            if url is not None and url.strip():
                facts.references.append(Reference(url.strip(), at, kind))

        attributes = list(_LOADING_ATTRIBUTES.get(tag, ()))
        rels = set((_attribute(element, "rel") or "").lower().split())
        if tag == "link" and _LOADING_RELS & rels:
            attributes.append("href")
        for attribute in attributes:
            value = _attribute(element, attribute)
            if value is None:
                continue
            if attribute == "srcset":
                for candidate in value.split(","):
                    load((candidate.split() or [""])[0])
            else:
                load(value)
        if tag in ("a", "area"):
            load(_attribute(element, "href"), "anchor")
        if tag == "meta" and (_attribute(element, "http-equiv") or "").lower() == "refresh":
            match = _REFRESH_URL.search(_attribute(element, "content") or "")
            load(match.group(1) if match else None, "anchor")
        _plugins(facts, element, tag, line)
        style = _attribute(element, "style")
        if style:
            facts.references += [Reference(u, n, "load") for u, n in css_urls(style, line)]
        if tag == "style":
            text = "".join(element.itertext())
            facts.references += [Reference(u, n, "load") for u, n in css_urls(text, line)]
        if tag == "script" and _attribute(element, "src") is None:
            kind = (_attribute(element, "type") or "").strip().lower()
            # JSON data blocks and templates hold URLs that are text, not loads.
            if kind in _SCRIPT_TYPES:
                add_script(facts, element.text or "", line)
        for attribute, value in element.attrib.items():
            if attribute.lower().startswith("on") and value:
                add_script(facts, str(value), line)
    return facts


def _plugins(facts: FileFacts, element: ET.Element, tag: str, line: int) -> None:
    if tag == "applet":
        facts.plugins.append((_attribute(element, "code") or "<applet>", line))
    if tag in ("embed", "object"):
        kind = (_attribute(element, "type") or "").lower()
        target = _attribute(element, "src" if tag == "embed" else "data") or ""
        if "flash" in kind or "silverlight" in kind or _is_plugin_file(target):
            facts.plugins.append((target or kind, line))
    if tag == "param" and (_attribute(element, "name") or "").lower() in ("movie", "src", "source"):
        value = _attribute(element, "value") or ""
        if _is_plugin_file(value):
            facts.plugins.append((value, line))


def _is_plugin_file(url: str) -> bool:
    path = urlsplit(url.strip()).path.lower()
    return posixpath.splitext(path)[1] in PLUGIN_SUFFIXES


def sco_data(data: bytes) -> Any:
    """The JSON of the page's `<script type="application/json" id="sco-data">` (what our
    run-time reads), or None. Its shape belongs to the run-time: callers read it defensively."""
    import json

    document, _ = parse_html(data)
    for element in document.iter():
        if local_name(element) == "script" and _attribute(element, "id") == "sco-data":
            try:
                return json.loads(element.text or "")
            except ValueError:
                return None
    return None
