"""The organisation profile for report texts, and auditor export bundles.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:45:06.738790

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_profile',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('registration_no', sa.String(length=32), nullable=True),
    sa.Column('service_en', sa.String(length=300), nullable=True),
    sa.Column('service_da', sa.String(length=300), nullable=True),
    sa.Column('processing_en', sa.Text(), nullable=True),
    sa.Column('processing_da', sa.Text(), nullable=True),
    sa.Column('sub_processors', sa.Text(), nullable=True),
    sa.Column('complementary_controls_en', sa.Text(), nullable=True),
    sa.Column('complementary_controls_da', sa.Text(), nullable=True),
    sa.Column('auditor_firm', sa.String(length=200), nullable=True),
    sa.Column('signatory', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_profile'))
    )
    op.create_table('export_bundle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('include_files', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('step', sa.String(length=200), nullable=True),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_export_bundle_engagement_id_engagement')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_export_bundle_requested_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_bundle'))
    )
    with op.batch_alter_table('export_bundle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_bundle_engagement_id'), ['engagement_id'], unique=False)



def downgrade():
    with op.batch_alter_table('export_bundle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_bundle_engagement_id'))

    op.drop_table('export_bundle')
    op.drop_table('organisation_profile')
