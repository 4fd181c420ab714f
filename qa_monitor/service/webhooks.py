"""Ticket-system webhooks: receiving a delivery and processing it (signature and replay checks are in
`service.signatures`, the payload mappers in `adapters.tickets`, the delivery rows in `storage.deliveries`).

Order of work for one delivery: the configuration, the signature and the timestamp are checked first (a refused
delivery leaves no row), then the raw body is stored (raw_payloads; a signed body that cannot be read or mapped is
kept there as quarantined, with the reason), then the delivery's signed event id is claimed (webhook_deliveries,
idempotency) and the ticket is mapped to an Interaction, added to the stored conversation and scored (or queued as
a job when it is large).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from qa_monitor.adapters.base import Directory
from qa_monitor.adapters.tickets import to_interaction
from qa_monitor.config import PipelineSpec, Settings
from qa_monitor.errors import ParseError
from qa_monitor.records import TICKET_SYSTEMS, UNSTORABLE, Interaction, MessageScore, RawPayload
from qa_monitor.service.errors import ApiError, json_error_location
from qa_monitor.service.jobs import register_handler
from qa_monitor.service.schemas import ScoreOut, WebhookOut
from qa_monitor.service.scoring import score_inputs
from qa_monitor.service.signatures import check_fresh, delivery_id, delivery_time, verify_signature
from qa_monitor.storage import tables as t
from qa_monitor.storage.deliveries import claim, release_delivery, set_delivery
from qa_monitor.storage.store import Store

log = logging.getLogger(__name__)

# A ticket is keyed `<provider>:<ticket id>`, as a pipeline source reading the same system's exports keys it (the
# source without `options.account`), so a webhook and an export of one ticket are one interaction.
PROVIDERS = TICKET_SYSTEMS
DELIVERY_HEADER = {"zendesk": "x-zendesk-webhook-invocation-id", "jira": "x-atlassian-webhook-identifier",
                   "freshdesk": "x-qa-monitor-delivery", "generic": "x-qa-monitor-delivery"}


MAX_DEPTH = 64  # far above any ticket system's payload; keeps parsing and the mappers' recursion bounded


def read_body(body: bytes) -> dict[str, Any]:
    """The delivery's JSON object; a 422 ApiError when it is not JSON, not an object, nested deeper than
    MAX_DEPTH or holds text that cannot be stored (NUL, a lone surrogate such as \\ud800)."""
    try:
        payload = json.loads(body)
    except RecursionError:
        raise ApiError(422, "invalid_payload", f"the body nests deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        raise ApiError(422, "malformed_json", f"the body is not valid JSON: {json_error_location(body)}") from None
    if not isinstance(payload, dict):
        raise ApiError(422, "invalid_payload", "the body must be a JSON object")
    stack: list[tuple[Any, str, int]] = [(payload, "", 1)]
    while stack:  # iterative: the check must not recurse as deep as the body does
        node, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ApiError(422, "invalid_payload",
                           f"the body nests deeper than {MAX_DEPTH} levels (at {_printable(where)})")
        pairs = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in pairs:
            path = (f"{where}.{k}" if where else str(k)) if isinstance(node, dict) else f"{where}[{k}]"
            for text in (k, v):
                if isinstance(text, str) and (bad := UNSTORABLE.search(text)):
                    what = "a NUL character" if bad.group() == "\x00" else "a lone surrogate"
                    raise ApiError(422, "invalid_payload", f"the text at {_printable(path)} holds {what} "
                                   f"(\\u{ord(bad.group()):04x}), which cannot be stored")
            if isinstance(v, dict | list):
                stack.append((v, path, depth + 1))
    return payload


def _printable(path: str) -> str:
    """A JSON path fit for an error message and the quarantine reason (its keys may hold the bad text too)."""
    shown = path.encode("utf-8", "backslashreplace").decode().replace("\x00", "\\x00")
    return shown if len(shown) <= 200 else shown[:200] + "..."


# --- processing -------------------------------------------------------------------------------------------


def score_out(s: MessageScore) -> ScoreOut:
    """The response shape of one message's scores."""
    return ScoreOut(message_id=s.message_id, language=s.language, language_note=s.language_note,
                    scores=dict(s.scores),
                    flagged=[lab for lab in s.scores if s.flagged(lab)],
                    findings=[{"label": f.label, "score": f.score, "start": f.start, "end": f.end,
                               "explanation": f.explanation, "suggestion": f.suggestion}
                              for f in s.findings if f.score >= s.thresholds.get(f.label, 1.0)],
                    model_version=s.model_version, threshold_version=s.threshold_version)


