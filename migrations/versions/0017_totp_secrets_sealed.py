"""TOTP secrets are stored encrypted under a key derived from the ledger key (secret_box).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa

from app.auth.secret_box import PREFIX, seal, unseal


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

USER = sa.table('user', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64),
                              type_=sa.String(length=255), existing_nullable=True)
    connection = op.get_bind()
    for user_id, secret in connection.execute(
            sa.select(USER.c.id, USER.c.totp_secret).where(USER.c.totp_secret.is_not(None))):
        if not secret.startswith(PREFIX):
            connection.execute(USER.update().where(USER.c.id == user_id)
                               .values(totp_secret=seal(secret)))


def downgrade():
    connection = op.get_bind()
    for user_id, stored in connection.execute(
            sa.select(USER.c.id, USER.c.totp_secret).where(USER.c.totp_secret.is_not(None))):
        connection.execute(USER.update().where(USER.c.id == user_id)
                           .values(totp_secret=unseal(stored)))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255),
                              type_=sa.String(length=64), existing_nullable=True)
