"""Rules on imsmanifest.xml: where it is, its XML, its schema, and what the schemas miss.

The schemas accept a dangling `identifierref`, a missing `scormtype`, a masteryscore of
"high" and files that are not in the zip; Moodle then imports a package that records no
score. Those are checked here, each by its own small function, on a `Manifest` read once.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from scorm_builder.i18n import N_, _
from scorm_builder.problems import Problem, Severity
from scorm_builder.schema import ADLCP_NS, validate_manifest

from .paths import MANIFEST, first_few, has_scheme, is_external, resolve, unsafe_reason
from .severity import INFO

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
SCORMTYPE = f"{{{ADLCP_NS}}}scormtype"


@dataclass
class FileRef:
    href: str
    name: str | None  # the package name it resolves to; None if it leaves the package
    line: int


@dataclass
class Resource:
    identifier: str
    line: int
    scormtype: str | None
    launch: FileRef | None
    files: list[FileRef] = field(default_factory=list)
    dependencies: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Item:
    identifier: str
    identifierref: str | None
    line: int


@dataclass
class Manifest:
    root: etree._Element
    resources: dict[str, Resource]
    items: list[Item]

    def launched(self) -> list[Resource]:
        """Resources an LMS launches: those items point at, and every SCO."""
        chosen = {i.identifierref for i in self.items if i.identifierref in self.resources}
        chosen |= {r.identifier for r in self.resources.values() if r.scormtype == "sco"}
        return [r for r in self.resources.values() if r.identifier in chosen]


def line_of(element: etree._Element) -> int:
    """The element's line (lxml's stubs do not type `sourceline`)."""
    line: Any = element.sourceline
    return int(line or 0)


def _problem(
    rule: str, line: int | None, message: str, fix: str, severity: Severity = "error"
) -> Problem:
    return Problem(rule, severity, MANIFEST, message, fix, line)


# --- finding and parsing ------------------------------------------------------------------


def locate(names: Iterable[str]) -> list[Problem]:
    """Problems if the package has no imsmanifest.xml at its root (empty if it has one)."""
    names = list(names)
    if MANIFEST in names:
        return []
    elsewhere = sorted(n for n in names if posixpath.basename(n).lower() == MANIFEST)
    nested = [n for n in elsewhere if "/" in n]
    if nested:
        folder = posixpath.dirname(nested[0])
        return [
            Problem(
                "manifest-not-at-root",
                "error",
                nested[0],
                _("the manifest is in a subfolder; Moodle only looks at the root of the zip"),
                _("zip the contents of {folder}/, not the folder itself").format(folder=folder),
            )
        ]
    message = _("the package has no imsmanifest.xml at its root")
    fix = _("add imsmanifest.xml at the root of the package")
    if elsewhere:
        message = _("the manifest is named {name}; names are case-sensitive on the LMS").format(
            name=elsewhere[0]
        )
        fix = _("rename {name} to {manifest}").format(name=elsewhere[0], manifest=MANIFEST)
    return [Problem("manifest-missing", "error", MANIFEST, message, fix)]


def xml_parser() -> etree.XMLParser:
    """No DTD, no entities, no network: a manifest is data from an unknown author."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False
    )


def parse(data: bytes) -> etree._Element | Problem:
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as error:
        return _problem(
            "manifest-not-well-formed",
            error.lineno,
            _("not well-formed XML: {reason}").format(reason=error.msg),
            _("fix the XML syntax at that line (an unclosed tag, a stray '&'?)"),
        )
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        # Entities can read local files or the network (XXE) in other XML readers, and
        # unexpanded ones break schema validation: refuse any DTD, harmless or not.
        return _problem(
            "manifest-dtd",
            1,
            _(
                "the manifest has a DTD (<!DOCTYPE ...>); DTDs and entities are refused, since"
                " they can make an XML reader fetch files or expand without end"
            ),
            _("delete the <!DOCTYPE ...> declaration and write entity values out as text"),
        )
    return root


def read(root: etree._Element) -> Manifest:
    resources: dict[str, Resource] = {}
    base = _base("", root)
    for group in root.iterfind("{*}resources"):
        group_base = _base(base, group)
        for element in group.iterfind("{*}resource"):
            resource = _resource(_base(group_base, element), element)
            resources.setdefault(resource.identifier, resource)
    items = [
        Item(el.get("identifier", ""), el.get("identifierref"), line_of(el))
        for el in root.iterfind("{*}organizations/{*}organization//{*}item")
    ]
    return Manifest(root, resources, items)


