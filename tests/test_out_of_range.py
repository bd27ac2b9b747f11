"""Out-of-range input is a 4xx with a message, never a 500: walks the URL map for every role.

Every route that takes an id gets ids no database holds (above 2^31 on PostgreSQL's INTEGER
columns, above 2^63 on SQLite), every list page gets page numbers, id filters and dates out of
range, each as the roles that may reach the route. New routes are walked without an edit here.
"""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.routing import Rule

from app import params
from app.auth.permissions import MATRIX, PUBLIC_ENDPOINTS, Role
from app.errors import Invalid
from app.routing import MAX_ID, BoundedIntegerConverter

HUGE_IDS = [str(MAX_ID + 1), str(2**63), str(2**64 + 1), "9" * 30, "0"]
# Query parameters list pages read, with values out of range, a few per request (a route
# ignores what it does not read; each value is refused by the one bounded parser of its kind).
BAD_QUERIES = [
    {"page": str(2**63), "per_page": str(2**63)}, {"page": "0"}, {"page": "1e9"},
    {"since": "0001-01-01", "until": "9999-12-31", "from": "0001-01", "to": "9999-12"},
    {"since": "2026-02-30", "to": "2026-13"},
    {"engagement": str(2**63), "owner": str(2**63), "test": str(2**63),
     "request": str(2**63), "version": str(2**63)},
    {"risk": "0.05", "tolerable": "1e-300", "expected": "0.9999999"},
    {"control": "x" * 5000, "q": "%" * 3000}, {"catalogue": "\u0000"},
]


def _walkable(app) -> list[Rule]:
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.endpoint not in PUBLIC_ENDPOINTS), key=lambda rule: rule.rule)


def _roles(app, rule: Rule) -> list[Role]:
    permission = app.view_functions[rule.endpoint].required_permission
    return sorted(MATRIX[permission])


def _url(rule: Rule, number: str) -> str:
    url = rule.rule
    for argument in rule.arguments:
        converter = rule._converters[argument]
        value = number if isinstance(converter, BoundedIntegerConverter) else "x"
        url = url.replace(f"<{argument}>", value)
        for kind in ("int", "string", "path"):
            url = url.replace(f"<{kind}:{argument}>", value)
    return url


def _bearer(db_session, user) -> dict:
    from app.auth import service as accounts
    from tests.factories import SYSTEM

    _row, token = accounts.create_token(db_session, SYSTEM, user, "walk")
    return {"Authorization": f"Bearer {token}"}


def _sign_in(client, login_as, db_session, role):
    user = login_as(role.value)
    return _bearer(db_session, user)


def test_every_id_in_an_address_is_bounded(app):
    converters = {type(rule._converters[argument]) for rule in app.url_map.iter_rules()
                  for argument in rule.arguments if f"<int:{argument}>" in rule.rule}
    assert converters == {BoundedIntegerConverter}


def test_every_primary_key_holds_the_largest_id(app):
    import sqlalchemy as sa

    from app.extensions import db

    for table in db.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if isinstance(column.type, sa.Integer):
                # INTEGER is 32-bit signed on PostgreSQL; MAX_ID must fit every id column.
                assert isinstance(column.type, sa.Integer) and MAX_ID <= 2**31 - 1, column


@pytest.mark.parametrize("role", list(Role))
def test_huge_ids_are_a_404_or_422_on_every_route(app, client, login_as, db_session,
                                                   loaded_catalogue, role):
    headers = _sign_in(client, login_as, db_session, role)
    checked = 0
    for rule in _walkable(app):
        bounded = [a for a in rule.arguments
                   if isinstance(rule._converters[a], BoundedIntegerConverter)]
        if not bounded:
            continue
        if role not in _roles(app, rule):
            continue
        api = rule.rule.startswith("/api/")
        for number in HUGE_IDS:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(_url(rule, number), method=method,
                                       headers=headers if api else None)
                expected = {422} if api else {404}
                assert response.status_code in expected, (role, method, rule.rule, number,
                                                          response.status_code)
                if api:
                    assert response.json["field"] in rule.arguments
                checked += 1
    assert checked > 0


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EXTERNAL_AUDITOR])
def test_out_of_range_queries_are_refused_with_a_message(app, client, login_as, db_session,
                                                         loaded_catalogue, role):
    headers = _sign_in(client, login_as, db_session, role)
    for rule in _walkable(app):
        if "GET" not in rule.methods or role not in _roles(app, rule):
            continue
        url = _url(rule, "1")
        plain = client.get(url, headers=headers if url.startswith("/api/") else None)
        if plain.mimetype not in ("text/html", "application/json"):
            continue  # a file (PDF, XLSX): its filters are the list pages' own
        for query in BAD_QUERIES:
            response = client.get(url, query_string=query,
                                  headers=headers if url.startswith("/api/") else None)
            assert response.status_code < 500, (role, url, query, response.status_code)
            if response.status_code == 422 and not url.startswith("/api/"):
                assert b"class=\"error\"" in response.data or b"<p" in response.data


