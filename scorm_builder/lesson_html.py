"""What a lesson's HTML may hold, and the changes the builder makes to it.

One allowlist (tags, attributes, URL schemes, style properties) judges both the elements
Python-Markdown built and the raw HTML authors wrote. Raw HTML is parsed with html5lib, the
HTML5 algorithm browsers use, so the tree judged is the tree the learner's browser builds (a
`<style>` inside `<svg>` is an element there, not text); it then goes through nh3 (Ammonia)
with the same allowlist. Anything either would remove is an author error at its line, never a
silent change. Local files are collected (`lesson_media`), links to web sites open in a new
window, and tables scroll in their own box.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import nh3

from scorm_builder.i18n import N_, _
from scorm_builder.lesson_media import MediaFiles

# The tags a lesson may use: text, tables, lists, pictures, audio and video. No scripts,
# styles, forms, frames of pages, foreign content (svg, math) or raw-text elements.
TAGS = frozenset(
    "a abbr audio b bdi bdo blockquote br caption cite code col colgroup dd del details dfn "
    "div dl dt em figcaption figure h1 h2 h3 h4 h5 h6 hr i iframe img ins kbd li mark object ol "
    "p pre q rp rt ruby s samp small source span strong sub summary sup table tbody td tfoot th "
    "thead time tr track u ul var video wbr".split()
)
VOID_TAGS = frozenset({"br", "col", "hr", "img", "source", "track", "wbr"})
GLOBAL_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir", "style", "role"})
ATTRIBUTES: dict[str, frozenset[str]] = {
    tag: frozenset(names.split())
    for tag, names in {
        "a": "href target rel",
        "img": "src alt width height loading",
        "video": "src poster controls width height loop muted preload playsinline",
        "audio": "src controls loop muted preload",
        "source": "src type",
        "track": "src kind srclang label default",
        "iframe": "src width height allowfullscreen loading",
        "object": "data type width height",
        "table": "border cellpadding cellspacing width",
        "td": "colspan rowspan headers align valign width",
        "th": "colspan rowspan headers scope align valign width",
        "col": "span width",
        "colgroup": "span width",
        "ol": "start reversed type",
        "li": "value",
        "time": "datetime",
        "details": "open",
        "q": "cite",
        "blockquote": "cite",
        "del": "cite datetime",
        "ins": "cite datetime",
    }.items()
}
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
URL_ATTRIBUTES = frozenset({"href", "src", "data", "poster", "cite", "action", "formaction"})
# Which kind of file each attribute may name (see lesson_media.USES).
MEDIA_ATTRIBUTES: dict[tuple[str, str], str] = {
    ("img", "src"): "image",
    ("video", "src"): "video",
    ("video", "poster"): "poster",
    ("audio", "src"): "audio",
    ("source", "src"): "video",  # audio or video: the parent decides in the browser
    ("track", "src"): "track",
    ("iframe", "src"): "frame",
    ("object", "data"): "frame",
}
STYLE_PROPERTIES = frozenset(
    "color background-color font-weight font-style font-size text-decoration text-align "
    "vertical-align white-space border border-color border-style border-width border-collapse "
    "margin margin-top margin-bottom margin-left margin-right padding padding-top "
    "padding-bottom padding-left padding-right width max-width height list-style-type".split()
)
# Ids the page template uses (and "fn:"/"fnref:", the footnotes'): a second element with one
# of them breaks the page's links and its screen-reader labels.
TEMPLATE_IDS = re.compile(r"main|sco-data|page-\d+(-title)?|hint-.*|fn(ref)?\d*:.*")
# In a style value these load a file or run code (old browsers); a backslash can spell them.
STYLE_LOADS = re.compile(r"url\(|image-set\(|image\(|expression\(|@import|\\|javascript:", re.I)
# Browsers ignore these inside a URL's scheme, so "java\tscript:" still runs.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]")

_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags={"script", "style"},
    # The builder's own additions to what authors may write: the table wrapper's attributes.
    attributes={
        "*": set(GLOBAL_ATTRIBUTES | {"tabindex", "aria-label"}),
        **{tag: set(names) for tag, names in ATTRIBUTES.items()},
    },
    generic_attribute_prefixes={"aria-"},
    url_schemes=set(LINK_SCHEMES),
    strip_comments=True,
    link_rel=None,
    filter_style_properties=set(STYLE_PROPERTIES),
)

SPECIFIC: dict[str, tuple[str, str, str]] = {
    # tag: (rule, message, fix)
    "script": (
        "lesson-script",
        N_("<script> is not allowed"),
        N_("remove the <script> element; lessons cannot run their own code"),
    ),
    "style": (
        "lesson-style",
        N_("<style> is not allowed: the course's own styles apply to every page"),
        N_(
            "remove the <style> element; for one word in colour write "
            '<span style="color: #c00">…</span>'
        ),
    ),
    "link": (
        "lesson-link-element",
        N_("<link> is not allowed: it loads a style sheet or another page into the lesson"),
        N_("remove the <link> element; link to a file with [資料](file.pdf)"),
    ),
    "base": (
        "lesson-base",
        N_(
            "<base> is not allowed: it changes where every link of the page points, and the "
            "course's own files stop loading"
        ),
        N_("remove the <base> element and write each link in full"),
    ),
    "meta": (
        "lesson-meta",
        N_("<meta> is not allowed: it can reload the page or send it elsewhere"),
        N_("remove the <meta> element"),
    ),
    "form": (
        "lesson-form",
        N_(
            "a form (<form>, <input>, <button>, <select>, <textarea>) is not allowed: it could "
            "send what learners type outside the course"
        ),
        N_("remove the form; questions belong in the quiz file (<lesson>.quiz.toml)"),
    ),
    "svg": (
        "lesson-inline-svg",
        N_(
            "<svg> and <math> written into the lesson are not allowed: browsers read them by "
            "other rules, which can run code"
        ),
        N_(
            "save the drawing as an .svg or .png file beside the lesson and show it with "
            "![説明](drawing.svg)"
        ),
    ),
    "embed": (
        "lesson-embed",
        N_("<embed> and <frame> are not allowed"),
        N_('show the file with <iframe src="file.pdf"> or link to it: [資料](file.pdf)'),
    ),
}
for _alias, _same in (
    ("input", "form"), ("button", "form"), ("select", "form"), ("textarea", "form"),
    ("math", "svg"), ("frame", "embed"), ("frameset", "embed"), ("applet", "embed"),
):  # fmt: skip
    SPECIFIC[_alias] = SPECIFIC[_same]


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    fix: str
    needle: str  # text to look for in the source, to give the line
    severity: str = "error"


@dataclass
class HtmlRules:
    """Judges and adjusts the HTML of one lesson; collects its media and what is wrong."""

    media_files: MediaFiles
    table_label: str
    media: dict[str, Path] = field(default_factory=dict)  # `media/<name>` -> source file
    findings: list[Finding] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)

    def tree(self, root: etree.Element) -> None:
        """Judge and adjust a tree of elements (Markdown's, or a parsed raw fragment)."""
        for element in list(_walk(root)):
            self.element(element)

    def element(self, element: etree.Element) -> bool:
        """Judge one element, adjust it; False if it may not be shipped at all."""
        tag = _name(element)
        if tag not in TAGS:
            self._refuse_tag(element, tag)
            return False
        for name, value in element.items():
            self._attribute(element, tag, name, value)
        if element.get("id") is not None:
            self._id(element.get("id", ""), own=_is_footnote(element))
        if tag == "img" and not element.get("alt", "").strip():
            self.findings.append(
                Finding(
                    "lesson-image-alt",
                    _("the image '{src}' has no alt text").format(src=element.get("src", "")),
                    _(
                        "describe the image in the brackets, for screen readers: "
                        "![手洗いの手順](file.png)"
                    ),
                    element.get("src", "") or "<img",
                    "warning",
                )
            )
        for (media_tag, attribute), use in MEDIA_ATTRIBUTES.items():
            if tag == media_tag and element.get(attribute):
                self._local_file(element, attribute, use)
        if tag == "a" and element.get("href"):
            self._link(element)
        return True

    def wrap_tables(self, root: etree.Element) -> None:
        """Wide tables scroll sideways in their own keyboard-reachable box, not the page."""
        for parent in list(_walk(root)):
            for index, child in enumerate(list(parent)):
                if _name(child) == "table":
                    wrapper = etree.Element(
                        "div",
                        {
                            "class": "table-scroll",
                            "tabindex": "0",
                            "role": "region",
                            "aria-label": self.table_label,
                        },
                    )
                    wrapper.tail, child.tail = child.tail, None
                    parent.remove(child)
                    wrapper.append(child)
                    parent.insert(index, wrapper)

    def _refuse_tag(self, element: etree.Element, tag: str) -> None:
        if tag in SPECIFIC:
            rule, message, fix = SPECIFIC[tag]
            message, fix = _(message), _(fix)
        else:
            rule = "lesson-tag"
            message = _("the tag <{tag}> is not allowed in a lesson").format(tag=tag)
            fix = _("remove <{tag}>; the tags a lesson may use are listed in the README").format(
                tag=tag
            )
        if tag == "style":
            loads = re.search(
                r"""(?:url\(|@import)\s*['"]?\s*((?:https?:)?//[^'")\s;]+)""",
                "".join(element.itertext()),
                re.I,
            )
            if loads:
                message = _(
                    "<style> loads '{url}' from outside the course, which hospital networks block"
                ).format(url=loads.group(1))
        if tag == "link" and _is_external(element.get("href", "")):
            message = _(
                "<link> loads '{url}' from outside the course, which hospital networks block"
            ).format(url=element.get("href"))
        self.findings.append(Finding(rule, message, fix, f"<{tag}"))

    def _attribute(self, element: etree.Element, tag: str, name: str, value: str) -> None:
        lowered = name.lower()
        if lowered.startswith("on") or lowered == "srcdoc":
            self.findings.append(
                Finding(
                    "lesson-event-handler",
                    _("the attribute {name}= runs code").format(name=name),
                    _('remove {name}="…" from the <{tag}> element').format(name=name, tag=tag),
                    name,
                )
            )
        elif lowered in URL_ATTRIBUTES and _runs_code(value):
            self.findings.append(
                Finding(
                    "lesson-javascript-url",
                    _("a {scheme}: link runs code").format(scheme=_scheme(value)),
                    _("link to a page or a file instead"),
                    "script:",  # Markdown turns tabs into spaces: the value may differ
                )
            )
        elif lowered in URL_ATTRIBUTES and _scheme(value) == "data":
            self.findings.append(
                Finding(
                    "lesson-data-url",
                    _("a data: address (a file written into the page) is not allowed"),
                    _("save the content as a file beside the lesson and use its name"),
                    "data:",
                )
            )
        elif lowered == "srcset":
            # Each candidate would have to be collected; one image that fits is enough here.
            self.findings.append(
                Finding(
                    "lesson-srcset",
                    _("srcset (several sizes of one image) is not supported"),
                    _("remove srcset and keep one image in src; it is scaled to fit the screen"),
                    "srcset",
                )
            )
        elif lowered == "style":
            self._style(tag, value)
        elif lowered == "target" and value != "_blank":
            self.findings.append(
                Finding(
                    "lesson-attribute",
                    _('target="{value}" would open the link over the course').format(value=value),
                    _('remove target="…": links to web sites open in a new window by themselves'),
                    "target",
                )
            )
        elif not (
            lowered in GLOBAL_ATTRIBUTES
            or lowered in ATTRIBUTES.get(tag, ())
            or lowered.startswith("aria-")
        ):
            self.findings.append(
                Finding(
                    "lesson-attribute",
                    _("the attribute {name}= is not allowed on <{tag}>").format(name=name, tag=tag),
                    _(
                        'remove {name}="…"; the attributes a lesson may use are listed in the '
                        "README"
                    ).format(name=name),
                    name,
                )
            )
        elif lowered in ("href", "cite") and _scheme(value) not in ("", *LINK_SCHEMES):
            self.findings.append(
                Finding(
                    "lesson-url-scheme",
                    _("the address '{url}' is not a web, mail or telephone address").format(
                        url=value[:60]
                    ),
                    _("link to a web page (https://…) or to a file beside the lesson"),
                    value[:40],
                )
            )

    def _id(self, value: str, *, own: bool) -> None:
        """Ids are unique in the one page a lesson becomes, and leave the template's alone."""
        if value in self.ids or (not own and TEMPLATE_IDS.fullmatch(value)):
            self.findings.append(
                Finding(
                    "lesson-id",
                    (
                        _("the id '{id}' is used twice in the lesson's page")
                        if value in self.ids
                        else _("the id '{id}' is the page's own")
                    ).format(id=value),
                    _("give the element another id (or none)"),
                    value,
                )
            )
        self.ids.add(value)

    def _style(self, tag: str, value: str) -> None:
        loads = STYLE_LOADS.search(value)
        if loads:
            external = re.search(r"(?:https?:)?//[^'\")\s;]+", value)
            what = (
                _("loads '{url}' from outside the course, which hospital networks block").format(
                    url=external.group()
                )
                if external
                else _("uses '{code}', which runs code").format(code=loads.group())
                if loads.group().lower() in ("expression(", "javascript:")
                else _("uses '{code}', which can load files").format(code=loads.group())
            )
            self.findings.append(
                Finding(
                    "lesson-style-load",
                    _("the style= of <{tag}> {what}").format(tag=tag, what=what),
                    _(
                        "keep only colours, sizes and alignment in style=; show pictures with "
                        "![説明](file.png)"
                    ),
                    loads.group().rstrip("("),
                )
            )
            return
        for declaration in value.split(";"):
            prop = declaration.partition(":")[0].strip().lower()
            if prop and prop not in STYLE_PROPERTIES:
                self.findings.append(
                    Finding(
                        "lesson-style-property",
                        _("the style property '{name}' is not allowed").format(name=prop),
                        _(
                            "keep colours, font weight and size, alignment, borders, margins and "
                            "widths; the list is in the README"
                        ),
                        prop,
                    )
                )

    def _local_file(self, element: etree.Element, attribute: str, use: str) -> None:
        url = element.get(attribute, "")
        if _runs_code(url) or _scheme(url) == "data":
            return  # reported with the attribute
        parts = urlsplit(url)
        if parts.scheme or url.startswith("//"):
            tag = _name(element)
            self.findings.append(
                Finding(
                    "lesson-external-media",
                    _(
                        "<{tag}> loads '{url}' from outside the course, which hospital networks "
                        "block"
                    ).format(tag=tag, url=url),
                    _("download the file, put it beside the lesson and link to it by name"),
                    url,
                )
            )
            return
        name = self._collect(parts.path, url, use)
        if name:
            element.set(attribute, name)

    def _link(self, element: etree.Element) -> None:
        href = element.get("href", "")
        if _runs_code(href) or _scheme(href) == "data":
            return
        parts = urlsplit(href)
        if parts.scheme in ("http", "https") or href.startswith("//"):
            element.set("target", "_blank")
            element.set("rel", "noopener noreferrer")
        elif not parts.scheme and parts.path:
            name = self._collect(parts.path, href, "link")
            if name:
                element.set("href", name + (f"#{parts.fragment}" if parts.fragment else ""))
                element.set("target", "_blank")

    def _collect(self, path: str, url: str, use: str) -> str | None:
        name, source, issues = self.media_files.collect(path, use)
        for issue in issues:
            self.findings.append(Finding(issue.rule, issue.message, issue.fix, url, issue.severity))
        if name is None or source is None:
            return None
        self.media[name] = source
        return name


def sanitise_fragment(markup: str, rules: HtmlRules, *, inline: bool) -> tuple[str, list[Finding]]:
    """Raw HTML as the browser will build it: judged, adjusted, then cleaned by nh3.

    `inline`: a single tag that Markdown cut out of a paragraph (`<b>`, `</b>`): it opens or
    closes an element around Markdown text, so only the tag itself is shipped.
    """
    before = len(rules.findings)
    if inline:
        return _sanitise_tag(markup, rules)
    fragment = _parse_fragment(markup)
    _judge_children(fragment, rules)
    if len(rules.findings) > before:
        return "", rules.findings[before:]
    rules.wrap_tables(fragment)
    serialised = _serialise(fragment)
    cleaned = _CLEANER.clean(serialised)
    if _shape(cleaned) != _shape(serialised):
        return "", [_changed(markup)]
    return cleaned, []


def _sanitise_tag(markup: str, rules: HtmlRules) -> tuple[str, list[Finding]]:
    if markup.startswith("</"):
        name = markup[2:].rstrip("> \t\n").lower()
        return (f"</{name}>" if name in TAGS else ""), []
    tag = _parse_tag(markup)
    if tag is None:
        return "", []  # a comment or a declaration: notes for authors, nothing to show
    if tag == "vanished":
        return "", [_changed(markup)]
    name, attributes = tag
    element = etree.Element(name, dict(attributes))
    before = len(rules.findings)
    rules.element(element)
    if len(rules.findings) > before:
        return "", rules.findings[before:]
    opening = _start_tag(element)
    if not _nh3_keeps(opening, _name(element)):
        return "", [_changed(markup)]
    return opening, []


@functools.lru_cache(maxsize=4096)
def _parse_tag(markup: str) -> tuple[str, tuple[tuple[str, str], ...]] | Literal["vanished"] | None:
    """One tag as the browser reads it (cached: the same `<b>` comes in every lesson)."""
    fragment = _parse_fragment(markup)
    nodes = list(fragment)
    elements = [node for node in nodes if isinstance(node.tag, str)]
    if nodes and not elements and not (fragment.text or "").strip():
        return None
    if len(elements) != 1 or (fragment.text or "").strip() or len(elements[0]):
        return "vanished"  # not one element here (a lone <td>), or more than the tag
    return elements[0].tag, tuple(elements[0].items())


@functools.lru_cache(maxsize=4096)
def _nh3_keeps(opening: str, name: str) -> bool:
    closed = opening + ("" if name in VOID_TAGS else f"</{name}>")
    return _shape(_CLEANER.clean(closed)) == _shape(closed)


def _judge_children(parent: etree.Element, rules: HtmlRules) -> None:
    for child in list(parent):
        if not isinstance(child.tag, str):
            parent.remove(child)  # comments: notes for the authors, not for learners
            continue
        if rules.element(child):
            _judge_children(child, rules)


def _changed(markup: str) -> Finding:
    return Finding(
        "lesson-html-changed",
        _("this HTML would not reach learners as written: {html}").format(html=markup.strip()[:80]),
        _("write it with the tags and attributes listed in the README, each element closed"),
        markup.strip().split("\n")[0][:60],
    )


def _shape(markup: str) -> list[tuple[str, tuple[tuple[str, str], ...], str]]:
    """The tree as the browser builds it, with style values compared property by property."""
    tree = _parse_fragment(markup)
    shape = []
    for element in _walk(tree):
        if not isinstance(element.tag, str):
            continue
        attributes = tuple(
            sorted(
                (name, _normal_style(value) if name == "style" else value)
                for name, value in element.items()
            )
        )
        shape.append((element.tag, attributes, (element.text or "") + "|" + (element.tail or "")))
    return shape


def _normal_style(value: str) -> str:
    declarations = (d.partition(":") for d in value.split(";"))
    return ";".join(f"{p.strip().lower()}:{v.strip()}" for p, _, v in declarations if p.strip())


def _start_tag(element: etree.Element) -> str:
    attributes = "".join(f' {name}="{_escape_attribute(value)}"' for name, value in element.items())
    return f"<{_name(element)}{attributes}>"


def _escape_attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("\u00a0", "&nbsp;")


def _parse_fragment(markup: str) -> etree.Element:
    # html5lib is imported here and in _serialise, not with this module: it brings in
    # http.client, email and ssl, a quarter of a build's start-up, and most lessons hold no HTML.
    import html5lib

    fragment: etree.Element = html5lib.parseFragment(
        markup, treebuilder="etree", namespaceHTMLElements=False
    )
    return fragment


def _serialise(fragment: etree.Element) -> str:
    import html5lib

    text: str = html5lib.serialize(
        fragment, tree="etree", quote_attr_values="always", omit_optional_tags=False
    )
    return text.removeprefix("<DOCUMENT_FRAGMENT>").removesuffix("</DOCUMENT_FRAGMENT>")


def _is_footnote(element: etree.Element) -> bool:
    """A footnote or its reference as the footnotes extension makes them."""
    tag, value = element.tag, element.get("id", "")
    return (tag == "sup" and value.startswith("fnref")) or (tag == "li" and value.startswith("fn:"))


def _walk(root: etree.Element) -> Iterator[etree.Element]:
    return root.iter()


def _name(element: etree.Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rpartition("}")[2].lower()  # foreign elements carry their namespace


def _scheme(url: str) -> str:
    # Markdown ships entities in its attributes as written, and browsers decode them.
    cleaned = _IGNORED_IN_SCHEME.sub("", html.unescape(url))
    return urlsplit(cleaned).scheme.lower() if ":" in cleaned.split("/")[0] else ""


def _runs_code(url: str) -> bool:
    return _scheme(url) in ("javascript", "vbscript")


def _is_external(url: str) -> bool:
    return bool(urlsplit(url).scheme) or url.startswith("//")