def _base(parent: str, element: etree._Element) -> str:
    # xml:base on <manifest>, <resources> and <resource> prefixes every href below it.
    value = element.get(XML_BASE)
    return posixpath.join(parent, value) if value else parent


def _ref(base: str, href: str, line: int) -> FileRef:
    return FileRef(href, None if has_scheme(href) else resolve(base, href), line)


def _resource(base: str, element: etree._Element) -> Resource:
    href = element.get("href")
    return Resource(
        identifier=element.get("identifier", ""),
        line=line_of(element),
        scormtype=_scormtype(element),
        launch=_ref(base, href, line_of(element)) if href else None,
        files=[_ref(base, f.get("href", ""), line_of(f)) for f in element.iterfind("{*}file")],
        dependencies=[
            (d.get("identifierref", ""), line_of(d)) for d in element.iterfind("{*}dependency")
        ],
    )


def _scormtype(element: etree._Element) -> str | None:
    written = element.get(SCORMTYPE)
    if written is not None:  # as every tool writes it, this builder too: no loop
        return str(written)
    # Match the local name in any case: `adlcp:scormType` is a common slip.
    for name, value in element.attrib.items():
        if etree.QName(name).localname.lower() == "scormtype":
            return str(value)
    return None


# --- rules --------------------------------------------------------------------------------


def check_schema(root: etree._Element, explained: set[tuple[int, str]]) -> list[Problem]:
    """Schema violations, minus those a more precise rule below already reported."""
    problems = []
    for violation in validate_manifest(root):
        attribute = re.search(r"attribute '(?:\{[^}]*\})?([^']+)'", violation.message)
        if attribute and (violation.line, attribute.group(1).lower()) in explained:
            continue
        problems.append(
            _problem(
                "manifest-schema",
                violation.line,
                violation.message,
                _("make the element match the SCORM 1.2 (IMS CP 1.1.2 + ADLCP) schema"),
            )
        )
    return problems


def check_schema_version(root: etree._Element) -> list[Problem]:
    """A wrong version is an error (Moodle would read `CAM 1.3` as SCORM 2004); a missing one
    only a warning, since the schema allows it and LMSs then assume SCORM 1.2."""
    metadata = root.find("{*}metadata")
    fix = _("put <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>")
    if metadata is None:
        return [
            _problem(
                "manifest-no-schema-version", line_of(root), _("no <metadata>"), fix, "warning"
            )
        ]
    problems = []
    for tag, expected in (("schema", "ADL SCORM"), ("schemaversion", "1.2")):
        element = metadata.find(f"{{*}}{tag}")
        severity: Severity
        if element is None:
            rule, line, found = "manifest-no-schema-version", line_of(metadata), _("missing")
            severity = "warning"
        elif (value := (element.text or "").strip()) == expected:
            continue
        else:
            rule, line, found = "manifest-schema-version", line_of(element), f"'{value}'"
            severity = "error"
        problems.append(
            _problem(
                rule,
                line,
                _("<{tag}> is {found}, not '{expected}': not declared as SCORM 1.2").format(
                    tag=tag, found=found, expected=expected
                ),
                _("write <{tag}>{expected}</{tag}> in the manifest's <metadata>").format(
                    tag=tag, expected=expected
                ),
                severity,
            )
        )
    return problems


def check_adlcp_prefix(root: etree._Element) -> list[Problem]:
    # Moodle matches literal names like ADLCP:SCORMTYPE, so the namespace alone is not enough.
    problems, reported = [], set()
    for element in root.iter(etree.Element):
        for prefix, uri in element.nsmap.items():
            if uri == ADLCP_NS and prefix != "adlcp" and prefix not in reported:
                reported.add(prefix)
                problems.append(
                    _problem(
                        "manifest-adlcp-prefix",
                        line_of(element),
                        _(
                            "the ADLCP namespace has the prefix '{prefix}'; Moodle only "
                            "understands 'adlcp'"
                        ).format(prefix=prefix or _("(default)")),
                        _(
                            'declare xmlns:adlcp="{namespace}" and write adlcp:scormtype,'
                            " adlcp:masteryscore"
                        ).format(namespace=ADLCP_NS),
                    )
                )
    return problems


