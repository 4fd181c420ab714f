"""The IMAP adapter against a real Dovecot started on 127.0.0.1 for each test (SSL on one port, STARTTLS on another)."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import ssl
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from qa_monitor.adapters.base import Directory
from qa_monitor.adapters.imap import ImapAdapter
from qa_monitor.config import AgentSpec, PipelineSpec, SourceSpec, TeamSpec
from qa_monitor.errors import SourceError
from qa_monitor.records import Batch, Cursor
from qa_monitor.storage.store import Store
from tests.fixtures.email.build import THREADS
from tests.support.servers import free_port, missing, wait_for_port

pytestmark = pytest.mark.integration

PASSWORD_ENV = "QA_TEST_IMAP_PASSWORD"
PASSWORD = "correct horse battery"


@dataclass
class Dovecot:
    ssl_port: int
    starttls_port: int
    ca_file: Path
    root: Path

    def client(self) -> Any:
        """An authenticated imapclient session over SSL, for seeding and inspecting the mailbox."""
        from imapclient import IMAPClient

        c = IMAPClient("127.0.0.1", port=self.ssl_port, ssl=True,
                       ssl_context=ssl.create_default_context(cafile=str(self.ca_file)))
        c.login("support", PASSWORD)
        return c


@pytest.fixture
def dovecot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Dovecot]:
    """A throwaway Dovecot: passwd-file auth, Maildir under tmp_path, a self-signed certificate."""
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    if not binary:
        missing("dovecot not found (install the Debian package 'dovecot-imapd')")
    openssl = shutil.which("openssl")
    if not openssl:
        missing("openssl not found (install the Debian package 'openssl')")
    user = pwd.getpwuid(os.geteuid())
    prefix: list[str] = []
    if os.geteuid() == 0:
        # Dovecot will not give mail access as uid 0, so as root the whole server runs as 'nobody'. 'nobody'
        # cannot reach pytest's tmp_path (pytest keeps /tmp/pytest-of-root at mode 0700), so the server's
        # folder is a private temporary directory of its own, removed at teardown.
        user = pwd.getpwnam("nobody")
        prefix = ["runuser", "-u", user.pw_name, "--"]
        root = Path(tempfile.mkdtemp(prefix="qa-monitor-dovecot-"))
        os.chmod(root, 0o700)
        own_root = True
    else:
        root = tmp_path / "dovecot"
        own_root = False
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(parents=True)
    subprocess.run([str(openssl), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    (root / "passwd").write_text(f"support:{{PLAIN}}{PASSWORD}::::::\n")
    group = grp.getgrgid(user.pw_gid).gr_name
    ssl_port, starttls_port = free_port(), free_port()
    conf = root / "dovecot.conf"
    conf.write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {user.pw_name}
default_login_user = {user.pw_name}
default_internal_group = {group}
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={user.pw_uid} gid={user.pw_gid} home={root}/mail/%u
}}
mail_location = maildir:{root}/mail/%u/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {starttls_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
""")
    if prefix:
        for p in [root, *root.rglob("*")]:
            os.chown(p, user.pw_uid, user.pw_gid)
    proc = subprocess.Popen([*prefix, binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for_port(ssl_port, proc=proc, log=root / "dovecot.log")
        wait_for_port(starttls_port, proc=proc, log=root / "dovecot.log")
        monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
        yield Dovecot(ssl_port, starttls_port, root / "cert.pem", root)
    finally:
        log = root / "dovecot.log"
        if log.exists():
            print(log.read_text()[-4000:])  # shown by pytest when the test fails
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if own_root:
            shutil.rmtree(root, ignore_errors=True)


PIPELINE = PipelineSpec(
    name="imap-test", agent_domains=["brightcart.example"],
    teams=[TeamSpec(id="care", name="Customer care")],
    agents=[AgentSpec(id="emma", name="Emma Clarke", team="care", emails=["emma.clarke@brightcart.example"])],
)


def _adapter(server: Dovecot, tls: str = "ssl", **options: Any) -> ImapAdapter:
    port = server.ssl_port if tls == "ssl" else server.starttls_port
    source = SourceSpec(name="desk", adapter="imap", options={
        "host": "127.0.0.1", "port": port, "tls": tls, "username": "support", "password_env": PASSWORD_ENV,
        "folders": ["INBOX", "Sent"], "ca_file": str(server.ca_file), "batch_size": 3, **options})
    return ImapAdapter(source=source, directory=Directory(PIPELINE), pipeline=PIPELINE)


def _run(adapter: ImapAdapter, since: Cursor | None) -> tuple[list[Batch], Cursor | None]:
    batches = list(adapter.fetch(since=since))
    return batches, batches[-1].cursor if batches else since


def _seed(server: Dovecot) -> None:
    """Customers' mail in INBOX, the agents' replies in Sent: the English and Russian threads plus an auto-reply."""
    c = server.client()
    c.create_folder("Sent")
    for raw in (THREADS[0], THREADS[2], THREADS[8], THREADS[14]):
        c.append("INBOX", raw)
    for raw in (THREADS[1], THREADS[3], THREADS[9]):
        c.append("Sent", raw, flags=[b"\\Seen"])
    c.logout()


def _flags(server: Dovecot) -> dict[str, dict[int, tuple[bytes, ...]]]:
    c = server.client()
    out = {}
    for folder in ("INBOX", "Sent"):
        c.select_folder(folder, readonly=True)
        out[folder] = {uid: tuple(sorted(v[b"FLAGS"])) for uid, v in c.fetch(c.search("ALL"), ["FLAGS"]).items()}
    c.logout()
    return out


def _latest(batches: list[Batch]) -> dict[str, Any]:
    """The last version of each interaction emitted across batches (what the upsert leaves)."""
    out: dict[str, Any] = {}
    for b in batches:
        for i in b.interactions:
            out[i.id] = i
    return out


@pytest.mark.parametrize("tls", ["ssl", "starttls"])
def test_reads_threads_read_only_over_tls(dovecot: Dovecot, tls: str) -> None:
    _seed(dovecot)
    before = _flags(dovecot)
    batches, cursor = _run(_adapter(dovecot, tls), None)
    threads = _latest(batches)
    en = threads["desk:en-1@mailbox.example"]
    assert [m.author.role for m in en.messages] == ["customer", "agent", "customer", "agent"]
    assert en.messages[1].author.agent_id == "emma"
    assert en.messages[1].text.endswith("There is no need to return the damaged one.")
    assert "wrote:" not in en.messages[1].text and "Sent:" not in en.messages[2].text
    ru = threads["desk:ru-1@pochta.example"]
    assert ru.messages[1].text.startswith("Иван, добрый день!")
    skipped = [r for b in batches for r in b.raw if r.status == "skipped"]
    assert len(skipped) == 1 and "Auto-Submitted" in (skipped[0].reason or "")
    assert cursor is not None and set(cursor["folders"]) == {"INBOX", "Sent"}
    assert cursor["folders"]["INBOX"]["uid"] == 4 and cursor["folders"]["Sent"]["uid"] == 3
    # read-only: no \Seen added, nothing expunged
    assert _flags(dovecot) == before
    assert all(b"\\Seen" not in f for f in before["INBOX"].values())


def test_incremental_cursor_and_whole_thread_on_reply(dovecot: Dovecot, tmp_path: Path) -> None:
    _seed(dovecot)
    store = Store(f"sqlite:///{tmp_path / 'qa.db'}")
    store.migrate()
    store.sync_directory(PIPELINE)
    adapter = _adapter(dovecot)
    for b in adapter.fetch(since=None):
        store.save_batch("desk", b)
    # a second run with nothing new brings no interactions
    again, _ = _run(adapter, store.cursor("desk"))
    assert not any(b.interactions for b in again)
    c = dovecot.client()
    c.append("INBOX", (
        b"From: Ivan <ivan.petrov@pochta.example>\r\nTo: help@brightcart.example\r\n"
        b"Subject: Re: payment\r\nDate: Mon, 03 Nov 2025 15:00:00 +0300\r\nMessage-ID: <ru-3@pochta.example>\r\n"
        b"In-Reply-To: <ru-2@brightcart.example>\r\nReferences: <ru-1@pochta.example> <ru-2@brightcart.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"\xd0\xa1\xd0\xbf\xd0\xb0\xd1\x81\xd0\xb8\xd0\xb1\xd0\xbe, \xd0\xbf\xd0\xbe\xd0\xbb\xd1\x83\xd1\x87\xd0"
        b"\xb8\xd0\xbb\xd0\xbe\xd1\x81\xd1\x8c.\r\n"))
    c.logout()
    batches, _ = _run(adapter, store.cursor("desk"))
    new_raw = [r for b in batches for r in b.raw]
    assert [r.ref for r in new_raw] == [f"INBOX/{store.cursor('desk')['folders']['INBOX']['uidvalidity']}/5"]
    (ru,) = [i for b in batches for i in b.interactions]
    assert ru.id == "desk:ru-1@pochta.example"
    assert [m.meta["message_id"] for m in ru.messages] == ["ru-1@pochta.example", "ru-2@brightcart.example",
                                                           "ru-3@pochta.example"]
    assert ru.messages[2].text == "Спасибо, получилось."
    for b in batches:
        store.save_batch("desk", b)
    assert store.cursor("desk")["folders"]["INBOX"]["uid"] == 5
    store.close()


def test_uidvalidity_change_rereads_folder(dovecot: Dovecot) -> None:
    _seed(dovecot)
    adapter = _adapter(dovecot)
    _, cursor = _run(adapter, None)
    assert cursor is not None
    stale = {**cursor, "folders": {**cursor["folders"],
                                   "INBOX": {"uidvalidity": cursor["folders"]["INBOX"]["uidvalidity"] + 1,
                                             "uid": 4}}}
    batches, after = _run(adapter, stale)
    refs = [r.ref for b in batches for r in b.raw]
    assert len([r for r in refs if r.startswith("INBOX/")]) == 4  # the whole folder again
    assert not [r for r in refs if r.startswith("Sent/")]  # Sent kept its cursor
    assert after is not None and after["folders"]["INBOX"] == cursor["folders"]["INBOX"]


def test_wrong_password_is_a_source_error(dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    with pytest.raises(SourceError, match="refused the session"):
        list(_adapter(dovecot).fetch(since=None))


def test_untrusted_certificate_is_refused(dovecot: Dovecot, tmp_path: Path) -> None:
    other = tmp_path / "other-ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout",
                    str(tmp_path / "k.pem"), "-out", str(other), "-subj", "/CN=other"], check=True,
                   capture_output=True)
    adapter = _adapter(dovecot, ca_file=str(other))
    with pytest.raises(SourceError, match="cannot connect"):
        list(adapter.fetch(since=None))


def test_oversized_message_is_kept_and_quarantined(dovecot: Dovecot) -> None:
    _seed(dovecot)
    batches, _ = _run(_adapter(dovecot, max_message_bytes=600), None)
    quarantined = [r for b in batches for r in b.raw if r.status == "quarantined"]
    assert quarantined and all("over the limit of 600 bytes" in (r.reason or "") for r in quarantined)
    assert all(len(r.content) > 600 for r in quarantined)
    parsed = [r for b in batches for r in b.raw if r.status == "parsed"]
    assert parsed  # the small ones went on


def test_missing_folder_is_a_source_error(dovecot: Dovecot) -> None:
    _seed(dovecot)
    adapter = _adapter(dovecot)
    adapter.folders = ["INBOX", "Archive/2019"]
    with pytest.raises(SourceError, match="cannot open folder 'Archive/2019'"):
        list(adapter.fetch(since=None))
