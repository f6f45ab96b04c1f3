"""Validate an imsmanifest.xml against the SCORM 1.2 content-packaging schemas.

libxml2 cannot compile the IMS metadata schema (imsmd, a UPA clash), so the
imsmd namespace is given a lax stand-in that only declares `lom`; the IMS CP
and ADLCP schemas, which decide whether an LMS accepts the package, are used
as shipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import cast

from lxml import etree

SCHEMA_DIR = Path(__file__).parent / "schemas"
SCHEMA_FILES = ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd")

IMSCP_NS = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP_NS = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSMD_NS = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"

_IMSMD_STAND_IN = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
  targetNamespace="{IMSMD_NS}" elementFormDefault="qualified">
  <xs:element name="lom"><xs:complexType><xs:sequence>
    <xs:any namespace="##any" processContents="skip" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence><xs:anyAttribute processContents="skip"/></xs:complexType></xs:element>
</xs:schema>"""


@dataclass(frozen=True)
class SchemaViolation:
    line: int
    message: str


class _StandInResolver(etree.Resolver):
    # lxml-stubs leave out the context argument lxml passes (and resolve_string needs).
    def resolve(self, url: str, pubid: str, context: object) -> object:  # type: ignore[override]
        if url == "imsmd-stand-in.xsd":
            return self.resolve_string(_IMSMD_STAND_IN, context)  # type: ignore[call-arg]
        return None


@cache
def _schema() -> etree.XMLSchema:
    wrapper = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="{IMSCP_NS}" schemaLocation="{(SCHEMA_DIR / SCHEMA_FILES[0]).as_uri()}"/>
  <xs:import namespace="{ADLCP_NS}" schemaLocation="{(SCHEMA_DIR / SCHEMA_FILES[1]).as_uri()}"/>
  <xs:import namespace="{IMSMD_NS}" schemaLocation="imsmd-stand-in.xsd"/>
</xs:schema>"""
    parser = etree.XMLParser()
    parser.resolvers.add(_StandInResolver())
    return etree.XMLSchema(etree.fromstring(wrapper, parser))


def validate_manifest(document: etree._ElementTree | etree._Element) -> list[SchemaViolation]:
    """Return the schema violations of a parsed manifest (empty when valid)."""
    schema = _schema()
    if schema.validate(document):
        return []
    entries = cast(Iterable[etree._LogEntry], schema.error_log)  # iterable; the stubs say not
    return [SchemaViolation(error.line, error.message) for error in entries]
