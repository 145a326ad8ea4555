"""opened bids: the state and time of the plaintext file hashes computed after the prices are read; the publication counter of the public list cache

Revision ID: 20261201_perf
Revises: 20261201_bonds
Create Date: 2026-12-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.db  # custom column types (UTCDateTime, Money)


# revision identifiers, used by Alembic.
revision = '20261201_perf'
down_revision = '20261201_bonds'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publication_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_counter'))
    )
    op.execute("INSERT INTO publication_counter (id, value) VALUES (1, 0)")
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.add_column(sa.Column('files_check', sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column('files_checked_at', app.core.db.UTCDateTime(timezone=True), nullable=True)
        )
    # Bids opened before: their files were hashed during the ceremony itself.
    op.execute(
        "UPDATE bid SET files_check = 'confirmed', files_checked_at = opened_at "
        "WHERE status = 'decrypted'"
    )


def downgrade():
    op.drop_table('publication_counter')
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.drop_column('files_checked_at')
        batch_op.drop_column('files_check')
