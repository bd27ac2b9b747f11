"""Evidence requests may belong to an engagement: its PBC list.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evidence_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('engagement_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_evidence_request_engagement_id'),
                              ['engagement_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_evidence_request_engagement_id_engagement'),
                                    'engagement', ['engagement_id'], ['id'])


def downgrade():
    with op.batch_alter_table('evidence_request', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_evidence_request_engagement_id_engagement'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_evidence_request_engagement_id'))
        batch_op.drop_column('engagement_id')
