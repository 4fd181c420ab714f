"""Ticket payload mappers: a ticket system's webhook payload read into an Interaction.

Zendesk and Freshdesk payloads are read by the same ticket readers as their exports (`adapters.chat`), so a webhook
and an export of one ticket are one interaction, keyed `<provider>:<ticket id>`. A payload that cannot be mapped
raises ParseError, naming what is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from qa_monitor.adapters.base import Directory
from qa_monitor.adapters.chat import freshdesk_interaction, ticket_channel, zendesk_interaction
from qa_monitor.adapters.files import parse_time
from qa_monitor.adapters.text import clean_text
from qa_monitor.errors import ParseError
from qa_monitor.records import Interaction, Message, Participant

log = logging.getLogger(__name__)


def _adf_text(node: Any) -> str:
    """Plain text of an Atlassian Document Format node (Jira Cloud comment bodies)."""
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    inner = "".join(_adf_text(c) for c in node.get("content") or [])
    return inner + ("\n" if node.get("type") in ("paragraph", "heading", "listItem", "codeBlock") else "")


def _need(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping or mapping[key] in (None, ""):
        raise ParseError(f"{where}.{key} is missing")
    return mapping[key]


@dataclass
class _Builder:
    provider: str
    native_id: str
    directory: Directory

    @property
    def interaction_id(self) -> str:
        return f"{self.provider}:{self.native_id}"

    def participant(self, pid: str, role_hint: str, name: str | None = None, email: str | None = None
                    ) -> Participant:
        return self.directory.participant(pid, name=name, email=email, handle=pid, role_hint=role_hint)

    def message(self, native: str, seq: int, author: Participant, sent_at: datetime, text: str,
                internal: bool) -> Message:
        return Message(id=f"{self.interaction_id}#{native}", interaction_id=self.interaction_id, seq=seq,
                       author=author, sent_at=sent_at, text=clean_text(text), internal=internal)


def map_zendesk(payload: Mapping[str, Any], directory: Directory) -> Interaction:
    """A Zendesk ticket: {ticket, comments, users} (Tickets API with sideloads), the whole conversation, or a
    ticket.comment_added event, which carries one comment and is added to the stored conversation."""
    if "detail" in payload and "event" in payload:
        detail, comment = payload["detail"], (payload.get("event") or {}).get("comment")
        native = str(_need(detail, "id", "detail"))
        if not isinstance(comment, dict):
            raise ParseError("event.comment is missing (only ticket comment events carry a message)")
        _need(comment, "id", "event.comment")
        author = comment.get("author") or {}
        uid = str(author.get("id", "unknown"))
        comments = [{**comment, "author_id": uid, "public": comment.get("is_public", True),
                     "created_at": comment.get("created_at") or payload.get("time") or detail.get("updated_at")}]
        users = {uid: {"role": "agent" if author.get("is_staff") else "end-user", "name": author.get("name")}}
        it = zendesk_interaction(detail, comments, users, iid=f"zendesk:{native}", source="zendesk",
                                 directory=directory)
        opened = parse_time(detail["created_at"], "detail.created_at") if detail.get("created_at") else None
        return replace(it, partial=True, started_at=min(it.started_at, opened or it.started_at))
    ticket = _need(payload, "ticket", "payload")
    native = str(_need(ticket, "id", "ticket"))
    listed = payload.get("comments")
    if not isinstance(listed, list) or not listed:
        raise ParseError("comments is missing or empty (send the ticket's comments, e.g. ?include=users)")
    for i, c in enumerate(listed):
        _need(c, "id", f"comments[{i}]")
        _need(c, "author_id", f"comments[{i}]")
    users = {str(u.get("id")): u for u in payload.get("users") or [] if isinstance(u, dict)}
    return zendesk_interaction(ticket, listed, users, iid=f"zendesk:{native}", source="zendesk",
                               directory=directory)


def map_freshdesk(payload: Mapping[str, Any], directory: Directory) -> Interaction:
    """A Freshdesk ticket with its conversations, shaped as Freshdesk's v2 API returns them; without
    `conversations` only the ticket's description is known, and it is added to the stored conversation."""
    ticket = _need(payload, "ticket", "payload")
    native = str(_need(ticket, "id", "ticket"))
    people = {str(p.get("id")): p.get("contact") or p
              for p in [payload.get("requester") or {}, *(payload.get("agents") or [])] if isinstance(p, dict)}
    conversations = payload.get("conversations") or []
    for i, c in enumerate(conversations):
        _need(c, "id", f"conversations[{i}]")
    it = freshdesk_interaction(ticket, conversations, people, iid=f"freshdesk:{native}", source="freshdesk",
                               directory=directory)
    return replace(it, partial="conversations" not in payload)


