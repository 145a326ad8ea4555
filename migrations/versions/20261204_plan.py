"""Plan-line budget given back when a lot is terminated

Revision ID: 20261204_plan
Revises: 20261203_methods2
Create Date: 2026-12-01 04:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.core.db  # custom column types (UTCDateTime, Money)


# revision identifiers, used by Alembic.
revision = '20261204_plan'
down_revision = '20261203_methods2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_line_return',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_line_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('amount', app.core.db.Money(), nullable=False),
    sa.Column('cause', sa.Enum('terminated', 'failed', name='plan_return_cause', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('returned_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('returned_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_plan_line_return_amount_positive')),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_plan_line_return_lot_id_lot')),
    sa.ForeignKeyConstraint(['plan_line_id'], ['plan_line.id'], name=op.f('fk_plan_line_return_plan_line_id_plan_line')),
    sa.ForeignKeyConstraint(['returned_by_id'], ['user_account.id'], name=op.f('fk_plan_line_return_returned_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_line_return')),
    sa.UniqueConstraint('lot_id', name=op.f('uq_plan_line_return_lot_id'))
    )
    with op.batch_alter_table('plan_line_return', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_line_return_plan_line_id'), ['plan_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_line_return_returned_at'), ['returned_at'], unique=False)


def downgrade():
    with op.batch_alter_table('plan_line_return', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_line_return_returned_at'))
        batch_op.drop_index(batch_op.f('ix_plan_line_return_plan_line_id'))

    op.drop_table('plan_line_return')