def write_lock(state: Any) -> AbstractContextManager[Any]:
    """The app's lock around write transactions: SQLite has one writer, and queueing writers in the process
    is much faster than letting threads retry on a locked database; other databases need none."""
    lock = getattr(state, "write_lock", None)
    return lock if lock is not None else nullcontext()


def score_locked(state: Any, items: list[Any]) -> list[MessageScore]:
    """Score under the app's scoring lock: detector backends (C engines, ONNX sessions) are not known to be
    thread-safe, and on a small machine parallel scoring gains little."""
    lock = getattr(state, "score_lock", None)
    with lock if lock is not None else nullcontext():
        return state.scorer.score(items) if items else []


def _store_ticket(s: Any, interaction: Interaction) -> Interaction:
    """Add the delivery's ticket to the stored conversation and return the whole stored conversation: what is
    scored and written back, so that an event carrying one comment is read with the turns before it."""
    Store.upsert_interactions_in(s, [interaction])
    stored = Store.interaction_in(s, interaction.id)
    if stored is None:  # just written in this transaction
        raise RuntimeError(f"interaction {interaction.id} was not stored")
    return stored


def _current_scores(s: Any, state: Any, ticket: Interaction) -> dict[str, MessageScore]:
    """The stored scores of the ticket's agent messages that are still current (same text, context, model and
    thresholds): a ticket update re-sends the whole conversation or adds to it, and only its new or edited
    messages need the scorer. Read in the transaction that stored the ticket."""
    if state.scorer is None:
        return {}
    ids = [m.id for m in ticket.messages if m.author.role == "agent" and not m.internal]
    return Store.stored_scores_in(s, ids, state.scorer.model_version, state.scorer.threshold_version)


def _score_ticket(state: Any, provider: str, key: str, ticket: Interaction,
                  known: Mapping[str, MessageScore]) -> WebhookOut:
    """Score the stored conversation's agent messages without current scores, store them with the delivery's
    result in one transaction, write back to the ticket when enabled and something was scored, and return the
    result."""
    items = score_inputs(ticket)
    fresh = {x.message_id: x for x in score_locked(state, [i for i in items if i.message_id not in known])}
    scores = [known.get(i.message_id) or fresh[i.message_id] for i in items]
    wb = writeback(state.pipeline, provider, ticket, scores, changed=bool(fresh))
    out = WebhookOut(delivery_id=key.split(":", 1)[1], interaction_id=ticket.id, status="scored",
                     messages=len(items), scores=[score_out(x) for x in scores], writeback=wb)
    with write_lock(state), state.store.session() as s:
        Store.save_scores_in(s, list(fresh.values()))
        set_delivery(s, key, "done", ticket.id, out.model_dump(mode="json"))
    log.info("webhook %s delivery %s scored interaction %s (%d agent messages, %d scored now)", provider,
             out.delivery_id, ticket.id, len(items), len(fresh))
    return out


