"""Office packages (DOCX, PPTX, ODT) opened with limits: they are zip files of XML from anywhere.

Before a library parses a package, :func:`check_package` looks at it as a zip file and refuses,
in one line naming the file, what should never be parsed: not a zip at all (a renamed text
file, an encrypted document — Office encrypts into an OLE container), a truncated archive, one
that unpacks to more than :data:`MAX_UNPACKED` bytes or compresses a member more than
:data:`MAX_RATIO` times (a zip bomb), XML that declares a DTD or entities (XXE, "billion
laughs"), and macro-enabled documents (their macros could not be kept safely). Nothing in a
package is ever fetched: external relationships are left as they are.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

from translit.errors import InputError

MAX_UNPACKED = 512 * 1024 * 1024
"""Bytes a package may unpack to: a 300-page report with images is well under this."""
MAX_RATIO = 200
"""How many times a member may be compressed (text XML reaches 10-30; a bomb, thousands)."""
MAX_MEMBERS = 20_000
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)
_MACROS = ("vbaProject.bin", "vbaData.xml")


def check_package(data: bytes, source: str, kind: str) -> zipfile.ZipFile:
    """``data`` as a zip file whose members are safe to parse, or :class:`InputError`."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(
            f"{source}: an encrypted (password-protected) or old binary Office file; "
            f"save it unprotected as {kind} and try again"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{source}: not a {kind} file, or a damaged one ({exc})") from None
    if len(members) > MAX_MEMBERS:
        raise InputError(
            f"{source}: {len(members)} parts in the {kind} package; refused (at most {MAX_MEMBERS})"
        )
    total = 0
    for member in members:
        total += member.file_size
        if total > MAX_UNPACKED:
            raise InputError(
                f"{source}: the {kind} package unpacks to more than {MAX_UNPACKED >> 20} MiB; "
                "refused (a zip bomb?)"
            )
        if member.file_size > 1 << 20 and member.file_size > MAX_RATIO * max(1, member.compress_size):
            raise InputError(
                f"{source}: part {member.filename} is compressed "
                f"{member.file_size // max(1, member.compress_size)} times; refused (a zip bomb?)"
            )
        if member.flag_bits & 0x1:
            raise InputError(f"{source}: the {kind} package is encrypted; save it unprotected and try again")
        if member.filename.rsplit("/", 1)[-1] in _MACROS:
            raise InputError(
                f"{source}: a macro-enabled document; translit does not translate documents with macros "
                f"(save it as a plain {kind} without macros)"
            )
    for member in members:
        if not member.filename.endswith((".xml", ".rels")):
            continue
        try:
            with archive.open(member) as handle:
                head = handle.read(4096)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise InputError(f"{source}: the {kind} package is damaged ({member.filename}: {exc})") from None
        if _DTD.search(head):
            raise InputError(
                f"{source}: part {member.filename} declares a DTD or entities; "
                "refused (no entity is resolved)"
            )
    try:
        bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(f"{source}: the {kind} package is damaged ({exc})") from None
    if bad is not None:
        raise InputError(f"{source}: the {kind} package is damaged (part {bad} does not unpack)")
    return archive


_MAIN_PARTS = {
    "application/vnd.ms-word.document.macroEnabled.main+xml": ".docm",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": ".dotm",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": ".dotx",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml": ".pptm",
    "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml": ".pptm",
    "application/vnd.ms-powerpoint.template.macroEnabled.main+xml": ".potm",
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml": ".potx",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": ".xlsm",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ".xlsx",
}
"""Main parts of Office packages translit does not translate, by the extension that says what they are."""


def main_part_type(archive: zipfile.ZipFile) -> str | None:
    """The content type of an Office package's main part (the target of its officeDocument
    relationship), or None where the package does not say."""
    from lxml import etree

    try:
        rels = etree.fromstring(archive.read("_rels/.rels"), safe_xml_parser())
        types = etree.fromstring(archive.read("[Content_Types].xml"), safe_xml_parser())
    except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, OSError, ValueError):
        return None
    target = next((r.get("Target") for r in rels if str(r.get("Type", "")).endswith("/officeDocument")), None)
    if not target:
        return None
    part = "/" + target.lstrip("/")
    for entry in types:
        if str(entry.tag).endswith("Override") and entry.get("PartName") == part:
            return str(entry.get("ContentType"))
    return None


def open_package(
    data: bytes, source: str, kind: str, opener: Callable[[io.BytesIO], Any], not_it: str
) -> Any:
    """A package checked (:func:`check_package`) and opened by its library's ``opener``; what the
    library cannot open is one line: ``source: not_it (the library's reason)``. A template, a
    macro-enabled document or a workbook saved under a document's name is named for what it is."""
    from translit.formats import NOT_READ

    archive = check_package(data, source, kind)
    what = _MAIN_PARTS.get(main_part_type(archive) or "")
    if what is not None:
        raise InputError(f"{source}: {NOT_READ[what]}")
    try:
        return opener(io.BytesIO(data))
    except Exception as exc:  # the libraries raise several kinds for a package that is not theirs
        reason = re.sub(r"<[^>]*object at 0x[0-9a-f]+>|'<[^']*>'", "the file", str(exc))  # no repr
        raise InputError(f"{source}: {not_it} ({type(exc).__name__}: {reason[:200]})") from None


def safe_xml_parser() -> object:
    """An lxml parser that resolves no entity, loads no DTD and fetches nothing."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)
