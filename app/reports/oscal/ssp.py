"""The Statement of Applicability as an OSCAL system security plan (pure).

Each SoA control is an implemented requirement: applicability and owner as props and a
responsible role, the justification and implementation status on the one component (the
organisation's ISMS), and its evidence as links to back-matter resources that carry the
SHA-256 of every stored file version.
"""

from __future__ import annotations

from .catalog import control_id
from .ids import compact, metadata, one_line, prop, props, stable_uuid
from .sources import EvidenceData, SoAData

STATUS = {"implemented": "implemented", "partial": "partial", "planned": "planned"}


def evidence_resource(evidence: EvidenceData) -> dict:
    """A back-matter resource for one evidence item (files with their SHA-256)."""
    rlinks = [{"href": f"/evidence/{evidence.id}/versions/{f.number}/download",
               "media-type": f.content_type,
               "hashes": [{"algorithm": "SHA-256", "value": f.sha256}]}
              for f in evidence.files]
    if evidence.url:
        rlinks.append({"href": evidence.url})
    period = (str(evidence.period_start) if evidence.period_start == evidence.period_end
              else f"{evidence.period_start}/{evidence.period_end}")
    return {"uuid": evidence_uuid(evidence.id), "title": one_line(evidence.title),
            "description": evidence.description,
            "props": props(prop("evidence-kind", evidence.kind), prop("speaks-for", period),
                           *(prop("file", f"{f.number}: {f.filename} ({f.size} bytes)")
                             for f in evidence.files)),
            "rlinks": rlinks}


def evidence_uuid(evidence_id: int) -> str:
    """The resource uuid of an evidence item (the same in every document)."""
    return stable_uuid("evidence", evidence_id)


def build_ssp(data: SoAData, organisation: str, description: str | None) -> dict:
    """The system-security-plan document."""
    component = stable_uuid("component", "isms")
    org_party = stable_uuid("party", "organisation")
    owners = sorted({row.owner for row in data.rows if row.owner})
    parties = [{"uuid": org_party, "type": "organization", "name": organisation}] + [
        {"uuid": stable_uuid("party", "person", name), "type": "person", "name": name}
        for name in owners]
    profile = stable_uuid("profile", *data.catalogues)
    requirements = []
    for row in data.rows:
        applicability = {True: "applicable", False: "not-applicable"}.get(row.applicable,
                                                                          "undecided")
        state = "not-applicable" if row.applicable is False else STATUS.get(row.status or "")
        why = row.justification or {
            "applicable": "Applicable.", "not-applicable": "Not applicable.",
            "undecided": "Applicability not decided yet."}[applicability]
        requirements.append({
            "uuid": stable_uuid("requirement", row.control.key),
            "control-id": control_id(row.control.code),
            "props": props(prop("control-key", row.control.key),
                           prop("applicability", applicability),
                           prop("implementation-status", row.status),
                           prop("last-reviewed", row.reviewed_on)),
            "links": [{"href": f"#{evidence_uuid(e)}", "rel": "evidence"}
                      for e in row.evidence_ids],
            "responsible-roles": [{"role-id": "control-owner", "party-uuids": [
                stable_uuid("party", "person", row.owner)]}] if row.owner else [],
            "by-components": [{
                "component-uuid": component, "uuid": stable_uuid("by", row.control.key),
                "description": why,
                "implementation-status": {"state": state} if state else None}],
            "remarks": row.justification})
    changed = max((row.changed_at for row in data.rows if row.changed_at), default=None)
    document = {
        "uuid": stable_uuid("ssp", organisation),
        "metadata": metadata(
            f"Statement of Applicability: {organisation}", changed, "1",
            roles=[{"id": "control-owner", "title": "Control owner"}] if owners else [],
            parties=parties),
        "import-profile": {"href": f"#{profile}"},
        "system-characteristics": {
            "system-ids": [{"identifier-type": "https://kontrol.example", "id": "isms"}],
            "system-name": organisation,
            "description": description or f"The information security management system of "
                                          f"{organisation}.",
            "system-information": {"information-types": [{
                "title": "Information processed under the ISMS",
                "description": description or "As described in the organisation profile."}]},
            "status": {"state": "operational"},
            "authorization-boundary": {"description": "The scope of the Statement of "
                                                      "Applicability."}},
        "system-implementation": {"components": [{
            "uuid": component, "type": "this-system", "title": f"ISMS of {organisation}",
            "description": "The organisation's information security management system.",
            "status": {"state": "operational"}}]},
        "control-implementation": {
            "description": "The Statement of Applicability: for every control, whether it "
                           "applies, why, how far it is implemented, who owns it and the "
                           "evidence.",
            "implemented-requirements": requirements},
        "back-matter": {"resources": [
            {"uuid": profile, "title": "The controls of the Statement of Applicability",
             "description": "Every control of these Kontrol catalogues (OSCAL catalog exports): "
                            + ", ".join(data.catalogues),
             "rlinks": [{"href": f"catalog-{slug}.json", "media-type": "application/json"}
                        for slug in data.catalogues]},
            *(evidence_resource(data.evidence[e]) for e in sorted(data.evidence))]}}
    return {"system-security-plan": compact(document)}
