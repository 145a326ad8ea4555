"""announcements of failed lots (流标/废标公告): the announcement kinds gain "failure"

Revision ID: 20261202_results2
Revises: 20261202_stats
Create Date: 2026-12-02 00:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "20261202_results2"
down_revision = "20261202_stats"
branch_labels = None
depends_on = None

OLD = ("intent", "tender", "clarification", "candidates", "result", "contract", "termination")
NEW = OLD + ("failure",)


def _kind_type(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(
        *values, name="announcement_kind", native_enum=False, create_constraint=True, length=20
    )


def upgrade():
    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_kind_type(OLD), type_=_kind_type(NEW), existing_nullable=False
        )


def downgrade():
    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_kind_type(NEW), type_=_kind_type(OLD), existing_nullable=False
        )
