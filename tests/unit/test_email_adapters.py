"""mbox, Maildir and .eml adapters: whole threads, roles, raw payloads, cursors, re-runs and bad input."""

from __future__ import annotations

import base64
import io
import os
import shutil
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from qa_monitor.adapters.base import Directory, build_adapter
from qa_monitor.adapters.email import EmlFolderAdapter, MailAdapter, MaildirAdapter, MboxAdapter
from qa_monitor.config import AgentSpec, PipelineSpec, SourceSpec, TeamSpec
from qa_monitor.errors import ConfigError, ParseError, SourceError
from qa_monitor.records import MAX_INTERACTION_ID, MAX_SHORT_ID, Batch, Cursor, Interaction
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store
from tests.fixtures.email.build import HEAD_FROM_LINE, THREADS, message, write_mbox

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "email"

PIPELINE = PipelineSpec(
    name="email-test", agent_domains=["brightcart.example"],
    teams=[TeamSpec(id="care", name="Customer care"), TeamSpec(id="eu", name="Europe")],
    agents=[AgentSpec(id="emma", name="Emma Clarke", team="care", emails=["emma.clarke@brightcart.example"]),
            AgentSpec(id="olga", name="Ольга Смирнова", team="eu", emails=["olga.smirnova@brightcart.example"])],
)


def adapter(cls: type[MailAdapter], path: Path, **options: Any) -> Any:
    source = SourceSpec(name="mail", adapter=cls.name, options={"path": str(path), **options})
    return cls(source=source, directory=Directory(PIPELINE), pipeline=PIPELINE)


def run(a: MailAdapter, since: Cursor | None = None) -> tuple[list[Batch], Cursor | None]:
    batches = list(a.fetch(since=since))
    return batches, batches[-1].cursor if batches else since


def latest(batches: list[Batch]) -> dict[str, Interaction]:
    """The last emitted version of each interaction: what the upsert leaves."""
    return {i.id: i for b in batches for i in b.interactions}


def raws(batches: list[Batch]) -> list[Any]:
    return [r for b in batches for r in b.raw]


def one(batches: list[Batch], status: str) -> Any:
    (found,) = [r for r in raws(batches) if r.status == status]
    return found


def test_mbox_threads_roles_and_text() -> None:
    batches, cursor = run(adapter(MboxAdapter, FIXTURES / "support.mbox"))
    threads = latest(batches)
    assert sorted(threads) == ["mail:en-1@mailbox.example", "mail:es-1@correo.example", "mail:lv-1@pasts.example",
                               "mail:pl-1@poczta.example", "mail:ru-1@pochta.example", "mail:sf-1@mailbox.example"]
    en = threads["mail:en-1@mailbox.example"]
    assert [m.seq for m in en.messages] == [0, 1, 2, 3]
    assert [(m.author.role, m.author.agent_id) for m in en.messages] == [
        ("customer", None), ("agent", "emma"), ("customer", None), ("agent", "emma")]
    assert en.messages[3].text == ("As I already explained, the lid is the right part. "
                                   "Obviously you need to turn it until it clicks.")
    assert en.messages[3].id == "mail:en-1@mailbox.example#en-4@brightcart.example"
    assert en.subject == "Order 48213 arrived damaged" and en.channel == "email"
    ru = threads["mail:ru-1@pochta.example"]
    assert ru.messages[1].author.agent_id == "olga" and ru.messages[1].author.name == "Ольга Смирнова"
    assert ru.messages[1].text.endswith("ссылка в личном кабинете.")
    pl = threads["mail:pl-1@poczta.example"]
    assert pl.messages[1].author.role == "agent" and pl.messages[1].author.agent_id is None  # by domain only
    assert "pisze:" not in pl.messages[1].text and "Pozdrawiam" not in pl.messages[1].text
    es = threads["mail:es-1@correo.example"]
    assert es.messages[1].meta.get("html_only") and "escribió" not in es.messages[1].text
    lv = threads["mail:lv-1@pasts.example"]
    assert lv.subject == "Rēķins par oktobri" and "rakstīja" not in lv.messages[1].text
    # subject fallback joined the reply that had no In-Reply-To/References
    assert [m.author.role for m in threads["mail:sf-1@mailbox.example"].messages] == ["customer", "agent"]
    # every message kept raw; automatic mail skipped with a reason
    assert len(raws(batches)) == len(THREADS)
    skipped = sorted(r.reason for r in raws(batches) if r.status == "skipped")
    assert len(skipped) == 2 and "Auto-Submitted" in skipped[0] and "multipart/report" in skipped[1]
    size = (FIXTURES / "support.mbox").stat().st_size
    assert cursor is not None and cursor["files"]["support.mbox"]["offset"] == size