def receive(state: Any, provider: str, headers: Mapping[str, str], body: bytes, user_id: int | None = None
            ) -> tuple[int, WebhookOut]:
    """Handle one delivery sent by user `user_id` end to end; returns (HTTP status, response) or raises ApiError."""
    settings: Settings = state.settings
    store: Store = state.store
    secret = settings.webhook_secret(provider)
    if not secret:
        raise ApiError(503, "webhook_not_configured",
                       f"set QA_MONITOR_{provider.upper()}_WEBHOOK_SECRET to accept {provider} webhooks")
    # nothing is stored for a delivery that fails these checks: anyone can send one
    verify_signature(provider, secret, headers, body)
    if provider == "zendesk":  # its timestamp is a signed header: checked before the body is read
        check_fresh(delivery_time(provider, headers, {}), settings.webhook_max_age_s)
    raw = RawPayload(id=RawPayload.make_id(f"webhook-{provider}", body), source=f"webhook-{provider}",
                     kind="json", ref=headers.get(DELIVERY_HEADER[provider], "")[:200], content=body,
                     status="parsed")
    lock = write_lock(state)

    def quarantine(error: ApiError) -> ApiError:
        """Keep a signed body that cannot be used, with the reason, so that it can be looked at and retried."""
        with lock:
            store.save_raw([replace(raw, status="quarantined", reason=f"{error.code}: {error.message}")])
        return error

    try:
        payload = read_body(body)
    except ApiError as e:  # signed but unreadable (its own timestamp, if any, cannot be read either)
        raise quarantine(e) from None
    if provider != "zendesk":
        check_fresh(delivery_time(provider, headers, payload), settings.webhook_max_age_s)
    with lock:
        store.save_raw([raw])  # kept before the payload is mapped, whatever happens next
    event = delivery_id(provider, payload, body)
    key = f"{provider}:{event}"
    try:
        directory = Directory(state.pipeline)
        interaction = to_interaction(provider, payload, directory, raw.id)
    except ParseError as e:
        raise quarantine(ApiError(422, "invalid_payload", f"{provider} payload: {e}")) from None
    large = len(interaction.messages) > settings.sync_message_limit
    with lock, store.session() as s:  # claim the delivery and store the ticket together
        owner, stored = claim(s, key, provider, raw.id)
        known: dict[str, MessageScore] = {}
        if owner:
            ticket = _store_ticket(s, interaction)
            known = {} if large else _current_scores(s, state, ticket)  # a job looks again when it runs
            if state.scorer is None:
                set_delivery(s, key, "failed", interaction.id, None)
    if not owner:
        if stored is None:
            raise ApiError(409, "delivery_in_progress", f"delivery {event} is being processed; retry later")
        return 200, WebhookOut(**{**stored, "status": "duplicate"})
    if state.scorer is None:
        raise ApiError(503, "scorer_unavailable", "the scorer is not loaded (see the service log); the ticket "
                       "was stored and the delivery can be retried")
    if large:
        from qa_monitor.service.jobs import create_job

        job_id = create_job(store, "webhook", {"provider": provider, "raw_payload_id": raw.id, "delivery": key},
                            created_by=user_id)
        agent_messages = sum(1 for m in interaction.messages if m.author.role == "agent" and not m.internal)
        out = WebhookOut(delivery_id=event, interaction_id=interaction.id, status="queued",
                         messages=agent_messages, job_url=f"/jobs/{job_id}")
        with lock, store.session() as s:
            set_delivery(s, key, "queued", interaction.id, out.model_dump(mode="json"))
        state.worker.submit(job_id)
        return 202, out
    try:
        return 200, _score_ticket(state, provider, key, ticket, known)
    except Exception:
        with lock:  # the sender's retry must be processed again, not told "in progress" forever
            release_delivery(store, key)
        raise


def run_webhook_job(state: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """The background part of a large delivery: map the stored raw payload again, score, write back."""
    store: Store = state.store
    provider, key = str(params["provider"]), str(params["delivery"])
    with store.session() as s:
        content = s.scalar(select(t.RawPayloadRow.content).where(t.RawPayloadRow.id == params["raw_payload_id"]))
    if content is None:
        raise ParseError(f"raw payload {params['raw_payload_id']} is gone")
    directory = Directory(state.pipeline)
    interaction = to_interaction(provider, json.loads(content), directory, str(params["raw_payload_id"]))
    with write_lock(state), store.session() as s:  # idempotent; a process that died early left the raw payload
        ticket = _store_ticket(s, interaction)
        known = _current_scores(s, state, ticket)
        if state.scorer is None:
            set_delivery(s, key, "failed", interaction.id, None)
    if state.scorer is None:
        raise RuntimeError("the scorer is not loaded")
    return _score_ticket(state, provider, key, ticket, known).model_dump(mode="json")


def writeback(pipeline: PipelineSpec | None, provider: str, interaction: Interaction,
              scores: list[MessageScore], changed: bool = True) -> str | None:
    """Write the result to the ticket when the pipeline enables it and `changed` (a message was scored now);
    returns what happened, None when off."""
    spec = pipeline.writeback.get(provider) if pipeline else None
    if spec is None or not spec.enabled:
        return None
    if not changed:  # the ticket already carries the note or tags for these scores
        return "skipped: no new or edited agent message"
    from qa_monitor.service.writeback import write_result

    return write_result(spec, provider, interaction, scores)


def _release_job_delivery(state: Any, params: Mapping[str, Any]) -> None:
    """A failed job frees its delivery, so that the sender's redelivery is processed again."""
    if params.get("delivery"):
        release_delivery(state.store, str(params["delivery"]))


register_handler("webhook", run_webhook_job, on_failure=_release_job_delivery)
