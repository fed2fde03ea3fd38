"""indexes for the statistics and the 三色 of units at county scale (bench/stats.py)

Revision ID: c5d1e2f3a4b6
Revises: a39f745b8585
Create Date: 2026-11-24 04:10:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5d1e2f3a4b6'
down_revision = 'a39f745b8585'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index('ix_unit_township_status', ['township_id', 'status'], unique=False)

    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index('ix_finding_unit_status_deadline', ['unit_id', 'status', 'deadline'], unique=False)
        batch_op.create_index('ix_finding_found_on', ['found_on'], unique=False)
        batch_op.create_index('ix_finding_status_closed_on', ['status', 'closed_on'], unique=False)

    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.create_index('ix_case_file_opened_on', ['opened_on'], unique=False)
        batch_op.create_index('ix_case_file_warning_at', ['warning_at'], unique=False)
        batch_op.create_index('ix_case_file_enforcement_at', ['enforcement_at'], unique=False)


def downgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index('ix_case_file_enforcement_at')
        batch_op.drop_index('ix_case_file_warning_at')
        batch_op.drop_index('ix_case_file_opened_on')

    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_status_closed_on')
        batch_op.drop_index('ix_finding_found_on')
        batch_op.drop_index('ix_finding_unit_status_deadline')

    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_township_status')
