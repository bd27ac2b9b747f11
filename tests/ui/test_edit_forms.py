"""Every edit form opens with the stored values.

The test reads each edit form of the demo data as a browser shows it (the checked radio, the
selected option, the text in each box) and submits it unchanged, as a user who opens a form
and presses Save would. That must succeed and change nothing stored: a radio left unchecked,
an option that does not match the stored value, an empty box for a stored text, all fail it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import url_for
from sqlalchemy import inspect, select

from app.extensions import db
from tests.html import forms, shown_value

# endpoint: (table, URL argument, role that edits it). The form is the page's own.
EDIT_PAGES = {
    "catalogue.edit_soa_entry": ("soa_entry", "entry_id", "coordinator"),
    "auth.edit_user": ("user", "user_id", "admin"),
    "auth.security": ("role_policy", None, "admin"),
    "reports.edit_profile": ("organisation_profile", None, "admin"),
    "deviations.update_deviation": ("deviation", "deviation_id", "internal_auditor"),
    "evidence.edit_evidence": ("evidence", "evidence_id", "coordinator"),
    "governance.edit_adoption": ("technology_adoption", "adoption_id", "coordinator"),
    "governance.edit_assessment": ("risk_assessment", "assessment_id", "coordinator"),
    "governance.edit_dispensation": ("dispensation", "dispensation_id", "coordinator"),
    "governance.edit_document": ("governing_document", "document_id", "coordinator"),
    "governance.edit_risk": ("risk", "risk_id", "coordinator"),
    "incidents.update_incident": ("incident", "incident_id", "coordinator"),
    "incidents.edit_content": ("incident", "incident_id", "coordinator"),
    "vendors.edit_subprocessor": ("subprocessor", "subprocessor_id", "coordinator"),
    "vendors.edit_change": ("subprocessor_change", "notice_id", "coordinator"),
    "vendors.edit_follow_up": ("subprocessor_follow_up", "follow_up_id", "coordinator"),
    "vendors.edit_objection": ("subprocessor_objection", "objection_id", "coordinator"),
    "vendors.edit_statement": ("subprocessor_statement", "statement_id", "coordinator"),
    "vendors.edit_transfer": ("subprocessor_transfer", "transfer_id", "coordinator"),
    "notifications.edit_duty": ("duty", "duty_id", "coordinator"),
}
# Edit forms that sit on an object's page: endpoint: (table, page builder, role).
INLINE_FORMS = {
    "catalogue.assign_owner": ("control", lambda row: url_for(
        "catalogue.show_control", key=row.key), "coordinator"),
    "incidents.update_action": ("incident_action", lambda row: url_for(
        "incidents.show_incident", incident_id=row.incident_id), "coordinator"),
}
ROWS_PER_TABLE = 6
# Columns a save may touch without the user changing anything.
BOOKKEEPING = {"version", "updated_at", "updated_by_id", "modified_at"}


def _models() -> dict:
    return {mapper.class_.__tablename__: mapper.class_ for mapper in db.Model.registry.mappers}


def _stored(row) -> dict:
    """The row's columns as stored; a model class stands for all of its table's rows."""
    if isinstance(row, type):
        session = db.session
        session.expire_all()
        return {index: _stored(each) for index, each in enumerate(
            session.scalars(select(row).order_by(*inspect(row).primary_key)))}
    state = inspect(row)
    state.session.refresh(row)
    return {column.key: getattr(row, column.key) for column in state.mapper.column_attrs
            if column.key not in BOOKKEEPING}


def _rows(session, table: str):
    model = _models()[table]
    rows = session.scalars(select(model).order_by(*inspect(model).primary_key)).all()
    if len(rows) <= ROWS_PER_TABLE:
        return rows
    step = len(rows) / ROWS_PER_TABLE
    return [rows[int(index * step)] for index in range(ROWS_PER_TABLE)]


def _submission(form: dict) -> dict:
    data: dict = {}
    for name, control in form.items():
        if control.kind in ("file", "submit", "button", "reset", "image"):
            continue
        value = shown_value(control)
        if control.kind in ("checkbox", "select-multiple"):
            if value:
                data[name] = value
        elif value is not None:
            data[name] = value
    return data


def _error_fields(html: str) -> set[str]:
    return {error.split(":")[0] for error in _errors(html) if ":" in error}


def _errors(html: str) -> list[str]:
    """The field errors and error messages on a page, each with the field's name."""
    found = re.findall(r'name="([^"]+)"(?:(?!name=").)*?class="error"[^>]*>([^<]*)<', html,
                       re.S)
    return [f"{name}: {text.strip()}" for name, text in found] + re.findall(
        r'class="flash flash-error">([^<]*)<', html)


def _submit_unchanged(client, session, page_url: str, action: str, row) -> bool:
    page = client.get(page_url)
    assert page.status_code == 200, f"{page_url}: {page.status_code}"
    html = page.get_data(as_text=True)
    chosen = [form for form in _forms_with_action(html, action)]
    assert chosen, f"{page_url} shows no form posting to {action}"
    before = _stored(row)
    response = client.post(action, data=_submission(chosen[0]))
    if response.status_code == 422 and not isinstance(row, type):
        refused = _error_fields(response.get_data(as_text=True))
        if refused and all(not before.get(name) for name in refused):
            return False  # nothing stored there yet: a required field may refuse it
    assert response.status_code in (302, 303), (
        f"{page_url}: saving the form unchanged answered {response.status_code}: "
        f"{_errors(response.get_data(as_text=True))}")
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash-error" not in follow, f"{page_url}: {_errors(follow)}"
    after = _stored(row)
    changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    assert not changed, f"{page_url}: saving the form unchanged changed {changed}"
    return True


