"""scoring schemes of lots; two more evaluation methods

Revision ID: 20261130_0002
Revises: 20261123_0001
Create Date: 2026-11-30 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.core.db  # custom column types (UTCDateTime, Money)


# revision identifiers, used by Alembic.
revision = '20261130_0002'
down_revision = '20261123_0001'
branch_labels = None
depends_on = None

OLD_METHODS = ('lowest_price', 'comprehensive')
NEW_METHODS = OLD_METHODS + ('reasonable_lowest', 'average_base')


def _methods(values):
    return sa.Enum(*values, name='evaluation_method', native_enum=False, create_constraint=True, length=20)


def upgrade():
    # The CHECK constraint of lot.evaluation_method lists the allowed codes.
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.alter_column('evaluation_method', existing_type=_methods(OLD_METHODS), type_=_methods(NEW_METHODS), existing_nullable=False)

    op.create_table('scoring_scheme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('frozen_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pending_data', sa.JSON(), nullable=True),
    sa.Column('pending_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pending_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_scoring_scheme_lot_id_lot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pending_by_id'], ['user_account.id'], name=op.f('fk_scoring_scheme_pending_by_id_user_account')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_scoring_scheme_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scoring_scheme')),
    sa.UniqueConstraint('lot_id', name=op.f('uq_scoring_scheme_lot_id'))
    )
    op.create_table('scoring_scheme_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('applied_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcement.id'], name=op.f('fk_scoring_scheme_version_announcement_id_announcement')),
    sa.ForeignKeyConstraint(['scheme_id'], ['scoring_scheme.id'], name=op.f('fk_scoring_scheme_version_scheme_id_scoring_scheme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scoring_scheme_version')),
    sa.UniqueConstraint('scheme_id', 'version', name=op.f('uq_scoring_scheme_version_scheme_id_version'))
    )
    with op.batch_alter_table('scoring_scheme_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scoring_scheme_version_announcement_id'), ['announcement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scoring_scheme_version_scheme_id'), ['scheme_id'], unique=False)


def downgrade():
    with op.batch_alter_table('scoring_scheme_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scoring_scheme_version_scheme_id'))
        batch_op.drop_index(batch_op.f('ix_scoring_scheme_version_announcement_id'))

    op.drop_table('scoring_scheme_version')
    op.drop_table('scoring_scheme')
    # Lots that chose a new method fall back to the nearest old one before the CHECK narrows.
    op.execute("UPDATE lot SET evaluation_method = 'comprehensive' WHERE evaluation_method = 'average_base'")
    op.execute("UPDATE lot SET evaluation_method = 'lowest_price' WHERE evaluation_method = 'reasonable_lowest'")
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.alter_column('evaluation_method', existing_type=_methods(NEW_METHODS), type_=_methods(OLD_METHODS), existing_nullable=False)
