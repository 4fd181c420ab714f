"""Text clean-up shared by chat and transcript adapters: HTML to plain text, NFC, whitespace."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

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


class _TextParser(HTMLParser):
    """Collects an HTML fragment's text, with line breaks where blocks and <br> were."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "br" or tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text from an HTML fragment: paragraphs and line breaks kept as new lines."""
    if "<" not in html and "&" not in html:
        return clean_text(html)
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return clean_text("".join(parser.parts))
