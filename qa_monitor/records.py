"""The shared vocabulary: domain records passed between adapters, scoring, storage and the service."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, TypeVar

from qa_monitor.errors import ParseError

Role = Literal["agent", "customer", "system"]
Channel = Literal["email", "chat", "call", "ticket"]
Label = Literal["rude", "condescending", "unclear"]
RawStatus = Literal["parsed", "quarantined", "skipped"]

LABELS: tuple[Label, ...] = ("rude", "condescending", "unclear")

LANGUAGES: tuple[str, ...] = ("en", "es", "pl", "ru", "lv")

TICKET_SYSTEMS: tuple[str, ...] = ("zendesk", "freshdesk", "jira", "generic")
"""The ticket systems that send webhooks. A conversation of one of them is keyed on the system and its native id,
whichever way it arrives (webhook or an export read by a pipeline source of any name), so it is stored once."""
UNKNOWN_LANGUAGE = "unknown"

# The longest ids the store keeps (its columns' widths). Records refuse longer ones, so an input that would not
# fit is quarantined with the reason, and the routes accept ids up to the same lengths.
MAX_INTERACTION_ID = 200
MAX_MESSAGE_ID = 300
MAX_AUTHOR_ID = 300
MAX_LANGUAGE = 16
MAX_SHORT_ID = 64
"""Teams, agents, sources and jobs."""


def check_id_length(what: str, value: str, limit: int, made_of: str = "", show: bool = True) -> None:
    """A ParseError saying which id is longer than the store keeps (`show=False` for ids that may be addresses)."""
    if len(value) > limit:
        shown = (f" '{value[:60]}…'" if len(value) > 60 else f" '{value}'") if show else ""
        raise ParseError(f"{what}{shown} is {len(value)} characters long; at most {limit} can be stored"
                         + (f" ({made_of})" if made_of else ""))


def ticket_source(system: str, account: str | None = None) -> str:
    """The `Interaction.source` of a ticket system's conversations: the system, or `system@account` for a named
    account (two accounts of one system number their tickets independently)."""
    return f"{system}@{account}" if account else system


def as_label(name: str) -> Label:
    """The Label spelled by `name`; ValueError for any other text."""
    for label in LABELS:
        if label == name:
            return label
    raise ValueError(f"unknown label {name!r}")


Cursor = Mapping[str, Any]
"""An adapter's position in its source, JSON-serialisable (for example `{"uidvalidity": 7, "uid": 1042}`)."""


@dataclass(frozen=True)
class Participant:
    """One side of a conversation, as the source names it, with its resolved role."""

    id: str
    role: Role
    name: str | None = None
    agent_id: str | None = None
    role_guessed: bool = False

    def __post_init__(self) -> None:
        check_id_length("author id", self.id, MAX_AUTHOR_ID, show=False)


@dataclass(frozen=True)
class Message:
    """One turn by one participant; `text` is normalised (NFC, quoted history and signature removed)."""

    id: str
    interaction_id: str
    seq: int
    author: Participant
    sent_at: datetime
    text: str
    internal: bool = False
    language: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_id_length("message id", self.id, MAX_MESSAGE_ID, "the interaction id, '#' and the native message id")


@dataclass(frozen=True)
class Interaction:
    """One conversation (email thread, chat, call, ticket); `id` is `f"{source}:{native_id}"`.

    `source` names where the conversation's id lives: for a ticket system, the system (`zendesk`, or
    `zendesk@<account>`, see `ticket_source`), whether a webhook or an export brought it; for everything else
    (mailboxes, chats, Slack, transcripts) the name of the pipeline source that read it.

    `partial` marks an update that carries only some of the conversation (an event about one comment): its
    messages' `seq` orders them among themselves only, so the store adds them after what it holds and keeps
    the stored messages' places, channel and subject."""

    id: str
    source: str
    native_id: str
    channel: Channel
    started_at: datetime
    messages: tuple[Message, ...]
    subject: str | None = None
    raw_payload_ids: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    partial: bool = False

    def __post_init__(self) -> None:
        check_id_length("interaction id", self.id, MAX_INTERACTION_ID, "the source name, ':' and the native id")

    @property
    def agent_ids(self) -> tuple[str, ...]:
        """The configured agents who wrote in this interaction, in order of first appearance."""
        seen: dict[str, None] = {}
        for m in self.messages:
            if m.author.agent_id:
                seen.setdefault(m.author.agent_id, None)
        return tuple(seen)


@dataclass(frozen=True)
class RawPayload:
    """The bytes as received, kept before parsing; quarantined ones carry the reason and can be retried."""

    id: str
    source: str
    kind: str
    ref: str
    content: bytes
    status: RawStatus = "parsed"
    reason: str | None = None

    def __post_init__(self) -> None:
        # refs name files (whose names may not be UTF-8) and reasons quote the input: both are stored as text
        object.__setattr__(self, "ref", storable_text(self.ref))
        if self.reason is not None:
            object.__setattr__(self, "reason", storable_text(self.reason))

    @staticmethod
    def make_id(source: str, content: bytes) -> str:
        """A stable id from the source and the bytes: the same payload read twice gets the same id."""
        return f"{source}:{hashlib.sha256(content).hexdigest()[:32]}"


@dataclass(frozen=True)
class Batch:
    """What an adapter yields: interactions, the raw payloads behind them, and the cursor after them."""

    interactions: tuple[Interaction, ...] = ()
    raw: tuple[RawPayload, ...] = ()
    cursor: Cursor | None = None


