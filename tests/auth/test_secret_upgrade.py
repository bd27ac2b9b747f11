"""Migration 0017: TOTP secrets stored in the clear before it are sealed, and still sign in."""

from __future__ import annotations

import pyotp
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.auth import login
from app.auth.models import User
from app.auth.secret_box import PREFIX, unseal
from app.db import utcnow
from app.extensions import db
from tests.conftest import _base_config, reset_database

pytestmark = pytest.mark.fresh_db
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
USER = sa.table("user", sa.column("id"), sa.column("email"), sa.column("totp_secret"))


def test_clear_secrets_are_sealed_by_the_upgrade_and_opened_by_a_downgrade(
        fresh_database_url, tmp_path):
    reset_database(fresh_database_url)
    app = create_app(_base_config(fresh_database_url, tmp_path / "instance"))
    try:
        with app.app_context():
            upgrade(revision="0016")
            with db.engine.begin() as connection:
                connection.execute(User.__table__.insert().values(
                    email="signe@nordlys.example", name="Signe Holm", password_hash="x",
                    role="coordinator", created_at=utcnow(), totp_secret=SECRET,
                    totp_enabled_at=utcnow()))
            upgrade()
            stored = db.session.execute(sa.select(USER.c.totp_secret)).scalar_one()
            assert stored.startswith(PREFIX) and SECRET not in stored
            assert unseal(stored) == SECRET
            user = db.session.scalars(sa.select(User)).one()
            assert login.check_code(db.session, user.id, pyotp.TOTP(SECRET).now(),
                                    "127.0.0.1") is not None
            db.session.remove()
            downgrade(revision="0016")
            assert db.session.execute(sa.select(USER.c.totp_secret)).scalar_one() == SECRET
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()
