"""OSCAL exports of the demo validate with compliance-trestle and say what the pages say."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.audits.models import Deviation, Engagement
from app.catalogue.models import Catalogue
from app.evidence.models import EvidenceVersion
from app.reports.oscal import service
from app.reports.oscal.ids import OSCAL_VERSION
from tests import factories

trestle = pytest.importorskip("trestle.oscal.catalog")  # the dev extra; CI installs it

from trestle.oscal.assessment_plan import AssessmentPlan  # noqa: E402
from trestle.oscal.assessment_results import AssessmentResults  # noqa: E402
from trestle.oscal.catalog import Catalog  # noqa: E402
from trestle.oscal.ssp import SystemSecurityPlan  # noqa: E402

MODELS = {"catalog": Catalog, "system-security-plan": SystemSecurityPlan,
          "assessment-plan": AssessmentPlan, "assessment-results": AssessmentResults}


@pytest.fixture
def demo(db_session):
    """The demo organisation, seeded in the test's transaction."""
    from app.demo import seed_demo, setup_steps

    for step in setup_steps():
        step(db_session)
    seed_demo(db_session, factories.TEST_PASSWORD)
    return db_session


def _validate(document: dict) -> None:
    (model, body), = document.items()
    MODELS[model].model_validate(json.loads(service.dumps(document))[model])
    assert body["metadata"]["oscal-version"] == OSCAL_VERSION


def _all_documents(session) -> list[dict]:
    documents = [service.export_catalog(session, factories.SYSTEM, slug)
                 for slug in session.scalars(select(Catalogue.slug))]
    documents.append(service.export_ssp(session, factories.SYSTEM, "Nordlys"))
    for engagement_id in session.scalars(select(Engagement.id)):
        documents.append(service.export_assessment_plan(session, factories.SYSTEM,
                                                        engagement_id))
        documents.append(service.export_assessment_results(session, factories.SYSTEM,
                                                           engagement_id))
    return documents


def test_every_document_from_the_demo_validates_and_says_what_the_pages_say(demo):
    documents = _all_documents(demo)
    assert {model for document in documents for model in document} == set(MODELS)
    for document in documents:
        _validate(document)
    again = _all_documents(demo)
    assert [service.dumps(d) for d in again] == [service.dumps(d) for d in documents]
    _catalog_carries_ids_titles_groups_and_only_our_own_texts(demo)
    _ssp_holds_every_soa_decision_and_the_evidence_hashes(demo)
    _assessment_results_have_observations_samples_findings_and_the_plan(demo)


def _catalog_carries_ids_titles_groups_and_only_our_own_texts(demo):
    catalog = service.export_catalog(demo, factories.SYSTEM, "iso27001-2022")["catalog"]
    themes = catalog["groups"]
    assert [g["props"][0]["value"] for g in themes] == ["5", "6", "7", "8"]
    control = themes[0]["controls"][0]
    assert (control["id"], control["title"]) == ("a.5.1", "Policies for information security")
    assert {"name": "label", "value": "A.5.1"} in control["props"]
    assert any(p["name"] == "title" and p.get("class") == "da" for p in control["props"])
    assert sum(len(g["controls"]) for g in themes) == 93

    from pathlib import Path

    from app.catalogue.libraries import import_libraries

    library = Path(__file__).parents[1] / "catalogue" / "ciso_libraries" / "secure-1.yaml"
    import_libraries(demo, factories.SYSTEM, [("secure-1.yaml", library.read_bytes())])
    imported = service.export_catalog(demo, factories.SYSTEM, "secure-basics-1.0")
    _validate(imported)
    text = json.dumps(imported)
    assert "approved by management" not in text  # the library's texts stay out
    assert "urn:kontrol-test:risk:library:secure-basics-1.0" in text
    govern = imported["catalog"]["groups"][0]
    assert govern["groups"][0]["controls"][0]["props"][0]["value"] == "GV.PO-01"


