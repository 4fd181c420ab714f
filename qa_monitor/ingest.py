"""The ingestion runner: reads a pipeline's sources batch by batch into the store, and retries quarantined payloads."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from qa_monitor.adapters.base import build_adapter, parse_unit
from qa_monitor.config import PipelineSpec, SourceSpec
from qa_monitor.errors import ConfigError, SourceError
from qa_monitor.records import Batch, Interaction, RawPayload
from qa_monitor.redaction import Redactor
from qa_monitor.storage.store import Store, as_utc

log = logging.getLogger(__name__)


@dataclass
class SourceReport:
    """What one source's ingestion run did (counts of this run only)."""

    source: str
    adapter: str
    interactions: int = 0
    messages: int = 0
    payloads: int = 0
    quarantined: int = 0
    skipped: int = 0
    batches: int = 0
    redacted: int = 0
    error: str | None = None


@dataclass
class RetryReport:
    """What a retry of quarantined payloads did: per payload id, the new status and reason."""

    attempted: int = 0
    parsed: int = 0
    still_quarantined: int = 0
    interactions: int = 0
    messages: int = 0
    results: list[tuple[str, str, str | None]] = field(default_factory=list)


Progress = Callable[[SourceReport, int, int], None]
"""Called after each stored batch with the running report and (bytes read, bytes in total; 0 when unknown)."""


def ingest_pipeline(store: Store, spec: PipelineSpec, source: str | None = None,
                    progress: Progress | None = None, shift: timedelta | None = None) -> list[SourceReport]:
    """Ingest every source of a pipeline (or the one named), resuming from each source's saved cursor.

    With `shift` (the demo's samples), every source is read from its start and every time is moved by `shift`.
    """
    store.sync_directory(spec)
    sources = [spec.source(source)] if source else list(spec.sources)
    redactor = Redactor(spec.redaction.kinds) if spec.redaction.enabled else None
    return [_ingest_source(store, spec, src, redactor, progress, shift) for src in sources]


def _ingest_source(store: Store, spec: PipelineSpec, src: SourceSpec, redactor: Redactor | None,
                   progress: Progress | None, shift: timedelta | None) -> SourceReport:
    report = SourceReport(src.name, src.adapter)
    # A shifted load reads from the start: what an earlier run stored under another shift is moved, not skipped
    # (the ids do not depend on the times, so nothing is stored twice).
    since = store.cursor(src.name) if shift is None else None
    try:
        adapter = build_adapter(src, spec)
        for batch in adapter.fetch(since=since):
            if redactor is not None:
                items = [redact_interaction(i, redactor) for i in batch.interactions]
                report.redacted += sum(sum(m.meta.get("redacted", {}).values()) for i in items for m in i.messages)
                batch = replace(batch, interactions=tuple(items))
            if shift is not None:
                batch = replace(batch, interactions=tuple(shift_interaction(i, shift) for i in batch.interactions))
            # one transaction: raw payloads, interactions and the cursor after them
            store.save_batch(src.name, batch, moved=shift is not None)
            _count(report, batch)
            log.debug("source %s: batch %d stored (cursor %s)", src.name, report.batches, batch.cursor)
            if progress is not None:
                done, total = getattr(adapter, "position", (0, 0))
                progress(report, done, total)
    except SourceError as e:
        report.error = str(e)
        log.warning("%s", e)
    return report


def _count(report: SourceReport, batch: Batch) -> None:
    report.batches += 1
    report.interactions += len(batch.interactions)
    report.messages += sum(len(i.messages) for i in batch.interactions)
    report.payloads += len(batch.raw)
    report.quarantined += sum(1 for r in batch.raw if r.status == "quarantined")
    report.skipped += sum(1 for r in batch.raw if r.status == "skipped")


def redact_interaction(item: Interaction, redactor: Redactor) -> Interaction:
    """The interaction with personal data in its subject and message texts replaced by placeholders."""
    messages = []
    for m in item.messages:
        text, counts = redactor.redact(m.text)
        meta = {**m.meta, "redacted": dict(counts)} if counts else m.meta
        messages.append(replace(m, text=text, meta=meta) if counts else m)
    subject = redactor.redact(item.subject)[0] if item.subject else item.subject
    return replace(item, subject=subject, messages=tuple(messages))


def shift_interaction(item: Interaction, delta: timedelta) -> Interaction:
    """The interaction with its start and every message's time moved by `delta`."""
    return replace(item, started_at=item.started_at + delta,
                   messages=tuple(replace(m, sent_at=m.sent_at + delta) for m in item.messages))


def time_span(spec: PipelineSpec) -> tuple[datetime, datetime] | None:
    """The earliest and latest message times (UTC) in a pipeline's sources, read without storing; None if none."""
    times = [as_utc(m.sent_at).astimezone(UTC) for src in spec.sources
             for batch in build_adapter(src, spec).fetch(since=None) for i in batch.interactions for m in i.messages]
    return (min(times), max(times)) if times else None


def retry_quarantined(store: Store, spec: PipelineSpec, payload_ids: Sequence[str] | None = None) -> RetryReport:
    """Parse quarantined raw payloads again with the current parsers and pipeline (all, or the ids given)."""
    store.sync_directory(spec)
    rows = store.quarantined() if payload_ids is None else [store.raw_payload(i) for i in payload_ids]
    redactor = Redactor(spec.redaction.kinds) if spec.redaction.enabled else None
    adapters: dict[str, object] = {}
    report = RetryReport()
    wanted_ids: list[str] = list(payload_ids) if payload_ids is not None else [r.id for r in rows if r]
    for wanted, row in zip(wanted_ids, rows, strict=True):
        if row is None:
            report.results.append((wanted, "not-found", "no raw payload with this id"))
            continue
        if row.status != "quarantined":
            report.results.append((row.id, row.status, "not quarantined; left as it is"))
            continue
        try:
            src = spec.source(row.source)
        except ConfigError:
            report.results.append((row.id, "quarantined", f"source '{row.source}' is not in this pipeline file"))
            continue
        adapter = adapters.get(src.name) or adapters.setdefault(src.name, build_adapter(src, spec))
        # parsed as if read for the first time: parse_unit says what it is now
        raw = RawPayload(id=row.id, source=row.source, kind=row.kind, ref=row.ref, content=row.content)
        report.attempted += 1
        items, raw = parse_unit(raw, adapter.parse)  # type: ignore[attr-defined]
        if raw.status == "quarantined":
            store.mark_raw(row.id, "quarantined", raw.reason)
            report.still_quarantined += 1
            report.results.append((row.id, "quarantined", raw.reason))
            continue
        items = [replace(i, raw_payload_ids=tuple(dict.fromkeys((*i.raw_payload_ids, row.id)))) for i in items]
        if redactor is not None:
            items = [redact_interaction(i, redactor) for i in items]
        store.upsert_interactions(items)
        store.mark_raw(row.id, raw.status, raw.reason)
        report.parsed += 1
        report.interactions += len(items)
        report.messages += sum(len(i.messages) for i in items)
        report.results.append((row.id, raw.status, None))
        log.info("retried payload %s: %s", row.id, raw.status)
    return report
