"""Render the demo conversations (conv_*.py) into data/samples/: mbox files, an Intercom export, WebVTT calls.

Run from anywhere: `python data/samples/source/build.py`. The output is deterministic, so a rebuild of unchanged
texts leaves git clean. It also writes data/samples/expected_flags.json and the table in data/samples/README.md.
"""

from __future__ import annotations

import hashlib
import html
import json
import mailbox
import re
import sys
from datetime import datetime
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent
sys.path.insert(0, str(HERE))

import conv_en  # noqa: E402
import conv_es  # noqa: E402
import conv_lv  # noqa: E402
import conv_pl  # noqa: E402
import conv_ru  # noqa: E402
from model import Call, Chat, Mail, Thread, at  # noqa: E402
from people import AGENTS, DOMAIN, SUPPORT_ADDRESS, signature  # noqa: E402

MODULES = [conv_en, conv_es, conv_pl, conv_ru, conv_lv]
EPOCH_LINE = "From MAILER-DAEMON Thu Jan  1 00:00:00 1970"

# --- e-mail ------------------------------------------------------------------------------------------------------

_WEEKDAYS = {
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    "es": ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"],
    "ru": ["пн", "вт", "ср", "чт", "пт", "сб", "вс"],
    "lv": ["pirmd.", "otrd.", "trešd.", "ceturtd.", "piektd.", "sestd.", "svētd."],
}
_MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "es": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"],
    "ru": ["янв.", "февр.", "мар.", "апр.", "мая", "июн.", "июл.", "авг.", "сент.", "окт.", "нояб.", "дек."],
    "lv": ["janv.", "febr.", "marts", "apr.", "maijs", "jūn.", "jūl.", "aug.", "sept.", "okt.", "nov.", "dec."],
}


def reply_marker(lang: str, when: datetime, name: str, email: str) -> str:
    """The attribution line a mail client writes above quoted history, in the client's language."""
    hm = when.strftime("%H:%M")
    d, m, y, wd = when.day, when.month - 1, when.year, when.weekday()
    if lang == "en":
        return f"On {_WEEKDAYS['en'][wd]}, {d} {_MONTHS['en'][m]} {y} at {hm}, {name} <{email}> wrote:"
    if lang == "es":
        return f"El {_WEEKDAYS['es'][wd]}, {d} {_MONTHS['es'][m]} {y} a las {hm}, {name} (<{email}>) escribió:"
    if lang == "pl":
        return f"W dniu {when.strftime('%d.%m.%Y')} o {hm}, {name} pisze:"
    if lang == "ru":
        return f"{d} {_MONTHS['ru'][m]} {y} г., в {hm}, {name} <{email}> написал(а):"
    if lang == "lv":
        return f"{_WEEKDAYS['lv'][wd]}, {y}. g. {d}. {_MONTHS['lv'][m]}, plkst. {hm} — lietotājs {name} <{email}> " \
               "rakstīja:"
    raise ValueError(lang)


def outlook_header(when: datetime, name: str, email: str, to: str, subject: str) -> str:
    """Outlook's block of original-message headers."""
    sent = when.strftime("%A, %B ") + f"{when.day}, {when.year} " + when.strftime("%I:%M %p").lstrip("0")
    return f"-----Original Message-----\nFrom: {name} <{email}>\nSent: {sent}\nTo: {to}\nSubject: {subject}"


def unwrap(text: str) -> str:
    """Paragraphs as one line each, the way mail clients send them (the sources are wrapped for reading).

    A line break is kept before list items, after a greeting or closing ("Dear Oliver,", "Thanks,"), after a
    colon, and after a short line that is a name; an indented line continues the list item above it.
    """
    out: list[str] = []
    for line in text.rstrip("\n").split("\n"):
        prev = out[-1] if out else ""
        item = re.match(r"\s*(\d+[.)]|[-*•])\s", line)
        continues_item = line.startswith("   ") and re.match(r"\s*\d+[.)]", prev)
        keeps_break = (prev.endswith(":") or (prev.endswith(",") and len(prev) < 40)
                       or re.match(r"^[A-ZÀ-ŽА-Я][\w .'-]{0,30}$", prev) or line.startswith(" "))
        if prev and line.strip() and (continues_item or not (item or keeps_break)):
            out[-1] += " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def _msgid(thread: Thread, i: int, domain: str) -> str:
    h = hashlib.sha1(f"{thread.id}/{i}".encode()).hexdigest()
    if domain == DOMAIN:
        return f"<{h[:12]}.{h[12:20]}@mail.{DOMAIN}>"
    return f"<CA{h[:10].upper()}{h[10:26]}@{domain}>"


