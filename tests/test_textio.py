"""Input decoding: UTF-8 (BOM), UTF-16, detected legacy encodings, binary rejection."""

from __future__ import annotations

import codecs
import logging

import pytest

from translit.errors import InputError
from translit.textio import decode_bytes

GERMAN = "Größe, Übermaß und „Anführungszeichen“ – 13. Juli"


def test_utf8_plain_and_bom() -> None:
    assert decode_bytes(GERMAN.encode(), "a").text == GERMAN
    assert decode_bytes(codecs.BOM_UTF8 + GERMAN.encode(), "a").text == GERMAN


def test_utf16_with_bom() -> None:
    assert decode_bytes(GERMAN.encode("utf-16"), "a").text == GERMAN


def test_legacy_encoding_is_detected_and_named(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="translit"):
        decoded = decode_bytes(GERMAN.encode("cp1252"), "alt.txt")
    # charset-normalizer may name cp1250: for these characters the two encodings agree.
    assert decoded.text == GERMAN and decoded.encoding in ("cp1252", "cp1250", "windows-1252")
    assert "alt.txt" in caplog.text and decoded.encoding in caplog.text and "detected" in caplog.text


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\nxxxx", b"Hallo\x00Welt", b"%PDF-1.7\n"])
def test_binary_is_rejected(data: bytes) -> None:
    with pytest.raises(InputError, match=r"bin\.dat: looks like a binary file"):
        decode_bytes(data, "bin.dat")
