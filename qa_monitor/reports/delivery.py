"""Sending the weekly report by e-mail (SMTP with STARTTLS and auth), retried and recorded in report_deliveries."""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import update

from qa_monitor.config import ScheduleSpec, Settings
from qa_monitor.reports.period import Week
from qa_monitor.reports.render import pct, render
from qa_monitor.reports.weekly import WeeklyReport, build_weekly
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store

log = logging.getLogger(__name__)

ATTACHMENT_TYPES = {"pdf": ("application", "pdf"), "csv": ("text", "csv"), "json": ("application", "json")}


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one scheduled send: its report_deliveries row id, status and attempts made."""

    delivery_id: int
    week: str
    status: str
    attempts: int
    error: str | None


def build_message(settings: Settings, recipients: Sequence[str], report: WeeklyReport,
                  formats: Sequence[str]) -> EmailMessage:
    """The e-mail: a text summary, the HTML report as the body's HTML part, and PDF/CSV/JSON attachments."""
    msg = EmailMessage()
    scope = ", ".join(report.teams) if report.teams else "all teams"
    msg["Subject"] = f"Weekly quality report {report.week} ({scope})"
    msg["From"] = settings.smtp_from
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or "localhost")
    msg.set_content(
        f"Weekly quality report {report.week} ({scope}).\n\n"
        f"Agent messages: {report.totals.messages}; flagged: {report.totals.flagged} "
        f"({pct(report.totals.flag_rate)}).\n"
        f"Reviewers confirmed {report.reviews.confirmed} of {report.reviews.reviewed} reviewed flags.\n\n"
        "The full report is attached; mail programs that show HTML display it below.\n")
    if "html" in formats:
        msg.add_alternative(render(report, "html").decode("utf-8"), subtype="html")
    for fmt in formats:
        if fmt in ATTACHMENT_TYPES:
            maintype, subtype = ATTACHMENT_TYPES[fmt]
            msg.add_attachment(render(report, fmt), maintype=maintype, subtype=subtype,
                               filename=f"qa-report-{report.week}.{fmt}")
    return msg


def smtp_send(settings: Settings, msg: EmailMessage, timeout: float = 30.0) -> None:
    """Send one message through the configured SMTP server (STARTTLS and login when configured)."""
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
        smtp.ehlo()
        if settings.smtp_starttls:
            # The system trust store (or SSL_CERT_FILE) decides which servers are trusted.
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_user, password)
        smtp.send_message(msg)


def _describe(error: BaseException) -> str:
    # Only the error class and SMTP code: server replies may quote addresses, which must not reach logs.
    code = getattr(error, "smtp_code", None)
    return f"{error.__class__.__name__}{f' {code}' if code else ''}"


def deliver(store: Store, settings: Settings, schedule: ScheduleSpec, week: Week, *, attempts: int = 4,
            backoff_s: float = 2.0) -> DeliveryResult:
    """Build the week's report for the schedule's teams and send it, retrying with exponential backoff."""
    report = build_weekly(store, week, schedule.teams or None)
    msg = build_message(settings, schedule.recipients, report, schedule.formats)
    with store.session() as s:
        row = t.ReportDeliveryRow(week=week.label, recipients=", ".join(schedule.recipients), status="pending",
                                  attempts=0)
        s.add(row)
        s.flush()
        delivery_id = row.id
    error: str | None = None
    for attempt in range(1, attempts + 1):
        try:
            smtp_send(settings, msg)
        except (smtplib.SMTPException, OSError) as e:
            error = _describe(e)
            last = attempt == attempts
            log.warning("report delivery %s week %s attempt %d/%d failed: %s%s", delivery_id, week.label, attempt,
                        attempts, error, "" if last else "; retrying")
            _record(store, delivery_id, "failed" if last else "retrying", attempt, error)
            if not last:
                time.sleep(backoff_s * 2 ** (attempt - 1))
            continue
        _record(store, delivery_id, "sent", attempt, None, sent=True)
        log.info("report delivery %s week %s sent after %d attempt(s)", delivery_id, week.label, attempt)
        return DeliveryResult(delivery_id, week.label, "sent", attempt, None)
    log.error("report delivery %s week %s failed after %d attempts: %s", delivery_id, week.label, attempts, error)
    return DeliveryResult(delivery_id, week.label, "failed", attempts, error)


def _record(store: Store, delivery_id: int, status: str, attempts: int, error: str | None,
            sent: bool = False) -> None:
    with store.session() as s:
        values: dict[str, object] = {"status": status, "attempts": attempts, "error": error}
        if sent:
            values["sent_at"] = t.utcnow()
        s.execute(update(t.ReportDeliveryRow).where(t.ReportDeliveryRow.id == delivery_id).values(**values))
