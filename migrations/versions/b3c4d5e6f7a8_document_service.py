"""document_service: how and when a notice reached its addressee (送达); photo.service_id for the signed 送达回证

Revision ID: b3c4d5e6f7a8
Revises: b2b3c4d5e6f7
Create Date: 2026-12-07 14:40:00.000000

Notices issued before keep no record of service: they read as not served.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3c4d5e6f7a8'
down_revision = 'b2b3c4d5e6f7'
branch_labels = None
depends_on = None

METHODS = ('direct', 'left_at_premises', 'post', 'electronic')


def upgrade():
    op.create_table('document_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum(*METHODS, name='service_method', native_enum=False, create_constraint=True,
                                length=32), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('receiver', sa.String(length=100), nullable=True),
    sa.Column('witness', sa.String(length=100), nullable=True),
    sa.Column('left_reason', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('server_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('corrected_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_service_document_id_document')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                            name=op.f('fk_document_service_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['server_id'], ['user_account.id'], name=op.f('fk_document_service_server_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_service')),
    sa.UniqueConstraint('document_id', name=op.f('uq_document_service_document_id'))
    )
    with op.batch_alter_table('document_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_service_served_on'), ['served_on'], unique=False)
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_photo_service_id'), ['service_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_photo_service_id_document_service'), 'document_service',
                                    ['service_id'], ['id'])


def downgrade():
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_photo_service_id_document_service'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_photo_service_id'))
        batch_op.drop_column('service_id')
    with op.batch_alter_table('document_service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_service_served_on'))
    op.drop_table('document_service')
