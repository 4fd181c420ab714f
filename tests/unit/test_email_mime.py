"""Parsing one message: charsets (declared, wrong, undeclared), HTML-only mail, automatic mail, broken MIME."""

from __future__ import annotations

import base64
import io
import tracemalloc
import zipfile

import pytest

from qa_monitor.adapters.mime import decode_bytes, parse_mail
from qa_monitor.errors import ParseError
from tests.fixtures.email.build import message

HEAD = [("From", "Customer <c@mail.example>"), ("To", "help@brightcart.example"), ("Subject", "Help"),
        ("Date", "Mon, 03 Nov 2025 09:12:00 +0000"), ("Message-ID", "<m1@mail.example>")]

TEXTS = {
    "ru": "Здравствуйте! Заказ 49870 не оплачивается картой, страница зависает после кода из СМС.",
    "pl": "Dzień dobry, router nie łączy się z internetem, dioda świeci na pomarańczowo. Proszę o pomoc.",
    "lv": "Labdien! Oktobra rēķinā ir iekļauta piegāde, lai gan pasūtījumu saņēmu veikalā. Lūdzu, izlabojiet.",
    "es": "Hola, en la factura de octubre me cobran dos veces el envío. ¿Podéis revisarlo, por favor?",
}


@pytest.mark.parametrize(("charset", "lang", "cte"), [
    ("utf-8", "ru", "quoted-printable"), ("utf-8", "lv", "base64"), ("utf-8", "es", "8bit"),
    ("windows-1251", "ru", "base64"), ("koi8-r", "ru", "8bit"), ("iso-8859-2", "pl", "quoted-printable"),
    ("windows-1257", "lv", "quoted-printable"), ("iso-8859-13", "lv", "8bit"), ("windows-1250", "pl", "8bit"),
    ("iso-8859-1", "es", "quoted-printable"),
])
def test_every_declared_charset_decodes(charset: str, lang: str, cte: str) -> None:
    parsed = parse_mail(message(HEAD, TEXTS[lang], charset=charset, cte=cte))
    assert parsed.text == TEXTS[lang]
    assert parsed.charset_note is None


def test_wrong_declared_charset_utf8_with_windows_1251_bytes() -> None:
    raw = message(HEAD, TEXTS["ru"], charset="cp1251", cte="8bit").replace(b"charset=cp1251", b"charset=utf-8")
    parsed = parse_mail(raw)
    assert parsed.text == TEXTS["ru"]
    assert parsed.charset_note == "declared utf-8, detected cp1251"


def test_wrong_declared_charset_koi8r_with_windows_1251_bytes() -> None:
    raw = message(HEAD, TEXTS["ru"], charset="cp1251", cte="8bit").replace(b"charset=cp1251", b"charset=koi8-r")
    parsed = parse_mail(raw)
    assert parsed.text == TEXTS["ru"]
    assert parsed.charset_note == "declared koi8-r, detected cp1251"


@pytest.mark.parametrize(("charset", "lang"), [("cp1251", "ru"), ("koi8-r", "ru"), ("iso-8859-2", "pl"),
                                                ("cp1257", "lv"), ("utf-8", "pl"), ("cp1252", "es")])
def test_undeclared_charset_is_detected(charset: str, lang: str) -> None:
    parsed = parse_mail(message(HEAD, TEXTS[lang], charset=charset, cte="8bit", declare=False))
    assert parsed.text == TEXTS[lang]


def test_undecodable_bytes_raise_a_readable_error() -> None:
    garbage = bytes(range(0, 32)) * 20 + bytes(range(128, 160)) * 20
    raw = message(HEAD, "BODY", charset="utf-8", cte="8bit").replace(b"BODY", garbage)
    with pytest.raises(ParseError, match="not decodable"):
        parse_mail(raw)


def test_encoded_headers_in_several_charsets() -> None:
    raw = (b"From: =?koi8-r?B?" + base64.b64encode("Ольга".encode("koi8-r")) + b"?= <o@brightcart.example>\r\n"
           b"Subject: =?iso-8859-2?Q?Reklamacja_zam=F3wienia?=\r\nDate: Mon, 03 Nov 2025 09:12:00 +0000\r\n\r\nok\r\n")
    parsed = parse_mail(raw)
    assert parsed.from_name == "Ольга" and parsed.subject == "Reklamacja zamówienia"


def test_html_only_mail_becomes_text() -> None:
    html = "<html><head><style>p{color:red}</style></head><body><p>Hello,</p><p>the refund is done.</p></body></html>"
    parsed = parse_mail(message(HEAD, html, subtype="html"))
    assert parsed.html_only and parsed.text == "Hello,\n\nthe refund is done."


