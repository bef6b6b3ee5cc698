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


def test_a_utf8_article_with_one_latin1_line_stays_utf8() -> None:
    """Issue 28, fault 2: the whole article was decoded as cp1252 ("Ã¼" for every "ü")."""
    from translit.textio import decode_bytes

    data = (
        "Über die Brücke gingen Grüße.\nSchöne Äpfel aus München.\n".encode()
        + "Ärger über Öl und Gas.\n".encode("latin-1")
        + "Noch ein Satz mit ü.\n".encode()
    )
    decoded = decode_bytes(data, "a.txt")
    assert decoded.encoding == "utf-8"
    assert (
        decoded.text
        == "Über die Brücke gingen Grüße.\nSchöne Äpfel aus München.\nÄrger über Öl und Gas.\nNoch ein Satz mit ü.\n"
    )


def test_a_few_broken_sequences_are_replaced_not_refused() -> None:
    """Issue 28, fault 2: two bad sequences refused the whole file where one was replaced."""
    from translit.textio import decode_bytes

    decoded = decode_bytes(b"Der Hund bellt \xc0\xaf laut und \xed\xa0\x80 dann.\n", "b.txt")
    assert decoded.encoding == "utf-8" and decoded.text.startswith("Der Hund bellt \ufffd")