@dataclass(frozen=True)
class Finding:
    """One piece of evidence: a label with a calibrated score over a character span of a message."""

    message_id: str
    label: Label
    score: float
    start: int
    end: int
    detector: str
    detector_version: str
    explanation: str
    suggestion: str | None = None
    rule: str | None = None
    evidence: str = ""


@dataclass(frozen=True)
class MessageScore:
    """All a scoring run says about one agent message: per-label scores, the threshold used and findings."""

    message_id: str
    language: str
    scores: Mapping[str, float]
    thresholds: Mapping[str, float]
    findings: tuple[Finding, ...]
    model_version: str
    threshold_version: str
    language_note: str | None = None  # set when the language identification was unsure

    def flagged(self, label: str) -> bool:
        """True when the label's score reaches its threshold."""
        return self.scores.get(label, 0.0) >= self.thresholds.get(label, 1.0)


def customer_context(turns: Sequence[tuple[str, str]]) -> str:
    """The customer's turns since the last agent turn, from (role, text) turns in order, for the next agent turn."""
    context: list[str] = []
    for role, text in turns:
        if role == "customer":
            context.append(text)
        elif role == "agent":
            context = []
    return "\n\n".join(context)


def agent_contexts(turns: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Agent turn id -> its customer context, from the (id, role, text) of a conversation's customer-facing
    turns in order: what the scorer reads beside each agent message's text."""
    out: dict[str, str] = {}
    since: list[tuple[str, str]] = []
    for mid, role, text in turns:
        if role == "agent":
            out[mid], since = customer_context(since), []
        else:
            since.append((role, text))
    return out


_INT32 = 2**31  # seq is a 32-bit integer column

# Lone surrogates (JSON's "\ud800", file names and headers that are not UTF-8) cannot be encoded for any
# database, and PostgreSQL refuses NUL in text.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str) -> str:
    """The text with what no database stores (lone surrogates, NUL) replaced by U+FFFD, one for one."""
    return UNSTORABLE.sub("\ufffd", text) if UNSTORABLE.search(text) else text


def fit_for_store(item: Interaction) -> Interaction:
    """The interaction with its text made storable; a ParseError names the first value the store cannot hold."""
    try:
        messages = tuple(_fit_message(m) for m in item.messages)
        # ids are no longer than the store keeps already: the records refuse longer ones when they are made
        return _with(item, id=_text(item.id, "id"),
                     native_id=_text(item.native_id, "native id", MAX_INTERACTION_ID),
                     subject=_text(item.subject, "subject", optional=True), meta=_json(item.meta, "meta"),
                     messages=messages if any(a is not b for a, b in zip(messages, item.messages, strict=True))
                     else item.messages)
    except ParseError as e:
        raise ParseError(f"interaction {_show(item.id)}: {e}") from None


def _fit_message(m: Message) -> Message:
    try:
        if isinstance(m.seq, bool) or not isinstance(m.seq, int) or not -_INT32 <= m.seq < _INT32:
            raise ParseError(f"position {m.seq!r} is not a 32-bit integer")
        if not isinstance(m.sent_at, datetime):
            raise ParseError(f"time is {type(m.sent_at).__name__}, not a date-time")
        author = _with(m.author, id=_text(m.author.id, "author id"),
                       name=_text(m.author.name, "author name", MAX_AUTHOR_ID, optional=True))
        return _with(m, id=_text(m.id, "id"),
                     interaction_id=_text(m.interaction_id, "interaction id", MAX_INTERACTION_ID), author=author,
                     text=_text(m.text, "text"), language=_text(m.language, "language", MAX_LANGUAGE, optional=True),
                     meta=_json(m.meta, "meta"))
    except ParseError as e:
        raise ParseError(f"message {_show(m.id)}: {e}") from None


_T = TypeVar("_T")


def _with(record: _T, **values: Any) -> _T:
    """The record, or a copy with those of the values that are not its own (usually none: no copy is made)."""
    changed = {k: v for k, v in values.items() if v is not getattr(record, k)}
    return replace(record, **changed) if changed else record  # type: ignore[type-var]


def _show(value: Any) -> str:
    """A value short enough to quote in a reason."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else f"{text[:60]}..."


def _text(value: Any, what: str, limit: int | None = None, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ParseError(f"{what} is {type(value).__name__}, not text")
    if limit is not None and len(value) > limit:
        raise ParseError(f"{what} is {len(value)} characters long; at most {limit} can be stored")
    return storable_text(value)


def _json(value: Any, what: str) -> Any:
    """The JSON value with storable strings (the value itself when they are); NaN or an object is a ParseError."""
    if isinstance(value, str):
        return storable_text(value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ParseError(f"{what} holds {value}, which JSON cannot store")
        return value
    if isinstance(value, Mapping | list | tuple) and not value:
        return value
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise ParseError(f"{what} has a key that is not text")
        items = [(storable_text(k), _json(v, what)) for k, v in value.items()]
        return dict(items) if any(a is not k or b is not v for (a, b), (k, v) in zip(items, value.items(),
                                                                                      strict=True)) else value
    if isinstance(value, list | tuple):
        out = [_json(v, what) for v in value]
        return out if any(a is not b for a, b in zip(out, value, strict=True)) else value
    raise ParseError(f"{what} holds a {type(value).__name__}, which JSON cannot store")
