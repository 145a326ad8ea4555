"""prequalification (资格预审): notice, applications, committee, verdicts; the announcement
kinds gain "prequal" and invitees the basis "prequalified"

Revision ID: 20261204_prequal
Revises: 20261203_methods2
Create Date: 2026-12-01 04:24:09.806057

"""
from alembic import op
import sqlalchemy as sa

import app.core.db  # custom column types (UTCDateTime, Money)


# revision identifiers, used by Alembic.
revision = '20261204_prequal'
down_revision = '20261204_sealed'
branch_labels = None
depends_on = None

KINDS_OLD = (
    "intent", "tender", "clarification", "candidates", "result", "contract", "termination",
    "failure",
)
KINDS_NEW = KINDS_OLD + ("prequal",)
BASIS_OLD = ("recommended", "drawn")
BASIS_NEW = BASIS_OLD + ("prequalified",)


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def _alter(table, column, name, old, new):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column(
            column, existing_type=_enum(old, name), type_=_enum(new, name), existing_nullable=False
        )


def upgrade():
    _alter("announcement", "kind", "announcement_kind", KINDS_OLD, KINDS_NEW)
    _alter("lot_invitee", "basis", "invite_basis", BASIS_OLD, BASIS_NEW)
    op.create_table('prequalification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'reviewing', 'concluded', name='prequal_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('requirements', sa.Text(), nullable=False),
    sa.Column('consortium_allowed', sa.Boolean(), nullable=False),
    sa.Column('review_method', sa.Enum('pass_fail', 'limited', name='prequal_review_method', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('max_passed', sa.Integer(), nullable=True),
    sa.Column('document_price', app.core.db.Money(), nullable=False),
    sa.Column('offer_start_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('offer_end_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('application_deadline', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submission_place', sa.String(length=200), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.Column('document_name', sa.String(length=200), nullable=False),
    sa.Column('committee_draw_id', sa.Integer(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.Column('published_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('concluded_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('application_deadline > offer_end_at', name=op.f('ck_prequalification_deadline_after_offer')),
    sa.CheckConstraint('max_passed IS NULL OR max_passed >= 3', name=op.f('ck_prequalification_max_passed_three')),
    sa.CheckConstraint('offer_end_at > offer_start_at', name=op.f('ck_prequalification_offer_ordered')),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcement.id'], name=op.f('fk_prequalification_announcement_id_announcement')),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_prequalification_lot_id_lot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_prequalification_published_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prequalification')),
    sa.UniqueConstraint('lot_id', name=op.f('uq_prequalification_lot_id'))
    )
    with op.batch_alter_table('prequalification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prequalification_application_deadline'), ['application_deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_prequalification_committee_draw_id'), ['committee_draw_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prequalification_status'), ['status'], unique=False)

    op.create_table('prequal_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prequal_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('receipt', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.Enum('pending', 'passed', 'failed', name='prequal_outcome', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('notice_sha256', sa.String(length=64), nullable=True),
    sa.Column('notified_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['prequal_id'], ['prequalification.id'], name=op.f('fk_prequal_application_prequal_id_prequalification'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_prequal_application_submitted_by_id_user_account')),
    sa.ForeignKeyConstraint(['supplier_id'], ['organisation.id'], name=op.f('fk_prequal_application_supplier_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prequal_application')),
    sa.UniqueConstraint('prequal_id', 'supplier_id', name=op.f('uq_prequal_application_prequal_id_supplier_id'))
    )
    with op.batch_alter_table('prequal_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prequal_application_prequal_id'), ['prequal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prequal_application_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('prequal_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prequal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('expert', 'purchaser', name='prequal_member_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['prequal_id'], ['prequalification.id'], name=op.f('fk_prequal_member_prequal_id_prequalification'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_prequal_member_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prequal_member')),
    sa.UniqueConstraint('prequal_id', 'user_id', name=op.f('uq_prequal_member_prequal_id_user_id'))
    )
    with op.batch_alter_table('prequal_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prequal_member_prequal_id'), ['prequal_id'], unique=False)

    op.create_table('prequal_verdict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['prequal_application.id'], name=op.f('fk_prequal_verdict_application_id_prequal_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['prequal_member.id'], name=op.f('fk_prequal_verdict_member_id_prequal_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prequal_verdict')),
    sa.UniqueConstraint('application_id', 'member_id', name=op.f('uq_prequal_verdict_application_id_member_id'))
    )
    with op.batch_alter_table('prequal_verdict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prequal_verdict_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prequal_verdict_member_id'), ['member_id'], unique=False)



def downgrade():
    with op.batch_alter_table('prequal_verdict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prequal_verdict_member_id'))
        batch_op.drop_index(batch_op.f('ix_prequal_verdict_application_id'))

    op.drop_table('prequal_verdict')
    with op.batch_alter_table('prequal_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prequal_member_prequal_id'))

    op.drop_table('prequal_member')
    with op.batch_alter_table('prequal_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prequal_application_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_prequal_application_prequal_id'))

    op.drop_table('prequal_application')
    with op.batch_alter_table('prequalification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prequalification_status'))
        batch_op.drop_index(batch_op.f('ix_prequalification_committee_draw_id'))
        batch_op.drop_index(batch_op.f('ix_prequalification_application_deadline'))

    op.drop_table('prequalification')
    _alter("lot_invitee", "basis", "invite_basis", BASIS_NEW, BASIS_OLD)
    _alter("announcement", "kind", "announcement_kind", KINDS_NEW, KINDS_OLD)
