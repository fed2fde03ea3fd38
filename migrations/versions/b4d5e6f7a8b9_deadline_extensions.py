"""延期: extension requests and their findings, who decides per county, the 准予延期整改通知书

extension_request and extension_finding; region.extension_decider (the county office decides until the
county chooses otherwise); finding_deadline.extension_id, photo.extension_id (evidence) and
document.extension_id; the new document kind "extension" in the CHECK constraints of document.kind and
document_counter.kind.

Revision ID: b4d5e6f7a8b9
Revises: b3c4d5e6f7a8
Create Date: 2026-12-07 14:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b4d5e6f7a8b9'
down_revision = 'b3c4d5e6f7a8'
branch_labels = None
depends_on = None

OLD_KINDS = ('reminder', 'summons', 'assignment', 'referral')
NEW_KINDS = OLD_KINDS + ('extension',)
STAGES = ('reminder', 'warning', 'enforcement')


def _kind_check(kinds):
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _set_document_kinds(kinds):
    for table, name in (('document', 'document_kind'), ('document_counter', 'counter_kind')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), _kind_check(kinds))


def upgrade():
    op.create_table('extension_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.Enum(*STAGES, name='extension_stage', native_enum=False, create_constraint=True,
                               length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_deadline', sa.Date(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('decider_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'refused', name='extension_status', native_enum=False,
                                create_constraint=True, length=32), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('granted_deadline', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_extension_request_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_extension_request_case_id_case_file')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_extension_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['decider_id'], ['department.id'], name=op.f('fk_extension_request_decider_id_department')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_extension_request_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_extension_request_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_request'))
    )
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.create_index('ix_extension_request_decider_status', ['decider_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_extension_request_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_extension_request_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_extension_request_decided_on'), ['decided_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_extension_request_requested_on'), ['requested_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_extension_request_unit_id'), ['unit_id'], unique=False)

    op.create_table('extension_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('previous_deadline', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_extension_finding_finding_id_finding')),
    sa.ForeignKeyConstraint(['request_id'], ['extension_request.id'], name=op.f('fk_extension_finding_request_id_extension_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_finding'))
    )
    with op.batch_alter_table('extension_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_finding_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_extension_finding_request_id'), ['request_id'], unique=False)

    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extension_decider', sa.Enum('county_office', 'regulator', name='extension_decider',
                                                                   native_enum=False, create_constraint=True, length=32),
                                      server_default='county_office', nullable=False))
    with op.batch_alter_table('finding_deadline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extension_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_finding_deadline_extension_id_extension_request'),
                                    'extension_request', ['extension_id'], ['id'])
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extension_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_photo_extension_id'), ['extension_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_photo_extension_id_extension_request'),
                                    'extension_request', ['extension_id'], ['id'])
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extension_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_document_extension_id'), ['extension_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_document_extension_id_extension_request'),
                                    'extension_request', ['extension_id'], ['id'])
    _set_document_kinds(NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM document_counter WHERE kind = 'extension'")
    _set_document_kinds(OLD_KINDS)
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_document_extension_id_extension_request'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_document_extension_id'))
        batch_op.drop_column('extension_id')
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_photo_extension_id_extension_request'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_photo_extension_id'))
        batch_op.drop_column('extension_id')
    with op.batch_alter_table('finding_deadline', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_finding_deadline_extension_id_extension_request'), type_='foreignkey')
        batch_op.drop_column('extension_id')
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_region_extension_decider'), type_='check')
        batch_op.drop_column('extension_decider')
    with op.batch_alter_table('extension_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extension_finding_request_id'))
        batch_op.drop_index(batch_op.f('ix_extension_finding_finding_id'))
    op.drop_table('extension_finding')
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extension_request_unit_id'))
        batch_op.drop_index(batch_op.f('ix_extension_request_requested_on'))
        batch_op.drop_index(batch_op.f('ix_extension_request_decided_on'))
        batch_op.drop_index(batch_op.f('ix_extension_request_case_id'))
        batch_op.drop_index(batch_op.f('ix_extension_request_assignment_id'))
        batch_op.drop_index('ix_extension_request_decider_status')
    op.drop_table('extension_request')
