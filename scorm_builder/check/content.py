"""Rules on what the launch pages really load, judged by following them.

A hospital network often blocks the internet from the wards: a course that loads a font,
a script or an image from a CDN breaks there, while working fine on the author's laptop.
But packages ship much that never runs (vendor players, themes, a library's demo page), so
only what the launch pages reach is judged as launched content: starting from each launch
page, follow `<script src>`, `<link href>`, CSS `url()`/`@import`, images, media, frames,
objects, links to local pages and the `.js` paths that scripts name (loaders).

- markup and styles on that path that load from outside: error (they do load);
- absolute URLs in scripts on that path: warning (loaded only if that code runs);
- local references to files that are not there (or differ in case): error (a 404);
- a backslash in a local reference: warning (browsers read it as '/', some players not);
- plug-in content (Flash...): error, no current browser runs it;
- a SCO whose launch path never reaches code that finds the SCORM API: warning;
- pages, styles and scripts that nothing reaches: one info line.
"""

from __future__ import annotations

import posixpath
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from scorm_builder.i18n import _
from scorm_builder.problems import Problem

from .manifest import CASE_TWIN, Manifest, external_hrefs
from .pages import CSS, HTML, JS, PLUGIN_SUFFIXES, Reference, TooCostly, facts_of_file
from .pages import FileFacts as Facts
from .paths import MANIFEST, first_few, has_scheme, is_external, resolve
from .severity import INFO

_TEMPLATE_MARKERS = ("{{", "${", "<%", "[[")


@dataclass(frozen=True)
class Package:
    """What the content rules see: the facts of every file kept as text, the names of all
    files, and the files the builder vouched for (not parsed)."""

    facts: Mapping[str, Facts]
    names: frozenset[str]
    generated: frozenset[str]
    listed: frozenset[str]  # named by a <file> of the manifest (missing ones it reports)
    by_basename: Mapping[str, tuple[str, ...]]  # file name -> the names ending in it
    not_inspected: tuple[Problem, ...] = ()  # pages too costly to parse

    def folder(self, name: str) -> str:
        return posixpath.dirname(name)


def package_of(
    files: Mapping[str, bytes],
    names: frozenset[str],
    generated: frozenset[str],
    manifest: Manifest | None,
) -> Package:
    facts: dict[str, Facts] = {}
    costly = []
    for name in files:
        if name in generated or name == MANIFEST:
            continue  # not even read: the builder's pages are kept compressed until zipped
        try:
            found = facts_of_file(name, files[name])
        except TooCostly as reason:
            costly.append(
                Problem(
                    "content-not-inspected",
                    "warning",
                    name,
                    _("{reason}: it was not inspected for external loads or missing files").format(
                        reason=reason
                    ),
                    _("look at it by hand; no authoring tool writes such a page"),
                )
            )
            continue
        if found is not None:
            facts[name] = found
    listed: set[str] = set()
    if manifest is not None:
        for resource in manifest.resources.values():
            listed |= {r.name for r in [resource.launch, *resource.files] if r and r.name}
    by_basename: dict[str, list[str]] = {}
    for name in sorted(names):
        by_basename.setdefault(posixpath.basename(name), []).append(name)
    index = {base: tuple(found) for base, found in by_basename.items()}
    return Package(facts, names, generated, frozenset(listed), index, tuple(costly))


def _is_local(url: str) -> bool:
    stripped = url.strip()
    return not (
        not stripped
        or stripped.startswith("#")
        or is_external(stripped)
        or has_scheme(stripped)
        or any(marker in stripped for marker in _TEMPLATE_MARKERS)
    )


def _script_targets(package: Package, path: str, script: str, page_folder: str) -> list[str]:
    """Where a path named in a script may point: scripts load relative to the page, some
    loaders relative to themselves; failing both, the one file whose name ends so."""
    candidates = [resolve(page_folder, path), resolve(package.folder(script), path)]
    found = [c for c in candidates if c in package.names]
    if found:
        return found[:1]
    tail = "/" + (resolve("", path) or path).lstrip("./")
    same_name = package.by_basename.get(posixpath.basename(tail), ())
    ends = [name for name in same_name if ("/" + name).endswith(tail)]
    return ends if len(ends) == 1 else []


