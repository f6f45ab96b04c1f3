"""Package paths: what counts as a safe name, and how manifest and page URLs map onto names.

Every name in a package is a POSIX path relative to the package root, exactly as it
will be extracted by the LMS; links are resolved to such names before being looked up.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from scorm_builder.i18n import N_, _
from scorm_builder.problems import Problem

MANIFEST = "imsmanifest.xml"

# http:, https: and protocol-relative ("//cdn...") URLs leave the package; data:, blob:
# and relative URLs do not.
_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_DRIVE = re.compile(r"^[a-zA-Z]:")
# What a manifest or page usually links: a package name already (no "." or ".." segment, no
# escape, query or fragment), with nothing to decode or join.
_PLAIN = re.compile(r"(?:[\w-]+[\w.-]*/)*[\w-]+[\w.-]*", re.ASCII)


def is_external(url: str) -> bool:
    return bool(_EXTERNAL.match(url))


def has_scheme(url: str) -> bool:
    """True for `data:`, `javascript:`, `mailto:`... which name no file of the package."""
    return bool(_SCHEME.match(url.strip()))


def unsafe_reason(name: str) -> str | None:
    """Why an extractor could write this name outside the package folder, or mangle it."""
    if "\\" in name:
        return N_("contains a backslash")
    if name.startswith("/") or _DRIVE.match(name):
        return N_("is an absolute path")
    if ".." in name.split("/"):
        return N_("contains a '..' segment")
    return None


def resolve(base_dir: str, url: str) -> str | None:
    """The package name a relative URL points at, or None if it leaves the package root.

    The query and fragment are dropped (`index.html?lang=fr#top` is `index.html`) and
    percent-escapes decoded, as a browser does before asking the server for the file.
    A backslash is a separator, as browsers read it in http URLs (callers report it).
    """
    if not base_dir and _PLAIN.fullmatch(url):
        return url
    path = unquote(urlsplit(url.strip().replace("\\", "/")).path)
    if not path:
        return None
    joined = posixpath.normpath(posixpath.join(base_dir, path))
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    return joined


def check_names(names: Iterable[str]) -> list[Problem]:
    """Rules on the names themselves; they apply to a zip, a folder and the build alike."""
    problems = []
    for name in sorted(names):
        reason = unsafe_reason(name)
        if reason:
            problems.append(
                Problem(
                    "zip-unsafe-path",
                    "error",
                    name,
                    _(
                        "the name {reason}: an LMS may write it outside the course folder,"
                        " or refuse the package"
                    ).format(reason=_(reason)),
                    _("use relative paths with '/' separators inside the package folder"),
                )
            )
        if not name.isascii():
            problems.append(
                Problem(
                    "zip-non-ascii-name",
                    "warning",
                    name,
                    _(
                        "the name is not ASCII; Moodle guesses the encoding of such names from"
                        " the site language and may garble it, breaking every link to the file"
                    ),
                    _("rename the file with ASCII letters, digits, '-', '_' and '.'"),
                )
            )
    return problems


def first_few(shown: list[str], count: int) -> str:
    """The first `count` of `shown`, then how many more: a finding names a few, not hundreds."""
    more = _(" and {count} more").format(count=len(shown) - count)
    return ", ".join(shown[:count]) + (more if len(shown) > count else "")
