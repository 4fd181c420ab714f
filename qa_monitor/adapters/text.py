"""Text clean-up shared by chat and transcript adapters: HTML to plain text, NFC, whitespace."""

from __future__ import annotations

import re
import unicodedata

_BLOCK = {"p", "div", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"}


def clean_text(text: str) -> str:
    """NFC-normalised text with runs of spaces collapsed, lines trimmed and at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " "))
    text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _BLANKS.sub("\n\n", "\n".join(line.strip() for line in text.split("\n")))
    return text.strip()


_SPACES = re.compile(r"[ \t]{2,}|\t")
_BLANKS = re.compile(r"\n{3,}")


def html_to_text(html: str) -> str:
    """Plain text from an HTML fragment: paragraphs and line breaks kept as new lines."""
    if "<" not in html and "&" not in html:
        return clean_text(html)
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(_BLOCK):
        tag.insert_after("\n")
    return clean_text(soup.get_text())