def reach(package: Package, starts: list[str]) -> set[str]:
    """Every file reachable from the start pages."""
    queue = deque((start, package.folder(start)) for start in starts if start in package.names)
    seen: set[tuple[str, str]] = set(queue)
    reached = {start for start, _ in queue}
    while queue:
        name, page_folder = queue.popleft()
        if name in package.generated:
            # The builder vouched for its pages and did not have them parsed: they may
            # reach any file, so every file counts as reached.
            return set(package.names)
        facts = package.facts.get(name)
        if facts is None:
            continue
        own_folder = package.folder(name)
        is_page = name.lower().endswith(HTML)
        next_folder = own_folder if is_page else page_folder
        targets = [resolve(own_folder, ref.url) for ref in facts.references if _is_local(ref.url)]
        for path, _line in facts.script_paths:
            targets += _script_targets(package, path, name, page_folder)
        for target in targets:
            if target is None or target not in package.names:
                continue
            folder = package.folder(target) if target.lower().endswith(HTML) else next_folder
            if (target, folder) not in seen and len(seen) < 100_000:
                seen.add((target, folder))
                reached.add(target)
                queue.append((target, folder))
    return reached


def launch_pages(manifest: Manifest) -> list[str]:
    return [r.launch.name for r in manifest.launched() if r.launch and r.launch.name]


# --- rules --------------------------------------------------------------------------------


def check_content(package: Package, manifest: Manifest | None) -> list[Problem]:
    if manifest is None:
        return list(package.not_inspected)
    starts = [_as_fixed(package, name) for name in launch_pages(manifest)]
    reached = reach(package, starts)
    problems = [_manifest_external(href, line) for href, line in external_hrefs(manifest)]
    # A manifest launching the movie itself (no page around it).
    problems += [_plugin_problem(MANIFEST, [(name, 0)]) for name in starts if _is_plugin(name)]
    for name in sorted(reached):
        facts = package.facts.get(name)
        if facts is not None:
            problems += _judge(package, name, facts)
    problems += check_scorm_api(package, manifest) + _unreached(package, reached)
    return [*package.not_inspected, *problems]


def _as_fixed(package: Package, name: str) -> str:
    """A launch page missing only by its case (manifest-launch-missing says so) is judged
    as the page it will be once the case is fixed."""
    if name in package.names:
        return name
    return next((n for n in sorted(package.names) if n.lower() == name.lower()), name)


def _is_plugin(name: str) -> bool:
    return name.lower().endswith(PLUGIN_SUFFIXES)


def _manifest_external(href: str, line: int) -> Problem:
    return _external_problem(MANIFEST, href, line)


def _external_problem(file: str, url: str, line: int | None) -> Problem:
    return Problem(
        "content-external-url",
        "error",
        file,
        _("loads {url} from outside the package; a locked-down hospital network blocks it").format(
            url=url
        ),
        _("copy the file into the package and refer to it by a relative path"),
        line,
    )


def _first_few(items: list[tuple[str, int]], count: int = 3) -> str:
    at_line = _("{url} (line {line})")
    return first_few(
        [at_line.format(url=url, line=line) if line else url for url, line in items], count
    )


