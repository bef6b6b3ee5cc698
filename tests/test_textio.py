"""Input decoding: UTF-8 (BOM), UTF-16, detected legacy encodings, binary rejection."""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

import pytest

import translit
from translit.errors import InputError
from translit.textio import decode_bytes

from .conftest import invoke as cli
from .conftest import shared_path

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


def test_cp1252_german_decodes_as_cp1252() -> None:
    from translit.textio import decode_bytes

    wrong = []
    for path in sorted(shared_path("data", "de_news").rglob("*.txt"))[::5]:
        text = path.read_text(encoding="utf-8")
        try:
            data = text.encode("cp1252")
        except UnicodeEncodeError:
            continue
        if data != text.encode("utf-8") and decode_bytes(data, path.name).text != text:
            wrong.append(path.name)
    assert wrong == []


def test_reading_a_path_reads_the_file() -> None:
    page = translit.read(shared_path("data", "html", "focus.de.leasen.html"))
    assert page.input_format == "html" and len(page.paragraphs) > 3


# --- stray bytes and legacy encodings --------------------------------------------------------------


def test_utf8_with_a_stray_byte_stays_utf8(copy_model_dir: Path, tmp_path: Path) -> None:
    article = tmp_path / "artikel.txt"
    text = "Die Größe der Straße überraschte alle Bürger. " * 3
    article.write_bytes(text.encode() + b"\xff" + " Schön.".encode())
    code, out, err = cli("translate", "-m", str(copy_model_dir), str(article))
    assert code == 0
    assert "Größe der Straße" in out and "Ã" not in out
    offset = len(text.encode())
    assert "not UTF-8" in err and f"at byte {offset}" in err


def test_legacy_encoding_is_detected_by_a_library(copy_model_dir: Path, tmp_path: Path) -> None:
    article = tmp_path / "alt.txt"
    article.write_bytes("Die Größe der Straße überraschte alle Bürger in München.".encode("cp1252"))
    code, out, err = cli("translate", "-m", str(copy_model_dir), str(article))
    assert code == 0 and "Größe der Straße" in out
    assert "detected" in err
