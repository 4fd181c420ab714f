"""Webhook signatures and replay checks: each ticket system's HMAC scheme, the delivery's signed time and its
idempotency key, all read from what the sender signs."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from qa_monitor.adapters.files import parse_time
from qa_monitor.errors import ParseError
from qa_monitor.service.errors import ApiError

SIGNATURE_HEADER = {"zendesk": "x-zendesk-webhook-signature", "jira": "x-hub-signature",
                    "freshdesk": "x-qa-monitor-signature", "generic": "x-qa-monitor-signature"}
ZENDESK_TIMESTAMP_HEADER = "x-zendesk-webhook-signature-timestamp"


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Zendesk's scheme: base64(HMAC-SHA256(secret, timestamp + body))."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def hex_signature(secret: str, body: bytes) -> str:
    """The `sha256=<hex>` HMAC-SHA256 of the body (Jira's X-Hub-Signature; freshdesk and generic)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(provider: str, secret: str, headers: Mapping[str, str], body: bytes) -> None:
    """Raise 401 when the delivery's signature header is missing or does not match."""
    given = headers.get(SIGNATURE_HEADER[provider])
    if not given:
        raise ApiError(401, "signature_required", f"missing {SIGNATURE_HEADER[provider]} header")
    if provider == "zendesk":
        ts = headers.get(ZENDESK_TIMESTAMP_HEADER)
        if not ts:
            raise ApiError(401, "signature_required", f"missing {ZENDESK_TIMESTAMP_HEADER} header")
        expected = zendesk_signature(secret, ts, body)
    else:
        expected = hex_signature(secret, body)
        if not given.startswith("sha256="):
            given = "sha256=" + given
    if not hmac.compare_digest(expected.encode(), given.strip().encode()):
        raise ApiError(401, "invalid_signature", "the webhook signature does not match the body")


def _time_or_none(value: Any) -> datetime | None:
    """A delivery's own timestamp, or None when it is absent or unreadable (the delivery is then not aged)."""
    try:
        return parse_time(value)
    except ParseError:
        return None


def delivery_time(provider: str, headers: Mapping[str, str], payload: Mapping[str, Any]) -> datetime | None:
    """When the sender says the delivery was made (signed where the provider signs it)."""
    if provider == "zendesk":
        return _time_or_none(headers.get(ZENDESK_TIMESTAMP_HEADER))
    if provider == "jira":
        return _time_or_none(payload.get("timestamp"))
    if provider == "freshdesk":
        return _time_or_none(payload.get("triggered_at"))
    return _time_or_none(payload.get("occurred_at"))


def check_fresh(when: datetime | None, max_age_s: int, now: datetime | None = None) -> None:
    """Raise 401 for a missing timestamp or one further than `max_age_s` from now (a replay)."""
    if when is None:
        raise ApiError(401, "timestamp_required", "the delivery carries no readable timestamp")
    age = ((now or datetime.now(UTC)) - when).total_seconds()
    if abs(age) > max_age_s:
        raise ApiError(401, "stale_timestamp",
                       f"the delivery timestamp is {int(abs(age))} s away from now (limit {max_age_s} s)")


def delivery_id(provider: str, payload: Mapping[str, Any], body: bytes) -> str:
    """The idempotency key of a delivery, from what is signed: the payload's event id, else the body's SHA-256.

    Delivery headers (X-Zendesk-Webhook-Invocation-Id, X-Atlassian-Webhook-Identifier, X-QA-Monitor-Delivery) are
    not signed: anyone could replay a signed body with a new one, so they only label the raw payload."""
    for key in ("event_id", "id") if provider != "jira" else ():
        value = payload.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            if provider == "zendesk" and key == "id" and "type" not in payload:
                continue  # a bare ticket dump: its 'id' is not an event id
            return str(value)[:150]
    return "sha256:" + hashlib.sha256(body).hexdigest()
