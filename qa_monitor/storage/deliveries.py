"""Webhook deliveries: claiming a delivery's signed event id (idempotency), recording its result, releasing it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from qa_monitor.storage import tables as t
from qa_monitor.storage.db import dialect_insert
from qa_monitor.storage.store import Store


def claim(s: Session, key: str, provider: str, raw_id: str) -> tuple[bool, dict[str, Any] | None]:
    """Insert the delivery row; (True, None) when this call owns it, else (False, stored response)."""
    dialect = s.get_bind().dialect.name
    table: Any = t.WebhookDeliveryRow.__table__
    ins = dialect_insert(dialect, table)
    inserted = s.execute(ins.values(id=key, provider=provider, raw_payload_id=raw_id, status="processing",
                                    received_at=t.utcnow())
                         .on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)).first()
    if inserted is not None:
        return True, None
    row = s.get(t.WebhookDeliveryRow, key)
    if row is not None and row.status == "failed":
        row.status, row.raw_payload_id = "processing", raw_id  # a failed delivery may be retried
        return True, None
    return False, (dict(row.response) if row and row.response else None)


def set_delivery(s: Session, key: str, status: str, interaction_id: str | None,
                 response: dict[str, Any] | None) -> None:
    """Record a delivery's status, its interaction and the response a duplicate delivery is answered with."""
    table: Any = t.WebhookDeliveryRow.__table__  # a Core update: no ORM bookkeeping on the hot path
    s.execute(update(table).where(table.c.id == key)
              .values(status=status, interaction_id=interaction_id, response=response))


def release_delivery(store: Store, key: str) -> None:
    """Mark a delivery failed so that the sender's retry is processed again."""
    with store.session() as s:
        set_delivery(s, key, "failed", None, None)
