"""Sentence segmentation with character offsets, for en/es/pl/ru/lv help-desk text.

Rule-based on purpose: it costs microseconds per message, keeps exact offsets, and handles what help-desk text
is full of (abbreviations, version numbers, URLs, e-mail addresses, list items, greetings on their own line,
hard-wrapped e-mail lines).
"""

from __future__ import annotations

import re

from qa_monitor.nlp.analysis import Sentence

# Abbreviations that end with a period but do not end a sentence (lower-case, without the final period).
_COMMON = {"etc", "vs", "no", "nr", "tel", "fig", "approx", "min", "max", "ca", "cf", "ok", "ps", "p.s", "dr"}
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": frozenset(_COMMON | {
        "mr", "mrs", "ms", "prof", "sr", "jr", "st", "e.g", "i.e", "eg", "ie", "dept", "inc", "ltd", "co", "corp",
        "est", "ext", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx",
        "a.m", "p.m", "u.s", "u.k", "ref", "acc", "vol", "pp", "ave", "rd", "incl", "excl", "att", "attn"}),
    "es": frozenset(_COMMON | {
        "sr", "sra", "srta", "dra", "ud", "uds", "vd", "vds", "p.ej", "ej", "núm", "pág", "págs", "av", "avda",
        "aprox", "depto", "dpto", "admón", "cía", "s.a", "s.l", "tlf", "tfno", "apdo", "c.p", "ee.uu", "etc",
        "art", "cap", "lic", "ing", "atte", "hrs", "a.m", "p.m"}),
    "pl": frozenset(_COMMON | {
        "np", "itp", "itd", "tzn", "tj", "godz", "pl", "ul", "prof", "mgr", "inż", "wg", "zob", "por", "tys",
        "mln", "mld", "r", "w", "ds", "al", "os", "ok", "m.in", "sp", "z.o.o", "zł", "gr", "pkt", "str", "ww",
        "jw", "dot", "ust", "art", "kpt", "płk", "pn", "wt", "śr", "czw", "pt", "sob", "niedz", "tzw", "ob"}),
    "ru": frozenset(_COMMON | {
        "т.е", "т.д", "т.п", "т.к", "т.н", "др", "пр", "г", "гг", "ул", "д", "кв", "тел", "руб", "коп", "млн",
        "млрд", "тыс", "см", "напр", "стр", "им", "ст", "проф", "акад", "доц", "т", "е", "п", "к", "н", "мин",
        "макс", "сек", "ч", "мес", "пн", "вт", "ср", "чт", "пт", "сб", "вс", "обл", "р-н", "пос", "эл"}),
    "lv": frozenset(_COMMON | {
        "piem", "tālr", "utt", "u.c", "t.i", "g", "plkst", "sk", "utml", "t.sk", "apm", "milj", "tūkst", "izņ",
        "v", "k", "kpt", "prof", "iela", "lpp", "nod", "pag", "nov", "st", "min", "sek", "pirmd", "otrd",
        "trešd", "ceturtd", "piektd", "sestd", "svētd", "u.tml", "a/s", "sia", "mob"}),
}
_ALL_ABBREVIATIONS = frozenset().union(*ABBREVIATIONS.values())

_LIST_ITEM = re.compile(r"[ \t]*(?:[-*•–—▪►✓]|\(?\d{1,2}[.)]|\(?[a-zA-Z][)]|[ivxIVX]{1,4}[.)])\s")
_TERMINAL = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)")
_BLOCK = re.compile(r"\n[ \t]*\n\s*")
_OPENERS = "\"'“‘«„¿¡([*-•"
_SHORT_LINE = 40


def _is_abbreviation(text: str, dot: int, abbreviations: frozenset[str]) -> bool:
    """True when the '.' at `dot` closes an abbreviation, an initial or an ordinal number, not a sentence."""
    j = dot
    while j > 0 and not text[j - 1].isspace() and text[j - 1] not in "(\"'“«„":
        j -= 1
    token = text[j:dot]
    if not token:
        return False
    low = token.lower()
    line_start = text.rfind("\n", 0, j) + 1
    if token.isdigit() and len(token) <= 2 and not text[line_start:j].strip():
        return True  # a numbered list item ("1. Open settings")
    if low in abbreviations:
        return True
    # single letters are initials ("J. Smith", "т. е."); dotted runs are abbreviations ("e.g", "m.in")
    return (len(token) == 1 and token.isalpha()) or bool(re.fullmatch(r"(?:\w\.)+\w", token))


def _split_block(text: str, start: int, end: int, abbreviations: frozenset[str], out: list[tuple[int, int]]) -> None:
    """Split text[start:end] (no blank lines inside) into sentence spans appended to `out`."""
    cut = start
    for m in _TERMINAL.finditer(text, start, end):
        nxt = m.end()
        while nxt < end and text[nxt] in " \t":
            nxt += 1
        if nxt >= end:
            break
        ch = text[nxt]
        if ch == "\n":
            continue  # line breaks are decided below
        punct = text[m.start():m.end()].rstrip("\"'”’»)]")
        if punct == "." and _is_abbreviation(text, m.start(), abbreviations):
            continue
        if (punct.endswith("...") or punct.endswith("…")) and ch.islower():
            continue
        if not (ch.isupper() or ch.isdigit() or ch in _OPENERS):
            continue
        out.append((cut, m.end()))
        cut = nxt
    if cut < end:
        out.append((cut, end))


def _lines_to_units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Group the lines of a block into units: a unit ends where a line break is also a sentence break."""
    units: list[tuple[int, int]] = []
    unit_start = start
    line_start = start
    while True:
        nl = text.find("\n", line_start, end)
        if nl == -1:
            units.append((unit_start, end))
            return units
        line = text[line_start:nl].rstrip()
        following = text[nl + 1:end]
        breaks = (not line or line[-1] in ".!?…:;" or len(line) <= _SHORT_LINE
                  or _LIST_ITEM.match(following) is not None or _LIST_ITEM.match(text, unit_start) is not None)
        if breaks:
            units.append((unit_start, nl))
            unit_start = nl + 1
        line_start = nl + 1


def segment(text: str, language: str = "en") -> tuple[Sentence, ...]:
    """Sentences of `text` as offsets into it; whitespace around each sentence is left out."""
    abbreviations = ABBREVIATIONS.get(language, _ALL_ABBREVIATIONS)
    spans: list[tuple[int, int]] = []
    block_start = 0
    blocks = [*((m.start(), m.end()) for m in _BLOCK.finditer(text)), (len(text), len(text))]
    for b_start, b_end in blocks:
        for u_start, u_end in _lines_to_units(text, block_start, b_start):
            _split_block(text, u_start, u_end, abbreviations, spans)
        block_start = b_end
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Sentence(s, e, text[s:e]))
    return tuple(out)

