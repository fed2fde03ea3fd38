"""Issuers and legal basis: a department's full name, address, contact and enforcement powers; a hazard type's
legal basis; an interview round's venue address

Existing regulators hold enforcement powers and safety offices none, as the new departments default to: a
notice a regulator issues keeps ordering what the law lets it order (docs/letters.md, Wordings and their
sources).

Revision ID: b1a2c3d4e5f6
Revises: b5e6f7a8b9c0
Create Date: 2026-12-07 14:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b1a2c3d4e5f6'
down_revision = 'b5e6f7a8b9c0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_name', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('address', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_person', sa.String(length=50), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=30), server_default='', nullable=False))
        batch_op.add_column(sa.Column('enforcement_powers', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.execute(sa.text("UPDATE department SET enforcement_powers = (kind = 'regulator')"))
    with op.batch_alter_table('hazard_type', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_basis', sa.String(length=500), server_default='', nullable=False))
    with op.batch_alter_table('interview_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('venue_address', sa.String(length=200), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('interview_round', schema=None) as batch_op:
        batch_op.drop_column('venue_address')
    with op.batch_alter_table('hazard_type', schema=None) as batch_op:
        batch_op.drop_column('legal_basis')
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_column('enforcement_powers')
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('contact_person')
        batch_op.drop_column('address')
        batch_op.drop_column('full_name')
