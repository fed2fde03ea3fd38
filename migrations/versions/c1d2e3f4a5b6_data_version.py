"""The data version: one row that every writing transaction raises, the key of cached pages

Revision ID: c1d2e3f4a5b6
Revises: b4d5e6f7a8b9
Create Date: 2026-12-07 21:10:00.000000

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c1d2e3f4a5b6'
down_revision = 'b4d5e6f7a8b9'
branch_labels = None
depends_on = None


def upgrade():
    data_version = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('epoch', sa.String(length=16), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.bulk_insert(data_version, [{'id': 1, 'epoch': secrets.token_hex(8), 'version': 0}])


def downgrade():
    op.drop_table('data_version')
