"""单一来源 price negotiation

Revision ID: 20261203_methods2
Revises: 20261202_defects
Create Date: 2026-12-01 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.core.db  # custom column types (UTCDateTime, Money)


# revision identifiers, used by Alembic.
revision = '20261203_methods2'
down_revision = '20261202_defects'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('price_negotiation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('quoted_price', app.core.db.Money(), nullable=True),
    sa.Column('price', app.core.db.Money(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bid.id'], name=op.f('fk_price_negotiation_bid_id_bid')),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_price_negotiation_lot_id_lot')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_price_negotiation_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['supplier_id'], ['organisation.id'], name=op.f('fk_price_negotiation_supplier_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_negotiation')),
    sa.UniqueConstraint('lot_id', name=op.f('uq_price_negotiation_lot_id'))
    )


def downgrade():
    op.drop_table('price_negotiation')