def _ssp_holds_every_soa_decision_and_the_evidence_hashes(demo):
    ssp = service.export_ssp(demo, factories.SYSTEM, "Nordlys")["system-security-plan"]
    requirements = ssp["control-implementation"]["implemented-requirements"]
    assert len(requirements) == 93 + len(demo.scalars(select(Catalogue).where(
        Catalogue.slug == "soa-extensions")).one().controls)
    by_key = {next(p["value"] for p in r["props"] if p["name"] == "control-key"): r
              for r in requirements}
    not_applicable = [r for r in requirements if r["by-components"][0].get(
        "implementation-status", {}).get("state") == "not-applicable"]
    assert not_applicable and all(r.get("remarks") for r in not_applicable)
    resources = {r["uuid"]: r for r in ssp["back-matter"]["resources"]}
    hashes = {h["value"] for r in resources.values() for link in r.get("rlinks", ())
              for h in link.get("hashes", ())}
    from app.catalogue.models import SoAEntry
    from app.evidence.models import evidence_control

    cited = set(demo.scalars(select(EvidenceVersion.sha256).join(
        evidence_control, evidence_control.c.evidence_id == EvidenceVersion.evidence_id).join(
        SoAEntry, SoAEntry.control_id == evidence_control.c.control_id)))
    assert cited and cited <= hashes
    linked = [r for r in by_key.values() if r.get("links")]
    assert linked and all(link["href"][1:] in resources for r in linked for link in r["links"])


def _assessment_results_have_observations_samples_findings_and_the_plan(demo):
    engagement = demo.scalars(select(Engagement)).first()
    results = service.export_assessment_results(demo, factories.SYSTEM, engagement.id)
    body = results["assessment-results"]
    (result,) = body["results"]
    observations = result["observations"]
    assert observations and any(
        any(p["name"] == "sample-seed" for e in o.get("relevant-evidence", ())
            for p in e.get("props", ())) for o in observations)
    deviations = demo.scalars(select(Deviation).where(
        Deviation.engagement_id == engagement.id)).all()
    titles = {f["title"] for f in result.get("findings", ())}
    assert {d.title for d in deviations} <= titles
    plan_resource = body["import-ap"]["href"][1:]
    (resource,) = [r for r in body["back-matter"]["resources"] if r["uuid"] == plan_resource]
    import base64

    plan = json.loads(base64.b64decode(resource["base64"]["value"]))
    assert plan == service.export_assessment_plan(demo, factories.SYSTEM, engagement.id)


def _cli_writes_each_document(runner, demo, tmp_path):
    engagement_id = demo.scalars(select(Engagement.id)).first()
    for args in (["catalog", "--catalogue", "isae3000-gdpr"], ["ssp"],
                 ["assessment-results", "--engagement", str(engagement_id)]):
        out = tmp_path / f"{args[0]}.json"
        result = runner.invoke(args=["oscal", "export", *args, "--out", str(out)])
        assert result.exit_code == 0, result.output
        _validate(json.loads(out.read_text()))
    result = runner.invoke(args=["oscal", "export", "catalog", "--catalogue", "nope",
                                 "--out", str(tmp_path / "x.json")])
    assert result.exit_code == 1 and "No catalogue 'nope'" in result.output


def test_pages_and_command_line_offer_the_documents_and_scope_holds(app, client, login_as,
                                                                    demo, tmp_path):
    _cli_writes_each_document(app.test_cli_runner(), demo, tmp_path)
    engagement = demo.scalars(select(Engagement)).first()
    login_as("coordinator")
    assert 'data-testid="soa-oscal"' in client.get("/soa/").get_data(as_text=True)
    page = client.get("/controls/?catalogue=iso27001-2022").get_data(as_text=True)
    assert "/oscal/catalogues/iso27001-2022.json" in page
    page = client.get(f"/audits/{engagement.id}").get_data(as_text=True)
    assert f"/oscal/engagements/{engagement.id}/assessment-results.json" in page
    response = client.get("/oscal/system-security-plan.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    _validate(response.get_json())
    response = client.get(f"/oscal/engagements/{engagement.id}/assessment-results.json")
    _validate(response.get_json())
    client.post("/logout")
    login_as("external_auditor")  # not on this engagement
    assert client.get(
        f"/oscal/engagements/{engagement.id}/assessment-results.json").status_code in (403, 404)