def _forms_with_action(html: str, action: str):
    """Forms whose action is `action` ('' or missing: the page's own URL)."""
    from html.parser import HTMLParser

    actions: list[str | None] = []

    class Actions(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "form":
                actions.append(dict(attrs).get("action"))

    Actions().feed(html)
    for form, form_action in zip(forms(html), actions, strict=False):
        if (form_action or "") in (action, "") or form_action == action.split("?")[0]:
            if form_action or action:
                yield form


@pytest.fixture
def undecided(db_session, demo):
    """Every demo dispensation is decided (and so closed to edits): request one more."""
    from app.governance import dispensations

    return dispensations.request_dispensation(
        db_session, demo["coordinator"], dispensations.DispensationDetails(
            requirement="iso27001-2022:A.8.7", reason="Legacy scanner on the test network.",
            compensating_measures="Isolated VLAN.", title="Legacy scanner",
            addressed_to="Chair of the security committee",
            desired_until=date.today() + timedelta(days=90)), today=date.today())


@pytest.fixture
def objection(db_session, demo):
    """The demo has no objection to a sub-processor change: record one to edit."""
    from app.vendors import notices
    from app.vendors.checks import VendorContext
    from app.vendors.models import ChangeNotice

    notice = db_session.scalars(select(ChangeNotice)).first()
    return notices.record_objection(
        db_session, demo["coordinator"], notice, notices.ObjectionDetails(
            controller="Region Nord", received_on=notice.notified_on + timedelta(days=3),
            reason="Data must stay in the EU."), VendorContext(today=date.today()))


def _check_edit_page(client, session, app, endpoint) -> int:
    table, argument, _role = EDIT_PAGES[endpoint]
    rows = _rows(session, table) if argument else [_models()[table]]
    assert rows, f"the demo data has no {table} to edit"
    tried = 0
    for row in rows:
        with app.test_request_context():
            url = url_for(endpoint, **({argument: row.id} if argument else {}))
        if client.get(url).status_code != 200:
            continue  # e.g. a closed record that no longer takes edits
        tried += _submit_unchanged(client, session, url, url, row)
        if argument is None:
            break
    assert tried, f"no {table} could be opened in {endpoint}"
    return tried


def _check_inline_form(client, session, app, endpoint) -> int:
    table, page_of, _role = INLINE_FORMS[endpoint]
    rows = _rows(session, table)
    assert rows, f"the demo data has no {table} to edit"
    for row in rows:
        with app.test_request_context():
            page = page_of(row)
            arguments = {"key": row.key} if table == "control" else {
                "incident_id": row.incident_id, "action_id": row.id}
            action = url_for(endpoint, **arguments)
        _submit_unchanged(client, session, page, action, row)
    return len(rows)


def test_every_edit_form_opens_with_the_stored_values(client, db_session, demo, sign_in,
                                                       objection, undecided, app):
    """One pass over the demo data (seeding it takes a while): every failure is reported."""
    failures, checked = [], {}
    for endpoint in (*sorted(EDIT_PAGES), *sorted(INLINE_FORMS)):
        inline = endpoint in INLINE_FORMS
        role = (INLINE_FORMS if inline else EDIT_PAGES)[endpoint][2]
        sign_in(demo[role])
        try:
            checked[endpoint] = (_check_inline_form if inline else _check_edit_page)(
                client, db_session, app, endpoint)
        except AssertionError as error:
            failures.append(f"{endpoint}: {error}")
    assert not failures, "\n".join(failures)
    assert all(checked.values()), checked


def test_every_edit_form_is_checked(app):
    """A new edit page joins the lists above, or this fails."""
    edit_pages = {rule.endpoint for rule in app.url_map.iter_rules()
                  if {"GET", "POST"} <= rule.methods and (
                      "/edit" in rule.rule or rule.endpoint.split(".")[1].startswith("edit_"))}
    assert edit_pages <= set(EDIT_PAGES), edit_pages - set(EDIT_PAGES)


def test_soa_edit_form_checks_the_stored_decision(client, db_session, demo, sign_in):
    from app.catalogue.models import SoAEntry

    sign_in(demo["coordinator"])
    undecided = db_session.scalars(select(SoAEntry)).first()
    undecided.applicable, undecided.status = None, None
    db_session.flush()
    for applicable, shown in ((True, "yes"), (False, "no"), (None, "")):
        entry = db_session.scalars(select(SoAEntry).where(
            SoAEntry.applicable.is_(applicable))).first()
        form = forms(client.get(f"/soa/{entry.id}").get_data(as_text=True))[-1]
        assert form["applicable"].selected == [shown]
        assert shown_value(form["status"]) == (entry.status or "")
        reviewed = entry.last_reviewed_on
        assert shown_value(form["last_reviewed_on"]) == (reviewed.isoformat() if reviewed else "")
