"""Remove quoted history, forwarded copies and signatures so a message keeps only what its author wrote.

Covers the reply markers of the five supported languages (en, es, pl, ru, lv) plus German, Outlook-style
header blocks ("From: ... Sent: ... To: ... Subject:") in those languages and "-----Original Message-----" lines.
"""

from __future__ import annotations

import re
from typing import Any

# "On <date>, <name> wrote:" and its equivalents; they may wrap over up to three lines.
_ATTRIBUTION = re.compile(
    r"^(?:"
    r"on\b.{0,300}\bwrote\s*:"                       # en
    r"|el\b.{0,300}\bescribi[óo]\s*:"                # es
    r"|.{0,300}\bescribi[óo]\s*:"                    # es (Outlook web: "<name> escribió:")
    r"|(?:w\s+dniu|dnia)\b.{0,300}\b(?:pisze|napisa[łl](?:\s*\(a\)|a)?)\s*:"   # pl
    r"|.{0,300}\b(?:napisa[łl](?:\s*\(a\)|a)?|pisze)\s*:"                       # pl without "W dniu"
    r"|.{0,300}(?:написал(?:\s*\(а\)|а)?|пишет)\s*:"                           # ru
    r"|.{0,300}\b(?:rakst[īi]ja|raksta)\s*:"         # lv
    r"|am\b.{0,300}\bschrieb\s*:"                    # de
    r"|.{0,300}\bwrote\s*:"                          # en, name first ("Anna Smith wrote:")
    r"|.{0,200}\d.{0,200}<[^<>\s]+@[^<>\s]+>\s*:"      # Gmail in ru/lv: "<date>, <name> <address>:"
    r")\s*$",
    re.IGNORECASE,
)

# "-----Original Message-----" and localised Outlook separators; forwarded-message banners.
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:original message|mensaje original|oryginalna wiadomo[śs][ćc]|wiadomo[śs][ćc] oryginalna"
    r"|исходное сообщение|оригинальное сообщение|s[āa]kotn[ēe]jais zi[ņn]ojums|ori[ģg]in[āa]l[āa] zi[ņn]a"
    r"|ursprüngliche nachricht"
    r"|forwarded message|mensaje reenviado|wiadomo[śs][ćc] przekazana dalej|przekazana wiadomo[śs][ćc]"
    r"|пересылаемое сообщение|пересланное сообщение|p[āa]rs[ūu]t[īi]ts zi[ņn]ojums|p[āa]rs[ūu]t[īi]t[āa] zi[ņn]a"
    r")\s*-{0,}\s*$",
    re.IGNORECASE,
)

# Outlook's plain-text header block: a From line followed closely by Sent/Date, To and Subject lines.
_H_FROM = r"(?:from|de|od|от|no|von)"
_H_OTHER = (r"(?:sent|date|to|cc|subject|enviado|fecha|para|asunto|wys[łl]ano|data|do|temat|dw"
            r"|отправлено|дата|кому|копия|тема|nos[ūu]t[īi]ts|datums|kam|t[ēe]ma|gesendet|an|betreff)")
_FROM_LINE = re.compile(rf"^\s*\*?{_H_FROM}\s*:\*?\s*\S", re.IGNORECASE)
_OTHER_LINE = re.compile(rf"^\s*\*?{_H_OTHER}\s*:\*?", re.IGNORECASE)
_OUTLOOK_RULE = re.compile(r"^\s*_{10,}\s*$")

# Signature delimiter ("-- ") and mobile footers.
_SIG_DELIM = re.compile(r"^--\s*$")
_MOBILE = re.compile(
    r"^\s*(?:sent from my \w+|get outlook for \w+|enviado desde mi \w+|wys[łl]ane z (?:mojego )?\w+"
    r"|отправлено с (?:моего )?\w+|nos[ūu]t[īi]ts no (?:mana )?\w+)\b.*$",
    re.IGNORECASE,
)
# A closing phrase on its own line, after which a short signature block ends the message.
_VALEDICTIONS = (
    r"(?:best regards|kind regards|warm regards|regards|best wishes|all the best|best|cheers|thanks|thank you"
    r"|many thanks|sincerely|yours sincerely|yours faithfully"
    r"|saludos(?: cordiales)?|un (?:cordial )?saludo|reciba un cordial saludo|cordiales saludos|atentamente"
    r"|cordialmente|gracias|muchas gracias"
    r"|pozdrawiam(?: serdecznie)?|z powa[żz]aniem|z wyrazami szacunku|serdecznie pozdrawiam|dzi[eę]kuj[eę]"
    r"|pozdrowienia"
    r"|с уважением|всего доброго|всего хорошего|всего наилучшего|спасибо|с наилучшими пожеланиями"
    r"|ar cie[ņn]u|ar sveicieniem|ar vislab[āa]kaj[āa]m v[ēe]lm[ēe]m|paldies|ar lab[āa]kajiem v[ēe]l[ēe]jumiem"
    r"|veiksmi|mit freundlichen gr[üu](?:ß|ss)en|viele gr[üu](?:ß|ss)e)"
)
_VALEDICTION = re.compile(rf"^\s*{_VALEDICTIONS}\s*[,.!]?\s*$", re.IGNORECASE)
_VALEDICTION_NAMED = re.compile(rf"^\s*{_VALEDICTIONS}\s*[,.!]?\s+(?P<name>.+?)\s*$", re.IGNORECASE)
_SIGNATURE_MAX_LINES = 6


