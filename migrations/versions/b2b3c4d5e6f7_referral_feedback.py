"""referral_feedback: the regulators' feedback on a 执法建议书, and the date it is due

Revision ID: b2b3c4d5e6f7
Revises: b1a2c3d4e5f6
Create Date: 2026-12-07 14:25:18.122577

Referrals issued before keep no rows: their feedback was never asked for with a date, so none is overdue.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b2b3c4d5e6f7'
down_revision = 'b1a2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('referral_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('action_taken', sa.Text(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('reply_number', sa.String(length=60), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_referral_feedback_case_id_case_file')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_referral_feedback_department_id_department')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_referral_feedback_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['referral_id'], ['document.id'], name=op.f('fk_referral_feedback_referral_id_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_feedback')),
    sa.UniqueConstraint('referral_id', 'department_id', name=op.f('uq_referral_feedback_referral_id_department_id'))
    )
    with op.batch_alter_table('referral_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_feedback_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_feedback_department_id'), ['department_id'], unique=False)
        batch_op.create_index('ix_referral_feedback_pending_due', ['recorded_at', 'due_on'], unique=False)



def downgrade():
    with op.batch_alter_table('referral_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_feedback_pending_due')
        batch_op.drop_index(batch_op.f('ix_referral_feedback_department_id'))
        batch_op.drop_index(batch_op.f('ix_referral_feedback_case_id'))

    op.drop_table('referral_feedback')
