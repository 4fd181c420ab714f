"""Covering indexes for the weekly report: a week's agent messages, their interactions' keys and their flags

Revision ID: 0007
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each holds every column the report reads from its table, so a week's rows are read from the index alone
# instead of one table lookup per message (messages and interactions rows also hold text and metadata).
INDEXES = {
    "ix_messages_report": ("messages", ["sent_at", "role", "internal", "interaction_id", "agent_id", "language",
                                        "id"]),
    "ix_interactions_report": ("interactions", ["id", "team_id", "channel"]),
    "ix_message_scores_report": ("message_scores", ["message_id", "label", "flagged"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