def _judge(package: Package, name: str, facts: Facts) -> list[Problem]:
    problems = []
    folder = package.folder(name)
    backslashes: list[tuple[str, int]] = []
    for ref in facts.references:
        if ref.kind == "load" and is_external(ref.url):
            problems.append(_external_problem(name, ref.url, ref.line))
        if not _is_local(ref.url):
            continue
        if "\\" in ref.url:
            backslashes.append((ref.url, ref.line))
        problem = _missing(package, name, folder, ref)
        if problem is not None:
            problems.append(problem)
    if backslashes:
        problems.append(
            Problem(
                "content-backslash-path",
                "warning",
                name,
                _(
                    "{count} local reference(s) use '\\' as a separator: {references}; browsers "
                    "read it as '/', but the Moodle app and some players do not find the file"
                ).format(count=len(backslashes), references=_first_few(backslashes)),
                _("write '/' between folders"),
                backslashes[0][1],
            )
        )
    if facts.script_urls:
        problems.append(
            Problem(
                "content-external-url-in-script",
                "warning",
                name,
                _(
                    "a script on the launch path names {count} address(es) outside the package: "
                    "{addresses}; if that code runs, a locked-down hospital network blocks the "
                    "load (or it sends data out)"
                ).format(count=len(facts.script_urls), addresses=_first_few(facts.script_urls)),
                _("check what loads them; ship the files in the package, or remove the code"),
                facts.script_urls[0][1],
            )
        )
    if facts.plugins:
        problems.append(_plugin_problem(name, sorted(set(facts.plugins), key=lambda p: p[1])))
    return problems


def _plugin_problem(name: str, plugins: list[tuple[str, int]]) -> Problem:
    return Problem(
        "content-plugin",
        "error",
        name,
        _(
            "needs a browser plug-in that no current browser runs (Flash, Shockwave, Silverlight,"
            " Java): {plugins}"
        ).format(plugins=_first_few(plugins)),
        _("publish the course again as HTML5 from its authoring tool"),
        plugins[0][1] or None,
    )


def _missing(package: Package, name: str, folder: str, ref: Reference) -> Problem | None:
    target = resolve(folder, ref.url)
    if target is not None and (target in package.names or target in package.listed):
        return None  # present, or missing from the manifest's list and reported there
    if target is None:
        message = _("refers to {url}, which leaves the package folder").format(url=ref.url)
        fix = _("refer to a file inside the package by a relative path")
    else:
        twin = next((n for n in sorted(package.names) if n.lower() == target.lower()), None)
        message = _(
            "refers to {url}, but {target} is not in the package (a 404 when loaded)"
        ).format(url=ref.url, target=target)
        fix = (
            _(CASE_TWIN).format(twin=twin)
            if twin
            else _("add {target} to the package, or correct the reference").format(target=target)
        )
    return Problem("content-missing-file", "error", name, message, fix, ref.line)


def check_scorm_api(package: Package, manifest: Manifest) -> list[Problem]:
    problems = []
    for resource in manifest.launched():
        ref = resource.launch
        if resource.scormtype != "sco" or ref is None or ref.name is None:
            continue
        page = ref.name
        if page in package.generated or (page not in package.facts and page.lower().endswith(HTML)):
            continue  # vouched for by the builder, or not inspected (a problem says so)
        if page not in package.names:
            continue  # manifest-launch-missing says so
        if any(package.facts[n].finds_api for n in reach(package, [page]) if n in package.facts):
            continue
        problems.append(
            Problem(
                "content-no-scorm-api",
                "warning",
                page,
                _(
                    "the launch path of SCO '{sco}' never reaches code that finds the SCORM API "
                    "(LMSInitialize, API_1484_11): the LMS will record nothing"
                ).format(sco=resource.identifier),
                _(
                    "load a SCORM API wrapper from the package and call LMSInitialize/LMSFinish,"
                    ' or mark the resource adlcp:scormtype="asset"'
                ),
            )
        )
    return problems


def _unreached(package: Package, reached: set[str]) -> list[Problem]:
    judged = HTML + CSS + JS
    unreached = sorted(
        name for name in package.facts if name not in reached and name.lower().endswith(judged)
    )
    if not unreached:
        return []
    shown = first_few(unreached, 5)
    return [
        Problem(
            "content-unreached",
            INFO,
            MANIFEST,
            _(
                "{count} page(s), style(s) or script(s) are reached from no launch page,"
                " so they were not judged as launched content: {files}"
            ).format(count=len(unreached), files=shown),
            _(
                "nothing to do if they are unused (a vendor's player, a theme, an example);"
                " link them from a page if learners need them"
            ),
        )
    ]
