"""Personal data masked in report examples.

The project's redaction module (qa_monitor/redaction.py, every kind with checksums) is used when present; until it
is, e-mail addresses, Luhn-valid card numbers and phone numbers are masked here with the same placeholders.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d ().-]{6,}\d\b")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _card(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return "[CARD]" if 13 <= len(digits) <= 19 and _luhn_ok(digits) else m.group(0)


_DATE = re.compile(r"^\d{1,4}[-./]\d{1,2}[-./]\d{1,4}$")


def _phone(m: re.Match[str]) -> str:
    # A phone number has 7 to 15 digits (E.164); dates and long reference numbers are left alone.
    n = len(re.sub(r"\D", "", m.group(0)))
    return "[PHONE]" if 7 <= n <= 15 and not _DATE.match(m.group(0)) else m.group(0)


def redact(text: str) -> str:
    """The text with personal data (e-mail addresses, card numbers, phone numbers ...) replaced by placeholders."""
    try:
        from qa_monitor.redaction import Redactor  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return _local_redact(text)
    redacted: str = Redactor().redact(text)[0]
    return redacted


def _local_redact(text: str) -> str:
    text = _EMAIL.sub("[EMAIL]", text)
    text = _CARD.sub(_card, text)
    return _PHONE.sub(_phone, text)
