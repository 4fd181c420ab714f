"""The shapes the demo conversations are written in, before they are rendered to mbox, Intercom JSON and WebVTT."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# What a manager should see for an agent turn: None = an ordinary polite reply (not listed),
# "none" = a polite reply that looks risky (a hard negative: must not be flagged),
# otherwise one or more labels joined by "+": "rude", "condescending", "unclear".
Expect = str | None


def at(text: str) -> datetime:
    """A timestamp written as '2026-10-27 19:42 +02:00' (seconds optional)."""
    fmt = "%Y-%m-%d %H:%M:%S %z" if text.count(":") == 3 else "%Y-%m-%d %H:%M %z"
    return datetime.strptime(text, fmt)


@dataclass(frozen=True)
class Customer:
    name: str
    email: str


@dataclass(frozen=True)
class Mail:
    who: str  # agent id, or "c" for the customer
    when: str
    body: str
    expect: Expect = None
    quote: str | None = None  # None, "marker" (the language's reply marker + "> " lines) or "outlook"
    form: str = "plain"  # "plain", "alternative" (text + HTML) or "html" (HTML only)
    charset: str = "utf-8"
    cte: str | None = None  # None lets the library choose; "8bit", "quoted-printable", "base64"
    mailer: str | None = None
    auto: bool = False  # an automatic acknowledgement from the shared support address
    why: str = ""  # for the README table


@dataclass(frozen=True)
class Thread:
    id: str
    lang: str
    mailbox: str
    customer: Customer
    subject: str
    mails: list[Mail]


@dataclass(frozen=True)
class Part:
    who: str  # agent id, "c" (customer), "bot"
    when: str
    body: str | None
    kind: str = "comment"  # "comment", "note", "assignment", "close"
    expect: Expect = None
    why: str = ""


@dataclass(frozen=True)
class Chat:
    id: str
    lang: str
    customer: Customer
    customer_type: str  # "user" or "lead"
    parts: list[Part]  # the first one is the customer's opening message
    title: str | None = None


@dataclass(frozen=True)
class Turn:
    who: str  # agent id, or the customer's speaker name
    text: str
    expect: Expect = None
    why: str = ""
    pause: float = 0.6  # seconds of silence before the turn


@dataclass(frozen=True)
class Call:
    id: str
    lang: str
    file: str
    started: str
    queue: str
    customer_speaker: str
    turns: list[Turn] = field(default_factory=list)
