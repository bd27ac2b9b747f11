"""Every audit action says what happened: upload, draw, result, expand, reopen, comment."""

from __future__ import annotations

import io

from app.audits import service
from tests.audits.conftest import find_test
from tests.factories import TEST_PASSWORD


def _flash(client, response) -> str:
    assert response.status_code in (302, 303), response.status_code
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="flash flash-success"' in page, page[:300]
    return page.split('class="flash flash-success">')[1].split("<")[0]


def test_each_step_of_a_test_is_confirmed(client, db_session, engagement, people):
    client.post("/login", data={"email": people["auditor"].email, "password": TEST_PASSWORD})
    test = find_test(engagement, "isae3000-gdpr:C.5")
    body = "employee;last_day\n" + "".join(f"E{i};2025-01-15\n" for i in range(30))
    said = _flash(client, client.post(f"/audits/tests/{test.id}/population", data={
        "file": (io.BytesIO(body.encode()), "leavers.csv")}, content_type="multipart/form-data"))
    assert said == "Population uploaded."
    population = test.populations[-1]
    said = _flash(client, client.post(f"/audits/tests/{test.id}/sample", data={
        "population_id": population.id, "size": 5}))
    assert said == "Sample drawn: 5 items."
    sample = test.samples[-1]
    item = sample.items[0]
    said = _flash(client, client.post(f"/audits/items/{item.id}", data={
        f"i{item.id}-result": "no_deviation", f"i{item.id}-version": item.version}))
    assert said == f"Item {item.population_index + 1} saved: No deviation."
    said = _flash(client, client.post(f"/audits/samples/{sample.id}/expand", data={"extra": 1}))
    assert said == "Sample expanded to 6 items."
    said = _flash(client, client.post(f"/audits/tests/{test.id}/comments",
                                      data={"body": "Checked the HR export."}))
    assert said == "Comment added."
    said = _flash(client, client.post(f"/audits/{engagement.id}/comments",
                                      data={"body": "Fieldwork starts Monday."}))
    assert said == "Comment added."


def test_reopening_a_test_is_confirmed(client, db_session, engagement, people):
    test = find_test(engagement, "isae3000-gdpr:C.5")
    test.conclusion, test.concluded_at = "no_deviations", test.created_at
    db_session.commit()
    client.post("/login", data={"email": people["auditor"].email, "password": TEST_PASSWORD})
    said = _flash(client, client.post(f"/audits/tests/{test.id}/reopen",
                                      data={"version": test.version, "reason": "Recount."}))
    assert said == "The test is reopened."
    assert service.get_test(db_session, people["auditor"], test.id).conclusion == "open"
