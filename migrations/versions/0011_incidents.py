"""Incidents and personal-data breaches: the register, controllers, submissions, actions.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 02:13:43.797695

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=True),
    sa.Column('category', sa.String(length=16), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detected_on', sa.Date(), nullable=False),
    sa.Column('became_aware_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('personal_data', sa.Boolean(), nullable=True),
    sa.Column('personal_data_breach', sa.Boolean(), nullable=True),
    sa.Column('breach_decided_by_id', sa.Integer(), nullable=True),
    sa.Column('breach_decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('breach_reason', sa.Text(), nullable=True),
    sa.Column('role', sa.String(length=16), server_default='controller', nullable=False),
    sa.Column('controller_notice_hours', sa.Integer(), server_default='24', nullable=False),
    sa.Column('affected_systems', sa.Text(), nullable=True),
    sa.Column('affected_processing', sa.Text(), nullable=True),
    sa.Column('root_cause', sa.Text(), nullable=True),
    sa.Column('microdata_users', sa.Text(), nullable=True),
    sa.Column('microdata_project', sa.String(length=100), nullable=True),
    sa.Column('chair_informed_on', sa.Date(), nullable=True),
    sa.Column('chair_informed_by_id', sa.Integer(), nullable=True),
    sa.Column('major_outage', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('management_report_id', sa.Integer(), nullable=True),
    sa.Column('nature_en', sa.Text(), nullable=True),
    sa.Column('nature_da', sa.Text(), nullable=True),
    sa.Column('subject_categories_en', sa.Text(), nullable=True),
    sa.Column('subject_categories_da', sa.Text(), nullable=True),
    sa.Column('subjects_approx', sa.Integer(), nullable=True),
    sa.Column('record_categories_en', sa.Text(), nullable=True),
    sa.Column('record_categories_da', sa.Text(), nullable=True),
    sa.Column('records_approx', sa.Integer(), nullable=True),
    sa.Column('contact_point', sa.Text(), nullable=True),
    sa.Column('consequences_en', sa.Text(), nullable=True),
    sa.Column('consequences_da', sa.Text(), nullable=True),
    sa.Column('measures_en', sa.Text(), nullable=True),
    sa.Column('measures_da', sa.Text(), nullable=True),
    sa.Column('authority_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('subjects_decision', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('subjects_reason_en', sa.Text(), nullable=True),
    sa.Column('subjects_reason_da', sa.Text(), nullable=True),
    sa.Column('subjects_informed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['breach_decided_by_id'], ['user.id'], name=op.f('fk_incident_breach_decided_by_id_user')),
    sa.ForeignKeyConstraint(['chair_informed_by_id'], ['user.id'], name=op.f('fk_incident_chair_informed_by_id_user')),
    sa.ForeignKeyConstraint(['management_report_id'], ['evidence.id'], name=op.f('fk_incident_management_report_id_evidence')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user.id'], name=op.f('fk_incident_reported_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_closed_on'), ['closed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_detected_on'), ['detected_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_reported_by_id'), ['reported_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_status'), ['status'], unique=False)

    op.create_table('incident_control',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('control_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['control_id'], ['control.id'], name=op.f('fk_incident_control_control_id_control')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_control_incident_id_incident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', 'control_id', name=op.f('pk_incident_control'))
    )
    with op.batch_alter_table('incident_control', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_control_control_id'), ['control_id'], unique=False)

    op.create_table('incident_controller',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('notice_hours', sa.Integer(), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_controller_incident_id_incident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_controller'))
    )
    with op.batch_alter_table('incident_controller', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_controller_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('controller_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('phase', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('delay_reason_en', sa.Text(), nullable=True),
    sa.Column('delay_reason_da', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['controller_id'], ['incident_controller.id'], name=op.f('fk_incident_submission_controller_id_incident_controller'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_submission_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_incident_submission_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_submission'))
    )
    with op.batch_alter_table('incident_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_submission_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('deviation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deviation_id'], ['deviation.id'], name=op.f('fk_incident_action_deviation_id_deviation')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_action_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_incident_action_owner_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_action'))
    )
    with op.batch_alter_table('incident_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_action_deviation_id'), ['deviation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_action_incident_id'), ['incident_id'], unique=False)



def downgrade():
    with op.batch_alter_table('incident_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_action_incident_id'))
        batch_op.drop_index(batch_op.f('ix_incident_action_deviation_id'))

    op.drop_table('incident_action')
    with op.batch_alter_table('incident_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_submission_incident_id'))

    op.drop_table('incident_submission')
    with op.batch_alter_table('incident_controller', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_controller_incident_id'))

    op.drop_table('incident_controller')
    with op.batch_alter_table('incident_control', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_control_control_id'))

    op.drop_table('incident_control')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_status'))
        batch_op.drop_index(batch_op.f('ix_incident_reported_by_id'))
        batch_op.drop_index(batch_op.f('ix_incident_detected_on'))
        batch_op.drop_index(batch_op.f('ix_incident_closed_on'))

    op.drop_table('incident')