def test_reply_in_a_later_batch_re_emits_the_whole_thread() -> None:
    batches, _ = run(adapter(MboxAdapter, FIXTURES / "support.mbox", batch_size=2))
    # en-1/en-2 come in batch 0, en-3/en-4 in batch 1: the thread must come back whole in batch 1
    en_in_second = {i.id: i for i in batches[1].interactions}["mail:en-1@mailbox.example"]
    assert [m.meta["message_id"] for m in en_in_second.messages] == [
        "en-1@mailbox.example", "en-2@brightcart.example", "en-3@mailbox.example", "en-4@brightcart.example"]
    assert len(en_in_second.raw_payload_ids) == 4
    # raw payloads are not repeated: each batch carries only what it read
    assert len(raws(batches)) == len(THREADS)


@pytest.fixture
def directory_store(tmp_path: Path) -> Any:
    """A migrated SQLite store holding the test pipeline's directory."""
    s = Store(f"sqlite:///{tmp_path / 'qa.db'}")
    s.migrate()
    s.sync_directory(PIPELINE)
    yield s
    s.close()


def ingest(store: Store, a: MailAdapter, *, resume: bool = True, stop_after: int | None = None) -> int:
    """What the ingestion runner does: save each batch with its cursor; optionally stop early (a crash)."""
    n = 0
    for b in a.fetch(since=store.cursor("mail") if resume else None):
        store.save_batch("mail", b)
        n += 1
        if stop_after is not None and n >= stop_after:
            break
    return n


def snapshot(store: Store) -> tuple[list[Any], list[Any], list[Any]]:
    with store.session() as s:
        msgs = sorted(s.execute(t.MessageRow.__table__.select().with_only_columns(
            t.MessageRow.id, t.MessageRow.seq, t.MessageRow.role, t.MessageRow.agent_id, t.MessageRow.text)).all())
        inter = sorted(s.execute(t.InteractionRow.__table__.select().with_only_columns(
            t.InteractionRow.id, t.InteractionRow.started_at, t.InteractionRow.team_id)).all())
        raw = sorted(s.execute(t.RawPayloadRow.__table__.select().with_only_columns(
            t.RawPayloadRow.id, t.RawPayloadRow.status)).all())
    return msgs, inter, raw


def test_store_round_trip_is_idempotent_and_resumable(directory_store: Store, tmp_path: Path) -> None:
    ingest(directory_store, adapter(MboxAdapter, FIXTURES / "support.mbox", batch_size=3))
    full = snapshot(directory_store)
    msgs, inter, raw = full
    assert len(inter) == 6 and len(msgs) == 14 and len(raw) == len(THREADS)
    assert ("mail:en-1@mailbox.example", "care") in {(i[0], i[2]) for i in inter}
    # a second run reads nothing new and changes nothing
    assert ingest(directory_store, adapter(MboxAdapter, FIXTURES / "support.mbox", batch_size=3)) == 1
    assert snapshot(directory_store) == full
    # reading everything again from scratch changes nothing either (idempotent upserts)
    ingest(directory_store, adapter(MboxAdapter, FIXTURES / "support.mbox", batch_size=3), resume=False)
    assert snapshot(directory_store) == full
    # a crash after two batches, then a rerun, ends in the same state
    other = Store(f"sqlite:///{tmp_path / 'other.db'}")
    other.migrate()
    other.sync_directory(PIPELINE)
    ingest(other, adapter(MboxAdapter, FIXTURES / "support.mbox", batch_size=3), stop_after=2)
    assert len(snapshot(other)[0]) < len(msgs)
    ingest(other, adapter(MboxAdapter, FIXTURES / "support.mbox", batch_size=3))
    assert snapshot(other) == full
    other.close()


