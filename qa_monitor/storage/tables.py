"""SQLAlchemy 2.0 tables. ORM classes end in `Row`; routes never return them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from qa_monitor.records import MAX_AUTHOR_ID, MAX_INTERACTION_ID, MAX_LANGUAGE, MAX_MESSAGE_ID, MAX_SHORT_ID


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class TeamRow(Base):
    __tablename__ = "teams"
    id: Mapped[str] = mapped_column(String(MAX_SHORT_ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class AgentRow(Base):
    __tablename__ = "agents"
    id: Mapped[str] = mapped_column(String(MAX_SHORT_ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), index=True)


class RawPayloadRow(Base):
    __tablename__ = "raw_payloads"
    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    source: Mapped[str] = mapped_column(String(MAX_SHORT_ID), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(Text)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # set when retention or erasure emptied the bytes; the row stays so the same bytes read again stay empty
    purged_at: Mapped[datetime | None] = mapped_column()


class InteractionRow(Base):
    __tablename__ = "interactions"
    id: Mapped[str] = mapped_column(String(MAX_INTERACTION_ID), primary_key=True)
    source: Mapped[str] = mapped_column(String(MAX_SHORT_ID), index=True)
    native_id: Mapped[str] = mapped_column(String(MAX_INTERACTION_ID))
    channel: Mapped[str] = mapped_column(String(16), index=True)
    subject: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(index=True)
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), index=True)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # set when retention or erasure emptied subject and meta; a later read of the source leaves it so
    purged_at: Mapped[datetime | None] = mapped_column()
    # the weekly report's: the keys it groups a week's messages by (migration 0007)
    __table_args__ = (Index("ix_interactions_report", "id", "team_id", "channel"),)


class InteractionPayloadRow(Base):
    """Which raw payloads an interaction was built from."""

    __tablename__ = "interaction_payloads"
    interaction_id: Mapped[str] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True
    )
    raw_payload_id: Mapped[str] = mapped_column(ForeignKey("raw_payloads.id"), primary_key=True)


class MessageRow(Base):
    __tablename__ = "messages"
    id: Mapped[str] = mapped_column(String(MAX_MESSAGE_ID), primary_key=True)
    interaction_id: Mapped[str] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16), index=True)
    author_id: Mapped[str] = mapped_column(String(MAX_AUTHOR_ID))
    author_name: Mapped[str | None] = mapped_column(String(MAX_AUTHOR_ID))
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), index=True)
    role_guessed: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(MAX_LANGUAGE), index=True)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    scored_version: Mapped[str | None] = mapped_column(String(64))
    # why the language is what it is when scoring was unsure (taken from the conversation, or "unknown")
    language_note: Mapped[str | None] = mapped_column(String(300))
    # set when retention or erasure emptied the text (scores are kept); never scored or re-read again after
    purged_at: Mapped[datetime | None] = mapped_column()
    __table_args__ = (Index("ix_messages_interaction_seq", "interaction_id", "seq"),
                      # the weekly report's: every column it reads of a week's messages (migration 0007)
                      Index("ix_messages_report", "sent_at", "role", "internal", "interaction_id", "agent_id",
                            "language", "id"))


class MessageScoreRow(Base):
    """Per message and label: the score, the threshold it was judged against, and whether it was flagged."""

    __tablename__ = "message_scores"
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    label: Mapped[str] = mapped_column(String(32), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean, index=True)
    model_version: Mapped[str] = mapped_column(String(64))
    threshold_version: Mapped[str] = mapped_column(String(64))
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the weekly report's: a message's flags without reading the table (migration 0007)
    __table_args__ = (Index("ix_message_scores_report", "message_id", "label", "flagged"),)


class FindingRow(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(32), index=True)
    score: Mapped[float] = mapped_column(Float, index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text, default="")
    detector: Mapped[str] = mapped_column(String(64))
    detector_version: Mapped[str] = mapped_column(String(64))
    threshold_version: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str | None] = mapped_column(String(128))
    explanation: Mapped[str] = mapped_column(Text)
    suggestion: Mapped[str | None] = mapped_column(Text)
    flagged: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewRow(Base):
    """A manager's verdict on one finding; append-only, so a flag's history is kept."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CursorRow(Base):
    __tablename__ = "cursors"
    adapter: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column()
    # the agent an `agent` user is (they see their own messages only); None for every other role
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"))


class UserTeamRow(Base):
    __tablename__ = "user_teams"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)


class ApiTokenRow(Base):
    """A token is shown once at creation; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()


class ThresholdRow(Base):
    """A versioned threshold for one label in one language ('*' for all languages)."""

    __tablename__ = "thresholds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    origin: Mapped[str] = mapped_column(String(32))
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("version", "label", "language"),)


class WebhookDeliveryRow(Base):
    """One delivery from a ticket system, unique per provider and delivery id (idempotency)."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    raw_payload_id: Mapped[str] = mapped_column(ForeignKey("raw_payloads.id"))
    interaction_id: Mapped[str | None] = mapped_column(String(MAX_INTERACTION_ID))
    status: Mapped[str] = mapped_column(String(16))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobRow(Base):
    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(MAX_SHORT_ID), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    # whose request queued it: only that user (and admins) may read it
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ReportDeliveryRow(Base):
    """One attempt to send a scheduled report, kept so that failures are visible and retried."""

    __tablename__ = "report_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    week: Mapped[str] = mapped_column(String(16))
    recipients: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
