"""Control list and control pages, their query counts, and the catalogue API."""

from __future__ import annotations

from sqlalchemy import select

from app.auth import service as accounts
from app.catalogue.models import Control
from app.catalogue.service import assign_owner
from tests.factories import SYSTEM, make_user


def test_control_list_filters_and_pages(client, login_as, loaded_catalogue):
    login_as("viewer")
    page = client.get("/controls/?catalogue=isae3000-gdpr&group=B").get_data(as_text=True)
    assert "15 controls" in page and "B.15" in page and "A.1<" not in page
    page = client.get("/controls/?q=logging").get_data(as_text=True)
    assert "A.8.15" in page and "B.9" in page
    first = client.get("/controls/").get_data(as_text=True)
    assert "Page 1 of" in first and 'rel="next"' in first


def test_control_list_query_count_does_not_grow(client, login_as, db_session, loaded_catalogue,
                                                count_queries):
    login_as("viewer")
    owner = make_user(db_session, role="control_owner")
    with count_queries() as few:
        client.get("/controls/?catalogue=isae3000-gdpr&group=D")  # 3 controls
    for control in db_session.scalars(select(Control)):
        assign_owner(db_session, SYSTEM, control, owner.id, control.version)
    with count_queries() as many:
        client.get("/controls/")  # 50 controls, all with owners and SoA entries
    assert len(many) == len(few)


def test_control_page_shows_text_soa_and_mappings(client, login_as, loaded_catalogue):
    login_as("viewer")
    page = client.get("/controls/iso27001-2022:A.8.15").get_data(as_text=True)
    assert "Logging" in page and "Statement of Applicability" in page
    assert "isae3000-gdpr:B.9" in page  # mapped from the ISAE side
    assert client.get("/controls/iso27001-2022:A.99").status_code == 404


def test_control_page_in_danish(client, login_as, loaded_catalogue):
    login_as("viewer")
    client.post("/language", data={"language": "da"})
    page = client.get("/controls/isae3000-gdpr:B.9").get_data(as_text=True)
    assert "Logning af privilegerede aktiviteter" in page


def _token(db_session):
    user = make_user(db_session, role="viewer")
    return {"Authorization": "Bearer " + accounts.create_token(db_session, SYSTEM, user, "t")[1]}


def test_api_catalogues_and_controls(client, db_session, loaded_catalogue):
    headers = _token(db_session)
    catalogues = client.get("/api/v1/catalogues", headers=headers).json
    assert {c["id"]: c["controls"] for c in catalogues}["iso27001-2022"] == 93
    controls = client.get("/api/v1/controls?catalogue=isae3000-gdpr", headers=headers).json
    assert len(controls) == 45
    assert controls[0] == {"key": "isae3000-gdpr:A.1", "id": "A.1", "catalogue": "isae3000-gdpr",
                           "group": "A", "title": controls[0]["title"],
                           "title_da": controls[0]["title_da"], "frequency": "annual",
                           "retired": False}
    detail = client.get("/api/v1/controls/iso27001-2022:A.5.1", headers=headers).json
    assert detail["soa"]["applicable"] is None
    assert "isae3000-gdpr:A.1" in detail["mappings"] or detail["mappings"]
    missing = client.get("/api/v1/controls/nope:X", headers=headers)
    assert missing.status_code == 404 and missing.json["detail"]
