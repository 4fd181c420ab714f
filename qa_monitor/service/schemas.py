"""API schemas: requests end in `In`, responses in `Out`. Routes never return ORM rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

LabelName = Literal["rude", "condescending", "unclear"]
Verdict = Literal["confirmed", "dismissed"]
FlagStatus = Literal["open", "confirmed", "dismissed"]
GroupBy = Literal["agent", "team", "channel", "language"]
Period = Literal["day", "week", "month"]

_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*|\s*[+-]?(inf|infinity|nan)\s*", re.I)


def _iso_only(value: Any) -> Any:
    # pydantic would read a bare number as Unix time; the contract says ISO 8601 date-time
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("expected an ISO 8601 date-time such as 2026-11-23T00:00:00Z")
    return value


def _in_utc(value: datetime) -> datetime:
    # filters compare against UTC columns; a moment at the calendar's edge may have no UTC equivalent
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the date-time falls outside years 1 to 9999 once converted to UTC") from None


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(_in_utc)]
"""An ISO 8601 date-time query parameter, in UTC (naive values are taken as UTC)."""


class FindingOut(BaseModel):
    id: int
    label: str
    score: float
    start: int
    end: int
    evidence: str
    detector: str
    detector_version: str
    threshold_version: str
    rule: str | None
    explanation: str
    suggestion: str | None
    flagged: bool
    status: str


class LabelScoreOut(BaseModel):
    score: float
    threshold: float
    flagged: bool
    model_version: str
    threshold_version: str


class MessageOut(BaseModel):
    id: str
    seq: int
    role: str
    author_name: str | None
    agent_id: str | None
    sent_at: datetime
    text: str
    internal: bool
    language: str | None
    language_note: str | None = None
    scores: dict[str, LabelScoreOut]
    findings: list[FindingOut]


class InteractionSummaryOut(BaseModel):
    id: str
    source: str
    channel: str
    subject: str | None
    started_at: datetime
    team_id: str | None
    message_count: int
    flagged_messages: int
    languages: list[str]


class InteractionOut(InteractionSummaryOut):
    agent_ids: list[str]
    messages: list[MessageOut]


class InteractionPageOut(BaseModel):
    items: list[InteractionSummaryOut]
    total: int
    limit: int
    offset: int


class SpanOut(BaseModel):
    finding_id: int
    label: str
    score: float
    start: int
    end: int
    evidence: str
    explanation: str
    suggestion: str | None
    rule: str | None


class TurnOut(BaseModel):
    message_id: str
    seq: int
    role: str
    author_name: str | None
    sent_at: datetime
    text: str
    internal: bool
    current: bool


class FlagOut(BaseModel):
    id: int
    label: str
    score: float
    severity: float
    status: str
    message_id: str
    interaction_id: str
    agent_id: str | None
    agent_name: str | None
    team_id: str | None
    channel: str
    language: str | None
    language_note: str | None = None
    sent_at: datetime
    text: str
    span: SpanOut
    spans: list[SpanOut]
    context: list[TurnOut]


class FlagPageOut(BaseModel):
    items: list[FlagOut]
    next_cursor: str | None


class ReviewIn(BaseModel):
    model_config = ConfigDict(strict=True)
    verdict: Verdict
    note: str | None = Field(default=None, max_length=4000)


class ReviewOut(BaseModel):
    id: int
    verdict: str
    note: str | None
    reviewer: str | None
    created_at: datetime


class FlagDetailOut(FlagOut):
    history: list[ReviewOut]


class TrendBucketOut(BaseModel):
    group: str | None
    period_start: str
    volume: int
    flagged: int
    flag_rate: dict[str, float]
    quality_index: float
    change: dict[str, Any] | None = Field(description="difference to the group's previous period; null when that "
                                                      "period has no messages")


class TrendOut(BaseModel):
    group_by: GroupBy
    period: Period
    labels: list[str]
    buckets: list[TrendBucketOut]


class AgentSummaryOut(BaseModel):
    id: str
    name: str
    team_id: str | None


class StrengthOut(BaseModel):
    label: str
    flag_rate: float
    team_flag_rate: float | None
    note: str


class ExampleOut(BaseModel):
    flag_id: int
    message_id: str
    interaction_id: str
    evidence: str
    explanation: str
    suggestion: str | None
    sent_at: datetime


class IssueOut(BaseModel):
    label: str
    rule: str | None
    count: int
    examples: list[ExampleOut]


class AgentOut(AgentSummaryOut):
    messages: int
    flag_rate: dict[str, float]
    quality_index: float | None
    strengths: list[StrengthOut]
    recurring_issues: list[IssueOut]
    trend: list[TrendBucketOut]


class CalibrationIn(BaseModel):
    model_config = ConfigDict(strict=True)
    min_reviews: int = Field(default=30, ge=1, le=100_000)
    apply: bool = True


class CalibrationRowOut(BaseModel):
    label: str
    language: str
    reviews: int
    confirmed: int
    dismissed: int
    precision: float | None
    kappa: float | None
    kappa_after: float | None
    threshold_before: float | None
    threshold_after: float | None
    status: Literal["calibrated", "not_enough_reviews", "unchanged"]
    message: str


class CalibrationOut(BaseModel):
    version: str | None
    applied: bool
    min_reviews: int
    rows: list[CalibrationRowOut]
    per_label: dict[str, dict[str, float | int | None]]


class ScoreOut(BaseModel):
    message_id: str
    language: str
    language_note: str | None = None
    scores: dict[str, float]
    flagged: list[str]
    findings: list[dict[str, Any]]
    model_version: str
    threshold_version: str


class WebhookOut(BaseModel):
    delivery_id: str
    interaction_id: str
    status: Literal["scored", "queued", "duplicate"]
    messages: int
    scores: list[ScoreOut] | None = None
    job_url: str | None = None
    writeback: str | None = None


class JobOut(BaseModel):
    id: str
    kind: str
    status: str
    created_at: datetime
    finished_at: datetime | None
    result: dict[str, Any] | None
    error: str | None
