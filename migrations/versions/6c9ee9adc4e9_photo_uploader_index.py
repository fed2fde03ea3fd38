"""photo.uploaded_by_id index: a user's pending photos are counted at each upload

Revision ID: 6c9ee9adc4e9
Revises: e3f4a5b6c7d8
Create Date: 2026-12-05 08:08:53.293823

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '6c9ee9adc4e9'
down_revision = 'e3f4a5b6c7d8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_uploaded_by_id'), ['uploaded_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_uploaded_by_id'))