# xs:ID: a letter or '_' first, then letters, digits, '.', '-', '_' (no spaces, commas); any
# character from U+00C0 to U+FFFF too. That range is written as "not below U+00C0, not beyond
# U+FFFF": as [\u00c0-\uffff], re would build a table of 65,000 characters in Python, 7-10 ms
# of every build's start (the same code points match either way, tests/test_check.py).
_BMP_FROM_C0 = r"(?![\x00-\xbf])[^\U00010000-\U0010ffff]"
_XML_ID = re.compile(rf"(?:[A-Za-z_]|{_BMP_FROM_C0})(?:[\w.\-\u00b7]|{_BMP_FROM_C0})*")


def check_identifiers(root: etree._Element, explained: set[tuple[int, str]]) -> list[Problem]:
    first_line: dict[str, int] = {}
    problems, misspelt = [], []
    for element in root.iter(etree.Element):
        identifier = element.get("identifier")
        if identifier is None:
            continue
        if not _XML_ID.fullmatch(identifier):
            explained.add((line_of(element), "identifier"))
            misspelt.append((identifier, line_of(element)))
        if identifier in first_line:
            explained.add((line_of(element), "identifier"))
            problems.append(
                _problem(
                    "manifest-duplicate-identifier",
                    line_of(element),
                    _("identifier '{id}' is already used on line {line}").format(
                        id=identifier, line=first_line[identifier]
                    ),
                    _("give every manifest, organization, item and resource its own identifier"),
                )
            )
        else:
            first_line[identifier] = line_of(element)
    if misspelt:
        # GUIDs starting with a digit (iSpring), a comma from the title, spaces (Captivate):
        # the schema says xs:ID, but LMSs accept them and the packages run.
        shown = first_few([f"'{identifier}'" for identifier, _line in misspelt], 3)
        problems.append(
            _problem(
                "manifest-identifier-spelling",
                misspelt[0][1],
                _(
                    "{count} identifier(s) break the XML ID rules of the schema ({identifiers}); "
                    "LMSs accept them, but a strict validator or a future import may not"
                ).format(count=len(misspelt), identifiers=shown),
                _(
                    "if you can, start identifiers with a letter and use only letters, digits,"
                    " '-', '_' and '.' (changing them on a course already in use drops its "
                    "records)"
                ),
                "warning",
            )
        )
    return problems


def check_references(manifest: Manifest) -> list[Problem]:
    root, resources = manifest.root, manifest.resources
    problems = []
    organizations = root.find("{*}organizations")
    if organizations is not None and organizations.get("default") is not None:
        default = organizations.get("default")
        known = {o.get("identifier") for o in organizations.iterfind("{*}organization")}
        if default not in known:
            problems.append(
                _problem(
                    "manifest-unresolved-reference",
                    line_of(organizations),
                    _("<organizations default='{default}'> names no <organization>").format(
                        default=default
                    ),
                    _("set default to one of: {identifiers}").format(
                        identifiers=", ".join(sorted(filter(None, known))) or "-"
                    ),
                )
            )
    unresolved = [
        (_("item '{id}'").format(id=item.identifier), item.identifierref, item.line)
        for item in manifest.items
        if item.identifierref is not None and item.identifierref not in resources
    ] + [
        (_("a <dependency> of resource '{id}'").format(id=resource.identifier), ref, line)
        for resource in resources.values()
        for ref, line in resource.dependencies
        if ref not in resources
    ]
    for who, ref, line in unresolved:
        problems.append(
            _problem(
                "manifest-unresolved-reference",
                line,
                _("{who} has identifierref '{ref}', which is no <resource>").format(
                    who=who, ref=ref
                ),
                _("point identifierref at the identifier of a <resource>, or add that resource"),
            )
        )
    return problems


