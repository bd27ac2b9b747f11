"""Fuzz every operation of /api/v1/openapi.json in-process and hold each answer to the document.

Schemathesis reads the document the app serves, so an operation declared with `spec.operation`
is fuzzed here the moment it exists, without an edit to this file. The database holds the demo
organisation (every domain's SETUP_STEPS and DEMO_STEPS), and path parameters are steered to
real rows: a parameter `<table>_id` draws from that table's ids, any other from a unique text
column of the same name (`key` from control.key). An administrator's token calls everything.

It fails on any 5xx, on a status code or content type the document does not declare, on a
response that breaks its schema, on schema-invalid input that is accepted and on a 405 without
`Allow`. It runs schemathesis's example, boundary ("coverage") and generated ("fuzzing")
phases, positive and negative; the generated cases are a fixed budget (GENERATED_CASES) shared by
the operations, so it stays near a minute on the 2-core machine as operations are added.
"""

from __future__ import annotations

import traceback
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

# Generated cases per run, shared by the operations (at least MIN_EXAMPLES each per mode) so the
# run stays near a minute as registers add operations; examples and boundaries come on top.
GENERATED_CASES = 600
MIN_EXAMPLES = 8
UPLOAD = b"user,group\nanna,FINANCE\n"


def _real_values(session) -> dict[str, list]:
    """Values that address real rows, by path parameter name."""
    values: dict[str, list] = {}
    for table in db.metadata.sorted_tables:
        if "id" in table.c:
            ids = session.scalars(sa.select(table.c.id).order_by(table.c.id).limit(50))
            values.setdefault(f"{table.name}_id", []).extend(ids)
        for column in table.c:
            if column.unique and column.name != "id" and isinstance(column.type, sa.String):
                rows = session.scalars(sa.select(column).order_by(column).limit(200))
                values.setdefault(column.name, []).extend(rows)
    return values


def _valid(value) -> bool:
    """Whether a generated path value is schema-valid (only those may become real rows)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 1 <= value <= MAX_ID
    return isinstance(value, str) and value != "" and "/" not in value


@pytest.fixture
def api_headers(db_session):
    """An administrator's bearer token: the role that may call every operation."""
    admin = make_user(db_session, role="admin")
    _row, token = accounts.create_token(db_session, SYSTEM, admin, "fuzz")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def buffered_calls():
    """Have the WSGI client read and close every response, as a real server does.

    Schemathesis reads the body but does not close the response, which would leave a download's
    file handle open (a ResourceWarning, an error here). `before_call` hooks are global only, so
    this one is removed again afterwards.
    """

    def before_call(context, case, kwargs):
        kwargs["buffered"] = True

    schemathesis.hook(before_call)
    yield
    schemathesis.hooks.unregister(before_call)


@pytest.fixture
def api_schema(app, db_session, api_headers, buffered_calls):
    """The served document, configured for a bounded run over the demo organisation."""
    for step in setup_steps():
        step(db_session)
    seed_demo(db_session, TEST_PASSWORD)
    real = _real_values(db_session)

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=api_headers)
    operations = sum(len(item) for item in schema.raw_schema["paths"].values())
    per_operation = max(MIN_EXAMPLES, GENERATED_CASES // (2 * operations))
    schema.config.update(headers=api_headers, workers=1, continue_on_failure=True,
                         suppress_health_check=[HealthCheck.all])
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    max_examples=per_operation, deterministic=True)
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    # `ignored_auth` sends its probe with a transport argument the WSGI client does not take;
    # tests/test_routes_security.py proves every API route refuses a request without a token.
    schema.config.checks.update(included_check_names=["all"],
                                excluded_check_names=["ignored_auth"])
    # No schema can say "expected below tolerable" or "a control key that exists": a
    # schema-valid request may still be refused with a 422 naming the member at fault.
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
        # An upload that must succeed: a real file for two real controls.
        if (context.operation.method.upper(), context.operation.path) == ("POST", "/evidence"):
            examples.append(context.operation.Case(
                media_type="multipart/form-data",
                body={"file": UPLOAD, "metadata": {
                    "title": "Fuzzed upload", "controls": real["key"][:2],
                    "period_start": "2026-03-02", "tags": ["fuzz"]}}))

    return schema


def _run(schema) -> tuple[list[str], Counter]:
    """Every failure as one readable line, and the count of (operation, status) answered."""
    problems, statuses = [], Counter()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases = event.recorder.cases
            for interaction in event.recorder.interactions.values():
                if interaction.response is not None:
                    statuses[(event.label, interaction.response.status_code)] += 1
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        problems.append(f"{event.label}: {check.name}: {failure.title}: "
                                        f"{failure.message}\n  "
                                        f"{cases[case_id].value.as_curl_command()[:2000]}")
        elif isinstance(event, events.NonFatalError | events.FatalError):
            problems.append(f"{getattr(event, 'label', '')}: {event.info.title}: "
                            f"{event.info.message}\n"
                            + "".join(traceback.format_exception(event.value))[-3000:])
    return sorted(set(problems)), statuses


def test_every_operation_answers_as_documented(app, api_schema):
    documented = {f"{method.upper()} {path}"
                  for path, item in api_schema.raw_schema["paths"].items() for method in item}
    problems, statuses = _run(api_schema)
    assert problems == [], "\n\n".join(problems)
    assert {label for label, _status in statuses} == documented
    assert statuses[("POST /evidence", 201)] >= 1, "no upload succeeded"
    for label in documented:  # every operation was also called with valid input
        assert any(status < 300 for (called, status) in statuses if called == label), label
