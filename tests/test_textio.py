"""Input decoding: UTF-8 (BOM), UTF-16, cp1252 fallback, binary rejection."""

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


def test_cp1252_fallback_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="translit"):
        decoded = decode_bytes(GERMAN.encode("cp1252"), "alt.txt")
    assert decoded.text == GERMAN and decoded.encoding == "cp1252"
    assert "alt.txt" in caplog.text and "cp1252" in caplog.text


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\nxxxx", b"Hallo\x00Welt", b"%PDF-1.7\n"])
def test_binary_is_rejected(data: bytes) -> None:
    with pytest.raises(InputError, match=r"bin\.dat: looks like a binary file"):
        decode_bytes(data, "bin.dat")
