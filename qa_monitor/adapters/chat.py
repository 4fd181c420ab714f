"""Chat and ticket exports: Zendesk, Freshdesk, Intercom, Slack, and the generic JSONL format.

Each export is split into self-contained units (a ticket, a conversation, a Slack thread of one day, a run of JSONL
lines of one interaction) stored as raw payloads, so that a quarantined unit can be parsed again on its own.

Interaction ids: Zendesk and Freshdesk tickets are keyed on the ticket system (`zendesk:<ticket id>`, or
`zendesk@<account>:<ticket id>` with `options.account`), exactly as their webhooks key them, whatever the source is
called; so are JSONL interactions when `options.system` names their ticket system. Intercom, Slack and JSONL
without `system` are keyed on the source's name (`<source>:<native id>`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any, ClassVar

from qa_monitor.adapters.base import Directory
from qa_monitor.adapters.files import FileAdapter, json_items, json_lines, load_json, parse_time, top_level_key
from qa_monitor.adapters.text import clean_text, html_to_text
from qa_monitor.errors import ParseError, SourceError
from qa_monitor.records import TICKET_SYSTEMS, Channel, Interaction, Message, Participant, RawPayload


def _interaction(adapter: FileAdapter, native: str, messages: list[Message], *, subject: str | None = None,
                 channel: str | None = None, meta: dict[str, Any] | None = None) -> Interaction:
    ch: Channel = (channel or adapter.channel)  # type: ignore[assignment]
    return _assemble(adapter.iid(native), adapter.origin, native, ch, messages, subject=subject, meta=meta)


def _assemble(iid: str, source: str, native: str, channel: Channel, messages: Sequence[Message], *,
              subject: str | None = None, meta: dict[str, Any] | None = None) -> Interaction:
    """The interaction of parsed messages, started at its earliest; a ParseError when nothing was readable."""
    if not messages:
        raise ParseError(f"interaction {native} has no messages")
    return Interaction(id=iid, source=source, native_id=native, channel=channel,
                       started_at=min(m.sent_at for m in messages), messages=tuple(messages),
                       subject=subject, meta=meta or {})


# --- Zendesk ---------------------------------------------------------------------------------------------

class ZendeskAdapter(FileAdapter):
    """Zendesk tickets with comments: Incremental Export JSONL, or the API's `{"tickets": [...], "users": [...]}`.

    Comments that are not public are internal notes. Author roles come from the users list (agent/admin = agent,
    end-user = customer), then the pipeline's agents; an author missing from both is the customer when they are
    the requester and otherwise a guessed agent. `options.users_path` may name a separate users export.
    Tickets are keyed `zendesk:<ticket id>` (see the module docstring), as the Zendesk webhook keys them.
    """

    name: ClassVar[str] = "zendesk"
    suffixes: ClassVar[tuple[str, ...]] = (".json", ".jsonl", ".ndjson")
    channel: ClassVar[str] = "ticket"
    system: ClassVar[str | None] = "zendesk"

    def _extra_users(self) -> dict[str, dict[str, Any]]:
        path = self.source.options.get("users_path")
        if not path:
            return {}
        p = Path(str(path))
        if not p.is_absolute() and self.pipeline.path is not None and not p.exists():
            p = self.pipeline.path.parent / p
        if not p.exists():
            raise SourceError(f"source '{self.source.name}': options.users_path {p} does not exist")
        with p.open("rb") as fh:
            if p.suffix in (".jsonl", ".ndjson"):
                users = [v for _, _, v, err in json_lines(fh, p.name) if v is not None and err is None]
            else:
                users = list(json_items(fh, "users"))
        return _users_by_id(users)

    def units(self, fh: IO[bytes], ref: str) -> Iterator[RawPayload]:
        """One payload per ticket, carrying the users its comments mention."""
        extra = self._extra_users()
        if ref.endswith((".jsonl", ".ndjson")):
            for n, line, value, err in json_lines(fh, ref):
                if err or not isinstance(value, dict):
                    yield self.quarantine("zendesk.ticket", f"{ref}:{n}", line,
                                          err or f"{ref} line {n}: expected a JSON object (one ticket)")
                    continue
                yield self.payload("zendesk.ticket", f"{ref}:{n}", _ticket_document(value, extra))
            return
        head = fh.read(4096).lstrip()
        fh.seek(0)
        is_object = head[:1] == b"{"
        if is_object and top_level_key(fh, ("tickets",)) is None:
            # one ticket: {"ticket": {...}, "comments": [...], "users": [...]} (an API response, small)
            yield self.payload("zendesk.ticket", ref, _ticket_document(json.load(fh), extra))
            return
        # the users list may come after the tickets: read it in a first streaming pass
        users = dict(extra)
        if is_object and top_level_key(fh, ("users",)):
            users.update(_users_by_id(json_items(fh, "users")))
            fh.seek(0)
        for i, ticket in enumerate(json_items(fh, "tickets")):
            yield self.payload("zendesk.ticket", f"{ref}#{i}", _ticket_unit(ticket, users))

    def parse_unit(self, raw: RawPayload) -> list[Interaction]:
        """One ticket and its comments."""
        doc = load_json(raw)
        ticket = doc.get("ticket") or {}
        if "id" not in ticket:
            raise ParseError(f"{raw.ref}: ticket without an id")
        return [zendesk_interaction(ticket, ticket.get("comments") or [], doc.get("users") or {},
                                    iid=self.iid(str(ticket["id"])), source=self.origin,
                                    directory=self.directory)]


def zendesk_interaction(ticket: Mapping[str, Any], comments: Sequence[Any], users: Mapping[str, Mapping[str, Any]],
                        *, iid: str, source: str, directory: Directory) -> Interaction:
    """One Zendesk ticket with its comments, as the exports and the webhook carry it; `users` by id (str).

    Comments that are not public are internal notes. Author roles come from the users (agent/admin = agent,
    end-user = customer), then the pipeline's agents; an author missing from both is the customer when they are
    the requester and otherwise a guessed agent. The channel is the ticket's `via.channel`."""
    native = str(ticket["id"])
    requester = str(ticket.get("requester_id", ""))
    if not comments and ticket.get("description"):
        comments = [{"id": "description", "author_id": ticket.get("requester_id"), "public": True,
                     "body": ticket["description"], "created_at": ticket.get("created_at")}]
    for i, c in enumerate(comments):
        if not isinstance(c, dict):
            raise ParseError(f"ticket {native}: comments[{i}] is not an object")
    msgs: list[Message] = []
    timed = [(parse_time(c.get("created_at") or ticket.get("created_at"),
                         f"ticket {native} comment {c.get('id', i)} time"), c) for i, c in enumerate(comments)]
    for seq, (sent_at, c) in enumerate(_in_time_order(timed)):
        text = c.get("plain_body") or c.get("body") or ""
        if not text and c.get("html_body"):
            text = html_to_text(c["html_body"])
        text = clean_text(str(text))
        if not text:
            continue
        author = str(c.get("author_id", ""))
        msgs.append(Message(id=f"{iid}#{c.get('id', seq)}", interaction_id=iid, seq=seq,
                            author=_zendesk_author(directory, author, users.get(author), requester),
                            sent_at=sent_at, text=text, internal=not c.get("public", True)))
    return _assemble(iid, source, native, ticket_channel((ticket.get("via") or {}).get("channel")), msgs,
                     subject=ticket.get("subject"),
                     meta={"status": ticket.get("status"), "tags": ticket.get("tags", [])})


