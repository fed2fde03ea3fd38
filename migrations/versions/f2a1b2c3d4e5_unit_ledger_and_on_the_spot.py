"""The unit ledger and 即查即改: deregistered units, findings rectified on the spot

unit.deregistered_on and unit.deregistration_reason (注销), the unit status "deregistered" in the CHECK
constraint of unit.status; the close kind "on_the_spot" in the CHECK constraint of finding.close_kind;
finding.case_id nullable (a finding rectified on the spot at a unit with no open case opens none).

Revision ID: f2a1b2c3d4e5
Revises: c1d2e3f4a5b6
Create Date: 2026-12-08 00:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2a1b2c3d4e5'
down_revision = 'c1d2e3f4a5b6'
branch_labels = None
depends_on = None

OLD_UNIT_STATUSES = ('operating', 'suspended', 'shut_down', 'banned')
NEW_UNIT_STATUSES = OLD_UNIT_STATUSES + ('deregistered',)
OLD_CLOSE_KINDS = ('verified', 'closed_out')
NEW_CLOSE_KINDS = OLD_CLOSE_KINDS + ('on_the_spot',)


def _check(column, values):
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _set_values(batch_op, table, name, column, values):
    batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
    batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), _check(column, values))


def upgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deregistered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deregistration_reason', sa.Text(), nullable=True))
        _set_values(batch_op, 'unit', 'unit_status', 'status', NEW_UNIT_STATUSES)
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=True)
        _set_values(batch_op, 'finding', 'finding_close_kind', 'close_kind', NEW_CLOSE_KINDS)


def downgrade():
    # The older schema has no place for a finding without a case: refuse rather than delete history.
    orphans = op.get_bind().execute(sa.text("SELECT count(*) FROM finding WHERE case_id IS NULL")).scalar()
    if orphans:
        raise RuntimeError(f"{orphans} findings rectified on the spot belong to no case; the older schema cannot keep them")
    # Rectified on the spot reads as closed by verification, deregistered as shut down.
    op.execute("UPDATE finding SET close_kind = 'verified' WHERE close_kind = 'on_the_spot'")
    op.execute("UPDATE unit SET status = 'shut_down' WHERE status = 'deregistered'")
    with op.batch_alter_table('finding', schema=None) as batch_op:
        _set_values(batch_op, 'finding', 'finding_close_kind', 'close_kind', OLD_CLOSE_KINDS)
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('unit', schema=None) as batch_op:
        _set_values(batch_op, 'unit', 'unit_status', 'status', OLD_UNIT_STATUSES)
        batch_op.drop_column('deregistration_reason')
        batch_op.drop_column('deregistered_on')
