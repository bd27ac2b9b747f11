"""Audit engagements, team and scope, control tests, populations, samples, deviations, comments.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:29:24.231675

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('engagement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('auditor_report', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_engagement_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement'))
    )
    op.create_table('engagement_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_engagement_member_engagement_id_engagement')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_engagement_member_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement_member')),
    sa.UniqueConstraint('engagement_id', 'user_id', name=op.f('uq_engagement_member_engagement_id_user_id'))
    )
    with op.batch_alter_table('engagement_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engagement_member_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagement_member_user_id'), ['user_id'], unique=False)

    op.create_table('objective_exclusion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_objective_exclusion_engagement_id_engagement')),
    sa.ForeignKeyConstraint(['group_id'], ['control_group.id'], name=op.f('fk_objective_exclusion_group_id_control_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objective_exclusion')),
    sa.UniqueConstraint('engagement_id', 'group_id', name=op.f('uq_objective_exclusion_engagement_id_group_id'))
    )
    with op.batch_alter_table('objective_exclusion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objective_exclusion_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('control_test',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('control_id', sa.Integer(), nullable=False),
    sa.Column('methods', sa.JSON(), nullable=False),
    sa.Column('procedure', sa.Text(), nullable=True),
    sa.Column('frequency', sa.String(length=32), nullable=True),
    sa.Column('risk_level', sa.String(length=16), nullable=False),
    sa.Column('sizing_method', sa.String(length=16), nullable=False),
    sa.Column('risk', sa.String(length=8), nullable=True),
    sa.Column('tolerable_rate', sa.String(length=8), nullable=True),
    sa.Column('expected_rate', sa.String(length=8), nullable=True),
    sa.Column('planned_size', sa.Integer(), nullable=True),
    sa.Column('size_override_reason', sa.Text(), nullable=True),
    sa.Column('conclusion', sa.String(length=16), nullable=False),
    sa.Column('result_text', sa.Text(), nullable=True),
    sa.Column('management_comment', sa.Text(), nullable=True),
    sa.Column('concluded_by_id', sa.Integer(), nullable=True),
    sa.Column('concluded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['concluded_by_id'], ['user.id'], name=op.f('fk_control_test_concluded_by_id_user')),
    sa.ForeignKeyConstraint(['control_id'], ['control.id'], name=op.f('fk_control_test_control_id_control')),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_control_test_engagement_id_engagement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_control_test')),
    sa.UniqueConstraint('engagement_id', 'control_id', name=op.f('uq_control_test_engagement_id_control_id'))
    )
    with op.batch_alter_table('control_test', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_control_test_control_id'), ['control_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_control_test_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('deviation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('control_id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=True),
    sa.Column('test_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('root_cause', sa.Text(), nullable=True),
    sa.Column('management_response', sa.Text(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('closing_evidence_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('raised_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['control_id'], ['control.id'], name=op.f('fk_deviation_control_id_control')),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_deviation_engagement_id_engagement')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_deviation_owner_id_user')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['user.id'], name=op.f('fk_deviation_raised_by_id_user')),
    sa.ForeignKeyConstraint(['test_id'], ['control_test.id'], name=op.f('fk_deviation_test_id_control_test')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deviation'))
    )
    with op.batch_alter_table('deviation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deviation_control_id'), ['control_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deviation_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deviation_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deviation_test_id'), ['test_id'], unique=False)

    op.create_table('engagement_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('test_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_engagement_comment_author_id_user')),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_engagement_comment_engagement_id_engagement')),
    sa.ForeignKeyConstraint(['test_id'], ['control_test.id'], name=op.f('fk_engagement_comment_test_id_control_test')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement_comment'))
    )
    with op.batch_alter_table('engagement_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engagement_comment_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagement_comment_test_id'), ['test_id'], unique=False)

    op.create_table('population',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('test_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('preview', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_population_created_by_id_user')),
    sa.ForeignKeyConstraint(['test_id'], ['control_test.id'], name=op.f('fk_population_test_id_control_test')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_population'))
    )
    with op.batch_alter_table('population', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_population_test_id'), ['test_id'], unique=False)

    op.create_table('sample',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('test_id', sa.Integer(), nullable=False),
    sa.Column('population_id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('population_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('population_size', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_sample_created_by_id_user')),
    sa.ForeignKeyConstraint(['population_id'], ['population.id'], name=op.f('fk_sample_population_id_population')),
    sa.ForeignKeyConstraint(['test_id'], ['control_test.id'], name=op.f('fk_sample_test_id_control_test')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample'))
    )
    with op.batch_alter_table('sample', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_test_id'), ['test_id'], unique=False)

    op.create_table('sample_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('population_index', sa.Integer(), nullable=False),
    sa.Column('row', sa.JSON(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('tested_by_id', sa.Integer(), nullable=True),
    sa.Column('tested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['sample_id'], ['sample.id'], name=op.f('fk_sample_item_sample_id_sample')),
    sa.ForeignKeyConstraint(['tested_by_id'], ['user.id'], name=op.f('fk_sample_item_tested_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_item')),
    sa.UniqueConstraint('sample_id', 'population_index', name=op.f('uq_sample_item_sample_id_population_index'))
    )
    with op.batch_alter_table('sample_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_item_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sample_item_sample_id'), ['sample_id'], unique=False)



def downgrade():
    with op.batch_alter_table('sample_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_item_sample_id'))
        batch_op.drop_index(batch_op.f('ix_sample_item_evidence_id'))

    op.drop_table('sample_item')
    with op.batch_alter_table('sample', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_test_id'))

    op.drop_table('sample')
    with op.batch_alter_table('population', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_population_test_id'))

    op.drop_table('population')
    with op.batch_alter_table('engagement_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagement_comment_test_id'))
        batch_op.drop_index(batch_op.f('ix_engagement_comment_engagement_id'))

    op.drop_table('engagement_comment')
    with op.batch_alter_table('deviation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deviation_test_id'))
        batch_op.drop_index(batch_op.f('ix_deviation_owner_id'))
        batch_op.drop_index(batch_op.f('ix_deviation_engagement_id'))
        batch_op.drop_index(batch_op.f('ix_deviation_control_id'))

    op.drop_table('deviation')
    with op.batch_alter_table('control_test', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_control_test_engagement_id'))
        batch_op.drop_index(batch_op.f('ix_control_test_control_id'))

    op.drop_table('control_test')
    with op.batch_alter_table('objective_exclusion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objective_exclusion_engagement_id'))

    op.drop_table('objective_exclusion')
    with op.batch_alter_table('engagement_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagement_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_engagement_member_engagement_id'))

    op.drop_table('engagement_member')
    op.drop_table('engagement')
