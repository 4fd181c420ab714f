"""users.agent_id: the agent an `agent` user is; jobs.created_by: the user whose request queued the job

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("agent_id", sa.String(length=64), nullable=True))
        batch.create_foreign_key("fk_users_agent_id_agents", "agents", ["agent_id"], ["id"])
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("created_by", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_jobs_created_by_users", "users", ["created_by"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_constraint("fk_jobs_created_by_users", type_="foreignkey")
        batch.drop_column("created_by")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("fk_users_agent_id_agents", type_="foreignkey")
        batch.drop_column("agent_id")
