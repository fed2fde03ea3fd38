"""inspection.submission_key: a repeated submission finds the inspection it recorded

Revision ID: d7e8f9a0b1c2
Revises: c5d1e2f3a4b6
Create Date: 2026-11-23 22:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd7e8f9a0b1c2'
down_revision = 'c5d1e2f3a4b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_inspection_submission_key'), ['submission_key'])


def downgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_inspection_submission_key'), type_='unique')
        batch_op.drop_column('submission_key')