def map_jira(payload: Mapping[str, Any], directory: Directory) -> Interaction:
    """A Jira Service Management issue event (jira:issue_* or comment_*). With all the issue's comments
    (issue.fields.comment, not paged) it is the whole conversation; otherwise (a comment event with the event's
    comment only, or one page of comments) its messages are added to the stored conversation."""
    issue = _need(payload, "issue", "payload")
    fields = _need(issue, "fields", "issue")
    b = _Builder("jira", str(_need(issue, "key", "issue")), directory)

    def person(user: Any) -> Participant:
        user = user if isinstance(user, dict) else {}
        role = "customer" if user.get("accountType") == "customer" else "agent"
        if user.get("accountType") == "app":
            role = "system"
        return b.participant(f"jira:{user.get('accountId', 'unknown')}", role, user.get("displayName"),
                             user.get("emailAddress"))

    messages = []
    description = fields.get("description")
    created = parse_time(fields.get("created"), "issue.fields.created") \
        if description or fields.get("created") else None
    if created is not None and description:
        reporter = fields.get("reporter") or {}
        messages.append(b.message("description", 0, person({**reporter, "accountType": reporter.get(
            "accountType", "customer")}), created, _adf_text(description), False))
    listing = fields.get("comment")
    comments = list(listing.get("comments") or []) if isinstance(listing, dict) else []
    whole = isinstance(listing, dict) and not listing.get("startAt") and \
        (not isinstance(listing.get("total"), int) or listing["total"] <= len(comments))
    extra = payload.get("comment")
    if isinstance(extra, dict) and extra.get("id") not in {c.get("id") for c in comments if isinstance(c, dict)}:
        comments.append(extra)
    for i, c in enumerate(comments):
        where = f"issue.fields.comment.comments[{i}]"
        if not isinstance(c, dict):
            raise ParseError(f"{where} is not an object")
        messages.append(b.message(str(_need(c, "id", where)), i + 1, person(c.get("author")),
                                  parse_time(c.get("created"), f"{where}.created"), _adf_text(c.get("body")),
                                  c.get("jsdPublic") is False))
    if not messages:
        raise ParseError("the issue has no description and no comments")
    return Interaction(id=b.interaction_id, source="jira", native_id=b.native_id, channel="ticket",
                       started_at=created or min(m.sent_at for m in messages), messages=tuple(messages),
                       subject=fields.get("summary"), partial=not whole)


def map_generic(payload: Mapping[str, Any], directory: Directory) -> Interaction:
    """The documented generic shape: {event_id, occurred_at, ticket: {id, ...}, messages: [...], partial?}; with
    `"partial": true` the messages are only new or edited ones, added to the stored conversation."""
    ticket = _need(payload, "ticket", "payload")
    partial = payload.get("partial", False)
    if not isinstance(partial, bool):
        raise ParseError("partial must be true or false")
    b = _Builder("generic", str(_need(ticket, "id", "ticket")), directory)
    raw = payload.get("messages")
    if not isinstance(raw, list) or not raw:
        raise ParseError("messages is missing or empty")
    messages = []
    for i, m in enumerate(raw):
        where = f"messages[{i}]"
        if not isinstance(m, dict):
            raise ParseError(f"{where} is not an object")
        author = _need(m, "author", where)
        role = str(author.get("role", "customer"))
        if role not in ("agent", "customer", "system"):
            raise ParseError(f"{where}.author.role must be agent, customer or system, not {role[:20]!r}")
        who = b.participant(str(_need(author, "id", f"{where}.author")), role, author.get("name"),
                            author.get("email"))
        messages.append(b.message(str(m.get("id", i)), i, who, parse_time(m.get("sent_at"), f"{where}.sent_at"),
                                  str(_need(m, "text", where)), bool(m.get("internal", False))))
    return Interaction(id=b.interaction_id, source="generic", native_id=b.native_id,
                       channel=ticket_channel(ticket.get("channel")),
                       started_at=parse_time(ticket.get("created_at") or raw[0].get("sent_at"), "ticket.created_at"),
                       messages=tuple(messages), subject=ticket.get("subject"), partial=partial)


MAPPERS: dict[str, Callable[[Mapping[str, Any], Directory], Interaction]] = {
    "zendesk": map_zendesk, "freshdesk": map_freshdesk, "jira": map_jira, "generic": map_generic}


def to_interaction(provider: str, payload: Any, directory: Directory, raw_id: str) -> Interaction:
    """Map a provider's payload to an Interaction; ParseError names what is missing."""
    if not isinstance(payload, dict):
        raise ParseError("the payload is not a JSON object")
    try:
        it = MAPPERS[provider](payload, directory)
    except (TypeError, AttributeError, ValueError) as e:
        raise ParseError(f"unexpected payload shape: {e}") from None
    if not any(m.author.role == "agent" for m in it.messages):
        log.info("webhook %s: interaction %s has no agent message", provider, it.id)
    return replace(it, raw_payload_ids=(raw_id,), meta={"webhook": provider})
