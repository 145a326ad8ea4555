"""service ratings (好差评) of a lot's centre and agency, and the follow-ups of bad ones

Revision ID: 20261202_stats
Revises: 20261202_credit
Create Date: 2026-12-01 01:02:19.377119

"""
from alembic import op
import sqlalchemy as sa

import app.core.db  # custom column types (UTCDateTime, Money)


# revision identifiers, used by Alembic.
revision = '20261202_stats'
down_revision = '20261202_credit'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.Enum('centre', 'agency', name='rating_target', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('rated_by_id', sa.Integer(), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('rated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_service_rating_level_range')),
    sa.ForeignKeyConstraint(['agency_id'], ['organisation.id'], name=op.f('fk_service_rating_agency_id_organisation')),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_service_rating_centre_id_centre')),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_service_rating_lot_id_lot')),
    sa.ForeignKeyConstraint(['rated_by_id'], ['user_account.id'], name=op.f('fk_service_rating_rated_by_id_user_account')),
    sa.ForeignKeyConstraint(['supplier_id'], ['organisation.id'], name=op.f('fk_service_rating_supplier_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_rating')),
    sa.UniqueConstraint('lot_id', 'supplier_id', 'target', name=op.f('uq_service_rating_lot_id_supplier_id_target'))
    )
    with op.batch_alter_table('service_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_rating_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_rating_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_rating_lot_id'), ['lot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_rating_rated_at'), ['rated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_rating_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('rating_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'answered', 'closed', name='follow_up_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('opened_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer_due_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closing_note', sa.Text(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_rating_follow_up_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_rating_follow_up_closed_by_id_user_account')),
    sa.ForeignKeyConstraint(['rating_id'], ['service_rating.id'], name=op.f('fk_rating_follow_up_rating_id_service_rating')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_follow_up')),
    sa.UniqueConstraint('rating_id', name=op.f('uq_rating_follow_up_rating_id'))
    )
    with op.batch_alter_table('rating_follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_follow_up_answer_due_at'), ['answer_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_follow_up_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('rating_follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_follow_up_status'))
        batch_op.drop_index(batch_op.f('ix_rating_follow_up_answer_due_at'))

    op.drop_table('rating_follow_up')
    with op.batch_alter_table('service_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_rating_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_service_rating_rated_at'))
        batch_op.drop_index(batch_op.f('ix_service_rating_lot_id'))
        batch_op.drop_index(batch_op.f('ix_service_rating_centre_id'))
        batch_op.drop_index(batch_op.f('ix_service_rating_agency_id'))

    op.drop_table('service_rating')
