"""The demo data in data/samples/ itself: real formats that parse, agents the demo pipeline knows, five languages,
several weeks, and the expected flags pointing at real agent turns."""

from __future__ import annotations

import copy
import email
import json
import mailbox
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from qa_monitor.adapters.base import Directory, build_adapter
from qa_monitor.cli import app
from qa_monitor.config import PipelineSpec, Settings, load_pipeline
from qa_monitor.service.app import create_app
from qa_monitor.service.auth import create_token
from qa_monitor.storage.store import Store, as_utc
from qa_monitor.storage.tables import InteractionRow, MessageRow

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
PIPELINE = ROOT / "pipelines" / "demo.toml"
LANGS = ("en", "es", "pl", "ru", "lv")
FIRST_DAY, LAST_DAY = date(2026, 10, 26), date(2026, 11, 22)


@dataclass(frozen=True)
class Turn:
    """One message of any channel, reduced to what these checks need."""

    channel: str
    file: str  # relative to data/samples
    interaction: str
    ref: str  # Message-ID, "conversation/part" or the first cue's start
    speaker: str  # address, Intercom author id or voice-tag name
    agent: str | None
    role: str  # "agent", "customer", "system"
    at: datetime | None
    text: str


# --- readers (deliberately independent of the project's adapters) -------------------------------------------------

def _mbox_messages() -> list[tuple[str, EmailMessage]]:
    out: list[tuple[str, EmailMessage]] = []
    for path in sorted((SAMPLES / "email").glob("*.mbox")):
        box = mailbox.mbox(str(path), create=False)
        for key in box.iterkeys():
            msg = email.message_from_bytes(box.get_bytes(key), policy=default_policy)
            out.append((f"email/{path.name}", cast(EmailMessage, msg)))
        box.close()
    return out


def _own_text(body: str) -> str:
    """What the author wrote: no quoted lines, no reply marker or Outlook block, no signature."""
    lines = []
    for line in body.split("\n"):
        if line == "-- " or line.startswith("-----Original Message-----") or line.startswith(">"):
            break
        lines.append(line)
    text = "\n".join(lines).strip()
    return re.sub(r"\n[^\n]*(wrote|escribió|pisze|написал\(а\)|rakstīja):\s*$", "", text)


def _mail_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    assert part is not None, msg["Message-ID"]
    text = part.get_content()
    if part.get_content_type() == "text/html":
        text = re.sub(r"<br\s*/?>|</p>|</blockquote>", "\n", text)
        text = re.sub(r"<blockquote.*?</blockquote>", "", text, flags=re.S)
        text = re.sub(r"<[^>]+>", "", text)
    return text


def _vtt(path: Path) -> tuple[dict[str, str], list[tuple[float, float, str, str]]]:
    """The NOTE metadata and the cues (start, end, speaker, text) of a WebVTT file; asserts the format."""
    blocks = path.read_text(encoding="utf-8").strip().split("\n\n")
    assert blocks[0].splitlines()[0] == "WEBVTT", path.name
    note = blocks[1].splitlines()
    assert note[0] == "NOTE", f"{path.name}: the metadata NOTE block must follow the header"
    meta = dict(line.split(": ", 1) for line in note[1:])
    cues = []
    for block in blocks[2:]:
        lines = block.splitlines()
        m = re.fullmatch(r"(\d\d):(\d\d):(\d\d\.\d{3}) --> (\d\d):(\d\d):(\d\d\.\d{3})", lines[0])
        assert m, f"{path.name}: bad cue timing {lines[0]!r}"
        start = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
        end = int(m[4]) * 3600 + int(m[5]) * 60 + float(m[6])
        v = re.fullmatch(r"<v ([^>]+)>(.+)", " ".join(lines[1:]))
        assert v, f"{path.name}: cue at {lines[0]} has no voice tag"
        cues.append((start, end, v[1], v[2]))
    return meta, cues


@cache
def _spec() -> PipelineSpec:
    return load_pipeline(PIPELINE)


