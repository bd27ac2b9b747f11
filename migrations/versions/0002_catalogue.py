"""Catalogues, control groups, controls, mappings and Statement-of-Applicability entries.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:16:26.052212

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('catalogue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=True),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('title_da', sa.String(length=300), nullable=True),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('description_da', sa.Text(), nullable=True),
    sa.Column('source_path', sa.String(length=500), nullable=True),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue')),
    sa.UniqueConstraint('slug', name=op.f('uq_catalogue_slug'))
    )
    op.create_table('control_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('catalogue_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('title_da', sa.String(length=300), nullable=True),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('description_da', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['catalogue_id'], ['catalogue.id'], name=op.f('fk_control_group_catalogue_id_catalogue')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_control_group')),
    sa.UniqueConstraint('catalogue_id', 'code', name=op.f('uq_control_group_catalogue_id_code'))
    )
    with op.batch_alter_table('control_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_control_group_catalogue_id'), ['catalogue_id'], unique=False)

    op.create_table('control',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('catalogue_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title_en', sa.String(length=500), nullable=False),
    sa.Column('title_da', sa.String(length=500), nullable=True),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('description_da', sa.Text(), nullable=True),
    sa.Column('test_procedure_en', sa.Text(), nullable=True),
    sa.Column('test_procedure_da', sa.Text(), nullable=True),
    sa.Column('frequency', sa.String(length=32), nullable=True),
    sa.Column('typical_evidence', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['catalogue_id'], ['catalogue.id'], name=op.f('fk_control_catalogue_id_catalogue')),
    sa.ForeignKeyConstraint(['group_id'], ['control_group.id'], name=op.f('fk_control_group_id_control_group')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_control_owner_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_control')),
    sa.UniqueConstraint('key', name=op.f('uq_control_key'))
    )
    with op.batch_alter_table('control', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_control_catalogue_id'), ['catalogue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_control_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_control_owner_id'), ['owner_id'], unique=False)

    op.create_table('control_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['control.id'], name=op.f('fk_control_mapping_source_id_control')),
    sa.ForeignKeyConstraint(['target_id'], ['control.id'], name=op.f('fk_control_mapping_target_id_control')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_control_mapping')),
    sa.UniqueConstraint('source_id', 'target_id', name=op.f('uq_control_mapping_source_id_target_id'))
    )
    with op.batch_alter_table('control_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_control_mapping_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_control_mapping_target_id'), ['target_id'], unique=False)

    op.create_table('soa_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('control_id', sa.Integer(), nullable=False),
    sa.Column('applicable', sa.Boolean(), nullable=True),
    sa.Column('justification', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('last_reviewed_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['control_id'], ['control.id'], name=op.f('fk_soa_entry_control_id_control')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_soa_entry')),
    sa.UniqueConstraint('control_id', name=op.f('uq_soa_entry_control_id'))
    )


def downgrade():
    op.drop_table('soa_entry')
    with op.batch_alter_table('control_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_control_mapping_target_id'))
        batch_op.drop_index(batch_op.f('ix_control_mapping_source_id'))

    op.drop_table('control_mapping')
    with op.batch_alter_table('control', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_control_owner_id'))
        batch_op.drop_index(batch_op.f('ix_control_group_id'))
        batch_op.drop_index(batch_op.f('ix_control_catalogue_id'))

    op.drop_table('control')
    with op.batch_alter_table('control_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_control_group_catalogue_id'))

    op.drop_table('control_group')
    op.drop_table('catalogue')
