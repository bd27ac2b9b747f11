"""Fuzz every operation of /api/v1/openapi.json in-process and hold each answer to the document.

Schemathesis reads the document the app serves, so an operation declared with `spec.operation`
is fuzzed here the moment it exists, without an edit to this file. The database holds the demo
organisation (every domain's DEMO_STEPS), and path parameters are steered to real rows: a
parameter `<table>_id` draws from that table's ids, another parameter from a unique column of the
same name (e.g. `key` from control.key). An admin's token calls everything.

Fails on any 5xx, on a status code or content type the document does not declare, on a response
that breaks its schema, and on schema-invalid input that is accepted. Bounded in time: a few
dozen generated cases per operation plus schemathesis's boundary ("coverage") cases.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import HealthCheck
from schemathesis.engine import Status, events

from app.auth import service as accounts
from app.demo import seed_demo, setup_steps
from app.extensions import db
from app.routing import MAX_ID
from tests.factories import SYSTEM, TEST_PASSWORD, make_user

MAX_EXAMPLES = 25  # generated cases per operation and mode, besides examples and boundaries


def _real_values(session, metadata) -> dict[str, list]:
    """Values that address real rows, by path parameter name."""
    values: dict[str, list] = {}
    for table in metadata.sorted_tables:
        if "id" in table.c:
            ids = list(session.scalars(sa.select(table.c.id).order_by(table.c.id).limit(50)))
            values.setdefault(f"{table.name}_id", ids)
        for column in table.c:
            if column.unique and column.name != "id" and isinstance(column.type, sa.String):
                rows = session.scalars(sa.select(column).order_by(column).limit(200))
                values.setdefault(column.name, []).extend(rows)
    return values


def _valid(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 1 <= value <= MAX_ID
    return isinstance(value, str) and value != "" and "/" not in value


@pytest.fixture
def api_headers(db_session):
    """An administrator's bearer token."""
    admin = make_user(db_session, role="admin")
    _row, token = accounts.create_token(db_session, SYSTEM, admin, "fuzz")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api_schema(app, db_session, api_headers):
    """The served document, with path parameters steered to the demo organisation's rows."""
    for step in setup_steps():
        step(db_session)
    seed_demo(db_session, TEST_PASSWORD)
    real = _real_values(db_session, db.metadata)
    control_keys = real["key"][:2]

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=api_headers)
    schema.config.update(headers=api_headers, workers=1, continue_on_failure=True,
                         suppress_health_check=[HealthCheck.all])
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    max_examples=MAX_EXAMPLES, deterministic=True)
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    # `ignored_auth` probes through a transport argument the WSGI client does not take;
    # test_routes_security already proves every API route refuses a request without a token.
    schema.config.checks.update(included_check_names=["all"],
                                excluded_check_names=["ignored_auth"])
    # A schema cannot say "expected below tolerable" or "a control key that exists": a
    # schema-valid request may still be refused with 422 naming the member at fault.
    acceptance = schema.config.checks.positive_data_acceptance
    acceptance.expected_statuses = [*acceptance.expected_statuses, "422"]

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        # A valid value may become a real row's; an invalid one (a negative case) stays.
        if not path_parameters:
            return st.just(path_parameters)
        return st.fixed_dictionaries({
            name: st.sampled_from(real[name]) | st.just(value)
            if real.get(name) and _valid(value) else st.just(value)
            for name, value in path_parameters.items()})

    @schema.hook
    def before_add_examples(context, examples):
        if (context.operation.method.upper(), context.operation.path) == ("POST", "/evidence"):
            examples.append(context.operation.Case(
                media_type="multipart/form-data",
                body={"file": io.BytesIO(b"user,group\nanna,FINANCE\n").read(),
                      "metadata": {"title": "Fuzz upload", "controls": control_keys,
                                   "period_start": "2026-03-02", "tags": ["fuzz"]}}))

    return schema


def _run(schema) -> tuple[list[str], Counter]:
    """Every failure as one readable line, and (operation, status) of every response."""
    problems, statuses = [], Counter()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases = event.recorder.cases
            for case_id, interaction in event.recorder.interactions.items():
                if interaction.response is not None:
                    statuses[(event.label, interaction.response.status_code)] += 1
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        case = cases[case_id].value
                        failure = check.failure_info.failure
                        problems.append(f"{event.label}: {check.name}: {failure.title} "
                                        f"{failure.message!r} <- {case.as_curl_command()}")
        elif isinstance(event, events.NonFatalError | events.FatalError):
            import traceback
            problems.append(f"{getattr(event, 'label', '')}: error {event.info.title} "
                            f"{event.info.message} {getattr(event, 'phase', '')}" + "".join(traceback.format_exception(event.value)))
    return sorted(set(problems)), statuses


def test_every_operation_answers_as_documented(api_schema):
    problems, statuses = _run(api_schema)
    print("\n".join(f"{label} -> {status}: {count}"
                    for (label, status), count in sorted(statuses.items())))
    assert problems == [], "\n".join(problems)
    operations = {label for label, _status in statuses}
    assert len(operations) >= 9
    assert statuses[("POST /evidence", 201)] >= 1, "no upload succeeded"
