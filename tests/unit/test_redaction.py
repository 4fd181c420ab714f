"""Redaction per kind, with near-misses that must be left alone, and offsets consistent in the stored text."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_monitor.errors import ConfigError
from qa_monitor.ingest import ingest_pipeline
from qa_monitor.redaction import Redactor, dni_ok, iban_ok, luhn_ok, personas_kods_ok, pesel_ok
from tests.support.ingest import messages, pipeline, sqlite_store

CASES = [
    # (kind, text, expected)
    ("email", "Write to megan.doyle@example.net today.", "Write to [EMAIL] today."),
    ("email", "Envíe la factura a lucia.fdez+facturas@correo.example.es, por favor.",
     "Envíe la factura a [EMAIL], por favor."),
    ("card", "My card 4111 1111 1111 1111 was charged twice.", "My card [CARD] was charged twice."),
    ("card", "Karta 5500-0000-0000-0004 została obciążona.", "Karta [CARD] została obciążona."),
    ("iban", "Pārskaitiet uz LV80BANK0000435195001 līdz piektdienai.", "Pārskaitiet uz [IBAN] līdz piektdienai."),
    ("iban", "Numer konta: PL61 1090 1014 0000 0712 1981 2874.", "Numer konta: [IBAN]."),
    ("iban", "IBAN ES91 2100 0418 4502 0005 1332 OK?", "IBAN [IBAN] OK?"),
    ("national_id", "Mój PESEL to 44051401359.", "Mój PESEL to [PESEL]."),
    ("national_id", "Personas kods 111111-11111, lūdzu.", "Personas kods [PERSONAS_KODS], lūdzu."),
    ("national_id", "Jaunais kods: 321234-56789.", "Jaunais kods: [PERSONAS_KODS]."),
    ("national_id", "Mi DNI es 12345678Z y el de mi mujer X1234567L.", "Mi DNI es [DNI] y el de mi mujer [NIE]."),
    ("phone", "Call me on +44 20 7946 0958 after six.", "Call me on [PHONE] after six."),
    ("phone", "Mój numer: 512 345 678.", "Mój numer: [PHONE]."),
    ("phone", "Позвоните мне: +7 (912) 345-67-89.", "Позвоните мне: [PHONE]."),
    ("phone", "Mans tālrunis ir 29123456.", "Mans tālrunis ir [PHONE]."),
    ("phone", "Llámeme al +34 612 34 56 78.", "Llámeme al [PHONE]."),
]

NEAR_MISSES = [
    ("email", "Mention @carmen in the thread, or use user@localhost."),
    ("card", "Card 4111 1111 1111 1112 fails the Luhn check."),
    ("card", "Tracking number 1234567890123 is on the label."),
    ("iban", "LV80BANK0000435195002 has a wrong check digit."),
    ("iban", "Reference PL00 1234 is not an account."),
    ("national_id", "PESEL 44051401358 has a wrong check digit."),
    ("national_id", "Kods 111111-11112 neder, 331234-56789 arī ne."),
    ("national_id", "DNI 12345678A tiene la letra mal."),
    ("phone", "Order 12345678 ships on 2026-11-03."),
    ("phone", "The invoice total is 1 234 567 €, see version 10.2.3.4 or IP 192.168.100.200."),
    ("phone", "Zamówienie FV/11/2026/0412 z dnia 03.11.2026."),
]


@pytest.mark.parametrize(("kind", "text", "expected"), CASES)
def test_redacts_each_kind(kind: str, text: str, expected: str) -> None:
    assert Redactor([kind]).redact(text)[0] == expected
    assert Redactor().redact(text)[0] == expected  # all kinds together agree


@pytest.mark.parametrize(("kind", "text"), NEAR_MISSES)
def test_leaves_near_misses_alone(kind: str, text: str) -> None:
    redacted, counts = Redactor().redact(text)
    assert (redacted, sum(counts.values())) == (text, 0)


def test_checksums() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("DE89370400440532013000") and not iban_ok("DE89370400440532013001")
    assert iban_ok("LV80BANK0000435195001") and not iban_ok("LV80BANK000043519500")  # wrong length for LV
    assert pesel_ok("44051401359") and not pesel_ok("44051401358") and not pesel_ok("44133101359")
    assert personas_kods_ok("11111111111") and personas_kods_ok("32123456789")
    assert not personas_kods_ok("11111111112") and not personas_kods_ok("11131111111")
    assert dni_ok("12345678Z") and dni_ok("X1234567L") and dni_ok("y-1234567-x")
    assert not dni_ok("12345678A") and not dni_ok("X1234567A")


def test_only_the_configured_kinds_are_redacted() -> None:
    text = "Mail a@b.example or call +371 29123456."
    assert Redactor(["email"]).redact(text)[0] == "Mail [EMAIL] or call +371 29123456."
    with pytest.raises(ConfigError, match="unknown kind 'ssn'"):
        Redactor(["ssn"])


def test_redaction_before_storage_keeps_offsets_consistent(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    path.write_text(
        '{"interaction_id": "c1", "message_id": "1", "author": "c", "role": "customer", "sent_at": 1762164000,'
        ' "text": "I am megan.doyle@example.net, card 4111 1111 1111 1111."}\n'
        '{"interaction_id": "c1", "message_id": "2", "author": "james", "role": "agent", "sent_at": 1762164060,'
        ' "text": "Megan, I emailed megan.doyle@example.net. Obviously you should read it."}\n', encoding="utf-8")
    spec = pipeline(tmp_path, f'\n[[sources]]\nname = "chat"\nadapter = "jsonl"\n[sources.options]\npath = "{path}"\n',
                    extra="\n[redaction]\nenabled = true\n")
    store = sqlite_store(tmp_path)
    [report] = ingest_pipeline(store, spec)
    assert report.redacted == 3
    customer, agent = messages(store, "chat:c1")
    assert customer.text == "I am [EMAIL], card [CARD]."
    assert agent.text == "Megan, I emailed [EMAIL]. Obviously you should read it."
    assert agent.meta == {"redacted": {"email": 1}}
    # a finding located in the stored text points at the same words a detector saw
    start = agent.text.index("Obviously")
    assert agent.text[start:start + len("Obviously")] == "Obviously"
    # raw payloads keep the original bytes, for retries
    with store.session() as s:
        from qa_monitor.storage import tables as t

        assert b"megan.doyle@example.net" in s.query(t.RawPayloadRow).one().content
