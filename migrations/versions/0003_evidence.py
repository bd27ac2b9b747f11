"""Evidence items, their file versions, their links to controls, and evidence requests.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:29:02.035170

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_evidence_created_by_id_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_evidence_owner_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_evidence_id_period', ['id', 'period_start', 'period_end'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_valid_until'), ['valid_until'], unique=False)

    op.create_table('evidence_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_version_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_evidence_version_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_version')),
    sa.UniqueConstraint('evidence_id', 'number', name=op.f('uq_evidence_version_evidence_id_number'))
    )
    with op.batch_alter_table('evidence_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_version_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_version_sha256'), ['sha256'], unique=False)

    op.create_table('evidence_control',
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('control_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['control_id'], ['control.id'], name=op.f('fk_evidence_control_control_id_control')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_control_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('evidence_id', 'control_id', name=op.f('pk_evidence_control'))
    )
    with op.batch_alter_table('evidence_control', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_control_control_id'), ['control_id'], unique=False)

    op.create_table('evidence_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('control_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('answered_by_evidence_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_evidence_id'], ['evidence.id'], name=op.f('fk_evidence_request_answered_by_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_evidence_request_assignee_id_user')),
    sa.ForeignKeyConstraint(['control_id'], ['control.id'], name=op.f('fk_evidence_request_control_id_control')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_evidence_request_requested_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_request'))
    )
    with op.batch_alter_table('evidence_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_request_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_request_control_id'), ['control_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_request_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('evidence_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_request_status'))
        batch_op.drop_index(batch_op.f('ix_evidence_request_control_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_request_assignee_id'))

    op.drop_table('evidence_request')
    with op.batch_alter_table('evidence_control', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_control_control_id'))

    op.drop_table('evidence_control')
    with op.batch_alter_table('evidence_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_version_sha256'))
        batch_op.drop_index(batch_op.f('ix_evidence_version_evidence_id'))

    op.drop_table('evidence_version')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_valid_until'))
        batch_op.drop_index(batch_op.f('ix_evidence_owner_id'))
        batch_op.drop_index('ix_evidence_id_period')
        batch_op.drop_index('ix_evidence_created_at')

    op.drop_table('evidence')