def test_appended_mail_is_read_alone_and_its_thread_comes_back_whole(tmp_path: Path) -> None:
    box = tmp_path / "support.mbox"
    shutil.copy(FIXTURES / "support.mbox", box)
    a = adapter(MboxAdapter, box)
    _, cursor = run(a)
    reply = message([("From", "Ivan <ivan.petrov@pochta.example>"), ("To", "help@brightcart.example"),
                     ("Subject", "Re: payment"), ("Date", "Mon, 03 Nov 2025 15:00:00 +0300"),
                     ("Message-ID", "<ru-3@pochta.example>"),
                     ("References", "<ru-1@pochta.example> <ru-2@brightcart.example>")],
                    "Спасибо, всё получилось.")
    with box.open("ab") as fh:
        fh.write(HEAD_FROM_LINE + reply.replace(b"\r\n", b"\n") + b"\n\n")
    batches, after = run(a, cursor)
    assert [r.ref for r in raws(batches)] == [f"support.mbox@{(FIXTURES / 'support.mbox').stat().st_size}"]
    (ru,) = [i for b in batches for i in b.interactions]
    assert ru.id == "mail:ru-1@pochta.example" and len(ru.messages) == 3
    assert ru.messages[0].text.startswith("Здравствуйте!") and ru.messages[2].text == "Спасибо, всё получилось."
    assert after is not None and after["files"]["support.mbox"]["offset"] == box.stat().st_size


def test_rewritten_mbox_is_read_again_from_the_start(tmp_path: Path) -> None:
    box = tmp_path / "box.mbox"
    write_mbox(box, THREADS[:4])
    a = adapter(MboxAdapter, box)
    _, cursor = run(a)
    write_mbox(box, THREADS[8:10])  # replaced by a shorter, different file
    batches, _ = run(a, cursor)
    assert list(latest(batches)) == ["mail:ru-1@pochta.example"]


def test_folder_of_mbox_files(tmp_path: Path) -> None:
    (tmp_path / "2025").mkdir()
    write_mbox(tmp_path / "2025" / "b.mbox", THREADS[8:10])
    write_mbox(tmp_path / "a.mbox", THREADS[0:2])
    a = adapter(MboxAdapter, tmp_path)
    positions = [a.position for _ in a.fetch(since=None)]
    batches, cursor = run(a)
    assert sorted(latest(batches)) == ["mail:en-1@mailbox.example", "mail:ru-1@pochta.example"]
    total = (tmp_path / "a.mbox").stat().st_size + (tmp_path / "2025" / "b.mbox").stat().st_size
    assert positions[-1] == (total, total)  # progress: bytes read of all bytes
    assert cursor is not None and sorted(cursor["files"]) == ["2025/b.mbox", "a.mbox"]


def test_registry_builds_every_email_adapter() -> None:
    for name, cls in (("mbox", MboxAdapter), ("maildir", MaildirAdapter), ("eml", EmlFolderAdapter)):
        built = build_adapter(SourceSpec(name="mail", adapter=name, options={"path": str(FIXTURES)}), PIPELINE)
        assert type(built) is cls


def test_bad_options_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="options.path is required"):
        list(MboxAdapter(source=SourceSpec(name="mail", adapter="mbox"), directory=Directory(PIPELINE),
                         pipeline=PIPELINE).fetch(since=None))
    with pytest.raises(SourceError, match="does not exist"):
        list(adapter(MboxAdapter, tmp_path / "missing.mbox").fetch(since=None))
    with pytest.raises(SourceError, match="not a Maildir"):
        list(adapter(MaildirAdapter, tmp_path).fetch(since=None))
    with pytest.raises(ConfigError, match="batch_size must be a positive integer"):
        adapter(MboxAdapter, tmp_path, batch_size=0)


# --- Maildir and .eml ------------------------------------------------------------------------------
def test_maildir_inbox_and_sent_make_threads(tmp_path: Path) -> None:
    root = tmp_path / "maildir"
    shutil.copytree(FIXTURES / "maildir", root)
    a = adapter(MaildirAdapter, root)
    batches, cursor = run(a)
    threads = latest(batches)
    assert sorted(threads) == ["mail:pl-1@poczta.example", "mail:ru-1@pochta.example"]
    assert [r.status for r in raws(batches)] == ["parsed"] * 4  # the folders' .keep files are not mail
    assert [m.author.role for m in threads["mail:pl-1@poczta.example"].messages] == ["customer", "agent"]
    assert threads["mail:pl-1@poczta.example"].messages[1].text.startswith("Dzień dobry Panie Janie,")
    # a mail client marking a message read renames it (new/ -> cur/ with flags): not read again
    (src,) = (root / "new").glob("1762160000*")
    os.rename(src, root / "cur" / (src.name + ":2,S"))
    again, cursor2 = run(a, cursor)
    assert raws(again) == [] and not any(b.interactions for b in again)
    # a new message is read alone, and its thread comes back whole
    reply = message([("From", "jan.wisniewski@poczta.example"), ("To", "pomoc@brightcart.example"),
                     ("Subject", "Re: Reklamacja"), ("Date", "Tue, 04 Nov 2025 12:00:00 +0100"),
                     ("Message-ID", "<pl-3@poczta.example>"), ("In-Reply-To", "<pl-2@brightcart.example>")],
                    "Reset pomógł, dziękuję.", charset="iso-8859-2", cte="quoted-printable")
    (root / "new" / "1762170000.M9P100.desk").write_bytes(reply)
    third, _ = run(a, cursor2)
    assert [r.ref for r in raws(third)] == ["/1762170000.M9P100.desk"]
    (pl,) = [i for b in third for i in b.interactions]
    assert [m.text for m in pl.messages][2] == "Reset pomógł, dziękuję." and len(pl.messages) == 3


