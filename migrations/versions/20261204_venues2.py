"""A rescheduled evaluation keeps its new time

Revision ID: 20261204_venues2
Revises: 20261203_methods2
Create Date: 2026-12-01 04:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.core.db  # custom column types (UTCDateTime, Money)


# revision identifiers, used by Alembic.
revision = '20261204_venues2'
down_revision = '20261204_prequal'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('venue_start_overdue', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('rescheduled_to', app.core.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('venue_start_overdue', schema=None) as batch_op:
        batch_op.drop_column('rescheduled_to')
