"""Optional redaction of personal data in message text before it is stored.

Each kind is found by a pattern and, where the identifier has one, confirmed by its checksum (Luhn for cards,
mod-97 for IBANs, the PESEL, personas kods and DNI/NIE check digits), so that order numbers, dates and amounts that
merely look similar are left alone. Matches are replaced by typed placeholders such as "[EMAIL]"; because the
stored text is the redacted text, every later finding's offsets refer to it and stay consistent.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

KINDS: tuple[str, ...] = ("email", "phone", "card", "iban", "national_id")
NATIONAL_IDS: tuple[str, ...] = ("pesel", "personas_kods", "dni")


@dataclass(frozen=True)
class Span:
    """One piece of personal data found in a text: its kind, offsets and the placeholder that replaces it."""

    kind: str
    start: int
    end: int
    placeholder: str


# --- checksums -------------------------------------------------------------------------------------------

def luhn_ok(digits: str) -> bool:
    """True when a digit string passes the Luhn check used by payment cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    """True when a compact IBAN has a plausible shape and its mod-97 check is 1."""
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        return False
    if iban[:2] in IBAN_LENGTHS and len(iban) != IBAN_LENGTHS[iban[:2]]:
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


IBAN_LENGTHS = {"AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24,
                "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IT": 27, "LT": 20, "LU": 20,
                "LV": 21, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "RU": 33, "SE": 24, "SI": 19,
                "SK": 24, "UA": 29}


def pesel_ok(d: str) -> bool:
    """True for an 11-digit PESEL with a valid encoded birth date and check digit."""
    if len(d) != 11 or not d.isdigit():
        return False
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    if (10 - sum(int(a) * w for a, w in zip(d, weights, strict=False)) % 10) % 10 != int(d[10]):
        return False
    month, day = int(d[2:4]) % 20, int(d[4:6])
    return 1 <= month <= 12 and 1 <= day <= 31


def personas_kods_ok(d: str) -> bool:
    """True for a Latvian personal code: the new 32xxxxxxxxx form, or the old DDMMYY-CNNNN with its check digit."""
    if len(d) != 11 or not d.isdigit():
        return False
    if d.startswith("32"):
        return True
    day, month, century = int(d[0:2]), int(d[2:4]), d[6]
    if not (1 <= day <= 31 and 1 <= month <= 12 and century in "012"):
        return False
    weights = (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = (1101 - sum(int(a) * w for a, w in zip(d, weights, strict=False))) % 11
    return check < 10 and check == int(d[10])


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_ok(value: str) -> bool:
    """True for a Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter) with the right letter."""
    v = value.upper().replace("-", "").replace(" ", "")
    if re.fullmatch(r"[XYZ]\d{7}[A-Z]", v):
        v = str("XYZ".index(v[0])) + v[1:]
    if not re.fullmatch(r"\d{8}[A-Z]", v):
        return False
    return _DNI_LETTERS[int(v[:8]) % 23] == v[8]


# --- finders ---------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,34}", re.I)
_ELEVEN = re.compile(r"(?<![\d-])\d{6}-?\d{5}(?![\d-])")
_DNI = re.compile(r"(?<![\w-])(?:[XYZ]-?\d{7}|\d{8})-? ?[A-Z](?!\w)", re.I)
# the whole run of digits and separators: a longer number (a card failing Luhn) must not yield a phone-sized prefix
_PHONE = re.compile(r"(?<![\w+/.,-])(?:\+|00)?\(?\d(?:[ ()\u00a0.-]{0,2}\d)*(?![\w/]|[.,-]\d)")
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}")
_PHONE_WORDS = re.compile(r"(tel|phone|mobile|mob|call|número|telefon|teléfono|móvil|телефон|тел|номер|tālr|"
                          r"tālrunis|zvani|numur|komórk|whatsapp|sms)", re.I)
_MONEY_AFTER = re.compile(r"^\s?(€|eur|usd|\$|zł|pln|руб|₽|rub|gbp|£|euro)", re.I)


def _find_emails(text: str) -> Iterable[Span]:
    for m in _EMAIL.finditer(text):
        yield Span("email", m.start(), m.end(), "[EMAIL]")


def _find_cards(text: str) -> Iterable[Span]:
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits) and len(set(digits)) > 1:
            yield Span("card", m.start(), m.end(), "[CARD]")


