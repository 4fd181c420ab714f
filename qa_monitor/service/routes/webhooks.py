"""POST /webhooks/{zendesk,freshdesk,jira,generic}: signed ticket deliveries, scored on arrival."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from qa_monitor.service import webhooks
from qa_monitor.service.auth import WebhookUser
from qa_monitor.service.errors import error_responses
from qa_monitor.service.routes.deps import GET_INTERACTION, StateDep, leads_to
from qa_monitor.service.schemas import WebhookOut

router = APIRouter(tags=["webhooks"], responses=error_responses(401, 403, 409, 413, 422, 503))

_DOCS = {
    "zendesk": "Zendesk ticket with comments and users (Tickets API shape) or a ticket.comment_added event. "
               "Signed: X-Zendesk-Webhook-Signature = base64(HMAC-SHA256(secret, timestamp + body)) with "
               "X-Zendesk-Webhook-Signature-Timestamp.",
    "freshdesk": "Freshdesk ticket with conversations (API v2 shape), `triggered_at` and `event_id`. Signed: "
                 "X-QA-Monitor-Signature = sha256=<hex HMAC-SHA256(secret, body)>.",
    "jira": "Jira Service Management issue or comment event (timestamp in ms, issue.fields.comment.comments). "
            "Signed: X-Hub-Signature = sha256=<hex HMAC-SHA256(secret, body)>; the body's SHA-256 is the "
            "delivery id.",
    "generic": "The generic ticket shape (api/schemas/generic.schema.json). Signed: X-QA-Monitor-Signature = "
               "sha256=<hex HMAC-SHA256(secret, body)>.",
}
_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"type": "object", "additionalProperties": True}}}}}


def _make(provider: str) -> None:
    async def endpoint(request: Request, user: WebhookUser, state: StateDep) -> JSONResponse:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        from anyio import to_thread

        status, out = await to_thread.run_sync(webhooks.receive, state, provider, headers, body, user.user_id)
        return JSONResponse(out.model_dump(mode="json"), status_code=status)

    endpoint.__name__ = f"webhook_{provider}"
    endpoint.__doc__ = _DOCS[provider]
    follow = leads_to(200, 202, GetInteraction=(GET_INTERACTION, {"interaction_id": "$response.body#/interaction_id"}))
    router.add_api_route(f"/webhooks/{provider}", endpoint, methods=["POST"], response_model=WebhookOut,
                         responses={**follow, 202: {**follow[202], "model": WebhookOut,
                                                    "description": "queued: poll job_url"}},
                         openapi_extra=_BODY, summary=f"Receive a {provider} ticket")


for _provider in webhooks.PROVIDERS:
    _make(_provider)