def test_plain_part_preferred_in_multipart_alternative() -> None:
    raw = ("From: a@mail.example\r\nDate: Mon, 03 Nov 2025 09:12:00 +0000\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/alternative; boundary=B\r\n\r\n"
           "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Plain words.\r\n--B\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML words.</p>\r\n--B--\r\n")
    parsed = parse_mail(raw.encode())
    assert parsed.text == "Plain words." and not parsed.html_only


@pytest.mark.parametrize(("header", "reason"), [
    ("Auto-Submitted: auto-replied", "Auto-Submitted"),
    ("X-Autoreply: yes", "X-Autoreply"),
    ("Precedence: bulk", "Precedence: bulk"),
    ("Precedence: auto_reply", "Precedence: auto_reply"),
])
def test_automatic_mail_is_marked_for_skipping(header: str, reason: str) -> None:
    name, value = header.split(": ")
    parsed = parse_mail(message([*HEAD, (name, value)], "I am out of the office."))
    assert parsed.skip_reason and reason in parsed.skip_reason


def test_bounce_is_marked_for_skipping() -> None:
    from tests.fixtures.email.build import BOUNCE

    assert "multipart/report" in (parse_mail(BOUNCE).skip_reason or "")
    daemon = message([("From", "MAILER-DAEMON@mx.example"), *HEAD[1:]], "Delivery failed.")
    assert "MAILER-DAEMON" in (parse_mail(daemon).skip_reason or "")


def test_normal_mail_is_not_skipped() -> None:
    assert parse_mail(message([*HEAD, ("Auto-Submitted", "no")], "Hi")).skip_reason is None


def test_truncated_mime_is_an_error() -> None:
    raw = (b"From: a@mail.example\r\nDate: Mon, 03 Nov 2025 09:12:00 +0000\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
           b"The first half of a message that was cut off in transfer")
    with pytest.raises(ParseError, match="truncated or malformed MIME"):
        parse_mail(raw)


def test_no_date_falls_back_to_received_then_fails() -> None:
    received = message([("From", "a@mail.example"), ("Received", "from mx by mx2; Tue, 4 Nov 2025 10:00:00 +0100")],
                       "Hi")
    assert parse_mail(received).date.isoformat() == "2025-11-04T09:00:00+00:00"
    with pytest.raises(ParseError, match="no usable Date"):
        parse_mail(message([("From", "a@mail.example")], "Hi"))


def test_not_an_email_is_an_error() -> None:
    with pytest.raises(ParseError):
        parse_mail(b"just some text that is not a message\n")
    with pytest.raises(ParseError, match="empty"):
        parse_mail(b"  \r\n")


def test_size_limit() -> None:
    raw = message(HEAD, "a" * 5000)
    with pytest.raises(ParseError, match="over the limit of 1,000 bytes"):
        parse_mail(raw, max_bytes=1000)


def test_nfc_normalisation() -> None:
    decomposed = "Re\u0301sume\u0301 of the cafe\u0301 order"
    assert parse_mail(message(HEAD, decomposed)).text == "Résumé of the café order"


def test_zip_bomb_sized_attachment_is_not_expanded() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("logs.txt", "w") as member:
        block = b"\0" * (1 << 20)
        for _ in range(64):  # 64 MB once expanded
            member.write(block)
    bomb = base64.encodebytes(buf.getvalue())
    raw = (b"From: Customer <c@mail.example>\r\nDate: Mon, 03 Nov 2025 09:12:00 +0000\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           b"Logs from the router are attached.\r\n--B\r\nContent-Type: application/zip; name=logs.zip\r\n"
           b"Content-Disposition: attachment; filename=logs.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + bomb + b"\r\n--B--\r\n")
    tracemalloc.start()
    try:
        parsed = parse_mail(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert parsed.text == "Logs from the router are attached."
    assert peak < 8 * (1 << 20)  # nothing near the expanded size was ever allocated


def test_decode_bytes_plain_ascii_and_empty() -> None:
    assert decode_bytes(b"", None) == ("", None)
    assert decode_bytes(b"plain", "us-ascii") == ("plain", None)


def test_raw_8bit_headers_are_decoded_and_garbage_does_not_lose_the_message() -> None:
    raw = ("From: Иван <ivan@pochta.example>\r\nSubject: Возврат\r\n".encode("cp1251")
           + b"Date: Mon, 03 Nov 2025 09:12:00 +0000\r\n\r\nok\r\n")
    parsed = parse_mail(raw)
    assert parsed.from_name == "Иван" and parsed.subject == "Возврат"
    garbled = (b"From: a@mail.example\r\nSubject: \x01\x02\x81\x82\x83\r\n"
               b"Date: Mon, 03 Nov 2025 09:12:00 +0000\r\n\r\nok")
    assert parse_mail(garbled).text == "ok"
