"""What one page, style or script refers to: the facts the content rules judge.

Pages are parsed with html5lib, the HTML5 parsing algorithm browsers use (and the build),
so nesting depth, `<svg><style>` or `<noscript>` hide nothing and invent nothing.
Styles are scanned for `url()` and `@import`. Scripts are scanned for their string
literals: a path to a `.js` file is how loaders (Captivate, Adapt) bring in the SCORM
wrapper, an absolute URL is something the script may load, markup with `src=` in a string
is an element the script may build.
"""

from __future__ import annotations

import bisect
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from scorm_builder.i18n import _

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


class Lines:
    """Line numbers of offsets in a text, without counting from the start each time (a
    script with 100,000 strings would otherwise cost 100,000 passes over it)."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.breaks = [match.start() for match in re.finditer("\n", text)]
        self.first_line = first_line

    def at(self, offset: int) -> int:
        return self.first_line + bisect.bisect_left(self.breaks, offset)


# --- styles -------------------------------------------------------------------------------

# Each part stops at the first character that cannot belong to it, so that no input makes
# the scan go back over the text (an unclosed `url(` or comment on every line).
_CSS_URL = re.compile(
    r"""url\(\s*(?:"([^"\n]*)"|'([^'\n]*)'|([^"'()\s]*))\s*\)|@import\s+(["'])([^"'\n]*)\4""",
    re.I,
)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.S)


def css_urls(text: str, first_line: int = 1) -> Iterator[tuple[str, int]]:
    # Comments become blank lines, so that later line numbers stay right.
    text = _CSS_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    lines = Lines(text, first_line)
    for match in _CSS_URL.finditer(text):
        url = next((group for group in match.group(1, 2, 3, 5) if group is not None), "")
        yield url, lines.at(match.start())


# --- scripts ------------------------------------------------------------------------------

_STRING = re.compile(r"""(["'`])((?:\\.|(?!\1)[^\\\n])*)\1""")
_API = re.compile(r"\b(?:LMSInitialize|API_1484_11)\b")
_LOCAL_PATH = re.compile(r"^[\w\-./\\%]+\.(?:m?js|css|html?)(?:[?#]\S*)?$", re.I)
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
    lines = Lines(text, first_line)
    for match in _STRING.finditer(text):
        value = match.group(2).strip()
        if not value or len(value) > 2000:
            continue
        line = lines.at(match.start())
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


class TooCostly(Exception):
    """A page whose parse would take minutes: it is named, not inspected."""


def parse_html(data: bytes) -> tuple[ET.Element, dict[ET.Element, int]]:
    """The document as a browser builds it, and the line where each element's start tag
    ends (as libxml2 reports it, so messages point at the tag)."""
    # Imported here, not with the module: the build checks pages only when an author's
    # files include one, and html5lib (with the http and email modules it brings in) is a
    # quarter of the build's start-up.
    import html5lib

    tree: Any = html5lib.treebuilders.getTreeBuilder("etree")
    lines: dict[ET.Element, int] = {}
    parser: Any = None

    class Element(tree.elementClass):  # type: ignore[misc]
        def __init__(self, name: str, namespace: str | None = None) -> None:
            super().__init__(name, namespace)
            lines[self._element] = parser.tokenizer.stream.position()[0]
            # Misnested formatting tags make the tree builder clone elements again and
            # again; a page that needs this many is hostile, not a course.
            if len(lines) > MAX_ELEMENTS:
                message = _("makes the HTML5 parser build over {limit} elements")
                raise TooCostly(message.format(limit=f"{MAX_ELEMENTS:,}"))

    class TreeBuilder(tree):  # type: ignore[misc]
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


@dataclass(frozen=True)
class Tag:
    """One element as the rules see it: its local name, attributes (local names,
    lowercase), the line of its start tag, and its text for <script> and <style>."""

    name: str
    attributes: Mapping[str, str]
    line: int
    text: str = ""


