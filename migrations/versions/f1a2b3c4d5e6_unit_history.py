"""A unit's history counts: where a case starts and why (case_file.start_*), the county's history rules
(region.recurrence_opens_at_warning, watch_list_clean_months) and the 重点监管名单 (watch_list_entry)

Revision ID: f1a2b3c4d5e6
Revises: f2a1b2c3d4e5
Create Date: 2026-12-08 00:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f1a2b3c4d5e6'
down_revision = 'f2a1b2c3d4e5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_reason', sa.Enum('recurrence', 'closed_unit_operating',
                                                              name='case_start_reason', native_enum=False,
                                                              create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('start_after_case_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('start_interviewed_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_case_file_start_after_case_id_case_file'), 'case_file',
                                    ['start_after_case_id'], ['id'])
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recurrence_opens_at_warning', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
        batch_op.add_column(sa.Column('watch_list_clean_months', sa.Integer(), server_default='6', nullable=False))
    op.create_table('watch_list_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('ban', 'shutdown', 'recurrence', 'repeated_cases', name='watch_reason',
                                native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('entered_on', sa.Date(), nullable=False),
    sa.Column('left_at', sa.DateTime(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('left_by_id', sa.Integer(), nullable=True),
    sa.Column('left_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_watch_list_entry_case_id_case_file')),
    sa.ForeignKeyConstraint(['left_by_id'], ['user_account.id'],
                            name=op.f('fk_watch_list_entry_left_by_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_watch_list_entry_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watch_list_entry'))
    )
    with op.batch_alter_table('watch_list_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watch_list_entry_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('ix_watch_list_entry_current', ['unit_id'], unique=False,
                              sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))


def downgrade():
    with op.batch_alter_table('watch_list_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_watch_list_entry_current', sqlite_where=sa.text('left_at IS NULL'),
                            postgresql_where=sa.text('left_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_watch_list_entry_unit_id'))
    op.drop_table('watch_list_entry')
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_column('watch_list_clean_months')
        batch_op.drop_column('recurrence_opens_at_warning')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_file_start_after_case_id_case_file'), type_='foreignkey')
        batch_op.drop_constraint(op.f('ck_case_file_case_start_reason'), type_='check')
        batch_op.drop_column('start_interviewed_on')
        batch_op.drop_column('start_after_case_id')
        batch_op.drop_column('start_reason')
