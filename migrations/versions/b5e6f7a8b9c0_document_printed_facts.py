"""document.printed: what a notice printed (title, findings, deadlines, appointment), for its verification page

Revision ID: b5e6f7a8b9c0
Revises: 54076816ea57
Create Date: 2026-12-07 14:40:00.000000

Documents issued before keep NULL: their verification page reads the matter's rows as they stand today and
says so (docs/letters.md, QR code and verification).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b5e6f7a8b9c0'
down_revision = '54076816ea57'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('printed', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('printed')