def html_facts(data: bytes) -> FileFacts:
    """Raises TooCostly for a page the HTML5 parser would take minutes on."""
    cost = _attribute_cost(data)
    if cost > MAX_ATTRIBUTE_COST:
        message = _("holds tags with tens of thousands of attributes (cost {cost})")
        raise TooCostly(message.format(cost=f"{cost:,}"))
    if _nesting_estimate(data) > MAX_TREE_DEPTH:
        return tag_facts(scanned_tags(data))
    return tag_facts(tree_tags(data))


# html5lib's tokenizer compares each attribute with the tag's earlier ones (to report
# duplicates): a tag with 100,000 attributes takes minutes. The sum over tags of the
# squared attribute counts bounds that work; real pages stay under a few thousand.
MAX_ATTRIBUTE_COST = 4_000_000
_TAG_BODY = re.compile(rb"<[a-zA-Z][^>]*")
_ATTRIBUTE_LIKE = re.compile(rb"[\s/]+[^\s/>\"'=]")


def _attribute_cost(data: bytes) -> int:
    return sum(len(_ATTRIBUTE_LIKE.findall(tag.group())) ** 2 for tag in _TAG_BODY.finditer(data))


# Building the tree costs time in proportion to the depth for every element (the HTML5
# algorithm looks through the open elements), so a page 200,000 <div>s deep would take
# hours. Past this depth (no real page comes near), the page is read by the same tokenizer
# without the tree: every tag is still seen, none is hidden.
MAX_TREE_DEPTH = 1000
MAX_ELEMENTS = 400_000
_TAG = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^<>]*?(/?)>")
_NO_NESTING = {
    b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta",
    b"param", b"source", b"track", b"wbr", b"p", b"li", b"dt", b"dd", b"td", b"th", b"tr",
    b"option", b"rb", b"rt", b"rp",
}  # fmt: skip


def _nesting_estimate(data: bytes) -> int:
    depth = deepest = 0
    for match in _TAG.finditer(data):
        if match.group(2).lower() in _NO_NESTING or match.group(3):
            continue
        depth = max(depth - 1, 0) if match.group(1) else depth + 1
        deepest = max(deepest, depth)
    return deepest


def parse_if_cheap(data: bytes) -> ET.Element | None:
    """The document's tree, or None for a page the HTML5 tree would take minutes on."""
    if _attribute_cost(data) > MAX_ATTRIBUTE_COST or _nesting_estimate(data) > MAX_TREE_DEPTH:
        return None
    try:
        return parse_html(data)[0]
    except TooCostly:
        return None


def tree_tags(data: bytes) -> Iterator[Tag]:
    document, lines = parse_html(data)
    for element in document.iter():
        name = local_name(element)
        if not name:
            continue  # a comment: commented-out markup loads nothing
        attributes = {key.rsplit("}", 1)[-1].lower(): str(v) for key, v in element.attrib.items()}
        text = "".join(element.itertext()) if name in ("script", "style") else ""
        yield Tag(name, attributes, lines.get(element, 1), text)


_RAW_TEXT = {"script": "scriptDataState", "style": "rawtextState", "xmp": "rawtextState",
             "iframe": "rawtextState", "noembed": "rawtextState", "noframes": "rawtextState",
             "noscript": "rawtextState", "textarea": "rcdataState", "title": "rcdataState",
             "plaintext": "plaintextState"}  # fmt: skip


