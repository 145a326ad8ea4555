"""lot price floor (最低限价): optional, below the ceiling

Revision ID: 20261202_defects
Revises: 20261202_suprules
Create Date: 2026-12-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = '20261202_defects'
down_revision = '20261202_suprules'
branch_labels = None
depends_on = None

FLOOR_CHECK = (
    'floor_price IS NULL OR (floor_price >= 0 AND floor_price <= budget'
    ' AND (ceiling_price IS NULL OR floor_price < ceiling_price))'
)


def upgrade():
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('floor_price', app.core.db.Money(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_lot_floor_below_ceiling'), FLOOR_CHECK)


def downgrade():
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_lot_floor_below_ceiling'), type_='check')
        batch_op.drop_column('floor_price')