def _in_time_order(timed: Sequence[tuple[datetime, dict[str, Any]]]) -> list[tuple[datetime, dict[str, Any]]]:
    """Entries by their parsed time, ties in the order given: written times differ in precision and offset
    ('09:12:44Z', '09:12:44.5Z', '10:12:44+01:00'), so their text does not sort."""
    return sorted(timed, key=lambda entry: entry[0])


def _zendesk_author(directory: Directory, author: str, user: Mapping[str, Any] | None,
                    requester: str) -> Participant:
    if author == "-1":
        return Participant(id=author, role="system", name="Zendesk")
    user = user or {}
    hint = {"agent": "agent", "admin": "agent", "end-user": "customer"}.get(str(user.get("role")))
    pid = user.get("email") or author
    if hint or directory.agent_for(email=user.get("email"), handle=author, name=user.get("name")):
        return directory.participant(pid, name=user.get("name"), email=user.get("email"), handle=author,
                                     role_hint=hint)
    if author == requester:
        return Participant(id=pid, role="customer", name=user.get("name"))
    return Participant(id=pid, role="agent", name=user.get("name"), role_guessed=True)


def ticket_channel(value: Any) -> Channel:
    """The channel a ticket system names (Zendesk's via.channel, a generic payload's channel); else "ticket"."""
    v = str(value or "").lower()
    if v in ("email", "mail"):
        return "email"
    if v in ("chat", "messaging", "native_messaging", "web_messaging"):
        return "chat"
    if v in ("voice", "phone", "call"):
        return "call"
    return "ticket"


