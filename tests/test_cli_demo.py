"""`flask demo` on a database that has only been migrated: it loads the catalogue itself."""

from sqlalchemy import func, select

from app.auth.models import User
from app.catalogue.models import Catalogue
from app.ledger import service as ledger
from tests.factories import TEST_PASSWORD


def test_demo_seeds_a_migrated_database_without_a_traceback(runner, db_session):
    assert db_session.scalar(select(func.count(Catalogue.id))) == 0
    result = runner.invoke(args=["demo", "--password", TEST_PASSWORD])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "Engagement 'ISAE 3000 GDPR 2025 (type 2)'" in result.output
    assert db_session.scalar(select(User).where(User.email == "auditor@nordlys.example"))
    assert ledger.verify(db_session).ok
