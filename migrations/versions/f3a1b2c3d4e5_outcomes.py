"""Interview outcomes and the exposure's second person (issue 15, parts 4 and 7)

training_session (voluntary sessions and live streams at the warning-education station, with their
person-times); summons.minutes (约谈记录) with who recorded it and when; photo.summons_id (the pages of a unit's signed
责任书/承诺书); exposure.submitted_at,
submitted_by_id, approved_by_id, return_reason, and the status "awaiting_approval" in the CHECK constraint of
exposure.status.

Revision ID: f3a1b2c3d4e5
Revises: f1a2b3c4d5e6
Create Date: 2026-12-08 00:13:31.950550

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f3a1b2c3d4e5'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None

OLD_STATUSES = ('draft', 'published')
NEW_STATUSES = ('draft', 'awaiting_approval', 'published')


def _set_exposure_statuses(statuses):
    with op.batch_alter_table('exposure', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_exposure_exposure_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_exposure_exposure_status'),
                                         "status IN (" + ", ".join(f"'{status}'" for status in statuses) + ")")


def upgrade():
    op.create_table('training_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('voluntary', 'live_stream', name='training_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('organiser', sa.String(length=200), server_default='', nullable=False),
    sa.Column('person_times', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('person_times >= 0', name=op.f('ck_training_session_person_times_not_negative')),
    sa.ForeignKeyConstraint(['county_id'], ['region.id'], name=op.f('fk_training_session_county_id_region')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_training_session_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['township_id'], ['region.id'], name=op.f('fk_training_session_township_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_session'))
    )
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_session_county_id'), ['county_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_session_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_session_township_id'), ['township_id'], unique=False)

    with op.batch_alter_table('exposure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('submitted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('return_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_exposure_submitted_by_id_user_account'), 'user_account', ['submitted_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_exposure_approved_by_id_user_account'), 'user_account', ['approved_by_id'], ['id'])
    _set_exposure_statuses(NEW_STATUSES)

    with op.batch_alter_table('summons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('minutes_recorded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('minutes_recorded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_summons_minutes_recorded_by_id_user_account'), 'user_account', ['minutes_recorded_by_id'], ['id'])

    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summons_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_photo_summons_id'), ['summons_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_photo_summons_id_summons'), 'summons', ['summons_id'], ['id'])



def downgrade():
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_photo_summons_id_summons'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_photo_summons_id'))
        batch_op.drop_column('summons_id')
    # An exposure awaiting approval was a draft before there was approval.
    op.execute("UPDATE exposure SET status = 'draft' WHERE status = 'awaiting_approval'")
    _set_exposure_statuses(OLD_STATUSES)
    with op.batch_alter_table('summons', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_summons_minutes_recorded_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('minutes_recorded_by_id')
        batch_op.drop_column('minutes_recorded_at')
        batch_op.drop_column('minutes')

    with op.batch_alter_table('exposure', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_exposure_approved_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_exposure_submitted_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('return_reason')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('submitted_by_id')
        batch_op.drop_column('submitted_at')

    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_session_township_id'))
        batch_op.drop_index(batch_op.f('ix_training_session_held_on'))
        batch_op.drop_index(batch_op.f('ix_training_session_county_id'))

    op.drop_table('training_session')