def _user(u: dict[str, Any]) -> dict[str, Any]:
    return {k: u.get(k) for k in ("id", "name", "email", "role") if u.get(k) is not None}


def _users_by_id(users: Any) -> dict[str, dict[str, Any]]:
    """The user objects of a list by id (str); anything else in it, or a value that is no list, is left out."""
    if not isinstance(users, Iterable):
        return {}
    return {str(u["id"]): _user(u) for u in users if isinstance(u, dict) and "id" in u}


def _ticket_document(doc: dict[str, Any], users: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The unit of one ticket document (`{"ticket", "comments", "users"}`, or the ticket itself), of any shape:
    what is not a ticket is found out by `parse_unit`, where it quarantines this ticket alone."""
    ticket = doc.get("ticket", doc)
    if isinstance(ticket, dict) and "comments" in doc and "comments" not in ticket:
        ticket = {**ticket, "comments": doc["comments"]}
    return _ticket_unit(ticket, {**users, **_users_by_id(doc.get("users"))})


def _ticket_unit(ticket: Any, users: dict[str, dict[str, Any]]) -> dict[str, Any]:
    comments = ticket.get("comments") if isinstance(ticket, dict) else None
    ids = {str(c.get("author_id")) for c in comments if isinstance(c, dict)} if isinstance(comments, list) else set()
    ids.add(str(ticket.get("requester_id")) if isinstance(ticket, dict) else "")
    return {"ticket": ticket, "users": {k: v for k, v in users.items() if k in ids}}


# --- Freshdesk -------------------------------------------------------------------------------------------

class FreshdeskAdapter(FileAdapter):
    """Freshdesk tickets with `conversations` (API `include=conversations`): a JSON array, `{"tickets": [...]}`
    or JSONL. `incoming` entries are the customer's, outgoing ones and private notes the agents'. Tickets are keyed
    `freshdesk:<ticket id>`, as the Freshdesk webhook keys them."""

    name: ClassVar[str] = "freshdesk"
    suffixes: ClassVar[tuple[str, ...]] = (".json", ".jsonl", ".ndjson")
    channel: ClassVar[str] = "ticket"
    system: ClassVar[str | None] = "freshdesk"

    def units(self, fh: IO[bytes], ref: str) -> Iterator[RawPayload]:
        """One payload per ticket."""
        if ref.endswith((".jsonl", ".ndjson")):
            for n, line, value, err in json_lines(fh, ref):
                if err or not isinstance(value, dict):
                    yield self.quarantine("freshdesk.ticket", f"{ref}:{n}", line,
                                          err or f"{ref} line {n}: expected a JSON object (one ticket)")
                else:
                    yield self.payload("freshdesk.ticket", f"{ref}:{n}", value)
            return
        for i, ticket in enumerate(json_items(fh, "tickets")):
            yield self.payload("freshdesk.ticket", f"{ref}#{i}", ticket)

    def parse_unit(self, raw: RawPayload) -> list[Interaction]:
        """One ticket: its description (the requester's first message) and its conversations."""
        t = load_json(raw)
        if not isinstance(t, dict) or "id" not in t:
            raise ParseError(f"{raw.ref}: expected a ticket object with an id")
        return [freshdesk_interaction(t, t.get("conversations") or [], {}, iid=self.iid(str(t["id"])),
                                      source=self.origin, directory=self.directory)]


# Freshdesk's ticket `source` codes that name a channel
_FRESHDESK_CHANNELS: dict[int, Channel] = {1: "email", 3: "call", 7: "chat"}


def freshdesk_interaction(ticket: Mapping[str, Any], conversations: Sequence[Any],
                          people: Mapping[str, Mapping[str, Any]], *, iid: str, source: str,
                          directory: Directory) -> Interaction:
    """One Freshdesk ticket with its conversations, as the API (`include=conversations`), the exports and the webhook
    carry it; `people` by id (str) names agents and contacts when the payload lists them.

    The description is the requester's first message; `incoming` public entries are the customer's, outgoing ones and
    private notes the agents'."""
    native = str(ticket["id"])
    requester = ticket.get("requester") or people.get(str(ticket.get("requester_id"))) or {}
    msgs: list[Message] = []
    desc = ticket.get("description_text") or (html_to_text(ticket["description"]) if ticket.get("description")
                                              else "")
    if str(desc).strip():
        rid = str(ticket.get("requester_id", requester.get("id", "requester")))
        msgs.append(Message(id=f"{iid}#description", interaction_id=iid, seq=0,
                            author=Participant(id=requester.get("email") or rid, role="customer",
                                               name=requester.get("name")),
                            sent_at=parse_time(ticket.get("created_at"), f"ticket {native} created_at"),
                            text=clean_text(str(desc))))
    for i, c in enumerate(conversations):
        if not isinstance(c, dict):
            raise ParseError(f"ticket {native}: conversations[{i}] is not an object")
    timed = [(parse_time(c.get("created_at"), f"ticket {native} conversation {c.get('id')} time"), c)
             for c in conversations]
    for sent_at, c in _in_time_order(timed):
        text = clean_text(str(c.get("body_text") or (html_to_text(c["body"]) if c.get("body") else "")))
        if not text:
            continue
        uid, email = str(c.get("user_id", "")), c.get("from_email")
        email = _address(email) if email else None
        if c.get("incoming") and not c.get("private"):
            author = Participant(id=email or uid, role="customer", name=requester.get("name"))
        else:
            person = people.get(uid) or {}
            email = person.get("email") or email  # the agent's own address before the shared mailbox's
            author = directory.participant(email or uid, email=email, handle=uid, name=person.get("name"),
                                           role_hint="agent")
        msgs.append(Message(id=f"{iid}#{c.get('id', len(msgs))}", interaction_id=iid, seq=len(msgs),
                            author=author, sent_at=sent_at, text=text, internal=bool(c.get("private"))))
    return _assemble(iid, source, native, _FRESHDESK_CHANNELS.get(ticket.get("source") or 0, "ticket"), msgs,
                     subject=ticket.get("subject"),
                     meta={"status": ticket.get("status"), "tags": ticket.get("tags", [])})


def _address(value: str) -> str:
    m = re.search(r"<([^>]+)>", value)
    return (m.group(1) if m else value).strip()


# --- Intercom --------------------------------------------------------------------------------------------

class IntercomAdapter(FileAdapter):
    """Intercom conversations as the REST API returns them (`{"type": "conversation.list", "conversations": [...]}`),
    a JSON array of conversations, or JSONL. admin = agent, user/lead = customer, bot = system; notes are internal."""

    name: ClassVar[str] = "intercom"
    suffixes: ClassVar[tuple[str, ...]] = (".json", ".jsonl", ".ndjson")

    def units(self, fh: IO[bytes], ref: str) -> Iterator[RawPayload]:
        """One payload per conversation."""
        if ref.endswith((".jsonl", ".ndjson")):
            for n, line, value, err in json_lines(fh, ref):
                if err or not isinstance(value, dict):
                    yield self.quarantine("intercom.conversation", f"{ref}:{n}", line,
                                          err or f"{ref} line {n}: expected a JSON object (one conversation)")
                else:
                    yield self.payload("intercom.conversation", f"{ref}:{n}", value)
            return
        for i, conv in enumerate(json_items(fh, "conversations")):
            yield self.payload("intercom.conversation", f"{ref}#{i}", conv)

    def parse_unit(self, raw: RawPayload) -> list[Interaction]:
        """One conversation: the opening message and every part with a body."""
        c = load_json(raw)
        if not isinstance(c, dict) or "id" not in c:
            raise ParseError(f"{raw.ref}: expected a conversation object with an id")
        native = str(c["id"])
        iid = self.iid(native)
        parts: list[dict[str, Any]] = []
        src = c.get("source") or {}
        if src.get("body"):
            parts.append({**src, "id": src.get("id") or "source", "created_at": c.get("created_at"),
                          "part_type": "comment"})
        cp = c.get("conversation_parts") or {}
        parts += cp.get("conversation_parts", []) if isinstance(cp, dict) else list(cp)
        msgs: list[Message] = []
        for p in parts:
            if not p.get("body"):
                continue  # assignments, closes and other events without text
            text = html_to_text(str(p["body"]))
            if not text:
                continue
            a = p.get("author") or {}
            hint = {"admin": "agent", "bot": "system", "user": "customer", "lead": "customer",
                    "contact": "customer"}.get(str(a.get("type")), "customer")
            aid = str(a.get("id", ""))
            author = (Participant(id=aid or "bot", role="system", name=a.get("name")) if hint == "system" else
                      self.directory.participant(a.get("email") or aid, name=a.get("name"), email=a.get("email"),
                                                 handle=aid, role_hint=hint))
            msgs.append(Message(id=f"{iid}#{p['id']}", interaction_id=iid, seq=len(msgs), author=author,
                                sent_at=parse_time(p.get("created_at") or c.get("created_at"), "part created_at"),
                                text=text, internal=p.get("part_type") == "note"))
        return [_interaction(self, native, msgs, subject=c.get("title") or src.get("subject") or None)]


# --- Slack -----------------------------------------------------------------------------------------------

_SLACK_META = {"users.json", "channels.json", "groups.json", "dms.json", "mpims.json", "integration_logs.json",
               "canvases.json", "huddle_transcripts.json", "org_users.json"}
_SLACK_SKIP_SUBTYPES = {"channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name",
                        "pinned_item", "group_join", "group_leave", "reminder_add", "tombstone"}


class SlackAdapter(FileAdapter):
    """A Slack workspace export folder: `users.json` and one folder per channel of daily JSON files.

    An interaction is a thread (a top-level message and its replies, which may span days); agents are recognised
    by Slack user id, handle or display name in the pipeline's agent `handles`; bots are system turns.
    """

    name: ClassVar[str] = "slack"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def files(self) -> list[tuple[str, Path]]:
        """The channels' daily files, without the workspace metadata files."""
        return [(rel, p) for rel, p in super().files() if p.name not in _SLACK_META]

    def _channel(self, ref: str) -> str:
        """The channel a daily file belongs to: its folder (the path itself when it names one channel's folder)."""
        parts = ref.split("/")
        if len(parts) > 1:
            return parts[-2]
        return self.path.name if self.path.is_dir() else self.path.parent.name

    def _users(self) -> dict[str, dict[str, Any]]:
        if not hasattr(self, "_users_cache"):
            # users.json sits at the export's root: the path itself, or above a channel folder or daily file
            roots = [self.path, self.path.parent, self.path.parent.parent]
            p = next((r / "users.json" for r in roots if (r / "users.json").exists()), self.path / "users.json")
            users: dict[str, dict[str, Any]] = {}
            if p.exists():
                with p.open("rb") as fh:
                    for u in json_items(fh, "members"):
                        if not isinstance(u, dict):
                            continue
                        prof = u["profile"] if isinstance(u.get("profile"), dict) else {}
                        users[str(u.get("id"))] = {
                            "name": u.get("name"), "real_name": u.get("real_name") or prof.get("real_name"),
                            "display_name": prof.get("display_name"), "email": prof.get("email"),
                            "is_bot": bool(u.get("is_bot"))}
            self._users_cache = users
        return self._users_cache

    def units(self, fh: IO[bytes], ref: str) -> Iterator[RawPayload]:
        """One payload per thread within one channel-day file."""
        channel = self._channel(ref)
        threads: dict[str, list[dict[str, Any]]] = {}
        for i, m in enumerate(json_items(fh)):
            if not isinstance(m, dict) or "ts" not in m:
                yield self.quarantine("slack.thread", f"{ref}#{i}", m,
                                      f"{ref} item {i}: expected a message object with a ts")
                continue
            threads.setdefault(str(m.get("thread_ts") or m["ts"]), []).append(m)
        users = self._users()
        for ts, msgs in threads.items():
            ids = {str(m.get("user")) for m in msgs}
            ids |= {u for m in msgs for u in re.findall(r"<@([A-Z0-9]+)", str(m.get("text", "")))}
            yield self.payload("slack.thread", f"{ref}#{ts}", {
                "channel": channel, "thread_ts": ts, "messages": msgs,
                "users": {k: v for k, v in users.items() if k in ids}})

    def parse_unit(self, raw: RawPayload) -> list[Interaction]:
        """One thread (or the part of it posted that day)."""
        doc = load_json(raw)
        try:
            channel, thread_ts, users = doc["channel"], str(doc["thread_ts"]), doc.get("users") or {}
        except (KeyError, TypeError):
            raise ParseError(f"{raw.ref}: not a Slack thread payload") from None
        native = f"{channel}:{thread_ts}"
        iid = self.iid(native)
        start = float(thread_ts)
        names = {k: (v.get("display_name") or v.get("real_name") or v.get("name") or k) for k, v in users.items()}
        msgs: list[Message] = []
        for m in sorted(doc.get("messages") or [], key=lambda m: float(m["ts"])):
            if m.get("subtype") in _SLACK_SKIP_SUBTYPES:
                continue
            text = _slack_text(str(m.get("text", "")), names)
            if not text:
                continue
            uid = str(m.get("user") or m.get("bot_id") or "")
            u = users.get(uid, {})
            if m.get("bot_id") or m.get("subtype") == "bot_message" or u.get("is_bot"):
                author = Participant(id=uid or "bot", role="system", name=m.get("username") or u.get("name"))
            else:
                agent = (self.directory.agent_for(handle=uid) or self.directory.agent_for(handle=u.get("name"))
                         or self.directory.agent_for(email=u.get("email"), name=names.get(uid)))
                author = (Participant(id=uid, role="agent", name=names.get(uid), agent_id=agent) if agent else
                          Participant(id=uid, role="customer", name=names.get(uid)))
            ts = float(m["ts"])
            # seq is the offset in milliseconds from the thread start, so days exported separately stay in order
            msgs.append(Message(id=f"{iid}#{m['ts']}", interaction_id=iid,
                                seq=min(int(round((ts - start) * 1000)), 2**31 - 1), author=author,
                                sent_at=parse_time(ts), text=text))
        if not msgs:
            return []
        it = _interaction(self, native, msgs, meta={"channel": channel})
        from dataclasses import replace

        return [replace(it, started_at=parse_time(start))]


def _slack_text(text: str, names: dict[str, str]) -> str:
    text = re.sub(r"<@([A-Z0-9]+)(\|[^>]*)?>", lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"<!(here|channel|everyone)>", r"@\1", text)
    return clean_text(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


# --- generic JSONL ---------------------------------------------------------------------------------------

JSONL_FIELDS = ("interaction_id", "message_id", "author", "role", "sent_at", "text")


class JsonlAdapter(FileAdapter):
    """The generic format: one message per line (see README, "Generic JSONL"). Consecutive lines of one interaction
    form one payload; an interaction may continue later in the file (its messages are merged on upsert).
    `options.system` names the ticket system the interaction ids belong to, when its webhook sends them too."""

    name: ClassVar[str] = "jsonl"
    suffixes: ClassVar[tuple[str, ...]] = (".jsonl", ".ndjson")

    def ticket_system(self) -> str | None:
        """`options.system` (one of the ticket systems with a webhook), or None to key on the source's name."""
        value = self.source.options.get("system")
        if value is not None and value not in TICKET_SYSTEMS:
            raise SourceError(f"source '{self.source.name}': options.system must be one of "
                              f"{', '.join(TICKET_SYSTEMS)}, not {str(value)[:40]!r}")
        return None if value is None else str(value)

    def units(self, fh: IO[bytes], ref: str) -> Iterator[RawPayload]:
        """Runs of consecutive lines with the same interaction_id; a broken line is quarantined alone."""
        run: list[bytes] = []
        run_id, first = None, 0
        for n, line, value, err in json_lines(fh, ref):
            iid = value.get("interaction_id") if isinstance(value, dict) else None
            if err or iid is None:
                if run:
                    yield self.payload("jsonl.lines", f"{ref}:{first}", b"\n".join(run))
                    run, run_id = [], None
                yield self.quarantine("jsonl.lines", f"{ref}:{n}", line,
                                      err or f"{ref} line {n}: expected a JSON object with an interaction_id")
                continue
            if iid != run_id or len(run) >= 1000:
                if run:
                    yield self.payload("jsonl.lines", f"{ref}:{first}", b"\n".join(run))
                run, run_id, first = [], iid, n
            run.append(line)
        if run:
            yield self.payload("jsonl.lines", f"{ref}:{first}", b"\n".join(run))

    def parse_unit(self, raw: RawPayload) -> list[Interaction]:
        """One interaction's consecutive lines; seq is the line number, so order holds across runs."""
        first = int(raw.ref.rsplit(":", 1)[-1]) if raw.ref.rsplit(":", 1)[-1].isdigit() else 1
        msgs: list[Message] = []
        native = subject = None
        channel = "chat"
        for offset, line in enumerate(raw.content.split(b"\n")):
            where = f"{raw.ref.rsplit(':', 1)[0]} line {first + offset}"
            try:
                d = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                raise ParseError(f"{where}: invalid JSON: {e}") from None
            missing = [f for f in JSONL_FIELDS if d.get(f) in (None, "")]
            if missing:
                raise ParseError(f"{where}: missing {', '.join(missing)}")
            role = str(d["role"])
            if role not in ("agent", "customer", "system"):
                raise ParseError(f"{where}: role '{role[:20]}' is not agent, customer or system")
            native = str(d["interaction_id"])
            channel = str(d.get("channel") or "chat")
            if channel not in ("email", "chat", "call", "ticket"):
                raise ParseError(f"{where}: channel '{channel[:20]}' is not email, chat, call or ticket")
            subject = subject or d.get("subject")
            iid = self.iid(native)
            author = str(d["author"])
            if role == "agent":
                agent = self.directory.agent_for(email=author if "@" in author else None, handle=author,
                                                 name=d.get("author_name"))
                p = Participant(id=author, role="agent", name=d.get("author_name"), agent_id=agent)
            else:
                p = Participant(id=author, role=role, name=d.get("author_name"))  # type: ignore[arg-type]
            msgs.append(Message(id=f"{iid}#{d['message_id']}", interaction_id=iid, seq=first + offset, author=p,
                                sent_at=parse_time(d["sent_at"], f"{where}: sent_at"),
                                text=clean_text(str(d["text"])), internal=bool(d.get("internal", False)),
                                language=d.get("language")))
        assert native is not None
        return [_interaction(self, native, msgs, subject=subject, channel=channel)]

