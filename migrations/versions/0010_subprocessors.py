"""Sub-processors: the register, transfers, auditor's statements with observations, follow-ups,
change notices and objections.

Revision ID: 0010
Revises: 0006
Create Date: 2026-11-30 02:16:55.051675

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subprocessor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('registration_number', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('countries', sa.JSON(), nullable=False),
    sa.Column('processing_en', sa.Text(), nullable=False),
    sa.Column('processing_da', sa.Text(), nullable=False),
    sa.Column('data_categories', sa.JSON(), nullable=False),
    sa.Column('approval', sa.String(length=16), nullable=False),
    sa.Column('controllers', sa.JSON(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('contact', sa.String(length=300), nullable=True),
    sa.Column('risk_rating', sa.String(length=8), nullable=False),
    sa.Column('next_statement_due', sa.Date(), nullable=True),
    sa.Column('next_follow_up_due', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_subprocessor_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subprocessor'))
    )
    with op.batch_alter_table('subprocessor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subprocessor_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_subprocessor_next_follow_up_due'), ['next_follow_up_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_subprocessor_next_statement_due'), ['next_statement_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_subprocessor_status'), ['status'], unique=False)

    op.create_table('subprocessor_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subprocessor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('notified_on', sa.Date(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('controllers', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_subprocessor_change_created_by_id_user')),
    sa.ForeignKeyConstraint(['replaces_id'], ['subprocessor.id'], name=op.f('fk_subprocessor_change_replaces_id_subprocessor')),
    sa.ForeignKeyConstraint(['subprocessor_id'], ['subprocessor.id'], name=op.f('fk_subprocessor_change_subprocessor_id_subprocessor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subprocessor_change'))
    )
    with op.batch_alter_table('subprocessor_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subprocessor_change_subprocessor_id'), ['subprocessor_id'], unique=False)

    op.create_table('subprocessor_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subprocessor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('performed_on', sa.Date(), nullable=False),
    sa.Column('performed_by_id', sa.Integer(), nullable=True),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('controllers_informed_on', sa.Date(), nullable=True),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_subprocessor_follow_up_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['performed_by_id'], ['user.id'], name=op.f('fk_subprocessor_follow_up_performed_by_id_user')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_subprocessor_follow_up_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['subprocessor_id'], ['subprocessor.id'], name=op.f('fk_subprocessor_follow_up_subprocessor_id_subprocessor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subprocessor_follow_up'))
    )
    with op.batch_alter_table('subprocessor_follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subprocessor_follow_up_subprocessor_id'), ['subprocessor_id'], unique=False)

    op.create_table('subprocessor_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subprocessor_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('statement_type', sa.String(length=16), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('opinion', sa.String(length=16), nullable=False),
    sa.Column('no_observations', sa.Boolean(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_subprocessor_statement_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_subprocessor_statement_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['subprocessor_id'], ['subprocessor.id'], name=op.f('fk_subprocessor_statement_subprocessor_id_subprocessor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subprocessor_statement')),
    sa.UniqueConstraint('subprocessor_id', 'year', name=op.f('uq_subprocessor_statement_subprocessor_id_year'))
    )
    with op.batch_alter_table('subprocessor_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subprocessor_statement_subprocessor_id'), ['subprocessor_id'], unique=False)

    op.create_table('subprocessor_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subprocessor_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('basis', sa.String(length=16), nullable=False),
    sa.Column('scc_version', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('tia_evidence_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subprocessor_id'], ['subprocessor.id'], name=op.f('fk_subprocessor_transfer_subprocessor_id_subprocessor')),
    sa.ForeignKeyConstraint(['tia_evidence_id'], ['evidence.id'], name=op.f('fk_subprocessor_transfer_tia_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subprocessor_transfer')),
    sa.UniqueConstraint('subprocessor_id', 'country', name=op.f('uq_subprocessor_transfer_subprocessor_id_country'))
    )
    with op.batch_alter_table('subprocessor_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subprocessor_transfer_subprocessor_id'), ['subprocessor_id'], unique=False)

    op.create_table('subprocessor_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('controller', sa.String(length=200), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=24), server_default='pending', nullable=False),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['subprocessor_change.id'], name=op.f('fk_subprocessor_objection_notice_id_subprocessor_change')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subprocessor_objection'))
    )
    with op.batch_alter_table('subprocessor_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subprocessor_objection_notice_id'), ['notice_id'], unique=False)

    op.create_table('subprocessor_observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('significance', sa.String(length=8), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('remediation_due', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['statement_id'], ['subprocessor_statement.id'], name=op.f('fk_subprocessor_observation_statement_id_subprocessor_statement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subprocessor_observation'))
    )
    with op.batch_alter_table('subprocessor_observation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subprocessor_observation_statement_id'), ['statement_id'], unique=False)



def downgrade():
    with op.batch_alter_table('subprocessor_observation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subprocessor_observation_statement_id'))

    op.drop_table('subprocessor_observation')
    with op.batch_alter_table('subprocessor_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subprocessor_objection_notice_id'))

    op.drop_table('subprocessor_objection')
    with op.batch_alter_table('subprocessor_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subprocessor_transfer_subprocessor_id'))

    op.drop_table('subprocessor_transfer')
    with op.batch_alter_table('subprocessor_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subprocessor_statement_subprocessor_id'))

    op.drop_table('subprocessor_statement')
    with op.batch_alter_table('subprocessor_follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subprocessor_follow_up_subprocessor_id'))

    op.drop_table('subprocessor_follow_up')
    with op.batch_alter_table('subprocessor_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subprocessor_change_subprocessor_id'))

    op.drop_table('subprocessor_change')
    with op.batch_alter_table('subprocessor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subprocessor_status'))
        batch_op.drop_index(batch_op.f('ix_subprocessor_next_statement_due'))
        batch_op.drop_index(batch_op.f('ix_subprocessor_next_follow_up_due'))
        batch_op.drop_index(batch_op.f('ix_subprocessor_name'))

    op.drop_table('subprocessor')
