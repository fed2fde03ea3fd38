"""document_check.visitor: a notice's checks are counted once per client address and day

Revision ID: 54076816ea57
Revises: 6c9ee9adc4e9
Create Date: 2026-12-05 08:40:11.000000

Checks recorded before keep no visitor (NULL): each stays one check, as it was counted.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '54076816ea57'
down_revision = '6c9ee9adc4e9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('document_check', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visitor', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_document_check_document_id_visitor'),
                                          ['document_id', 'visitor'])


def downgrade():
    with op.batch_alter_table('document_check', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_document_check_document_id_visitor'), type_='unique')
        batch_op.drop_column('visitor')
