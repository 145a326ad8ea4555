"""user roles: purchaser staff (采购人) and intermediary agencies of the services market (中介机构)

Revision ID: 20261202_roles
Revises: 20261201_perf
Create Date: 2026-12-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261202_roles'
down_revision = '20261201_perf'
branch_labels = None
depends_on = None

OLD = ('admin', 'staff', 'supplier', 'expert', 'supervisor')
NEW = OLD + ('purchaser', 'intermediary')


def _role_type(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(
        *values, name='user_role', native_enum=False, create_constraint=True, length=20
    )


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column(
            'role', existing_type=_role_type(OLD), type_=_role_type(NEW), existing_nullable=False
        )


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column(
            'role', existing_type=_role_type(NEW), type_=_role_type(OLD), existing_nullable=False
        )