def test_eml_folder_with_undeclared_charset(tmp_path: Path) -> None:
    a = adapter(EmlFolderAdapter, FIXTURES / "eml")
    batches, cursor = run(a)
    threads = latest(batches)
    assert sorted(threads) == ["mail:lv-1@pasts.example", "mail:ru-u1@pochta.example"]
    (undeclared,) = threads["mail:ru-u1@pochta.example"].messages
    assert undeclared.text == "Добрый день. Хочу вернуть чайник, заказ 51220, он протекает."
    assert undeclared.meta["charset"] == "undeclared, detected cp1251"
    assert all(not r.ref.endswith(".txt") for r in raws(batches))
    again, _ = run(a, cursor)
    assert raws(again) == []


# --- bad input: each kept raw, quarantined with a reason, the rest of the batch goes on ----------------------
def _mbox_with(tmp_path: Path, bad: bytes) -> list[Batch]:
    box = tmp_path / "bad.mbox"
    write_mbox(box, [THREADS[0], bad, THREADS[1]])
    batches, _ = run(adapter(MboxAdapter, box))
    threads = latest(batches)
    assert len(threads["mail:en-1@mailbox.example"].messages) == 2  # the rest of the batch went on
    return batches


def test_truncated_mime_is_quarantined(tmp_path: Path) -> None:
    bad = (b"From: a@mail.example\r\nDate: Mon, 03 Nov 2025 09:12:00 +0000\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nHalf a mess")
    q = one(_mbox_with(tmp_path, bad), "quarantined")
    assert "truncated or malformed MIME" in q.reason and q.content.startswith(b"From: a@mail.example")


def test_undecodable_bytes_are_quarantined(tmp_path: Path) -> None:
    bad = message([("From", "a@mail.example"), ("Date", "Mon, 03 Nov 2025 09:12:00 +0000")], "BODY").replace(
        b"BODY", bytes(range(0, 32)) * 10 + bytes(range(128, 160)) * 10)
    q = one(_mbox_with(tmp_path, bad), "quarantined")
    assert "not decodable" in q.reason


def test_wrong_declared_charset_is_decoded_and_noted(tmp_path: Path) -> None:
    bad = message([("From", "a@mail.example"), ("Date", "Mon, 03 Nov 2025 09:12:00 +0000"),
                   ("Message-ID", "<wrong@mail.example>")], "Верните деньги за заказ, пожалуйста.",
                  charset="cp1251").replace(b"charset=cp1251", b"charset=utf-8")
    batches = _mbox_with(tmp_path, bad)
    (m,) = latest(batches)["mail:wrong@mail.example"].messages
    assert m.text == "Верните деньги за заказ, пожалуйста." and m.meta["charset"] == "declared utf-8, detected cp1251"


def test_empty_mbox(tmp_path: Path) -> None:
    batches, cursor = run(adapter(MboxAdapter, FIXTURES / "empty.mbox"))
    assert raws(batches) == [] and not any(b.interactions for b in batches)
    assert cursor is not None and cursor["files"]["empty.mbox"]["offset"] == 0


def test_text_that_is_not_an_mbox_is_quarantined(tmp_path: Path) -> None:
    box = tmp_path / "notes.mbox"
    box.write_bytes(b"These are meeting notes, not a mailbox.\n")
    batches, _ = run(adapter(MboxAdapter, box))
    assert "not an mbox message" in one(batches, "quarantined").reason


