"""Every `next` goes through one check and stays on this site (issue 9, item 5)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.auth.redirects import safe_next
from tests.factories import TEST_PASSWORD, make_user

HOSTILE = [
    "/%09/evil.example",  # a tab, dropped by browsers: //evil.example
    "/%0a/evil.example", "/%0d/evil.example", "/%00/evil.example",
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
    "https://evil.example/", "http:evil.example", "javascript:alert(1)",
    "%20//evil.example", " /\\evil.example", "evil.example", "/%5Cevil.example",
]
SAFE = ["/evidence?page=2", "/controls/iso27001-2022:A.5.1", "/soa?status=planned#x"]


def _as_a_browser_reads(location: str) -> tuple[str, str]:
    """What a browser makes of a Location header: it drops tabs and newlines, trims leading
    spaces and control characters, and reads backslashes as slashes."""
    cleaned = re.sub(r"[\t\n\r]", "", location).lstrip("\x00- ").replace("\\", "/")
    parts = urlsplit(cleaned)
    return parts.scheme, parts.netloc


def _stays_here(location: str) -> bool:
    scheme, netloc = _as_a_browser_reads(location)
    return scheme == "" and netloc in ("", "localhost")


@pytest.mark.parametrize("target", HOSTILE)
def test_the_helper_refuses_anything_that_could_leave_the_site(target):
    from urllib.parse import unquote

    assert safe_next(unquote(target), "/fallback") == "/fallback"
    assert safe_next(target, "/fallback") in (target, "/fallback")
    assert _stays_here(safe_next(unquote(target), "/fallback"))


@pytest.mark.parametrize("target", SAFE)
def test_the_helper_keeps_local_paths(target):
    assert safe_next(target, "/fallback") == target


@pytest.mark.parametrize("target", [None, 5, "", "x" * 3000])
def test_the_helper_refuses_odd_values(target):
    assert safe_next(target, "/fallback") == "/fallback"


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_redirects_off_site(client, db_session, target):
    user = make_user(db_session)
    response = client.post(f"/login?next={target}",
                           data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert _stays_here(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", HOSTILE)
def test_the_language_switch_never_redirects_off_site(client, login_as, target):
    from urllib.parse import unquote

    login_as("viewer")
    response = client.post("/language", data={"language": "da", "next": unquote(target)})
    assert response.status_code == 302
    assert _stays_here(response.headers["Location"]), response.headers["Location"]


def test_login_and_language_switch_follow_a_local_next(client, login_as, db_session):
    user = make_user(db_session)
    response = client.post("/login?next=/evidence?page=2",
                           data={"email": user.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/evidence?page=2"
    response = client.post("/language", data={"language": "da", "next": "/soa?x=1"})
    assert response.headers["Location"] == "/soa?x=1"


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "https://evil.example"])
def test_the_soa_edit_form_never_redirects_off_site(client, login_as, loaded_catalogue,
                                                    db_session, target):
    from sqlalchemy import select

    from app.catalogue.models import SoAEntry

    login_as("coordinator")
    entry = db_session.scalars(select(SoAEntry)).first()
    response = client.post(f"/soa/{entry.id}?next={target}", data={
        "applicable": "yes", "justification": "Needed", "status": "", "owner_id": "",
        "last_reviewed_on": "", "version": entry.version})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert _stays_here(response.headers["Location"]), response.headers["Location"]


NEXT_READ = re.compile(r"""(args|form|values)(\.get\(|\[)\s*["']next["']""")


def test_every_next_in_the_app_goes_through_the_helper():
    """A new `request.args.get("next")` must be wrapped in safe_next on the same line."""
    root = Path(__file__).resolve().parents[2] / "app"
    unchecked = []
    for path in root.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if NEXT_READ.search(line) and "safe_next(" not in line:
                unchecked.append(f"{path.relative_to(root.parent)}:{number}: {line.strip()}")
    assert unchecked == []
