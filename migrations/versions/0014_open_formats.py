"""Open formats: catalogues imported from CISO Assistant libraries keep their provenance,
groups nest, controls keep their requirement urn, and mappings their origin, relation and
rationale.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 02:40:46.806706

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('catalogue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('library_urn', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('provider', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('copyright', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('licence', sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_catalogue_library_urn'), ['library_urn'])

    with op.batch_alter_table('control', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urn', sa.String(length=255), nullable=True))

    with op.batch_alter_table('control_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.alter_column('code',
               existing_type=sa.VARCHAR(length=32),
               type_=sa.String(length=64),
               existing_nullable=False)
        batch_op.create_index(batch_op.f('ix_control_group_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_control_group_parent_id_control_group'), 'control_group', ['parent_id'], ['id'])

    with op.batch_alter_table('control_mapping', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mapping_set', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('relation', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('rationale', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_control_mapping_mapping_set'), ['mapping_set'], unique=False)


def downgrade():
    with op.batch_alter_table('control_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_control_mapping_mapping_set'))
        batch_op.drop_column('rationale')
        batch_op.drop_column('relation')
        batch_op.drop_column('mapping_set')

    with op.batch_alter_table('control_group', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_control_group_parent_id_control_group'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_control_group_parent_id'))
        batch_op.alter_column('code',
               existing_type=sa.String(length=64),
               type_=sa.VARCHAR(length=32),
               existing_nullable=False)
        batch_op.drop_column('parent_id')

    with op.batch_alter_table('control', schema=None) as batch_op:
        batch_op.drop_column('urn')

    with op.batch_alter_table('catalogue', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_catalogue_library_urn'), type_='unique')
        batch_op.drop_column('licence')
        batch_op.drop_column('copyright')
        batch_op.drop_column('provider')
        batch_op.drop_column('library_urn')
