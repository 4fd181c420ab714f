"""Parse one RFC 5322 message into what qa-monitor needs: ids for threading, author, date and the author's own text."""

from __future__ import annotations

import email
import email.header
import email.utils
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message as MimeMessage

from bs4 import BeautifulSoup

from qa_monitor.adapters.quoting import strip_html_quotes, strip_quoted
from qa_monitor.errors import ParseError

DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024

# Candidate charsets for undeclared or wrongly declared text, in order of preference on a tie.
CANDIDATE_CHARSETS = ("cp1251", "koi8-r", "iso-8859-2", "cp1250", "iso-8859-13", "cp1257", "cp1252", "iso-8859-1")

_OUR_LETTERS = set(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
    "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ" "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ" "áéíóúñüÁÉÍÓÚÑÜ"
)
_OTHER_LETTERS = set("àâäçèêëîïôöùûÿßæøåÀÂÄÇÈÊËÎÏÔÖÙÛŸÆØÅãõ")
_TYPOGRAPHY = set("€«»„“”‘’–—…°©®™×§\u00a0•¡¿№")


@dataclass(frozen=True)
class ParsedMail:
    """The parts of one e-mail that threading and the records need; `text` is the author's own words."""

    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    from_addr: str
    from_name: str | None
    to_addrs: tuple[str, ...]
    date: datetime
    text: str
    html_only: bool = False
    charset_note: str | None = None
    skip_reason: str | None = None

    @property
    def parent_ids(self) -> tuple[str, ...]:
        """References then In-Reply-To, oldest ancestor first, without duplicates."""
        ids = list(self.references)
        if self.in_reply_to and self.in_reply_to not in ids:
            ids.append(self.in_reply_to)
        return tuple(ids)


def _script(c: str) -> str:
    if not c.isalpha():
        return ""
    return "cyr" if "\u0400" <= c <= "\u04ff" else "lat"


_WORD = re.compile(r"[^\W\d_]+")


def plausibility(text: str) -> float:
    """How much decoded text looks like real writing: 1.0 for clean letters, negative for mojibake or binary."""
    total = 0.0
    n = 0
    prev = ""
    for c in text:
        o = ord(c)
        if o < 128:
            if o < 32 and c not in "\t\r\n\f":
                total -= 3
                n += 1
            prev = c
            continue
        n += 1
        if c in _OUR_LETTERS:
            total += 1
        elif c in _OTHER_LETTERS or c in _TYPOGRAPHY:
            total += 0.5
        elif 0x80 <= o < 0xA0 or c == "\ufffd":
            total -= 3
        elif 0x2500 <= o < 0x2600 or o < 0x2000:
            total -= 1  # box drawing and stray Latin-1/Cyrillic symbols: what mis-decoding produces
        # Mis-decoding mixes scripts inside one word.
        if _script(prev) and _script(c) and _script(prev) != _script(c):
            total -= 1.5
        prev = c
    # Mis-decoded KOI8-R/Windows-1251 swaps case: "гДПЮБЯРБСИРЕ"; a word with a lower-case letter followed by a
    # capital counts against every non-ASCII letter in it (ASCII-only words such as "iPhone" are left alone).
    for word in _WORD.findall(text):
        if not word.isascii() and any(a.islower() and b.isupper() for a, b in zip(word, word[1:], strict=False)):
            total -= 2.5 * sum(1 for c in word if ord(c) >= 128)
    return 1.0 if n == 0 else total / n


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, str | None]:
    """Text from bytes: the declared charset when it decodes plausibly, else the best candidate; note if guessed."""
    if not data:
        return "", None
    declared = _norm_charset(declared)
    if declared and declared not in ("us-ascii", "ascii"):
        try:
            text = data.decode(declared)
            if declared == "utf-8" or plausibility(text) >= 0.6:
                return text, None
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        # Valid UTF-8 with non-ASCII bytes is practically never an accident of another charset.
        text = data.decode("utf-8")
        return text, None if declared in (None, "us-ascii", "ascii") else f"declared {declared}, was utf-8"
    except UnicodeDecodeError:
        pass
    best: tuple[float, str, str] | None = None
    for cs in CANDIDATE_CHARSETS:
        try:
            cand = data.decode(cs)
        except UnicodeDecodeError:
            continue
        score = plausibility(cand)
        if best is None or score > best[0]:
            best = (score, cs, cand)
    if best and best[0] >= 0.3:
        note = f"declared {declared}, detected {best[1]}" if declared else f"undeclared, detected {best[1]}"
        return best[2], note
    from charset_normalizer import from_bytes  # only for text that none of our charsets explains

    match = from_bytes(data).best()
    if match is not None and plausibility(str(match)) >= 0.3:
        return str(match), f"detected {match.encoding}"
    raise ParseError(f"text is not decodable: declared charset {declared or 'none'} and no known charset "
                     f"gives readable text ({len(data)} bytes)")


