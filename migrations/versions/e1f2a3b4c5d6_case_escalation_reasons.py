"""case_file.warning_reason, enforcement_reason: the office's reason for a manual escalation, on the case

Notices (交办单, 执法建议书) print the reason; until now they dug it out of the audit log's JSON. The columns
are filled for existing cases from the same log (the last manual escalation to each stage).

Revision ID: e1f2a3b4c5d6
Revises: d7e8f9a0b1c2
Create Date: 2026-12-05 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e1f2a3b4c5d6'
down_revision = 'd7e8f9a0b1c2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warning_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('enforcement_reason', sa.Text(), nullable=True))
    for column, action in (("warning_reason", "case.escalate_to_warning"),
                           ("enforcement_reason", "case.escalate_to_enforcement")):
        op.execute(sa.text(
            f"UPDATE case_file SET {column} = (SELECT event.reason FROM event WHERE event.case_id = case_file.id "
            f"AND event.action = '{action}' ORDER BY event.id DESC LIMIT 1)"))


def downgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_column('enforcement_reason')
        batch_op.drop_column('warning_reason')
