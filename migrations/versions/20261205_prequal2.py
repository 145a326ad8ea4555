"""A prequalification can be withdrawn (终止) before its review and its conclusion is
announced (资格预审结果公告); a plan-line project records why its notice goes out without
the 30-day procurement intent (不可预见的紧急采购)

Revision ID: 20261205_prequal2
Revises: 20261205_recidle
Create Date: 2026-12-01 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.core.db  # custom column types (UTCDateTime, Money)


# revision identifiers, used by Alembic.
revision = '20261205_prequal2'
down_revision = '20261205_recidle'
branch_labels = None
depends_on = None

KINDS_OLD = (
    "intent", "tender", "clarification", "candidates", "result", "contract", "termination",
    "failure", "prequal",
)
KINDS_NEW = KINDS_OLD + ("prequal_result",)
STATUS_OLD = ("open", "reviewing", "concluded")
STATUS_NEW = STATUS_OLD + ("withdrawn",)


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def _alter(table, column, name, old, new):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column(
            column, existing_type=_enum(old, name), type_=_enum(new, name), existing_nullable=False
        )


def upgrade():
    _alter("announcement", "kind", "announcement_kind", KINDS_OLD, KINDS_NEW)
    _alter("prequalification", "status", "prequal_status", STATUS_OLD, STATUS_NEW)
    op.create_table('intent_exemption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_intent_exemption_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_intent_exemption_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intent_exemption')),
    sa.UniqueConstraint('project_id', name=op.f('uq_intent_exemption_project_id'))
    )


def downgrade():
    op.drop_table('intent_exemption')
    _alter("prequalification", "status", "prequal_status", STATUS_NEW, STATUS_OLD)
    _alter("announcement", "kind", "announcement_kind", KINDS_NEW, KINDS_OLD)