def _people(thread: Thread, mail: Mail) -> tuple[str, str]:
    """(display name, address) of a mail's author."""
    if mail.who == "c":
        return thread.customer.name, thread.customer.email
    if mail.who == "support":
        return "Amberline Support", SUPPORT_ADDRESS[thread.lang]
    agent = AGENTS[mail.who]
    return agent.name, agent.email


def _text_to_html(text: str) -> str:
    """A mail client's HTML for a plain-text body: paragraphs, line breaks, a cite blockquote for '>' lines."""
    out: list[str] = []
    quote: list[str] = []
    para: list[str] = []

    def flush_para() -> None:
        if para:
            out.append("<p>" + "<br>\n".join(html.escape(x) for x in para) + "</p>")
            para.clear()

    def flush_quote() -> None:
        if quote:
            inner = "\n".join(q[1:].removeprefix(" ") for q in quote)
            out.append('<blockquote type="cite" style="margin:0 0 0 .8ex;border-left:1px solid #ccc;'
                       'padding-left:1ex">\n' + _text_to_html(inner) + "\n</blockquote>")
            quote.clear()

    for line in text.split("\n"):
        if line.startswith(">"):
            flush_para()
            quote.append(line)
            continue
        flush_quote()
        if line.strip():
            para.append(line)
        else:
            flush_para()
    flush_para()
    flush_quote()
    return "\n".join(out)


def _wrap_html(body_html: str) -> str:
    return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>\n'
            '<body style="font-family:Arial,sans-serif;font-size:14px">\n' + body_html + "\n</body></html>\n")


def _legacy_headers(raw: bytes, subject: str, name: str, addr: str, charset: str) -> bytes:
    """Subject and sender name as old clients encode them: encoded words in their own charset, not UTF-8."""
    from email.header import Header

    head, sep, body = raw.partition(b"\n\n")
    lines = re.sub(rb"\n[ \t]+", b" ", head).split(b"\n")
    subj = Header(subject, charset).encode(maxlinelen=76, linesep="\n").encode("ascii")
    sender = Header(name, charset).encode(maxlinelen=76).encode("ascii") + f" <{addr}>".encode()
    for i, line in enumerate(lines):
        if line.startswith(b"Subject:"):
            lines[i] = b"Subject: " + subj
        elif line.startswith(b"From:"):
            lines[i] = b"From: " + sender
    return b"\n".join(lines) + sep + body