def check_scormtype(manifest: Manifest, explained: set[tuple[int, str]]) -> list[Problem]:
    problems = []
    for resource in manifest.resources.values():
        value = resource.scormtype
        if value in ("sco", "asset"):
            continue
        explained.add((resource.line, "scormtype"))
        if value is None:
            message = _("resource '{id}' has no adlcp:scormtype").format(id=resource.identifier)
        elif value.lower() in ("sco", "asset"):
            message = _("adlcp:scormtype='{value}' must be lowercase").format(value=value)
        else:
            message = _("adlcp:scormtype='{value}' is neither 'sco' nor 'asset'").format(
                value=value
            )
        problems.append(
            _problem(
                "manifest-scormtype",
                resource.line,
                message + _("; Moodle would treat it as an untracked asset"),
                _(
                    'write adlcp:scormtype="sco" on tracked pages, adlcp:scormtype="asset" on the '
                    "rest"
                ),
            )
        )
    return problems


def check_masteryscore(root: etree._Element) -> list[Problem]:
    problems = []
    for element in root.iter(f"{{{ADLCP_NS}}}masteryscore"):
        text = (element.text or "").strip()
        if re.fullmatch(r"\d+(\.\d+)?", text) and float(text) <= 100:
            continue
        if not text:  # LMSs read an empty one as "no pass mark": only the SCO decides
            problems.append(
                _problem(
                    "manifest-empty-masteryscore",
                    line_of(element),
                    _("adlcp:masteryscore is empty: the LMS will not decide passed/failed"),
                    _("write the pass mark (e.g. 80) or remove the element"),
                    "warning",
                )
            )
            continue
        problems.append(
            _problem(
                "manifest-masteryscore",
                line_of(element),
                _("adlcp:masteryscore '{value}' is not a number from 0 to 100").format(value=text),
                _(
                    "write the pass mark as a percentage, e.g. <adlcp:masteryscore>80"
                    "</adlcp:masteryscore>"
                ),
            )
        )
    return problems


def check_files(manifest: Manifest, names: set[str]) -> list[Problem]:
    """Every launch page and every <file> must be in the package; launch pages first so
    that a missing one is reported once, by the rule that says why it matters."""
    problems, missing_launch = [], set()
    launched = manifest.launched()
    launched_ids = {resource.identifier for resource in launched}
    for resource in launched:
        ref = resource.launch
        if ref is None:
            problems.append(
                _problem(
                    "manifest-launch-missing",
                    resource.line,
                    _("resource '{id}' is launched but has no href").format(id=resource.identifier),
                    _('set href to the resource\'s start page, e.g. href="index.html"'),
                )
            )
        elif ref.name not in names and not is_external(ref.href):
            missing_launch.add(ref.name)
            problems.append(
                _problem(
                    "manifest-launch-missing",
                    ref.line,
                    _("launch page '{href}' of resource '{id}' is not in the package").format(
                        href=ref.href, id=resource.identifier
                    ),
                    _add_or_rename(ref, names),
                )
            )
    for resource in manifest.resources.values():
        refs = resource.files
        if resource.launch is not None and resource.identifier not in launched_ids:
            refs = [resource.launch, *refs]
        for ref in refs:
            if ref.name in names or ref.name in missing_launch or is_external(ref.href):
                continue
            if has_scheme(ref.href) and ref.name is None:
                continue
            problems.append(
                _problem(
                    "manifest-missing-file",
                    ref.line,
                    _("'{href}' (resource '{id}') is not in the package").format(
                        href=ref.href, id=resource.identifier
                    ),
                    _add_or_rename(ref, names),
                )
            )
    return problems


# Also the content rules' fix for a reference whose case differs from the file's.
CASE_TWIN = N_("the package has '{twin}': make the case match (the LMS server is case-sensitive)")


def _add_or_rename(ref: FileRef, names: set[str]) -> str:
    if ref.name is None:
        return _("use a path inside the package instead of '{href}'").format(href=ref.href)
    twin = next((n for n in sorted(names) if n.lower() == ref.name.lower()), None)
    if twin:
        return _(CASE_TWIN).format(twin=twin)
    return _("add {name} to the package, or correct the href").format(name=ref.name)


# Where SCORM 2004 packages keep the standard schema files beside the manifest.
_SCHEMA_FOLDERS = ("common/", "extend/", "unique/", "vocab/")


def _is_schema_file(name: str) -> bool:
    if not name.lower().endswith((".xsd", ".dtd")):
        return False
    return "/" not in name or name.startswith(_SCHEMA_FOLDERS)


