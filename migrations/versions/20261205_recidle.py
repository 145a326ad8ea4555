"""Venue recordings: the last chunk's time, and recordings closed as interrupted

Revision ID: 20261205_recidle
Revises: 20261204_venues2
Create Date: 2026-12-01 09:00:00

"""

from alembic import op
import sqlalchemy as sa

import app.core.db  # custom column types (UTCDateTime, Money)


# revision identifiers, used by Alembic.
revision = "20261205_recidle"
down_revision = "20261204_venues2"
branch_labels = None
depends_on = None

_OLD = "status IN ('open', 'saved')"
_NEW = "status IN ('open', 'saved', 'interrupted')"


def upgrade():
    with op.batch_alter_table("venue_recording", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("touched_at", app.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.drop_constraint(op.f("ck_venue_recording_venue_recording_status"), type_="check")
        batch_op.create_check_constraint("venue_recording_status", _NEW)


def downgrade():
    op.execute("UPDATE venue_recording SET status = 'saved' WHERE status = 'interrupted'")
    with op.batch_alter_table("venue_recording", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_venue_recording_venue_recording_status"), type_="check")
        batch_op.create_check_constraint("venue_recording_status", _OLD)
        batch_op.drop_column("touched_at")