def render_thread(thread: Thread) -> list[tuple[datetime, bytes]]:
    """One thread as dated EmailMessages, with reply headers, quoting and MIME as its writers' clients made them."""
    out: list[tuple[datetime, EmailMessage]] = []
    ids: list[str] = []
    texts: list[str] = []
    last_real: int | None = None
    for i, mail in enumerate(thread.mails):
        when = at(mail.when)
        name, addr = _people(thread, mail)
        domain = addr.split("@", 1)[1] if mail.who != "c" else "mail." + addr.split("@", 1)[1]
        mid = _msgid(thread, i, DOMAIN if mail.who != "c" else domain)
        text = unwrap(mail.body)
        if mail.who in AGENTS:
            text += "\n-- \n" + signature(AGENTS[mail.who], thread.lang) + "\n"
        elif mail.mailer == "Sent from my iPhone":
            text += "\nSent from my iPhone\n"
        prev = thread.mails[last_real] if last_real is not None else None
        if mail.quote and prev is not None and last_real is not None:
            pname, paddr = _people(thread, prev)
            pwhen = at(prev.when).astimezone(when.tzinfo)
            if mail.quote == "outlook":
                to = thread.customer.email if prev.who != "c" else SUPPORT_ADDRESS[thread.lang]
                psubj = thread.subject if last_real == 0 else f"RE: {thread.subject}"
                text += "\n" + outlook_header(pwhen, pname, paddr, to, psubj) + "\n\n" + texts[last_real]
            else:
                quoted = "\n".join("> " + ln if ln and not ln.startswith(">") else ">" + ln
                                   for ln in texts[last_real].rstrip("\n").split("\n"))
                text += "\n" + reply_marker(thread.lang, pwhen, pname, paddr) + "\n" + quoted + "\n"
        msg = EmailMessage(policy=default_policy)
        msg["Message-ID"] = mid
        msg["Date"] = format_datetime(when)
        msg["From"] = Address(name, addr_spec=addr)
        if mail.who == "c":
            msg["To"] = Address({"en": "Amberline Support", "es": "Soporte Amberline", "pl": "Pomoc Amberline",
                                 "ru": "Amberline Support", "lv": "Amberline atbalsts"}[thread.lang],
                                addr_spec=SUPPORT_ADDRESS[thread.lang])
        else:
            msg["To"] = Address(thread.customer.name, addr_spec=thread.customer.email)
        if mail.auto:
            msg["Subject"] = f"[AMB-CS] Re: {thread.subject}"
        elif i == 0:
            msg["Subject"] = thread.subject
        else:
            prefix = {"outlook": "RE: "}.get(mail.quote or "", "Re: ")
            if thread.lang == "pl" and mail.who == "c":
                prefix = "Odp: "
            msg["Subject"] = prefix + thread.subject
        if last_real is not None:
            msg["In-Reply-To"] = ids[last_real]
            refs = [ids[j] for j in range(last_real + 1) if not thread.mails[j].auto]
            msg["References"] = " ".join(refs)
        if mail.auto:
            msg["Auto-Submitted"] = "auto-replied"
            msg["X-Autoreply"] = "yes"
            msg["Precedence"] = "auto_reply"
        if mail.mailer and mail.mailer != "Sent from my iPhone":
            msg["X-Mailer" if "Outlook" in mail.mailer else "User-Agent"] = mail.mailer
        if mail.who in AGENTS:
            ticket = int(hashlib.sha1(thread.id.encode()).hexdigest()[:6], 16) % 90000 + 110000
            msg["X-Amberline-Ticket"] = f"AMB-CS-{ticket}"
        if mail.form == "html":
            msg.set_content(_wrap_html(_text_to_html(text)), subtype="html", charset="utf-8",
                            cte=mail.cte or "quoted-printable")
        elif mail.form == "alternative":
            msg.set_content(text, charset=mail.charset, cte=mail.cte)
            msg.add_alternative(_wrap_html(_text_to_html(text)), subtype="html", charset="utf-8",
                                cte="quoted-printable")
            msg.set_boundary("----=_Part_" + hashlib.sha1(mid.encode()).hexdigest()[:24])
        else:
            msg.set_content(text, charset=mail.charset, cte=mail.cte)
        raw = msg.as_bytes()
        if mail.charset != "utf-8" and mail.who == "c":
            raw = _legacy_headers(raw, msg["Subject"], name, addr, mail.charset)
        ids.append(mid)
        texts.append(text)
        if not mail.auto:
            last_real = i
        out.append((when, raw))
    return out


def write_mboxes(threads: list[Thread]) -> None:
    """One mbox per support mailbox, messages in arrival order as a mail server stores them."""
    folder = SAMPLES / "email"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.mbox"):
        old.unlink()
    boxes: dict[str, list[tuple[datetime, str, bytes]]] = {}
    for t in threads:
        for (when, msg), mail in zip(render_thread(t), t.mails, strict=True):
            sender = AGENTS[mail.who].email if mail.who in AGENTS else (
                t.customer.email if mail.who == "c" else SUPPORT_ADDRESS[t.lang])
            boxes.setdefault(t.mailbox, []).append((when, sender, msg))
    for box, items in sorted(boxes.items()):
        items.sort(key=lambda x: x[0])
        path = folder / f"{box}.mbox"
        mbox = mailbox.mbox(str(path), create=True)
        for when, sender, raw in items:
            m = mailbox.mboxMessage(raw)
            m.set_from(sender, when.astimezone().utctimetuple())
            mbox.add(m)
        mbox.flush()
        mbox.close()


# --- chat --------------------------------------------------------------------------------------------------------

def _body_html(text: str) -> str:
    return "".join(f"<p>{html.escape(p.strip(), quote=False)}</p>" for p in text.split("\n\n"))


def _author(chat: Chat, who: str) -> dict[str, Any]:
    if who == "c":
        uid = hashlib.sha1(chat.customer.email.encode()).hexdigest()[:24]
        return {"type": chat.customer_type, "id": uid, "name": chat.customer.name, "email": chat.customer.email}
    if who == "bot":
        return {"type": "bot", "id": "7310001", "name": "Operator", "email": f"operator@{DOMAIN}"}
    a = AGENTS[who]
    return {"type": "admin", "id": a.intercom_id, "name": a.name, "email": a.email}


