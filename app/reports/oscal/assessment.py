"""An engagement as an OSCAL assessment plan and assessment results (pure).

The plan names the reviewed controls and one activity per test (its methods and procedure).
The results carry one observation per test (with its samples: seed, population fingerprint,
size, and each sampled item's result), a finding per concluded test (satisfied or not) and
one per deviation, and the engagement's conclusion. The results link to the plan through a
back-matter resource that holds the plan itself (base64), so the two travel together.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, time

from .catalog import control_id
from .ids import compact, metadata, prop, props, stable_uuid
from .sources import EngagementData, TestData
from .ssp import evidence_resource, evidence_uuid

METHODS = {"inquiry": "INTERVIEW", "inspection": "EXAMINE", "observation": "EXAMINE",
           "reperformance": "TEST"}
SATISFIED = {"no_deviations", "not_material"}


def _reviewed(data: EngagementData) -> dict:
    return {"control-selections": [{"include-controls": [
        {"control-id": control_id(test.control.code)} for test in data.tests]}]
        if data.tests else [{"include-all": {}}]}


def _start(data: EngagementData) -> datetime:
    return datetime.combine(data.covers_from, time(), UTC)


def _end(data: EngagementData) -> datetime:
    return datetime.combine(data.covers_to, time(23, 59, 59), UTC)


def _parties(data: EngagementData) -> list[dict]:
    return [{"uuid": stable_uuid("party", "person", name), "type": "person", "name": name}
            for name in data.team]


def build_assessment_plan(data: EngagementData) -> dict:
    """The assessment-plan document."""
    document = {
        "uuid": stable_uuid("assessment-plan", data.id),
        "metadata": metadata(f"Assessment plan: {data.name}", data.updated_at, data.status,
                             parties=_parties(data),
                             props=props(prop("engagement-kind", data.kind))),
        "import-ssp": {"href": "system-security-plan.json"},
        "local-definitions": {"activities": [{
            "uuid": stable_uuid("activity", test.id),
            "title": f"Test of {test.control.code} {test.control.title}",
            "description": test.procedure or "Test of the control as planned.",
            "props": props(prop("control-key", test.control.key),
                           *(prop("method", METHODS.get(m, m), ns=None)
                             for m in test.methods))} for test in data.tests]},
        "reviewed-controls": _reviewed(data),
        "tasks": [{"uuid": stable_uuid("task", data.id), "type": "action",
                   "title": f"Fieldwork for {data.name}",
                   "timing": {"within-date-range": {"start": _iso(_start(data)),
                                                    "end": _iso(_end(data))}},
                   "associated-activities": [{"activity-uuid": stable_uuid("activity", t.id),
                                              "subjects": [{"type": "component",
                                                            "include-all": {}}]}
                                             for t in data.tests]}]}
    return {"assessment-plan": compact(document)}


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _observation(test: TestData, data: EngagementData) -> dict:
    evidence = []
    for sample in test.samples:
        deviations = sum(1 for item in sample.items if item[1] == "deviation")
        evidence.append({
            "description": (f"Sample of {sample.size} items from a population of "
                            f"{sample.population_size}, drawn with seed {sample.seed}; "
                            f"{deviations} deviation(s)."),
            "props": props(prop("sample-seed", sample.seed),
                           prop("population-fingerprint", sample.population_fingerprint),
                           prop("population-size", sample.population_size),
                           prop("sample-size", sample.size),
                           *(prop("sample-item", f"{index + 1}: {result}", cls=result)
                             for index, result, _, _ in sample.items))})
        evidence.extend({
            "href": f"#{evidence_uuid(evidence_id)}",
            "description": f"Evidence for sampled item {index + 1} ({result})"
                           + (f": {note}" if note else ".")}
            for index, result, note, evidence_id in sample.items if evidence_id)
    return {"uuid": stable_uuid("observation", test.id),
            "title": f"{test.control.code} {test.control.title}",
            "description": test.procedure or "Test of the control.",
            "props": props(prop("control-key", test.control.key),
                           prop("conclusion", test.conclusion),
                           prop("reviewed-at", test.reviewed_at and _iso_dt(test.reviewed_at))),
            "methods": [METHODS.get(m, "UNKNOWN") for m in test.methods] or ["UNKNOWN"],
            "types": ["control-objective"],
            "relevant-evidence": evidence,
            "collected": _iso_dt(test.concluded_at or test.updated_at),
            "remarks": test.result_text}


def _iso_dt(value: datetime) -> str:
    return _iso(value.astimezone(UTC).replace(microsecond=0))


def _findings(data: EngagementData) -> list[dict]:
    findings = []
    tests = {test.id: test for test in data.tests}
    for test in data.tests:
        if test.conclusion == "open":
            continue
        state = "satisfied" if test.conclusion in SATISFIED else "not-satisfied"
        findings.append({
            "uuid": stable_uuid("conclusion", test.id),
            "title": f"Conclusion on {test.control.code}",
            "description": test.result_text or test.conclusion.replace("_", " "),
            "props": props(prop("conclusion", test.conclusion)),
            "target": {"type": "objective-id", "target-id": f"{control_id(test.control.code)}_obj",
                       "status": {"state": state}},
            "related-observations": [{"observation-uuid": stable_uuid("observation", test.id)}],
            "remarks": test.management_comment})
    for deviation in data.deviations:
        test = tests.get(deviation.test_id)
        code = test.control.code if test else deviation.control_key.split(":", 1)[1]
        findings.append({
            "uuid": stable_uuid("deviation", deviation.id),
            "title": deviation.title,
            "description": deviation.description,
            "props": props(prop("severity", deviation.severity),
                           prop("finding-status", deviation.status),
                           prop("control-key", deviation.control_key)),
            "target": {"type": "objective-id", "target-id": f"{control_id(code)}_obj",
                       "status": {"state": "not-satisfied"}},
            "related-observations": [{"observation-uuid": stable_uuid("observation", test.id)}]
            if test else [],
            "remarks": deviation.management_response})
    return findings


def build_assessment_results(data: EngagementData) -> dict:
    """The assessment-results document, with its plan embedded in the back-matter."""
    plan = build_assessment_plan(data)
    plan_uuid = stable_uuid("assessment-plan-resource", data.id)
    concluded = [t for t in data.tests if t.conclusion != "open"]
    summary = (f"{len(concluded)} of {len(data.tests)} tests concluded: "
               f"{sum(t.conclusion in SATISFIED for t in concluded)} without material "
               f"deviations, {sum(t.conclusion == 'material' for t in concluded)} with "
               f"material deviations; {len(data.deviations)} finding(s).")
    result = {
        "uuid": stable_uuid("result", data.id),
        "title": data.name,
        "description": data.description or f"Engagement {data.name} ({data.kind}).",
        "start": _iso(_start(data)), "end": _iso(_end(data)),
        "props": props(prop("engagement-status", data.status), prop("conclusion", summary)),
        "reviewed-controls": _reviewed(data),
        "observations": [_observation(test, data) for test in data.tests],
        "findings": _findings(data),
        "remarks": "\n\n".join([summary, *(
            f"Control objective {o.group} not achieved (criterion {o.criterion})"
            + (f": {o.reason}" if o.reason else ".") for o in data.opinions
            if not o.achieved)])}
    resources = [{"uuid": plan_uuid, "title": f"Assessment plan: {data.name}",
                  "base64": {"filename": f"assessment-plan-{data.id}.json",
                             "media-type": "application/json",
                             "value": base64.b64encode(json.dumps(
                                 plan, indent=2, ensure_ascii=False).encode()).decode()}}]
    resources.extend(evidence_resource(data.evidence[e]) for e in sorted(data.evidence))
    resources.extend({
        "uuid": stable_uuid("issued-report", data.id, report.lang),
        "title": f"Issued report ({report.lang}): {report.filename}",
        "props": props(prop("lang", report.lang)),
        "rlinks": [{"href": report.filename, "media-type": "application/pdf",
                    "hashes": [{"algorithm": "SHA-256", "value": report.sha256}]}]}
        for report in data.issued)
    document = {
        "uuid": stable_uuid("assessment-results", data.id),
        "metadata": metadata(f"Assessment results: {data.name}", data.updated_at, data.status,
                             published=_iso_dt(data.issued_at) if data.issued_at else None,
                             parties=_parties(data)),
        "import-ap": {"href": f"#{plan_uuid}"},
        "results": [result],
        "back-matter": {"resources": resources}}
    return {"assessment-results": compact(document)}