def test_fifty_megabyte_message_is_quarantined(tmp_path: Path) -> None:
    box = tmp_path / "big.mbox"
    line = b"QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n"
    with box.open("wb") as fh:
        fh.write(HEAD_FROM_LINE + THREADS[0].replace(b"\r\n", b"\n") + b"\n\n")
        fh.write(HEAD_FROM_LINE + b"From: a@mail.example\nDate: Mon, 03 Nov 2025 09:12:00 +0000\n"
                 b"Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n")
        for _ in range(50 * (1 << 20) // len(line) + 1):
            fh.write(line)
        fh.write(b"\n" + HEAD_FROM_LINE + THREADS[1].replace(b"\r\n", b"\n") + b"\n")
    batches, _ = run(adapter(MboxAdapter, box))
    q = one(batches, "quarantined")
    assert len(q.content) > 50 * (1 << 20) and "over the limit of 26,214,400 bytes" in q.reason
    assert len(latest(batches)["mail:en-1@mailbox.example"].messages) == 2


def test_zip_bomb_sized_attachment_is_not_expanded(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("router.log", "w") as member:
        for _ in range(64):
            member.write(b"\0" * (1 << 20))
    bad = (b"From: Jan <jan@poczta.example>\r\nDate: Tue, 04 Nov 2025 09:00:00 +0100\r\n"
           b"Message-ID: <zip@poczta.example>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\nLogi routera w za\xc5\x82\xc4\x85czniku.\r\n--B\r\n"
           b"Content-Type: application/zip\r\nContent-Disposition: attachment; filename=logs.zip\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(buf.getvalue()) + b"--B--\r\n")
    tracemalloc.start()
    try:
        batches = _mbox_with(tmp_path, bad)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (m,) = latest(batches)["mail:zip@poczta.example"].messages
    assert m.text == "Logi routera w załączniku."
    assert peak < 16 * (1 << 20)  # the attachment expands to 64 MB; it was never expanded


def test_parse_retries_a_stored_payload() -> None:
    a = adapter(MboxAdapter, FIXTURES / "support.mbox")
    batches, _ = run(a)
    by_ref = {r.ref: r for r in raws(batches)}
    reply = next(r for r in by_ref.values() if b"<ru-2@brightcart.example>" in r.content.split(b"\n\n")[0]
                 and b"Message-ID: <ru-2" in r.content)
    (again,) = a.parse(reply)
    assert again.id == "mail:ru-1@pochta.example" and again.messages[0].seq == 1
    assert again.messages[0].id == "mail:ru-1@pochta.example#ru-2@brightcart.example"
    from dataclasses import replace

    with pytest.raises(ParseError, match="truncated"):
        a.parse(replace(reply, content=b"From: a@b.example\nDate: Mon, 03 Nov 2025 09:12:00 +0000\n"
                                          b"Content-Type: multipart/mixed; boundary=B\n\n--B\n\ncut"))
    skipped = next(r for r in raws(batches) if r.status == "skipped")
    assert a.parse(skipped) == []


def _peak_reading(box: Path, messages: int) -> int:
    filler = ("Lorem ipsum dolor sit amet, the router restarts every night at three. " * 400 + "\n").encode()
    with box.open("wb") as fh:
        for i in range(messages):
            fh.write(HEAD_FROM_LINE + f"From: c{i}@mail.example\nTo: support@brightcart.example\nSubject: Case {i}\n"
                     f"Date: Mon, 03 Nov 2025 09:12:00 +0000\nMessage-ID: <big-{i}@mail.example>\n\n".encode()
                     + filler + b"\n")
    a = adapter(MboxAdapter, box, batch_size=20)
    tracemalloc.start()
    try:
        count = sum(len(b.raw) for b in a.fetch(since=None))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == messages
    return peak


def test_memory_does_not_grow_with_the_mbox(tmp_path: Path) -> None:
    small = _peak_reading(tmp_path / "small.mbox", 100)
    large = _peak_reading(tmp_path / "large.mbox", 300)
    size = (tmp_path / "large.mbox").stat().st_size
    assert large < 1.3 * small  # three times the mail, about the same memory: a batch and the index
    assert large < size / 2


@pytest.mark.parametrize(("options", "error"), [
    ({"username": "u", "password_env": "P"}, "options.host, options.username and options.password_env"),
    ({"host": "h", "username": "u", "password_env": "P", "tls": "tls1.3"}, "options.tls must be one of"),
    ({"host": "h", "username": "u", "password_env": "P", "folders": "INBOX"}, "options.folders must be"),
    ({"host": "h", "username": "u", "password_env": "P", "port": "993"}, "options.port must be a positive"),
])
def test_imap_options_are_checked(options: dict[str, Any], error: str) -> None:
    from qa_monitor.adapters.imap import ImapAdapter

    with pytest.raises(ConfigError, match=error):
        ImapAdapter(source=SourceSpec(name="desk", adapter="imap", options=options), directory=Directory(PIPELINE),
                    pipeline=PIPELINE)


def test_imap_password_must_be_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from qa_monitor.adapters.imap import ImapAdapter

    monkeypatch.delenv("QA_TEST_NO_SUCH_PASSWORD", raising=False)
    a = ImapAdapter(source=SourceSpec(name="desk", adapter="imap", options={
        "host": "127.0.0.1", "username": "u", "password_env": "QA_TEST_NO_SUCH_PASSWORD"}),
        directory=Directory(PIPELINE), pipeline=PIPELINE)
    with pytest.raises(ConfigError, match="QA_TEST_NO_SUCH_PASSWORD"):
        list(a.fetch(since=None))


def test_maildir_folder_selection(tmp_path: Path) -> None:
    root = tmp_path / "maildir"
    shutil.copytree(FIXTURES / "maildir", root)
    for sub in ("cur", "new", "tmp"):
        (root / ".Drafts" / sub).mkdir(parents=True)
    (root / ".Drafts" / "cur" / "1762199999.M1P1.desk:2,D").write_bytes(
        message([("From", "emma.clarke@brightcart.example"), ("Date", "Thu, 06 Nov 2025 10:00:00 +0000"),
                 ("Message-ID", "<draft@brightcart.example>")], "Half-written answer"))
    default, _ = run(adapter(MaildirAdapter, root))
    assert "mail:draft@brightcart.example" not in latest(default)  # drafts are skipped unless asked for
    sent_only, _ = run(adapter(MaildirAdapter, root, folders=["Sent"]))
    assert {r.ref.split("/")[0] for r in raws(sent_only)} == {".Sent"}
    with pytest.raises(SourceError, match="no Maildir folder Archive"):
        run(adapter(MaildirAdapter, root, folders=["INBOX", "Archive"]))


def test_thread_without_its_first_message_numbers_from_its_depth(tmp_path: Path) -> None:
    box = tmp_path / "partial.mbox"
    write_mbox(box, THREADS[2:4])  # the third and fourth e-mails of the English thread only
    batches, _ = run(adapter(MboxAdapter, box))
    (en,) = latest(batches).values()
    assert en.id == "mail:en-1@mailbox.example" and [m.seq for m in en.messages] == [2, 3]


def test_mbox_from_escaping_and_crlf_lines(tmp_path: Path) -> None:
    body = "From the warehouse: the parcel left on Monday.\nIt should arrive on Wednesday."
    raw = message([("From", "emma.clarke@brightcart.example"), ("Date", "Thu, 06 Nov 2025 10:00:00 +0000"),
                   ("Message-ID", "<esc@brightcart.example>")], body)
    box = tmp_path / "escaped.mbox"
    write_mbox(box, [raw, THREADS[0]])  # writes '>From the warehouse'
    assert b"\n>From the warehouse" in box.read_bytes()
    crlf = tmp_path / "crlf.mbox"
    crlf.write_bytes(box.read_bytes().replace(b"\n", b"\r\n"))
    for path in (box, crlf):
        batches, _ = run(adapter(MboxAdapter, path))
        threads = latest(batches)
        (m,) = threads["mail:esc@brightcart.example"].messages
        assert m.text == body and len(threads) == 2


def test_a_long_source_name_and_message_id_still_make_an_id_the_store_keeps(tmp_path: Path) -> None:
    box = tmp_path / "long.mbox"
    long_id = "<" + "x" * 132 + "@mailbox.example>"  # 150 characters: kept as it is for a short source name
    write_mbox(box, [message([("From", "jan@mail.example"), ("To", "help@brightcart.example"),
                              ("Subject", "Order"), ("Date", "Mon, 03 Nov 2025 09:12:00 +0000"),
                              ("Message-ID", long_id)], "Where is my order?")])
    source = SourceSpec(name="s" * MAX_SHORT_ID, adapter="mbox", options={"path": str(box)})
    batches, _ = run(MboxAdapter(source=source, directory=Directory(PIPELINE), pipeline=PIPELINE))
    (thread,) = latest(batches).values()
    assert len(thread.id) <= MAX_INTERACTION_ID and thread.id.startswith(f"{'s' * MAX_SHORT_ID}:h-")
    # a shorter source name keeps the ids stored so far: up to 150 characters of the Message-ID as they are
    batches, _ = run(adapter(MboxAdapter, box))
    assert next(iter(latest(batches))) == "mail:" + long_id.strip("<>")