def _norm_charset(cs: str | None) -> str | None:
    if not cs:
        return None
    cs = cs.strip().strip('"').lower()
    aliases = {"utf8": "utf-8", "win-1251": "cp1251", "windows-1251": "cp1251", "windows-1250": "cp1250",
               "windows-1257": "cp1257", "windows-1252": "cp1252", "x-user-defined": "", "unknown-8bit": ""}
    return aliases.get(cs, cs) or None


def decode_header(value: str | None) -> str:
    """A header value with RFC 2047 words and raw 8-bit bytes decoded."""
    if not value:
        return ""
    if any("\udc80" <= c <= "\udcff" for c in value):
        # Raw 8-bit header bytes (no RFC 2047): the parser kept them as surrogates. A garbled header is not
        # worth losing the message over: unreadable bytes become U+FFFD.
        data = value.encode("ascii", "surrogateescape")
        try:
            text = decode_bytes(data, None)[0]
        except ParseError:
            text = data.decode("utf-8", "replace")
        return re.sub(r"\s+", " ", text).strip()
    try:
        parts = email.header.decode_header(value)
    except email.errors.HeaderParseError:
        return value
    out = []
    for chunk, cs in parts:
        if isinstance(chunk, bytes):
            try:
                out.append(decode_bytes(chunk, cs)[0])
            except ParseError:
                out.append(chunk.decode("ascii", "replace"))
        else:
            out.append(chunk)
    return re.sub(r"\s+", " ", "".join(out)).strip()


_MSGID = re.compile(r"<([^<>\s]+)>")


def message_ids(value: str | None) -> tuple[str, ...]:
    """Message-IDs in a header value, without angle brackets, in order."""
    if not value:
        return ()
    found = _MSGID.findall(value)
    if not found:
        found = [v for v in value.split() if "@" in v]
    return tuple(dict.fromkeys(x.strip() for x in found))


Headers = dict[str, list[str]]


def _headers(msg: MimeMessage) -> Headers:
    """The top-level header fields by lower-case name, read once (Message.get scans every field per call)."""
    out: Headers = {}
    # raw_items: values as received; items() would turn raw 8-bit bytes into U+FFFD before we can detect them.
    for name, value in msg.raw_items():
        out.setdefault(name.lower(), []).append(str(value))
    return out


def _first(headers: Headers, name: str) -> str:
    values = headers.get(name)
    return values[0] if values else ""


def skip_reason(msg: MimeMessage, headers: Headers | None = None) -> str | None:
    """Why a message is an automatic one (auto-reply, bounce, bulk) and not a person's turn, or None."""
    h = headers if headers is not None else _headers(msg)
    auto = _first(h, "auto-submitted").strip().lower()
    if auto and auto != "no":
        return f"auto-reply (Auto-Submitted: {auto.split(';')[0]})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponse"):
        if _first(h, name.lower()).strip():
            return f"auto-reply ({name})"
    precedence = _first(h, "precedence").strip().lower()
    if precedence in ("bulk", "auto_reply", "junk"):
        return f"automatic mail (Precedence: {precedence})"
    if msg.get_content_type() == "multipart/report":
        return f"bounce or receipt (multipart/report; report-type={msg.get_param('report-type') or 'unknown'})"
    sender = email.utils.parseaddr(_first(h, "from"))[1].lower()
    if sender.split("@")[0] in ("mailer-daemon", "postmaster"):
        return "bounce (from MAILER-DAEMON)"
    return None


def _date(headers: Headers) -> datetime | None:
    candidates = headers.get("date", [])[:1]
    candidates += [r.rsplit(";", 1)[-1] for r in headers.get("received", []) if ";" in r]
    for value in candidates:
        if not value:
            continue
        try:
            d = email.utils.parsedate_to_datetime(value.strip())
            if d is not None:
                return (d if d.tzinfo else d.replace(tzinfo=UTC)).astimezone(UTC)
        except (TypeError, ValueError, IndexError, OverflowError):  # OverflowError: before year 1 in UTC
            continue
    return None