@cache
def _intercom() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / "chat" / "intercom_conversations.json").read_text(encoding="utf-8"))
    return data


def _role(directory: Directory, **ids: str | None) -> tuple[str, str | None]:
    agent = directory.agent_for(**ids)
    return ("agent", agent) if agent else ("customer", None)


@cache
def _turns() -> tuple[Turn, ...]:
    spec = _spec()
    directory = Directory(spec)
    turns: list[Turn] = []
    by_id = {}
    for file, msg in _mbox_messages():
        by_id[msg["Message-ID"]] = msg
        refs = (msg["References"] or "").split()
        root = refs[0] if refs else msg["Message-ID"]
        addr = msg["From"].addresses[0].addr_spec
        role, agent = _role(directory, email=addr)
        if msg["Auto-Submitted"]:
            role = "system"
        elif directory.is_agent_address(addr):
            role = "agent"
        turns.append(Turn("email", file, f"{file}:{root}", msg["Message-ID"], addr, agent, role,
                          parsedate_to_datetime(msg["Date"]), _own_text(_mail_text(msg))))
    for conv in _intercom()["conversations"]:
        src = conv["source"]
        text = re.sub(r"<[^>]+>", " ", src["body"])
        turns.append(Turn("chat", "chat/intercom_conversations.json", f"chat:{conv['id']}", f"{conv['id']}/source",
                          src["author"]["id"], None, "customer", datetime.fromtimestamp(conv["created_at"]), text))
        for part in conv["conversation_parts"]["conversation_parts"]:
            if part["body"] is None or part["part_type"] != "comment":
                continue
            a = part["author"]
            if a["type"] == "admin":
                role, agent = _role(directory, email=a.get("email"), handle=a["id"], name=a.get("name"))
                role = "agent"
            else:
                role, agent = ("system" if a["type"] == "bot" else "customer"), None
            turns.append(Turn("chat", "chat/intercom_conversations.json", f"chat:{conv['id']}",
                              f"{conv['id']}/{part['id']}", a["id"], agent, role,
                              datetime.fromtimestamp(part["created_at"]), re.sub(r"<[^>]+>", " ", part["body"])))
    calls = spec.source("calls")
    for path in sorted((SAMPLES / "calls").glob("*.vtt")):
        meta, cues = _vtt(path)
        started = datetime.fromisoformat(meta["started_at"])
        previous = None
        for start, _, speaker, text in cues:
            if speaker == previous:  # consecutive cues of one speaker are one turn
                last = turns.pop()
                turns.append(Turn(**{**last.__dict__, "text": last.text + " " + text}))
                continue
            previous = speaker
            agent = directory.agent_for(handle=speaker)
            role = "agent" if agent else calls.speakers.get(speaker, "unknown")
            turns.append(Turn("call", f"calls/{path.name}", f"call:{meta['call_id']}", _cue_ts(start), speaker,
                              agent, role, started, text))
    return tuple(turns)


