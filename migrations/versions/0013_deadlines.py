"""Deadlines: annual-wheel duties and completions, notifications, preferences, calendar
feeds and the scheduler lease.

Revision ID: 0013
Revises: 0008
Create Date: 2026-11-30 03:37:56.374903

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduler_lease',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=100), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_lease'))
    )
    op.create_table('calendar_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_calendar_feed_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_calendar_feed_user_id'))
    )
    op.create_table('duty',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_da', sa.String(length=200), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('description_da', sa.Text(), nullable=True),
    sa.Column('rrule', sa.String(length=300), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('next_due_on', sa.Date(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_duty_created_by_id_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_duty_owner_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty'))
    )
    with op.batch_alter_table('duty', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_next_due_on'), ['next_due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_owner_id'), ['owner_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('deadline_key', sa.String(length=160), nullable=False),
    sa.Column('threshold', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('title_da', sa.String(length=300), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('endpoint', sa.String(length=80), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('email_status', sa.String(length=8), server_default='none', nullable=False),
    sa.Column('email_attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('email_next_try_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('email_error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('deadline_key', 'threshold', 'user_id', name=op.f('uq_notification_deadline_key_threshold_user_id'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_email_status', ['email_status'], unique=False)
        batch_op.create_index('ix_notification_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.create_table('notification_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email_kinds', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=16), nullable=False),
    sa.Column('last_digest_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_preference_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_preference'))
    )
    op.create_table('duty_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duty_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['completed_by_id'], ['user.id'], name=op.f('fk_duty_completion_completed_by_id_user')),
    sa.ForeignKeyConstraint(['duty_id'], ['duty.id'], name=op.f('fk_duty_completion_duty_id_duty'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_duty_completion_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_completion')),
    sa.UniqueConstraint('duty_id', 'due_on', name=op.f('uq_duty_completion_duty_id_due_on'))
    )
    with op.batch_alter_table('duty_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_completion_completed_at'), ['completed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_completion_duty_id'), ['duty_id'], unique=False)

    op.create_table('duty_control',
    sa.Column('duty_id', sa.Integer(), nullable=False),
    sa.Column('control_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['control_id'], ['control.id'], name=op.f('fk_duty_control_control_id_control')),
    sa.ForeignKeyConstraint(['duty_id'], ['duty.id'], name=op.f('fk_duty_control_duty_id_duty'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('duty_id', 'control_id', name=op.f('pk_duty_control'))
    )
    with op.batch_alter_table('duty_control', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_control_control_id'), ['control_id'], unique=False)



def downgrade():
    with op.batch_alter_table('duty_control', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_control_control_id'))

    op.drop_table('duty_control')
    with op.batch_alter_table('duty_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_completion_duty_id'))
        batch_op.drop_index(batch_op.f('ix_duty_completion_completed_at'))

    op.drop_table('duty_completion')
    op.drop_table('notification_preference')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_id_read_at')
        batch_op.drop_index('ix_notification_email_status')

    op.drop_table('notification')
    with op.batch_alter_table('duty', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_owner_id'))
        batch_op.drop_index(batch_op.f('ix_duty_next_due_on'))

    op.drop_table('duty')
    op.drop_table('calendar_feed')
    op.drop_table('scheduler_lease')