def _find_ibans(text: str) -> Iterable[Span]:
    for m in _IBAN.finditer(text):
        raw = m.group()
        # The pattern may run into following words; try the longest alphanumeric prefix that validates.
        positions = [i for i, c in enumerate(raw) if c.isalnum()]
        for n in range(min(len(positions), 34), 14, -1):
            compact = "".join(raw[i] for i in positions[:n]).upper()
            if iban_ok(compact):
                yield Span("iban", m.start(), m.start() + positions[n - 1] + 1, "[IBAN]")
                break


def _find_eleven(text: str, kind: str) -> Iterable[Span]:
    check: Callable[[str], bool] = pesel_ok if kind == "pesel" else personas_kods_ok
    for m in _ELEVEN.finditer(text):
        digits = m.group().replace("-", "")
        if kind == "pesel" and "-" in m.group():
            continue  # PESEL is written without a hyphen; DDMMYY-NNNNN is the Latvian form
        if check(digits):
            yield Span(kind, m.start(), m.end(), "[PESEL]" if kind == "pesel" else "[PERSONAS_KODS]")


def _find_dni(text: str) -> Iterable[Span]:
    for m in _DNI.finditer(text):
        if dni_ok(m.group()):
            nie = m.group()[0].upper() in "XYZ"
            yield Span("dni", m.start(), m.end(), "[NIE]" if nie else "[DNI]")


def _find_phones(text: str) -> Iterable[Span]:
    for m in _PHONE.finditer(text):
        s = m.group().rstrip(" (")
        digits = re.sub(r"\D", "", s)
        if _DATE.fullmatch(s) or _MONEY_AFTER.match(text[m.start() + len(s):]):
            continue
        if "." in s and not s.startswith("+"):
            continue  # dotted numbers are versions, IP addresses or amounts far more often than phones
        international = s.startswith(("+", "00"))
        groups = len(re.findall(r"\d+", s))
        context = bool(_PHONE_WORDS.search(text[max(0, m.start() - 30):m.start()]))
        if len(digits) > 15:
            continue
        if (international and 8 <= len(digits) <= 15) or (groups >= 3 and 8 <= len(digits) <= 12) \
                or (groups == 2 and 9 <= len(digits) <= 12 and context) or (context and 7 <= len(digits) <= 12):
            yield Span("phone", m.start(), m.start() + len(s), "[PHONE]")


# Order matters: the first kind to claim characters keeps them (an IBAN's digits are not also a phone).
_FINDERS: tuple[tuple[str, Callable[[str], Iterable[Span]]], ...] = (
    ("email", _find_emails),
    ("iban", _find_ibans),
    ("card", _find_cards),
    ("pesel", lambda t: _find_eleven(t, "pesel")),
    ("personas_kods", lambda t: _find_eleven(t, "personas_kods")),
    ("dni", _find_dni),
    ("phone", _find_phones),
)


class Redactor:
    """Finds and replaces the configured kinds of personal data (`national_id` means PESEL, personas kods, DNI/NIE)."""

    def __init__(self, kinds: Iterable[str] = KINDS) -> None:
        wanted: set[str] = set()
        for k in kinds:
            if k == "national_id":
                wanted.update(NATIONAL_IDS)
            elif k in KINDS or k in NATIONAL_IDS:
                wanted.add(k)
            else:
                from qa_monitor.errors import ConfigError

                raise ConfigError(f"redaction: unknown kind '{k}' (known: {', '.join(KINDS + NATIONAL_IDS)})")
        self.finders = [(k, f) for k, f in _FINDERS if k in wanted]

    def find(self, text: str) -> list[Span]:
        """Non-overlapping spans of personal data in the text, in order."""
        taken: list[Span] = []
        for _kind, finder in self.finders:
            for span in finder(text):
                if not any(span.start < t.end and t.start < span.end for t in taken):
                    taken.append(span)
        return sorted(taken, key=lambda s: s.start)

    def redact(self, text: str) -> tuple[str, Counter[str]]:
        """The text with each span replaced by its placeholder, and how many of each kind were replaced."""
        spans = self.find(text)
        if not spans:
            return text, Counter()
        out, pos = [], 0
        for s in spans:
            out += [text[pos:s.start], s.placeholder]
            pos = s.end
        out.append(text[pos:])
        return "".join(out), Counter(s.kind for s in spans)