def _cue_ts(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def guess_language(text: str) -> str:
    """A script-and-diacritics guess, enough to tell these five languages apart in whole sentences."""
    t = text.lower()
    if re.search(r"[а-яё]", t):
        return "ru"
    if re.search(r"[āēīūķļņģ]", t):
        return "lv"
    if re.search(r"[ąęłśźżń]", t):
        return "pl"
    if re.search(r"[ñ¿¡áéíóú]", t):
        return "es"
    if re.search(r"\b(the|you|and|my|is|it)\b", t):
        return "en"
    return "unknown"


# --- the pipeline ---------------------------------------------------------------------------------------------------

def test_demo_pipeline_loads_and_points_at_the_samples() -> None:
    spec = _spec()
    assert {t.id for t in spec.teams} == {"billing", "technical"}
    assert 6 <= len(spec.agents) <= 8
    assert {s.adapter for s in spec.sources} == {"mbox", "intercom", "webvtt"}
    for source in spec.sources:
        assert (ROOT / source.options["path"]).exists(), source.name
    for agent in spec.agents:
        assert agent.emails and all(e.endswith("@" + spec.agent_domains[0]) for e in agent.emails), agent.id
        assert agent.name in agent.handles, f"{agent.id}: the display name used in chats and calls is a handle"


# --- e-mail ---------------------------------------------------------------------------------------------------------

def test_every_mail_parses_with_id_date_and_a_decodable_declared_charset() -> None:
    messages = _mbox_messages()
    assert len(messages) >= 48
    ids = [m["Message-ID"] for _, m in messages]
    assert len(set(ids)) == len(ids), "Message-IDs are unique"
    known = set(ids)
    for _, msg in messages:
        mid = msg["Message-ID"]
        assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", mid), mid
        when = parsedate_to_datetime(msg["Date"])
        assert when.tzinfo is not None, mid
        assert msg["From"].addresses and msg["To"].addresses, mid
        for part in msg.walk():
            if part.get_content_maintype() != "text":
                continue
            assert part.get_param("charset"), f"{mid}: undeclared charset"
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            assert "\ufffd" not in payload.decode(part.get_content_charset() or "ascii"), f"{mid}: does not decode"
        if msg["In-Reply-To"]:
            assert msg["In-Reply-To"] in known, f"{mid} replies to a message that is not in the samples"
            assert msg["In-Reply-To"] in msg["References"].split(), mid


def test_the_mail_has_the_complications_real_mailboxes_have() -> None:
    messages = _mbox_messages()
    charsets = {p.get_content_charset() for _, m in messages for p in m.walk() if p.get_content_maintype() == "text"}
    assert {"windows-1251", "iso-8859-2", "windows-1257"} <= charsets
    html_only = [m for _, m in messages if m.get_content_type() == "text/html"]
    assert html_only, "one HTML-only message"
    assert any(m.get_content_type() == "multipart/alternative" for _, m in messages)
    assert any(m["Auto-Submitted"] == "auto-replied" for _, m in messages)
    bodies = "\n".join(_mail_text(m) for _, m in messages)
    assert "\n-- \n" in bodies, "a signature after the standard separator"
    assert "-----Original Message-----" in bodies
    for marker in (r"^On .+ wrote:$", r"^El .+ escribió:$", r"^W dniu .+ pisze:$", r"^.+ написал\(а\):$",
                   r"^.+ rakstīja:$"):
        assert re.search(marker, bodies, re.M), marker


def test_mail_subjects_and_names_in_legacy_charsets_decode() -> None:
    raw = b"".join(p.read_bytes() for p in (SAMPLES / "email").glob("*.mbox"))
    for charset in (b"windows-1251", b"windows-1257", b"iso-8859-2"):
        assert b"Subject: =?" + charset in raw, "old clients encode the subject in their own charset"
    legacy = [m for _, m in _mbox_messages() if m.get_content_charset() in {"windows-1251", "windows-1257"}]
    assert legacy
    for msg in legacy:
        assert re.search(r"[^\x00-\x7f]", str(msg["Subject"])), f"{msg['Message-ID']}: subject decodes to non-ASCII"
        assert re.search(r"[^\x00-\x7f]", msg["From"].addresses[0].display_name), msg["Message-ID"]


# --- chat -----------------------------------------------------------------------------------------------------------

def intercom_errors(doc: Any) -> list[str]:
    """Every way a document departs from the conversation-list shape of Intercom's REST API that the demo uses."""
    errors: list[str] = []

    def author(where: str, a: Any) -> None:
        if not isinstance(a, dict) or a.get("type") not in {"user", "lead", "admin", "bot"}:
            errors.append(f"{where}: author.type must be user, lead, admin or bot")
            return
        if not isinstance(a.get("id"), str) or not a["id"]:
            errors.append(f"{where}: author.id must be a non-empty string")
        for key in ("name", "email"):
            if not isinstance(a.get(key), str | None):
                errors.append(f"{where}: author.{key} must be a string or null")

    if not isinstance(doc, dict) or doc.get("type") != "conversation.list":
        return ["root: type must be 'conversation.list'"]
    convs = doc.get("conversations")
    if not isinstance(convs, list) or not convs:
        return ["root: conversations must be a non-empty list"]
    for i, c in enumerate(convs):
        w = f"conversations[{i}]"
        if not isinstance(c.get("id"), str):
            errors.append(f"{w}.id must be a string")
        if not isinstance(c.get("created_at"), int):
            errors.append(f"{w}.created_at must be a unix timestamp")
            continue
        if not isinstance(c.get("title"), str | None):
            errors.append(f"{w}.title must be a string or null")
        src = c.get("source")
        if not isinstance(src, dict) or src.get("type") != "conversation" or not isinstance(src.get("id"), str):
            errors.append(f"{w}.source must be a conversation source with an id")
        elif not isinstance(src.get("body"), str) or not src["body"].startswith("<p>"):
            errors.append(f"{w}.source.body must be HTML")
        else:
            author(f"{w}.source", src.get("author"))
        cp = c.get("conversation_parts")
        if not isinstance(cp, dict) or cp.get("type") != "conversation_part.list" \
                or not isinstance(cp.get("conversation_parts"), list):
            errors.append(f"{w}.conversation_parts must be a conversation_part.list")
            continue
        for j, p in enumerate(cp["conversation_parts"]):
            pw = f"{w}.parts[{j}]"
            if not isinstance(p.get("id"), str):
                errors.append(f"{pw}.id must be a string")
            if p.get("part_type") not in {"comment", "note", "assignment", "close"}:
                errors.append(f"{pw}.part_type must be comment, note, assignment or close")
            body = p.get("body")
            if body is not None and not (isinstance(body, str) and body.startswith("<p>")):
                errors.append(f"{pw}.body must be HTML or null")
            if p.get("part_type") in {"comment", "note"} and body is None:
                errors.append(f"{pw}: a {p['part_type']} needs a body")
            if not isinstance(p.get("created_at"), int) or p["created_at"] < c["created_at"]:
                errors.append(f"{pw}.created_at must be a unix timestamp after the conversation's")
            elif j and isinstance(cp["conversation_parts"][j - 1].get("created_at"), int) \
                    and p["created_at"] < cp["conversation_parts"][j - 1]["created_at"]:
                errors.append(f"{pw}.created_at goes back in time")
            author(pw, p.get("author"))
    return errors


def test_intercom_export_has_the_agreed_shape() -> None:
    doc = _intercom()
    assert intercom_errors(doc) == []
    parts = [p for c in doc["conversations"] for p in c["conversation_parts"]["conversation_parts"]]
    assert len({p["id"] for p in parts}) == len(parts), "part ids are unique"
    kinds = Counter(p["part_type"] for p in parts)
    assert kinds["note"] and kinds["assignment"] and kinds["close"], "notes and null-body parts are exercised"
    assert {c["source"]["author"]["type"] for c in doc["conversations"]} == {"user", "lead"}


def test_intercom_check_catches_a_broken_export() -> None:
    doc = copy.deepcopy(_intercom())
    part = doc["conversations"][0]["conversation_parts"]["conversation_parts"][0]
    part["part_type"], part["created_at"] = "reply", "yesterday"
    doc["conversations"][1]["source"]["author"]["type"] = "customer"
    errors = intercom_errors(doc)
    assert any("part_type" in e for e in errors)
    assert any("created_at" in e for e in errors)
    assert any("author.type" in e for e in errors)


# --- calls ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted((SAMPLES / "calls").glob("*.vtt")), ids=lambda p: p.name)
def test_call_transcript_has_metadata_voices_and_ordered_cues(path: Path) -> None:
    meta, cues = _vtt(path)
    assert meta["call_id"]
    started = datetime.fromisoformat(meta["started_at"])
    assert started.tzinfo is not None, "started_at carries its UTC offset"
    assert cues
    for (s1, e1, _, _), (s2, _, _, _) in zip(cues, cues[1:], strict=False):
        assert s1 < e1 <= s2, f"cues overlap or go back at {s1}"
    assert len({speaker for _, _, speaker, _ in cues}) == 2


def test_call_ids_are_unique() -> None:
    ids = [_vtt(p)[0]["call_id"] for p in (SAMPLES / "calls").glob("*.vtt")]
    assert len(set(ids)) == len(ids)


# --- across channels ------------------------------------------------------------------------------------------------

def test_every_agent_is_in_the_pipeline_and_every_interaction_has_both_sides() -> None:
    turns = _turns()
    agent_turns = [t for t in turns if t.role == "agent"]
    unknown = {(t.channel, t.speaker) for t in agent_turns if t.agent is None}
    assert not unknown, f"agent turns from people the pipeline does not know: {unknown}"
    assert not [t for t in turns if t.role == "unknown"], "every call speaker is an agent handle or a mapped caller"
    assert {t.agent for t in agent_turns} == {a.id for a in _spec().agents}, "every configured agent has turns"
    by_interaction: dict[str, set[str]] = {}
    for t in turns:
        by_interaction.setdefault(t.interaction, set()).add(t.role)
    for interaction, roles in by_interaction.items():
        assert {"agent", "customer"} <= roles, interaction


def test_volume_channels_languages_and_weeks() -> None:
    turns = _turns()
    interactions: dict[str, list[Turn]] = {}
    for t in turns:
        interactions.setdefault(t.interaction, []).append(t)
    assert len(interactions) >= 40
    channels = Counter(ts[0].channel for ts in interactions.values())
    assert channels["email"] >= 20 and channels["chat"] >= 10 and channels["call"] >= 8
    languages = Counter(guess_language(" ".join(t.text for t in ts if t.role == "customer"))
                        for ts in interactions.values())
    assert set(languages) == set(LANGS), languages
    assert min(languages.values()) >= 9, languages
    days = {t.at.date() for t in turns if t.at is not None}
    assert min(days) >= FIRST_DAY and max(days) <= LAST_DAY
    assert len({d.isocalendar()[:2] for d in days}) >= 3


def test_agents_write_on_weekdays_in_working_hours() -> None:
    for t in _turns():
        if t.role == "agent" and t.channel == "email" and t.at is not None:
            assert t.at.weekday() < 5 and 8 <= t.at.hour < 20, f"{t.ref} sent at {t.at.isoformat()}"


def test_agents_answer_in_the_customers_language() -> None:
    turns = _turns()
    customer_lang = {}
    for t in turns:
        if t.role == "customer" and t.interaction not in customer_lang:
            customer_lang[t.interaction] = guess_language(t.text)
    for t in turns:
        if t.role == "agent" and len(t.text) > 60:
            assert guess_language(t.text) == customer_lang[t.interaction], t.ref


# --- expectations ---------------------------------------------------------------------------------------------------

def test_expected_flags_point_at_agent_turns_and_cover_every_language() -> None:
    rows = json.loads((SAMPLES / "expected_flags.json").read_text(encoding="utf-8"))
    index = {(t.file, t.ref): t for t in _turns()}
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        turn = index.get((row["file"], row["ref"]))
        assert turn is not None, f"{row['file']} {row['ref']} is not a message in the samples"
        assert turn.role == "agent" and turn.agent == row["agent"], row["ref"]
        assert guess_language(turn.text) == row["language"], row["ref"]
        assert set(row["labels"]) <= {"rude", "condescending", "unclear"}
        for label in row["labels"] or ["none"]:
            counts[(row["language"], label)] += 1
    for lang in LANGS:
        for label in ("rude", "condescending", "unclear", "none"):
            assert counts[(lang, label)] >= 2, f"{lang}: fewer than two '{label}' examples"
    flagged = sum(1 for r in rows if r["labels"])
    agent_turns = sum(1 for t in _turns() if t.role == "agent")
    assert flagged < agent_turns / 2, "most agent replies are polite"


def test_readme_table_lists_every_expected_flag() -> None:
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    rows = json.loads((SAMPLES / "expected_flags.json").read_text(encoding="utf-8"))
    table = readme.split("<!-- expected-flags:begin -->", 1)[1].split("<!-- expected-flags:end -->", 1)[0]
    assert len([line for line in table.splitlines() if line.startswith("| ") and "`" in line]) == len(rows)
    for row in rows:
        assert row["ref"] in table, row["ref"]


# --- the demo load: `make run` / `qa-monitor demo` ------------------------------------------------------------------

def _as_written() -> dict[str, tuple[str, datetime, datetime]]:
    """Every message of the samples as the adapters read them: id -> (interaction id, its start, sent at)."""
    spec = _spec()
    return {m.id: (i.id, i.started_at, m.sent_at) for src in spec.sources
            for batch in build_adapter(src, spec).fetch(since=None) for i in batch.interactions for m in i.messages}


def _demo(*args: str) -> Result:
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--pipeline", str(PIPELINE), *args])
    assert result.exit_code == 0, result.output
    return result


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@pytest.fixture
def demo_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """An empty SQLite database for `qa-monitor demo`, scored by the detectors that need no model files."""
    monkeypatch.chdir(ROOT)  # the demo pipeline's sample paths are relative to the repository root
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("QA_MONITOR_DATABASE_URL", url)
    monkeypatch.setenv("QA_MONITOR_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("QA_MONITOR_TOKEN_DIR", str(tmp_path / "tokens"))  # the demo writes its token there
    store = Store(url)
    yield store
    store.close()


def test_demo_places_the_samples_in_the_four_weeks_before_today(demo_store: Store) -> None:
    written = _as_written()
    for today in (date(2027, 3, 10), date(2031, 1, 1)):  # loaded twice into one database: moved, not copied
        _demo("--today", today.isoformat())
        m, i = MessageRow, InteractionRow
        with demo_store.session() as s:
            stored = {r.id: (r.interaction_id, as_utc(r.started_at), as_utc(r.sent_at)) for r in s.execute(
                select(m.id, m.interaction_id, i.started_at, m.sent_at).join(i, i.id == m.interaction_id))}
            interactions = s.scalar(select(func.count()).select_from(i))
        assert stored.keys() == written.keys()
        assert interactions == len({iid for iid, _, _ in written.values()})
        # one shift of whole weeks for every time: weekdays, hours and the timing within conversations are kept
        shifts = {now - then for k, w in written.items() for now, then in zip(stored[k][1:], w[1:], strict=True)}
        assert len(shifts) == 1 and shifts.pop() % timedelta(weeks=1) == timedelta(0)
        weeks = {_monday(sent.astimezone(UTC).date()) for _, _, sent in stored.values()}
        assert weeks == {_monday(today) - timedelta(weeks=n) for n in (1, 2, 3, 4)}


def test_demo_today_fills_the_weekly_report_and_the_dashboard_trend(demo_store: Store) -> None:
    _demo()  # as `make run` runs it
    last_week = _monday(datetime.now(UTC).date()) - timedelta(weeks=1)
    result = CliRunner().invoke(app, ["report", "weekly", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["start"][:10] == last_week.isoformat() and report["notes"] == []
    assert report["totals"]["messages"] > 0 and report["totals"]["flagged"] > 0
    api = create_app(Settings(database_url=demo_store.url), store=demo_store, scorer_factory=lambda *a: None)
    with TestClient(api) as c:
        headers = {"Authorization": f"Bearer {create_token(demo_store, 'demo-manager')}"}  # the demo's manager
        assert c.get("/reports/weekly", headers=headers).json()["totals"] == report["totals"]
        trend = c.get("/trends?group_by=team&period=week", headers=headers).json()
    weeks = {b["period_start"][:10] for b in trend["buckets"]}
    assert weeks == {(last_week - timedelta(weeks=n)).isoformat() for n in range(4)}