def _find_attribution(lines: list[str]) -> int | None:
    for i in range(len(lines)):
        for span in (1, 2, 3):
            if i + span > len(lines):
                break
            joined = " ".join(x.strip() for x in lines[i:i + span])
            if not lines[i].strip() or len(joined) > 400:
                break
            if span > 1 and re.search(r"[.!?:]\s*$", lines[i + span - 2]):
                break  # a finished sentence is prose, not the first half of a wrapped attribution
            if _ATTRIBUTION.match(joined) and _is_attribution(joined, lines[i + span:]):
                return i
    return None


def _is_attribution(joined: str, rest: list[str]) -> bool:
    """A real attribution names a date or address, or is followed by '>' quotes: prose ending in 'wrote:' is not."""
    if re.search(r"\d|@", joined):
        return True
    following = next((ln for ln in rest if ln.strip()), "")
    return following.lstrip().startswith(">")


def _find_outlook_block(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if _SEPARATOR.match(line):
            return i
        if _FROM_LINE.match(line):
            window = lines[i + 1:i + 7]
            if sum(1 for w in window if _OTHER_LINE.match(w)) >= 2:
                # An Outlook rule line just above belongs to the quoted block too.
                if i > 0 and _OUTLOOK_RULE.match(lines[i - 1]):
                    return i - 1
                return i
    return None


def _strip_signature(lines: list[str]) -> list[str]:
    for i, line in enumerate(lines):
        if _SIG_DELIM.match(line):
            lines = lines[:i]  # and the closing phrase just above it, below
            break
    lines = [ln for ln in lines if not _MOBILE.match(ln)]
    # A closing phrase near the end: the phrase and what follows (name, title, phone) are the signature.
    while lines and not lines[-1].strip():
        lines.pop()
    for i in range(max(0, len(lines) - _SIGNATURE_MAX_LINES - 1), len(lines)):
        if (_VALEDICTION.match(lines[i]) and all(_signature_line(x) for x in lines[i + 1:])
                and any(x.strip() for x in lines[:i])):
            return lines[:i]
    return lines


def _signature_line(line: str) -> bool:
    """Name, title, company, phone or address: short, and not a sentence ("If it fails, call us.")."""
    text = line.strip()
    return len(text) <= 60 and not (re.search(r"[.?!]$", text) and len(text.split()) > 3)


def _strip_author_name(lines: list[str], author: str) -> list[str]:
    """Drop a last line that only signs the message with the author's name ("Sergei", "Regards, Emma")."""
    words = author.casefold().split()
    names = {" ".join(words), " ".join(words[:1]), " ".join(words[:2])} - {""}  # "Marta", "Marta Sánchez"
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    if not names or len(lines) < 2 or not any(x.strip() for x in lines[:-1]):
        return lines
    last = lines[-1].strip().lstrip("-–— ").rstrip(",.!").strip()
    named = _VALEDICTION_NAMED.match(last)
    if last.casefold() in names or (named and named.group("name").rstrip(",.!").casefold() in names):
        lines = lines[:-1]
        lines = _strip_signature(lines)  # a closing phrase on the line above the name
    return lines


def strip_quoted(text: str, author: str | None = None) -> str:
    """The text without quoted history (attribution lines, '>' quotes, Outlook headers) and without signature.

    `author` is the sender's display name: a last line that is only that name is a signature too.
    """
    lines = text.split("\n")
    cut = [c for c in (_find_attribution(lines), _find_outlook_block(lines)) if c is not None]
    if cut:
        lines = lines[:min(cut)]
    lines = [ln for ln in lines if not ln.lstrip().startswith(">")]
    lines = _strip_signature(lines)
    if author:
        lines = _strip_author_name(lines, author)
    out = "\n".join(ln.rstrip() for ln in lines)
    return re.sub(r"\n\n\n+", "\n\n", out).strip()


# HTML containers that clients put quoted history in (Gmail, Outlook, Thunderbird, Apple Mail, Yahoo).
_HTML_QUOTE_SELECTORS = (
    "blockquote", "div.gmail_quote", "div.gmail_extra", "div#divRplyFwdMsg", "div#appendonsend",
    "div.moz-cite-prefix", "div.yahoo_quoted", "div#mail-editor-reference-message-container",
    "div.gmail_signature", "div.moz-signature", "div#Signature",
)


def strip_html_quotes(soup: Any) -> None:
    """Remove quoted-history and signature elements from a BeautifulSoup tree in place."""
    for selector in _HTML_QUOTE_SELECTORS:
        for tag in soup.select(selector):
            tag.decompose()
    # Outlook web marks the start of the quoted part with an <hr> before the header block.
    for hr in soup.find_all("hr"):
        following = hr.find_next(string=True)
        if following and _FROM_LINE.match(str(following).strip() + " x"):
            for sib in list(hr.find_all_next()):
                sib.decompose()
            hr.decompose()
            break
