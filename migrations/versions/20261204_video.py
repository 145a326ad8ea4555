"""Venue video: the terminal streaming each venue, and venues' recordings

Revision ID: 20261204_video
Revises: 20261203_methods2
Create Date: 2026-12-01 04:19:27.825496

"""

from alembic import op
import sqlalchemy as sa

import app.core.db  # custom column types (UTCDateTime, Money)


# revision identifiers, used by Alembic.
revision = "20261204_video"
down_revision = "20261204_nego"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "venue_recording",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("mime", sa.String(length=60), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "saved",
                name="venue_recording_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("started_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("saved_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("received >= 0", name=op.f("ck_venue_recording_received_positive")),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centre.id"], name=op.f("fk_venue_recording_centre_id_centre")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["eval_session.id"],
            name=op.f("fk_venue_recording_session_id_eval_session"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_venue_recording_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_recording")),
        sa.UniqueConstraint("token", name=op.f("uq_venue_recording_token")),
    )
    with op.batch_alter_table("venue_recording", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_venue_recording_session_id"), ["session_id"], unique=False
        )

    with op.batch_alter_table("venue_session_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("video_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("video_started_at", app.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_venue_session_state_video_user_id_user_account"),
            "user_account",
            ["video_user_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("venue_session_state", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_venue_session_state_video_user_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("video_started_at")
        batch_op.drop_column("video_user_id")

    with op.batch_alter_table("venue_recording", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_venue_recording_session_id"))

    op.drop_table("venue_recording")
