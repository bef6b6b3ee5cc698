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
import shutil
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from translit.errors import InputError

if TYPE_CHECKING:  # lxml is imported when a package is first read (types from types-lxml)
    from lxml import etree

MAX_UNPACKED = 512 * 1024 * 1024
"""Bytes a package may unpack to: a 300-page report with images is well under this."""
MAX_XML_PART = 256 * 1024 * 1024
"""Bytes one XML part may unpack to: each is parsed in memory (a 5 MB paragraph is fine)."""
MAX_RATIO = 1000
"""How many times a part that is never read as text (an image, a font) may be compressed, where
it unpacks to more than :data:`RATIO_FROM`: a few MiB of output per KiB of input is a bomb."""
RATIO_FROM = 4 * 1024 * 1024
MAX_MEMBERS = 20_000
SLIM_FROM = 64 * 1024
"""Parts that are not XML and larger than this are left out of what a library loads (see :func:`slim`)."""
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
        if _is_xml(member.filename):
            if member.file_size > MAX_XML_PART:
                raise InputError(
                    f"{source}: part {member.filename} unpacks to more than {MAX_XML_PART >> 20} MiB; refused"
                )
        elif member.file_size > RATIO_FROM and member.file_size > MAX_RATIO * max(1, member.compress_size):
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


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels")) or name.rsplit("/", 1)[-1] in ("[Content_Types].xml", "mimetype")


def copy_member(source: zipfile.ZipFile, info: zipfile.ZipInfo, target: zipfile.ZipFile) -> None:
    """One member copied into ``target`` as it was (name, date, compression), a MiB at a time:
    a package's images are never held in memory whole."""
    with (
        source.open(info) as reading,
        target.open(info, "w", force_zip64=info.file_size > 1 << 30) as writing,
    ):
        shutil.copyfileobj(reading, writing, 1 << 20)


def slim(data: bytes) -> tuple[bytes, frozenset[str]]:
    """The package with every part that is not XML and larger than :data:`SLIM_FROM` left empty,
    for a library that loads every part into memory (python-docx, python-pptx), and the names of
    the parts emptied; :func:`restore` puts them back. A 558 KB Word file whose images unpack
    to 480 MiB costs its XML, not its images."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        big = {m.filename for m in members if not _is_xml(m.filename) and m.file_size > SLIM_FROM}
        if not big:
            return data, frozenset()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as new:
            for member in members:
                if member.filename in big:
                    new.writestr(member, b"")
                else:
                    copy_member(archive, member, new)
    return out.getvalue(), frozenset(big)


def restore(written: bytes, original: bytes) -> bytes:
    """``written`` (a package saved from a :func:`slim` copy of ``original``) with the parts slim
    emptied copied back from ``original`` as they were."""
    with zipfile.ZipFile(io.BytesIO(original)) as source:
        big = {
            m.filename: m for m in source.infolist() if not _is_xml(m.filename) and m.file_size > SLIM_FROM
        }
        if not big:
            return written
        out = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(written)) as saved,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new,
        ):
            for member in saved.infolist():
                if member.filename in big and member.file_size == 0:
                    copy_member(source, big[member.filename], new)
                else:
                    copy_member(saved, member, new)
    return out.getvalue()


def _is_strict(archive: zipfile.ZipFile) -> bool:
    """Whether the package is ISO/IEC 29500 Strict (its relationships in the purl.oclc.org names)."""
    try:
        return b"purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" in archive.read(
            "_rels/.rels"
        )
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return False


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
    if _is_strict(archive):
        raise InputError(
            f"{source}: an ISO/IEC 29500 Strict {kind} file; translit reads the usual (Transitional) "
            "format: save it again choosing the plain document type"
        )
    what = _MAIN_PARTS.get(main_part_type(archive) or "")
    if what is not None:
        raise InputError(f"{source}: {NOT_READ[what]}")
    try:
        return opener(io.BytesIO(slim(data)[0]))
    except Exception as exc:  # the libraries raise several kinds for a package that is not theirs
        reason = re.sub(r"<[^>]*object at 0x[0-9a-f]+>|'<[^']*>'", "the file", str(exc))  # no repr
        raise InputError(f"{source}: {not_it} ({type(exc).__name__}: {reason[:200]})") from None


def safe_xml_parser() -> etree.XMLParser:
    """An lxml parser that resolves no entity, loads no DTD and fetches nothing."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)
