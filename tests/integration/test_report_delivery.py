"""Delivering the weekly report to a real SMTP server (aiosmtpd with STARTTLS and AUTH) started by the test."""

from __future__ import annotations

import email
import logging
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qa_monitor.cli import app
from qa_monitor.config import PipelineSpec, ScheduleSpec, Settings
from qa_monitor.reports.schedule import last_complete_week, run_once
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store
from tests.support.report_seed import at, seed
from tests.support.servers import missing

pytestmark = pytest.mark.integration
USER, PASSWORD = "reports", "s3cret-pass"
RECIPIENT = "lead@example.org"


@dataclass
class Mailbox:
    """What the SMTP server received; refuses the first `refuse` DATA commands with a 451."""

    refuse: int = 0
    calls: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    tls: list[bool] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.calls += 1
        if self.calls <= self.refuse:
            return "451 4.3.0 Mailbox busy, try again later"
        self.tls.append(session.ssl is not None and session.authenticated)
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=default_policy))  # type: ignore[arg-type]
        return "250 OK"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
        and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def cert(tmp_path: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 and localhost."""
    if not shutil.which("openssl"):
        missing("openssl not found: install Debian's openssl to make the test certificate")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem"), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True,
                   timeout=60)
    return tmp_path / "cert.pem"


@pytest.fixture
def smtp_server(cert: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Mailbox, int]]:
    """aiosmtpd on 127.0.0.1 requiring STARTTLS and AUTH; the client trusts its certificate via SSL_CERT_FILE."""
    from aiosmtpd.controller import Controller

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, cert.parent / "key.pem")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True,
                            authenticator=_authenticator, auth_require_tls=True)
    controller.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def report_store(tmp_path: Path) -> Iterator[Store]:
    """The report tests' hand-counted help desk on SQLite."""
    s = Store(f"sqlite:///{tmp_path / 'r.db'}")
    seed(s)
    yield s
    s.close()


def settings_for(store: Store, port: int, password: str = PASSWORD) -> Settings:
    return Settings(database_url=store.url, smtp_host="127.0.0.1", smtp_port=port, smtp_user=USER,
                    smtp_password=password, smtp_starttls=True, smtp_from="qa@example.org")  # type: ignore[arg-type]


def pipeline(**schedule: Any) -> PipelineSpec:
    spec = {"cron": "0 7 * * 1", "timezone": "Europe/Riga", "recipients": [RECIPIENT], **schedule}
    return PipelineSpec(name="t", schedule=ScheduleSpec(**spec))


def deliveries(store: Store) -> list[t.ReportDeliveryRow]:
    with store.session() as s:
        return list(s.query(t.ReportDeliveryRow).order_by(t.ReportDeliveryRow.id))


def test_report_arrives_with_html_body_pdf_and_csv(report_store: Store, smtp_server: tuple[Mailbox, int]) -> None:
    box, port = smtp_server
    # Monday 23 Nov 2026 07:00 in Riga: the last complete week is W47.
    result = run_once(report_store, settings_for(report_store, port), pipeline(), now=at(23, 5), backoff_s=0.01)
    assert result.status == "sent" and result.attempts == 1 and result.week == "2026-W47"
    assert len(box.messages) == 1 and box.tls == [True]
    msg = box.messages[0]
    assert msg["Subject"] == "Weekly quality report 2026-W47 (all teams)" and msg["To"] == RECIPIENT
    html = msg.get_body(("html",))
    assert html is not None and "<mark>Read the FAQ.</mark>" in html.get_content()
    files = {p.get_filename(): p for p in msg.iter_attachments()}
    assert set(files) == {"qa-report-2026-W47.pdf", "qa-report-2026-W47.csv"}
    assert files["qa-report-2026-W47.pdf"].get_content().startswith(b"%PDF-")
    assert "totals,all,All,messages,13" in files["qa-report-2026-W47.csv"].get_content()
    row = deliveries(report_store)[0]
    assert (row.status, row.attempts, row.week, row.error) == ("sent", 1, "2026-W47", None)
    assert row.sent_at is not None


def test_team_schedule_limits_the_report(report_store: Store, smtp_server: tuple[Mailbox, int]) -> None:
    box, port = smtp_server
    run_once(report_store, settings_for(report_store, port), pipeline(teams=["t2"], formats=["html", "csv"]),
             now=at(23, 5))
    msg = box.messages[0]
    assert msg["Subject"].endswith("(t2)")
    csv_text = next(msg.iter_attachments()).get_content()
    assert "totals,all,All,messages,2" in csv_text and "Anna" not in csv_text


def test_refused_sends_are_retried(report_store: Store, smtp_server: tuple[Mailbox, int]) -> None:
    box, port = smtp_server
    box.refuse = 2
    result = run_once(report_store, settings_for(report_store, port), pipeline(), now=at(23, 5), attempts=4,
                      backoff_s=0.01)
    assert (result.status, result.attempts) == ("sent", 3)
    assert box.calls == 3 and len(box.messages) == 1
    row = deliveries(report_store)[0]
    assert (row.status, row.attempts) == ("sent", 3)


def test_failure_after_every_attempt_is_recorded_and_logged(
        report_store: Store, smtp_server: tuple[Mailbox, int], caplog: pytest.LogCaptureFixture) -> None:
    box, port = smtp_server
    box.refuse = 10
    with caplog.at_level(logging.WARNING, logger="qa_monitor.reports.delivery"):
        result = run_once(report_store, settings_for(report_store, port), pipeline(), now=at(23, 5), attempts=3,
                          backoff_s=0.01)
    assert (result.status, result.attempts, result.error) == ("failed", 3, "SMTPDataError 451")
    assert box.calls == 3 and box.messages == []
    row = deliveries(report_store)[0]
    assert (row.status, row.attempts, row.error, row.sent_at) == ("failed", 3, "SMTPDataError 451", None)
    assert f"report delivery {row.id}" in caplog.text and "failed after 3 attempts" in caplog.text
    assert RECIPIENT not in caplog.text and "example" not in caplog.text


def test_wrong_password_fails_clearly(report_store: Store, smtp_server: tuple[Mailbox, int]) -> None:
    _box, port = smtp_server
    result = run_once(report_store, settings_for(report_store, port, "wrong"), pipeline(), now=at(23, 5), attempts=2,
                      backoff_s=0.01)
    assert result.status == "failed" and result.error == "SMTPAuthenticationError 535"


def test_cli_schedule_once(report_store: Store, smtp_server: tuple[Mailbox, int], tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    box, port = smtp_server
    path = tmp_path / "pipe.toml"
    path.write_text(f'name = "t"\n[schedule]\ncron = "0 7 * * 1"\ntimezone = "UTC"\nrecipients = ["{RECIPIENT}"]\n'
                    'formats = ["html", "pdf", "csv"]\n', encoding="utf-8")
    for key, value in {"DATABASE_URL": report_store.url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
                       "SMTP_USER": USER, "SMTP_PASSWORD": PASSWORD}.items():
        monkeypatch.setenv(f"QA_MONITOR_{key}", value)
    result = CliRunner().invoke(app, ["schedule", str(path), "--once"])
    assert result.exit_code == 0, result.output
    from datetime import UTC, datetime
    week = last_complete_week(datetime.now(UTC)).label
    assert len(box.messages) == 1 and week in box.messages[0]["Subject"]
    monkeypatch.setenv("QA_MONITOR_SMTP_PASSWORD", "wrong")
    failed = CliRunner().invoke(app, ["schedule", str(path), "--once"])
    assert failed.exit_code == 1 and "recorded as failed" in failed.output