def render_chat(chat: Chat) -> dict[str, Any]:
    """One conversation in the shape of Intercom's REST API (GET /conversations/{id})."""
    first, rest = chat.parts[0], chat.parts[1:]
    created = int(at(first.when).timestamp())
    parts = []
    last = created
    for i, p in enumerate(rest):
        # the texts give minutes; add a few seconds and keep the parts strictly in order, as Intercom stores them
        ts = max(int(at(p.when).timestamp()) + int(hashlib.sha1(f"{chat.id}/{i}".encode()).hexdigest(), 16) % 40,
                 last + 3)
        last = ts
        author = _author(chat, p.who)
        if p.kind == "assignment" and p.who == "bot":
            assignee = next(x.who for x in rest if x.who in AGENTS)
            assigned_to = {"type": "admin", "id": AGENTS[assignee].intercom_id}
        else:
            assigned_to = None
        parts.append({
            "type": "conversation_part",
            "id": str(int(chat.id) * 10 + i + 1)[-10:],
            "part_type": p.kind,
            "body": _body_html(p.body) if p.body is not None else None,
            "created_at": ts,
            "updated_at": ts,
            "notified_at": ts,
            "assigned_to": assigned_to,
            "author": author,
            "attachments": [],
            "external_id": None,
            "redacted": False,
        })
    last = parts[-1]["created_at"] if parts else created
    admins = [p.who for p in rest if p.who in AGENTS]
    return {
        "type": "conversation",
        "id": chat.id,
        "created_at": created,
        "updated_at": last,
        "waiting_since": None,
        "snoozed_until": None,
        "title": chat.title,
        "open": False,
        "state": "closed",
        "read": True,
        "priority": "not_priority",
        "admin_assignee_id": int(AGENTS[admins[0]].intercom_id) if admins else None,
        "team_assignee_id": None,
        "tags": {"type": "tag.list", "tags": []},
        "source": {
            "type": "conversation",
            "id": str(int(chat.id) // 7),
            "delivered_as": "customer_initiated",
            "subject": "",
            "body": _body_html(first.body or ""),
            "author": _author(chat, "c"),
            "attachments": [],
            "url": f"https://amberline.example/{chat.lang}/",
            "redacted": False,
        },
        "contacts": {"type": "contact.list", "contacts": [
            {"type": "contact", "id": _author(chat, "c")["id"], "external_id": None}]},
        "conversation_parts": {"type": "conversation_part.list", "conversation_parts": parts,
                               "total_count": len(parts)},
    }


def write_chats(chats: list[Chat]) -> None:
    folder = SAMPLES / "chat"
    folder.mkdir(parents=True, exist_ok=True)
    convs = sorted((render_chat(c) for c in chats), key=lambda c: c["created_at"])
    doc = {"type": "conversation.list", "pages": {"type": "pages", "page": 1, "per_page": 50, "total_pages": 1},
           "total_count": len(convs), "conversations": convs}
    (folder / "intercom_conversations.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n",
                                                        encoding="utf-8")


# --- calls -------------------------------------------------------------------------------------------------------

def _ts(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _chunks(text: str) -> list[str]:
    """A turn split the way a transcriber cuts cues: at sentence ends, at most ~90 characters a cue."""
    sentences = re.split(r"(?<=[.!?…])\s+", text.strip())
    cues: list[str] = []
    for s in sentences:
        if cues and len(cues[-1]) + len(s) < 90:
            cues[-1] += " " + s
        else:
            cues.append(s)
    return cues


def render_call(call: Call) -> tuple[str, list[tuple[str, int, float]]]:
    """The WebVTT text and, per turn, (speaker, turn index, start second) for the expectations table."""
    lines = ["WEBVTT", "", "NOTE", f"call_id: {call.id}",
             f"started_at: {at(call.started).isoformat()}", f"queue: {call.queue}", ""]
    t = 0.4
    starts: list[tuple[str, int, float]] = []
    for i, turn in enumerate(call.turns):
        t += turn.pause
        speaker = AGENTS[turn.who].name if turn.who in AGENTS else turn.who
        starts.append((speaker, i, t))
        for chunk in _chunks(turn.text):
            dur = max(1.2, len(chunk) / 14.0)
            lines += [f"{_ts(t)} --> {_ts(t + dur)}", f"<v {speaker}>{chunk}", ""]
            t += dur + 0.15
    return "\n".join(lines), starts


def write_calls(calls: list[Call]) -> None:
    folder = SAMPLES / "calls"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.vtt"):
        old.unlink()
    for c in calls:
        text, _ = render_call(c)
        (folder / c.file).write_text(text, encoding="utf-8")


# --- expectations ------------------------------------------------------------------------------------------------

def expectations() -> list[dict[str, Any]]:
    """Every agent turn written to be flagged, and every hard negative (expected: no flag)."""
    rows: list[dict[str, Any]] = []
    for mod in MODULES:
        for t in mod.THREADS:
            rendered = render_thread(t)
            for (_, raw), mail in zip(rendered, t.mails, strict=True):
                if mail.expect:
                    msg = message_from_bytes(raw)
                    rows.append({"channel": "email", "file": f"email/{t.mailbox}.mbox", "ref": msg["Message-ID"],
                                 "language": t.lang, "agent": mail.who, "labels": _labels(mail.expect),
                                 "why": mail.why, "excerpt": _excerpt(mail.body)})
        for c in mod.CHATS:
            conv = render_chat(c)
            for part, p in zip(conv["conversation_parts"]["conversation_parts"], c.parts[1:], strict=True):
                if p.expect:
                    rows.append({"channel": "chat", "file": "chat/intercom_conversations.json",
                                 "ref": f"{c.id}/{part['id']}", "language": c.lang, "agent": p.who,
                                 "labels": _labels(p.expect), "why": p.why, "excerpt": _excerpt(p.body or "")})
        for call in mod.CALLS:
            _, starts = render_call(call)
            for (_, i, start), turn in zip(starts, call.turns, strict=True):
                # a turn right after the same speaker's merges into it; expectations go on the first one
                assert not (turn.expect and i and call.turns[i - 1].who == turn.who), (call.id, i)
                if turn.expect:
                    rows.append({"channel": "call", "file": f"calls/{call.file}", "ref": _ts(start),
                                 "language": call.lang, "agent": turn.who, "labels": _labels(turn.expect),
                                 "why": turn.why, "excerpt": _excerpt(turn.text)})
    return rows


def _labels(expect: str) -> list[str]:
    return [] if expect == "none" else expect.split("+")


def _excerpt(text: str, n: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= n else flat[: n - 1].rstrip() + "…"


def write_expectations() -> None:
    rows = expectations()
    (SAMPLES / "expected_flags.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n",
                                                 encoding="utf-8")
    table = ["| file | message | language | agent | expected | excerpt |", "|---|---|---|---|---|---|"]
    for r in rows:
        ref = r["ref"] if r["channel"] != "call" else f"turn at {r['ref']}"
        expected = ", ".join(r["labels"]) or "none (hard negative)"
        excerpt = r["excerpt"].replace("|", "\\|")
        table.append(f"| {r['file']} | `{ref}` | {r['language']} | {r['agent']} | {expected} | {excerpt} |")
    _replace_block("expected-flags", "\n".join(table))


def write_counts() -> None:
    """The volume line in README.md, so the numbers there are the numbers in the files."""
    names = {"en": "English", "es": "Spanish", "pl": "Polish", "ru": "Russian", "lv": "Latvian"}
    threads = [t for m in MODULES for t in m.THREADS]
    chats = [c for m in MODULES for c in m.CHATS]
    calls = [c for m in MODULES for c in m.CALLS]
    per_lang = ", ".join(
        f"{names[m.THREADS[0].lang]} {len(m.THREADS) + len(m.CHATS) + len(m.CALLS)}" for m in MODULES)
    agent_turns = sum(1 for t in threads for x in t.mails if x.who in AGENTS) + sum(
        1 for c in chats for p in c.parts if p.who in AGENTS and p.kind == "comment") + sum(
        1 for c in calls for i, x in enumerate(c.turns) if x.who in AGENTS and (i == 0 or c.turns[i - 1].who != x.who))
    line = (f"{len(threads) + len(chats) + len(calls)} interactions: {len(threads)} e-mail threads "
            f"({sum(len(t.mails) for t in threads)} messages), {len(chats)} chats, {len(calls)} calls; "
            f"{per_lang}; {agent_turns} agent turns.")
    _replace_block("counts", line)


def _replace_block(name: str, content: str) -> None:
    readme = SAMPLES / "README.md"
    text = readme.read_text(encoding="utf-8")
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(head + begin + "\n" + content + "\n" + end + tail, encoding="utf-8")


def main() -> None:
    threads = [t for m in MODULES for t in m.THREADS]
    write_mboxes(threads)
    write_chats([c for m in MODULES for c in m.CHATS])
    write_calls([c for m in MODULES for c in m.CALLS])
    write_expectations()
    write_counts()
    n = len(threads) + sum(len(m.CHATS) + len(m.CALLS) for m in MODULES)
    print(f"wrote {n} interactions under {SAMPLES}")


if __name__ == "__main__":
    main()
