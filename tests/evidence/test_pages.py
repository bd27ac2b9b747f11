"""Evidence pages: adding through the forms, downloads, integrity errors, the control page
section, the dashboard, coverage, permissions per role and query counts."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.evidence import evidence_requests, service
from app.evidence.models import Evidence
from app.ledger.models import LedgerEntry
from tests.evidence.support import (
    details,
    post_multipart,
    sign_in,
    stored_files,
    temp_files,
    upload,
)
from tests.factories import make_user


def form(**fields) -> dict:
    values = {"title": "Access review Q1", "controls": ["testcat:C.1"],
              "period_start": "2026-01-01", "period_end": "2026-03-31", "valid_until": "",
              "tags": "access review", "owner_id": "", "description": ""}
    values.update(fields)
    return values


def post_file(client, data: bytes, name: str = "review.csv", content_type: str = "text/csv",
              **fields):
    return post_multipart(client, "/evidence/new/file", form(**fields),
                          {"file": (data, name, content_type)})


def count(session) -> int:
    return session.scalar(select(func.count(Evidence.id)))


def test_upload_through_the_form(client, db_session, coordinator, controls, evidence_dir):
    sign_in(client, coordinator)
    page = client.get("/evidence/new/file?control=testcat:C.2").get_data(as_text=True)
    assert 'selected value="testcat:C.2"' in page and 'enctype="multipart/form-data"' in page
    response = post_file(client, b"user,decision\nanna,keep\n")
    assert response.status_code == 302
    evidence = db_session.scalar(select(Evidence))
    assert response.headers["Location"].endswith(f"/evidence/{evidence.id}")
    assert evidence.current_version.sha256 == hashlib.sha256(b"user,decision\nanna,keep\n"
                                                             ).hexdigest()
    page = client.get(f"/evidence/{evidence.id}").get_data(as_text=True)
    assert "Access review Q1" in page and "review.csv" in page and "access review" in page
    assert evidence.current_version.sha256[:16] in page
    assert "Access review Q1" in client.get("/evidence/").get_data(as_text=True)


def test_link_and_note_through_the_forms(client, db_session, coordinator, controls):
    sign_in(client, coordinator)
    response = client.post("/evidence/new/link", data=form(
        title="SEC-12", url="https://jira.example.org/browse/SEC-12"))
    assert response.status_code == 302
    response = client.post("/evidence/new/note", data=form(
        title="Walkthrough", description="Observed the review meeting."))
    assert response.status_code == 302
    kinds = dict(db_session.execute(select(Evidence.title, Evidence.kind)).all())
    assert kinds == {"SEC-12": "link", "Walkthrough": "note"}
    link = db_session.scalar(select(Evidence).where(Evidence.kind == "link"))
    page = client.get(f"/evidence/{link.id}").get_data(as_text=True)
    assert 'rel="noopener noreferrer nofollow"' in page


def test_unknown_kind_is_404(client, coordinator, controls):
    sign_in(client, coordinator)
    assert client.get("/evidence/new/script").status_code == 404


@pytest.mark.parametrize(("fields", "message"), [
    ({"controls": ["testcat:NOPE"]}, "No control with key testcat:NOPE."),
    ({"controls": []}, "Choose at least one control."),
    ({"period_start": "2026-03-01", "period_end": "2026-02-01"},
     "The period ends before it starts."),
    ({"period_start": ""}, "Give the date the evidence speaks for"),
    ({"period_start": "1989-12-31"}, "Use a date between 1990-01-01 and 2100-12-31."),
    ({"period_end": "2101-01-01"}, "Use a date between 1990-01-01 and 2100-12-31."),
    ({"valid_until": "9999-12-31"}, "Use a date between 1990-01-01 and 2100-12-31."),
])
def test_bad_form_input_is_shown_and_nothing_is_stored(client, db_session, coordinator,
                                                       controls, evidence_dir, fields, message):
    sign_in(client, coordinator)
    response = post_file(client, b"some bytes", **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(db_session) == 0
    assert stored_files(evidence_dir) == [] and temp_files(evidence_dir) == []


def test_empty_and_missing_files_are_refused(client, db_session, coordinator, controls,
                                             evidence_dir):
    sign_in(client, coordinator)
    response = post_file(client, b"", name="empty.csv")
    assert response.status_code == 422
    assert "The file is empty." in response.get_data(as_text=True)
    response = post_multipart(client, "/evidence/new/file", form())
    assert response.status_code == 422
    assert "Choose a file to upload." in response.get_data(as_text=True)
    assert count(db_session) == 0
    assert stored_files(evidence_dir) == [] and temp_files(evidence_dir) == []


def test_oversize_upload_gets_a_clear_message(app, client, db_session, coordinator, controls,
                                              evidence_dir):
    sign_in(client, coordinator)
    previous = app.config["KONTROL_MAX_UPLOAD_MB"]
    app.config["KONTROL_MAX_UPLOAD_MB"] = 1
    try:
        response = post_file(client, b"x" * (1536 * 1024))
    finally:
        app.config["KONTROL_MAX_UPLOAD_MB"] = previous
    assert response.status_code == 422
    assert "The file is larger than the limit of 1 MB." in response.get_data(as_text=True)
    assert count(db_session) == 0
    assert stored_files(evidence_dir) == [] and temp_files(evidence_dir) == []


def test_request_over_the_body_limit_gets_the_form_back(app, client, db_session, coordinator,
                                                        controls, evidence_dir):
    sign_in(client, coordinator)
    previous = app.config["KONTROL_MAX_UPLOAD_MB"], app.config["MAX_CONTENT_LENGTH"]
    app.config["KONTROL_MAX_UPLOAD_MB"], app.config["MAX_CONTENT_LENGTH"] = 1, 2 << 20
    try:
        response = post_file(client, b"x" * (3 << 20))
    finally:
        app.config["KONTROL_MAX_UPLOAD_MB"], app.config["MAX_CONTENT_LENGTH"] = previous
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is larger than the limit of 1 MB." in page and "<form" in page
    assert count(db_session) == 0 and stored_files(evidence_dir) == []


def test_download_is_an_attachment_that_is_never_sniffed(client, db_session, settings,
                                                         coordinator, controls):
    data = b"user,decision\nanna,keep\n"
    evidence = service.add_file_evidence(db_session, coordinator, settings, details(),
                                         upload(data, name="../../Adgang æøå.csv"))
    sign_in(client, make_user(db_session, role="viewer"))
    response = client.get(f"/evidence/{evidence.id}/versions/1/download", buffered=True)
    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Adgang%20%C3%A6%C3%B8%C3%A5.csv" in disposition
    assert ".." not in disposition and "/" not in disposition.split("filename")[1]
    assert response.headers["X-Evidence-SHA256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("name", "content_type"), [
    ("page.html", "text/html"), ("image.svg", "image/svg+xml"),
    ("app.js", "application/javascript"), ("page.xhtml", "application/xhtml+xml")])
def test_active_content_is_served_as_bytes(client, db_session, settings, coordinator, controls,
                                           name, content_type):
    evidence = service.add_file_evidence(
        db_session, coordinator, settings, details(),
        upload(b"<script>alert(1)</script>", name=name, content_type=content_type))
    assert evidence.current_version.content_type == content_type  # stored as given
    sign_in(client, coordinator)
    response = client.get(f"/evidence/{evidence.id}/versions/1/download", buffered=True)
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_tampered_file_shows_an_integrity_error_and_is_never_served(client, db_session,
                                                                    settings, coordinator,
                                                                    controls):
    evidence = service.add_file_evidence(db_session, coordinator, settings, details(),
                                         upload(b"original bytes"))
    path = settings.store.path_for(evidence.current_version.sha256)
    path.chmod(0o640)
    path.write_bytes(b"FORGED-BYTES!!")
    sign_in(client, coordinator)
    response = client.get(f"/evidence/{evidence.id}/versions/1/download", buffered=True)
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert 'data-testid="integrity-error"' in page and "FORGED" not in page
    assert "no longer matches the SHA-256" in page
    assert response.headers["Content-Type"].startswith("text/html")
    entry = db_session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq.desc())).first()
    assert (entry.action, entry.entity_id, entry.actor) == (
        "evidence.integrity_failed", str(evidence.id), coordinator.email)


def test_new_version_through_the_page(client, db_session, settings, coordinator, controls):
    evidence = service.add_file_evidence(db_session, coordinator, settings, details(),
                                         upload(b"first"))
    sign_in(client, coordinator)
    response = client.post(f"/evidence/{evidence.id}/versions", data={
        "file": (io.BytesIO(b"second"), "review-v2.csv", "text/csv"),
        "version": str(evidence.version)}, content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(f"/evidence/{evidence.id}").get_data(as_text=True)
    assert "Version 2 uploaded." in page and "review-v2.csv" in page and "review.csv" in page
    for number, data in ((1, b"first"), (2, b"second")):
        url = f"/evidence/{evidence.id}/versions/{number}/download"
        assert client.get(url, buffered=True).data == data
    response = client.post(f"/evidence/{evidence.id}/versions", data={"version": "1"},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "Choose a file to upload." in response.get_data(as_text=True)


def test_edit_through_the_page(client, db_session, coordinator, controls):
    evidence = service.add_note_evidence(db_session, coordinator, details(description="Seen."))
    sign_in(client, coordinator)
    page = client.get(f"/evidence/{evidence.id}/edit").get_data(as_text=True)
    assert "Seen." in page and 'selected value="testcat:C.1"' in page
    response = client.post(f"/evidence/{evidence.id}/edit", data=form(
        title="Walkthrough", description="Seen twice.", valid_until="2026-12-31",
        version=str(evidence.version)))
    assert response.status_code == 302
    assert (evidence.title, evidence.valid_until) == ("Walkthrough", date(2026, 12, 31))
    response = client.post(f"/evidence/{evidence.id}/edit", data=form(
        title="Stale", description="x", version="1"))
    assert response.status_code == 422 and "Someone else changed" in response.get_data(
        as_text=True)


def test_control_page_shows_evidence_newest_first(client, db_session, coordinator, owner,
                                                  controls):
    today = date.today()
    for title, start, valid in (("Older", today - timedelta(days=60), None),
                                ("Newer", today - timedelta(days=5), today + timedelta(days=5))):
        service.add_note_evidence(db_session, coordinator, details(
            title=title, period_start=start, period_end=start, valid_until=valid,
            description="x"))
    evidence_requests.create_request(db_session, coordinator, "testcat:C.1", assignee_id=None,
                           due_on=today + timedelta(days=3), description="Need Q3",
                           today=today)
    sign_in(client, owner)
    page = client.get("/controls/testcat:C.1").get_data(as_text=True)
    section = page.split('data-testid="evidence-section"')[1]
    assert section.index("Newer") < section.index("Older")
    assert "Expiring soon" in section and "Need Q3" in section
    assert "/evidence/new/file?control=testcat:C.1" in section
    other = client.get("/controls/testcat:C.3").get_data(as_text=True)
    assert "Missing for this year" in other and "/evidence/new/file" not in other.split(
        'data-testid="evidence-section"')[1]


def test_dashboard_counts_expiring_and_expired(client, db_session, coordinator, controls):
    today = date.today()
    service.add_note_evidence(db_session, coordinator, details(
        period_start=today, period_end=today, valid_until=today + timedelta(days=10),
        description="x"))
    sign_in(client, make_user(db_session, role="viewer"))
    page = client.get("/").get_data(as_text=True)
    card = page.split('data-testid="evidence-dashboard"')[1].split("</section>")[0]
    assert "expiring within 30 days" in card
    assert '<strong class="figure-sm">1</strong>' in card


def test_coverage_page_draws_a_heat_map(client, db_session, coordinator, controls):
    year = date.today().year
    service.add_note_evidence(db_session, coordinator, details(
        period_start=date(year, 2, 1), period_end=date(year, 3, 31), description="x"))
    sign_in(client, coordinator)
    page = client.get("/evidence/coverage?catalogue=testcat").get_data(as_text=True)
    assert "<svg" in page and 'data-testid="heatmap"' in page
    assert "1 of 4 controls have evidence in the period." in page
    assert page.count('class="hm-cell hm-1"') == 2 + 1  # two months plus the legend
    assert "style=" not in page.split("<svg")[1]
    page = client.get(f"/evidence/coverage?from={year}-06&to={year}-01").get_data(as_text=True)
    assert "The period ends before it starts." in page


def test_list_filters(client, db_session, coordinator, controls):
    service.add_link_evidence(db_session, coordinator, details(title="Scanner"),
                              "https://scan.example.org")
    service.add_note_evidence(db_session, coordinator, details(
        title="Board minutes", controls=["othercat:O.1"], description="Approved.",
        tags=["policy"]))
    sign_in(client, coordinator)
    assert "1 item" in client.get("/evidence/?kind=link").get_data(as_text=True)
    page = client.get("/evidence/?control=othercat:O.1").get_data(as_text=True)
    assert "Board minutes" in page and "Scanner" not in page
    page = client.get("/evidence/?q=policy").get_data(as_text=True)
    assert "Board minutes" in page and "Scanner" not in page
    page = client.get("/evidence/?catalogue=testcat").get_data(as_text=True)
    assert "Scanner" in page and "Board minutes" not in page


def test_navigation_lists_evidence_after_the_catalogue(client, login_as):
    login_as("coordinator")
    page = client.get("/").get_data(as_text=True)
    nav = page.split('class="mainnav"')[1].split("</nav>")[0]
    assert nav.index(">SoA<") < nav.index(">Evidence<") < nav.index(">Ledger<")


@pytest.mark.parametrize(("role", "may_add", "may_request"), [
    ("admin", True, True), ("coordinator", True, True), ("control_owner", True, False),
    ("internal_auditor", False, True), ("external_auditor", False, False),
    ("viewer", False, False)])
def test_pages_per_role(client, db_session, login_as, settings, coordinator, controls, role,
                        may_add, may_request):
    evidence = service.add_file_evidence(db_session, coordinator, settings, details(), upload())
    login_as(role)
    for url in ("/evidence/", "/evidence/coverage", "/evidence/requests"):
        assert client.get(url, buffered=True).status_code == 200, url
    # External auditors read only their engagement's scope (none here).
    readable = 404 if role == "external_auditor" else 200
    for url in (f"/evidence/{evidence.id}", f"/evidence/{evidence.id}/versions/1/download"):
        assert client.get(url, buffered=True).status_code == readable, url
    assert client.get("/evidence/new/file").status_code == (200 if may_add else 403)
    assert client.get("/evidence/requests/new").status_code == (200 if may_request else 403)
    response = post_file(client, b"by " + role.encode())
    assert response.status_code == (302 if role in ("admin", "coordinator") else
                                    422 if role == "control_owner" else 403)


def test_owner_adds_to_own_control_not_to_others(client, db_session, owner, controls):
    sign_in(client, owner)
    page = client.get("/evidence/new/file").get_data(as_text=True)
    assert 'value="testcat:C.1"' in page and 'value="testcat:C.3"' not in page
    assert post_file(client, b"mine").status_code == 302
    response = post_file(client, b"not mine", controls=["testcat:C.3"])
    assert response.status_code == 422
    assert "You may add evidence only to controls you own" in response.get_data(as_text=True)


def _make_items(session, actor, settings, n):
    for i in range(n):
        key = ("testcat:C.1", "testcat:C.2", "othercat:O.1")[i % 3]
        service.add_file_evidence(session, actor, settings, details(
            title=f"Item {i}", controls=[key, "testcat:C.4"], tags=["t"]),
            upload(f"bytes {i}".encode(), name=f"file-{i}.txt"))


@pytest.mark.parametrize("url", ["/evidence/", "/evidence/coverage", "/controls/testcat:C.4",
                                 "/"])
def test_page_queries_do_not_grow_with_evidence(client, db_session, settings, coordinator,
                                                controls, count_queries, url):
    sign_in(client, coordinator)
    _make_items(db_session, coordinator, settings, 3)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _make_items(db_session, coordinator, settings, 27)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), (len(few), len(many))


def test_pages_and_service_messages_speak_danish(client, db_session, coordinator, controls):
    sign_in(client, coordinator)
    client.post("/language", data={"language": "da", "next": "/"})
    page = client.get("/evidence/").get_data(as_text=True)
    assert "Dokumentation" in page and "Tilføj dokumentation" in page
    response = post_file(client, b"x", period_start="2026-03-01", period_end="2026-02-01")
    assert "Perioden slutter, før den begynder." in response.get_data(as_text=True)
    response = post_file(client, b"x", controls=["testcat:NOPE"])
    assert "Ingen kontrol med nøglen testcat:NOPE." in response.get_data(as_text=True)


def test_control_filter_takes_the_code_people_see(client, db_session, coordinator, controls):
    from app.catalogue.models import Control

    service.add_note_evidence(db_session, coordinator, details(
        title="Board minutes", controls=["othercat:O.1"], description="Approved."))
    service.add_note_evidence(db_session, coordinator, details(title="Scanner report",
                                                               description="Clean."))
    sign_in(client, coordinator)
    page = client.get("/evidence/?control=o.1").get_data(as_text=True)
    assert "Board minutes" in page and "Scanner report" not in page
    assert 'value="o.1"' in page  # what the user typed stays in the box
    # A code two catalogues share: the list asks which one, with a link to each.
    other = controls["O.1"].catalogue
    db_session.add(Control(key="othercat:C.1", catalogue=other, group=controls["O.1"].group,
                           code="C.1", title_en="Other C.1", position=9))
    db_session.commit()
    page = client.get("/evidence/?control=C.1").get_data(as_text=True)
    assert 'data-testid="control-ambiguous"' in page
    assert "control=testcat:C.1" in page and "control=othercat:C.1" in page
    assert "Scanner report" not in page
    page = client.get("/evidence/?control=C.1&catalogue=testcat").get_data(as_text=True)
    assert "Scanner report" in page and 'data-testid="control-ambiguous"' not in page
    page = client.get("/evidence/?control=Z.9").get_data(as_text=True)
    assert "No control has the code or key Z.9." in page