_TRUNCATION = ("StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect", "MultipartInvariantViolationDefect")


def _check_structure(msg: MimeMessage) -> None:
    for part in msg.walk():
        for d in part.defects:
            name = type(d).__name__
            if name in _TRUNCATION:
                raise ParseError(f"truncated or malformed MIME in a {part.get_content_type()} part ({name})")


def _is_attachment(part: MimeMessage) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    return disposition == "attachment" or bool(part.get_filename())


def _body_parts(msg: MimeMessage) -> tuple[MimeMessage | None, MimeMessage | None]:
    """The first inline text/plain and text/html parts, never descending into attachments or attached messages."""
    plain = html = None
    stack = [msg]
    while stack:
        part = stack.pop(0)
        ctype = part.get_content_type()
        if part.is_multipart():
            if ctype == "message/rfc822" or _is_attachment(part):
                continue
            stack = list(part.get_payload()) + stack
            continue
        if _is_attachment(part):
            continue
        if ctype == "text/plain" and plain is None:
            plain = part
        elif ctype == "text/html" and html is None:
            html = part
    return plain, html


def _part_text(part: MimeMessage) -> tuple[str, str | None]:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return "", None
    return decode_bytes(data, part.get_content_charset())


_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre")


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML body, with quoted history elements removed."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title"]):
        tag.decompose()
    strip_html_quotes(soup)
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    text = soup.get_text()
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.splitlines()]
    return re.sub(r"\n\n\n+", "\n\n", "\n".join(lines)).strip()


def normalise(text: str) -> str:
    """NFC, unified line ends, no trailing spaces, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [ln.rstrip() for ln in text.split("\n")]
    return re.sub(r"\n\n\n+", "\n\n", "\n".join(lines)).strip()


def synthetic_id(content: bytes) -> str:
    """A stable Message-ID for a message that has none, from its bytes."""
    return f"noid-{hashlib.sha256(content).hexdigest()[:24]}@qa-monitor.invalid"


def parse_mail(content: bytes, *, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
               fallback_date: datetime | None = None) -> ParsedMail:
    """Parse raw message bytes; raises ParseError with a readable reason when they cannot be used."""
    if len(content) > max_bytes:
        raise ParseError(f"message is {len(content):,} bytes, over the limit of {max_bytes:,} bytes "
                         f"(options.max_message_bytes)")
    if not content.strip():
        raise ParseError("empty message")
    msg = email.message_from_bytes(content)
    if not msg.keys():
        raise ParseError("no header fields: not an e-mail message")
    _check_structure(msg)
    h = _headers(msg)
    from_name, from_addr = email.utils.parseaddr(decode_header(_first(h, "from")))
    if not from_addr:
        raise ParseError("no usable From address")
    date = _date(h) or fallback_date
    if date is None:
        raise ParseError("no usable Date (neither a Date header nor a dated Received header)")
    ids = message_ids(_first(h, "message-id"))
    mid = ids[0] if ids else synthetic_id(content)
    reply_to = message_ids(_first(h, "in-reply-to"))
    refs = tuple(r for r in message_ids(" ".join(h.get("references", []))) if r != mid)
    to_addrs = tuple(a.lower() for _, a in email.utils.getaddresses(
        [decode_header(v) for v in h.get("to", []) + h.get("cc", [])]) if a)
    subject = decode_header(_first(h, "subject"))
    reason = skip_reason(msg, h)
    text, html_only, note = "", False, None
    if reason is None:
        plain, html = _body_parts(msg)
        if plain is not None:
            raw_text, note = _part_text(plain)
            text = strip_quoted(normalise(raw_text), author=from_name)
        elif html is not None:
            raw_html, note = _part_text(html)
            text = strip_quoted(normalise(html_to_text(raw_html)), author=from_name)
            html_only = True
    return ParsedMail(message_id=mid, in_reply_to=reply_to[0] if reply_to else None, references=refs,
                      subject=unicodedata.normalize("NFC", subject), from_addr=from_addr.strip().lower(),
                      from_name=unicodedata.normalize("NFC", from_name) or None, to_addrs=to_addrs, date=date,
                      text=normalise(text), html_only=html_only, charset_note=note, skip_reason=reason)