def check_unlisted(manifest: Manifest, names: set[str]) -> list[Problem]:
    """One line for all the files no <file> lists: LMSs extract them all the same, so this
    is a note for the reviewer, not a risk."""
    listed = {MANIFEST}
    for resource in manifest.resources.values():
        listed |= {ref.name for ref in [resource.launch, *resource.files] if ref and ref.name}
    # A file listed as hands.png but present as Hands.png is reported once, as missing.
    case_twins = {name.lower() for name in listed - names}
    unlisted = [
        name
        for name in sorted(names)
        if not (
            name in listed
            or _is_schema_file(name)
            or unsafe_reason(name)
            or name.lower() in case_twins
        )
    ]
    if not unlisted:
        return []
    shown = first_few(unlisted, 5)
    return [
        Problem(
            "manifest-unlisted-file",
            INFO,
            MANIFEST,
            _(
                "{count} file(s) are in the package but in no <file> of the manifest: {files}"
            ).format(count=len(unlisted), files=shown),
            _(
                "nothing to do for the LMS (it extracts every file); list them in the resource"
                " that uses them, or delete the ones nothing uses"
            ),
        )
    ]


def external_hrefs(manifest: Manifest) -> list[tuple[str, int]]:
    """Manifest hrefs that send the learner's browser outside the package."""
    return [
        (ref.href, ref.line)
        for resource in manifest.resources.values()
        for ref in [resource.launch, *resource.files]
        if ref is not None and is_external(ref.href)
    ]


# Namespaces and version texts that only SCORM 2004 manifests use.
_SCORM_2004_NAMESPACES = ("imscp_v1p1", "adlcp_v1p3", "adlseq", "adlnav", "imsss")
_SCORM_2004_VERSIONS = re.compile(r"^(CAM 1\.3|2004\b.*|1\.3)$", re.IGNORECASE)


def scorm_2004_edition(root: etree._Element) -> str | None:
    """The SCORM 2004 edition the manifest declares ("CAM 1.3", "2004 4th Edition", or
    its namespaces), or None for a SCORM 1.2 (or undeclared) manifest."""
    version = root.find("{*}metadata/{*}schemaversion")
    text = "" if version is None else (version.text or "").strip()
    if _SCORM_2004_VERSIONS.match(text):
        return text
    namespaces = {uri for element in root.iter(etree.Element) for uri in element.nsmap.values()}
    if any(marker in uri for uri in namespaces for marker in _SCORM_2004_NAMESPACES):
        return _("its SCORM 2004 namespaces")
    return None


def check_scorm_2004(root: etree._Element, edition: str) -> Problem:
    version = root.find("{*}metadata/{*}schemaversion")
    return _problem(
        "manifest-scorm-2004",
        line_of(root) if version is None else line_of(version),
        _(
            "this is a SCORM 2004 package ({edition}); this checker judges SCORM 1.2 packages,"
            " so the SCORM 1.2 schema and version rules were not applied"
        ).format(edition=edition),
        _(
            "upload it to the LMS as SCORM 2004 (the Moodle app plays only SCORM 1.2), or export"
            " it again from its authoring tool as SCORM 1.2"
        ),
    )


def check_manifest(
    files: Mapping[str, bytes], unreadable: frozenset[str]
) -> tuple[list[Problem], Manifest | None]:
    """All manifest rules; the parsed manifest too, for the content rules."""
    names = set(files) | set(unreadable)
    located = locate(names)
    if located or MANIFEST in unreadable:
        return located, None
    root = parse(files[MANIFEST])
    if isinstance(root, Problem):
        return [root], None
    manifest = read(root)
    explained: set[tuple[int, str]] = set()
    common = (
        check_identifiers(root, explained)
        + check_scormtype(manifest, explained)
        + check_references(manifest)
        + check_files(manifest, names)
        + check_unlisted(manifest, names)
    )
    edition = scorm_2004_edition(root)
    if edition is not None:
        # One finding says it all: the 1.2 schema and version rules would only repeat it.
        return [check_scorm_2004(root, edition), *common], manifest
    only_12 = check_schema_version(root) + check_adlcp_prefix(root) + check_masteryscore(root)
    return check_schema(root, explained) + common + only_12, manifest