def scanned_tags(data: bytes) -> Iterator[Tag]:
    """The start tags as html5lib's tokenizer reads them, switching to raw text after
    <script>, <style> and the like as the tree builder would."""
    from html5lib._tokenizer import HTMLTokenizer
    from html5lib.constants import tokenTypes

    tokenizer = HTMLTokenizer(data)
    pending: Tag | None = None
    text: list[str] = []
    for token in tokenizer:
        kind = token["type"]
        if kind == tokenTypes["StartTag"]:
            name = str(token["name"]).lower()
            raw: Any = token["data"]
            pairs: Iterable[tuple[Any, Any]] = raw.items() if isinstance(raw, dict) else raw
            attributes = {str(k).rsplit(":", 1)[-1].lower(): str(v) for k, v in pairs}
            tag = Tag(name, attributes, tokenizer.stream.position()[0])
            if name in _RAW_TEXT and not token.get("selfClosing"):
                tokenizer.state = getattr(tokenizer, _RAW_TEXT[name])
                pending, text = tag, []
            else:
                yield tag
        elif kind in (tokenTypes["Characters"], tokenTypes["SpaceCharacters"]) and pending:
            text.append(str(token["data"]))
        elif kind == tokenTypes["EndTag"] and pending is not None:
            yield Tag(pending.name, pending.attributes, pending.line, "".join(text))
            pending = None
    if pending is not None:
        yield Tag(pending.name, pending.attributes, pending.line, "".join(text))


def tag_facts(tags: Iterable[Tag]) -> FileFacts:
    facts = FileFacts()
    for tag in tags:
        name, get, line = tag.name, tag.attributes.get, tag.line

        def load(url: str | None, kind: Kind = "load", at: int = line) -> None:
            if url is not None and url.strip():
                facts.references.append(Reference(url.strip(), at, kind))

        attributes = list(_LOADING_ATTRIBUTES.get(name, ()))
        if name == "link" and _LOADING_RELS & set((get("rel") or "").lower().split()):
            attributes.append("href")
        for attribute in attributes:
            value = get(attribute)
            if value is not None and attribute == "srcset":
                for candidate in value.split(","):
                    load((candidate.split() or [""])[0])
            else:
                load(value)
        if name in ("a", "area"):
            load(get("href"), "anchor")
        if name == "meta" and (get("http-equiv") or "").lower() == "refresh":
            match = _REFRESH_URL.search(get("content") or "")
            load(match.group(1) if match else None, "anchor")
        _plugins(facts, tag)
        style = get("style")
        if style:
            facts.references += [Reference(u, n, "load") for u, n in css_urls(style, line)]
        if name == "style":
            facts.references += [Reference(u, n, "load") for u, n in css_urls(tag.text, line)]
        # JSON data blocks and templates hold URLs that are text, not loads.
        if name == "script" and get("src") is None:
            if (get("type") or "").strip().lower() in _SCRIPT_TYPES:
                add_script(facts, tag.text, line)
        for attribute, value in tag.attributes.items():
            if attribute.startswith("on") and value:
                add_script(facts, value, line)
    return facts


def _plugins(facts: FileFacts, tag: Tag) -> None:
    get, line = tag.attributes.get, tag.line
    if tag.name == "applet":
        facts.plugins.append((get("code") or "<applet>", line))
    if tag.name in ("embed", "object"):
        kind = (get("type") or "").lower()
        target = get("src" if tag.name == "embed" else "data") or ""
        if "flash" in kind or "silverlight" in kind or _is_plugin_file(target):
            facts.plugins.append((target or kind, line))
    if tag.name == "param" and (get("name") or "").lower() in ("movie", "src", "source"):
        value = get("value") or ""
        if _is_plugin_file(value):
            facts.plugins.append((value, line))


def _is_plugin_file(url: str) -> bool:
    path = urlsplit(url.strip()).path.lower()
    return posixpath.splitext(path)[1] in PLUGIN_SUFFIXES


def sco_data(data: bytes) -> Any:
    """The JSON of the page's `<script type="application/json" id="sco-data">` (what our
    run-time reads), or None. Its shape belongs to the run-time: callers read it defensively."""
    import json

    document = parse_if_cheap(data)
    for element in [] if document is None else document.iter():
        if local_name(element) == "script" and _attribute(element, "id") == "sco-data":
            try:
                return json.loads(element.text or "")
            except ValueError:
                return None
    return None
