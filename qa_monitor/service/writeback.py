"""Write a scoring result back to the ticket: an internal note or tags, through the ticket system's API."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import httpx

from qa_monitor.config import WritebackSpec
from qa_monitor.records import Interaction, MessageScore

log = logging.getLogger(__name__)
TIMEOUT_S = 10.0


def flagged_labels(scores: Sequence[MessageScore]) -> list[str]:
    """The labels flagged on any message, in a stable order."""
    return sorted({lab for s in scores for lab in s.scores if s.flagged(lab)})


def note_text(interaction: Interaction, scores: Sequence[MessageScore]) -> str:
    """The internal note: which agent messages were flagged, for what, with the evidence and a suggestion."""
    by_id = {m.id: m for m in interaction.messages}
    lines = [f"qa-monitor: {sum(1 for s in scores if flagged_labels([s]))} of {len(scores)} agent messages "
             f"flagged ({', '.join(flagged_labels(scores)) or 'none'})."]
    for s in scores:
        for f in s.findings:
            if f.score < s.thresholds.get(f.label, 1.0):
                continue
            msg = by_id.get(s.message_id)
            quote = msg.text[f.start:f.end] if msg else f.evidence
            where = msg.seq + 1 if msg else "?"
            line = f"- {f.label} ({f.score:.2f}) in message {where}: \"{quote}\" - {f.explanation}"
            if f.suggestion:
                line += f" Suggestion: {f.suggestion}"
            lines.append(line)
    return "\n".join(lines)


def _request(provider: str, spec: WritebackSpec, interaction: Interaction, scores: Sequence[MessageScore]
             ) -> tuple[str, str, dict[str, Any]]:
    ticket = interaction.native_id
    tags = [f"qa-{lab}" for lab in flagged_labels(scores)]
    text = note_text(interaction, scores)
    if provider == "zendesk":
        if spec.mode == "tag":
            return "PUT", f"/api/v2/tickets/{ticket}/tags.json", {"tags": tags}
        return "PUT", f"/api/v2/tickets/{ticket}.json", {"ticket": {"comment": {"body": text, "public": False}}}
    if provider == "freshdesk":
        if spec.mode == "tag":
            return "PUT", f"/api/v2/tickets/{ticket}", {"tags": tags}
        return "POST", f"/api/v2/tickets/{ticket}/notes", {"body": text, "private": True}
    if provider == "jira":
        if spec.mode == "tag":
            return "PUT", f"/rest/api/2/issue/{ticket}", {"update": {"labels": [{"add": x} for x in tags]}}
        return "POST", f"/rest/api/2/issue/{ticket}/comment", {
            "body": text, "properties": [{"key": "sd.public.comment", "value": {"internal": True}}]}
    key = "tags" if spec.mode == "tag" else "note"
    return "POST", f"/tickets/{ticket}/{'tags' if spec.mode == 'tag' else 'notes'}", \
        {"ticket_id": ticket, key: tags if spec.mode == "tag" else text}


def _auth(provider: str, token: str) -> dict[str, str] | httpx.BasicAuth:
    if provider == "freshdesk":
        return httpx.BasicAuth(token, "X")  # Freshdesk: API key as user name, any password
    return {"Authorization": f"Bearer {token}"}


def write_result(spec: WritebackSpec, provider: str, interaction: Interaction, scores: Sequence[MessageScore]
                 ) -> str:
    """Send the note or tags when something was flagged; returns 'written', 'nothing flagged' or the failure."""
    if not flagged_labels(scores):
        return "skipped: nothing flagged"
    token = os.environ.get(spec.token_env, "") if spec.token_env else ""
    if spec.token_env and not token:
        log.error("write-back to %s for %s: env var %s is empty", provider, interaction.id, spec.token_env)
        return f"failed: environment variable {spec.token_env} is not set"
    method, path, body = _request(provider, spec, interaction, scores)
    auth = _auth(provider, token) if token else {}
    try:
        with httpx.Client(base_url=spec.base_url.rstrip("/"), timeout=TIMEOUT_S,
                          auth=auth if isinstance(auth, httpx.BasicAuth) else None,
                          headers=auth if isinstance(auth, dict) else None) as client:
            r = client.request(method, path, json=body)
    except httpx.HTTPError as e:
        log.error("write-back to %s for %s failed: %s", provider, interaction.id, e.__class__.__name__)
        return f"failed: {e.__class__.__name__}"
    if r.status_code >= 300:
        log.error("write-back to %s for %s: HTTP %d", provider, interaction.id, r.status_code)
        return f"failed: HTTP {r.status_code}"
    return f"written: {spec.mode}"
