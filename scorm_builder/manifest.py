"""Stage 3: write imsmanifest.xml (SCORM 1.2 / IMS CP 1.1.2) with lxml.

One organization; one item and one SCO resource per lesson, in course order;
the files every SCO shares form one asset resource that each SCO names as a
dependency. The course's `description` goes into the package metadata as IMS LOM
general/description, where LMSs that read metadata on import (SCORM Cloud, many
corporate LMSs) show it as the course description; Moodle ignores it, harmlessly.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from scorm_builder.model import CourseSettings
from scorm_builder.numbers import plain_decimal
from scorm_builder.schema import ADLCP_NS, IMSCP_NS, IMSMD_NS, SCHEMA_FILES

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
# Moodle matches the literal prefix "adlcp", so the prefixes are fixed here.
NSMAP = {None: IMSCP_NS, "adlcp": ADLCP_NS, "imsmd": IMSMD_NS, "xsi": XSI_NS}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SHARED_RESOURCE_ID = "RES-shared"
SCHEMA_LOCATION = " ".join(
    [
        IMSCP_NS,
        SCHEMA_FILES[0],
        IMSMD_NS,
        SCHEMA_FILES[2],
        ADLCP_NS,
        SCHEMA_FILES[1],
    ]
)


@dataclass(frozen=True)
class ScoEntry:
    """What the manifest says about one lesson."""

    lesson_id: str
    title: str
    launch: str  # package path of the launch page
    files: tuple[str, ...]  # every package path the SCO uses, launch page first
    mastery_score: float | None


def write_manifest(
    settings: CourseSettings,
    identifier: str,
    title: str,
    scos: list[ScoEntry],
    shared_files: list[str],
) -> bytes:
    manifest = etree.Element(f"{{{IMSCP_NS}}}manifest", nsmap=NSMAP)  # type: ignore[arg-type]  # None: the default namespace; lxml-stubs omit it
    manifest.set("identifier", identifier)
    manifest.set("version", settings.version)
    manifest.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)

    metadata = _child(manifest, "metadata")
    _child(metadata, "schema", "ADL SCORM")
    _child(metadata, "schemaversion", "1.2")
    if settings.description:
        lom = etree.SubElement(metadata, f"{{{IMSMD_NS}}}lom")
        general = etree.SubElement(lom, f"{{{IMSMD_NS}}}general")
        description = etree.SubElement(general, f"{{{IMSMD_NS}}}description")
        text = etree.SubElement(description, f"{{{IMSMD_NS}}}langstring")
        text.set(XML_LANG, settings.language)
        text.text = settings.description

    organizations = _child(manifest, "organizations")
    organization_id = "ORG-" + identifier
    organizations.set("default", organization_id)
    organization = _child(organizations, "organization")
    organization.set("identifier", organization_id)
    _child(organization, "title", title)
    for sco in scos:
        item = _child(organization, "item")
        item.set("identifier", f"ITEM-{sco.lesson_id}")
        item.set("identifierref", f"RES-{sco.lesson_id}")
        _child(item, "title", sco.title)
        if sco.mastery_score is not None:
            _child(item, f"{{{ADLCP_NS}}}masteryscore", _number(sco.mastery_score))

    resources = _child(manifest, "resources")
    for sco in scos:
        resource = _child(resources, "resource")
        resource.set("identifier", f"RES-{sco.lesson_id}")
        resource.set("type", "webcontent")
        resource.set(f"{{{ADLCP_NS}}}scormtype", "sco")
        resource.set("href", sco.launch)
        for href in sco.files:
            _child(resource, "file").set("href", href)
        _child(resource, "dependency").set("identifierref", SHARED_RESOURCE_ID)
    shared = _child(resources, "resource")
    shared.set("identifier", SHARED_RESOURCE_ID)
    shared.set("type", "webcontent")
    shared.set(f"{{{ADLCP_NS}}}scormtype", "asset")
    for href in shared_files:
        _child(shared, "file").set("href", href)

    return etree.tostring(manifest, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _child(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag if tag.startswith("{") else f"{{{IMSCP_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _number(value: float) -> str:
    return plain_decimal(value)  # a SCORM decimal: never an exponent (80, 0.5, 0.0000001)