@pytest.mark.parametrize(("url", "field"), [
    ("/ledger/?since=0001-01-01", "since"),
    ("/ledger/?until=9999-12-31", "until"),
    (f"/ledger/?page={2**63}", "page"),
    ("/evidence/coverage?to=9999-12", "to"),
    ("/evidence/coverage?from=0001-01", "from"),
    (f"/evidence/?page={2**63}", "page"),
    (f"/controls/?page={2**64}", "page"),
    (f"/soa/?page={2**64}", "page"),
    (f"/deviations/?page={2**64}", "page"),
    (f"/deviations/?engagement={2**63}", "engagement"),
    (f"/controls/?owner={2**63}", "owner"),
])
def test_list_pages_name_the_parameter_out_of_range(client, login_as, loaded_catalogue, url,
                                                   field):
    login_as("admin")
    response = client.get(url)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field in page and ("between" in page or "from 1 to" in page)


def test_bounded_parsers():
    assert params.page_number({}) == 1
    assert params.page_number({"page": " 3 "}) == 3
    assert params.optional_date({"since": ""}, "since") is None
    assert str(params.optional_month({"to": "2026-03"}, "to")) == "2026-03-01"
    for bad in ("0", str(params.MAX_PAGE + 1), "1.5", "٣", "-2"):
        with pytest.raises(Invalid):
            params.page_number({"page": bad})
    for bad in ("1989-12-31", "2101-01-01", "2026-02-30", "31/12/2026", "2026-1-1"):
        with pytest.raises(Invalid):
            params.optional_date({"d": bad}, "d")


def test_ids_posted_in_forms_are_bounded_too(client, login_as, db_session, loaded_catalogue):
    from app.audits import service as audits
    from tests.factories import make_user

    login_as("admin")
    huge = str(2**63)
    note = client.post("/evidence/new/note", data={
        "title": "Note", "controls": ["iso27001-2022:A.5.1"], "period_start": "2026-01-01",
        "description": "Checked.", "owner_id": huge, "request_id": huge})
    assert note.status_code == 422
    engagement = client.post("/audits/new", data={
        "name": "X", "kind": "internal", "period_start": "2026-01-01",
        "period_end": "2026-12-31", "controls": "iso27001-2022:A.5.1", "team": [huge]})
    assert engagement.status_code == 422
    auditor = make_user(db_session, role="internal_auditor")
    plan = audits.EngagementPlan(name="Y", kind="internal", period_start=date(2026, 1, 1),
                                 period_end=date(2026, 12, 31),
                                 control_keys=["iso27001-2022:A.5.1"], team_ids=[auditor.id])
    test = audits.create_engagement(db_session, auditor, plan).tests[0]
    drawn = client.post(f"/audits/tests/{test.id}/sample", data={"population_id": huge})
    assert drawn.status_code < 500
    finding = client.post(f"/deviations/new?test={huge}", data={"title": "x"})
    assert finding.status_code == 422


@pytest.mark.parametrize("url", ["/controls/?q=a%00b", "/evidence/?control=%00",
                                 "/controls/%00x", "/deviations/?control=%00"])
def test_text_no_column_stores_is_a_422_naming_the_parameter(client, login_as, url):
    login_as("admin")
    response = client.get(url)
    assert response.status_code == 422
    assert "NUL" in response.get_data(as_text=True)


def test_a_redirect_target_is_left_to_the_redirect_helper(client, db_session):
    from tests.factories import TEST_PASSWORD, make_user

    user = make_user(db_session)
    response = client.post("/login?next=/%00/evil.example",
                           data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_ids_are_bounded_by_the_one_limit():
    """An id bound of its own (2**63 − 1 once slipped into three registers) is wrong on
    PostgreSQL, whose id columns stop at 2^31 − 1: use spec.Id, params.optional_id, MAX_ID."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "app"
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if any(limit in path.read_text() for limit in ("2**63", "2 ** 63", "2**64"))]
    assert offenders == []
