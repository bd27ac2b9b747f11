"""Demo incidents for Nordlys Statistik A/S: six in the past year, through the services.

A lost laptop (encrypted, not a breach), a misaddressed e-mail notified in 30 hours, a phishing
compromise notified late with reasons, a processor-side breach notified to two controllers, a
two-hour outage reported to top management, and one open breach with its clock running.
Idempotent: nothing is added when the first demo incident exists.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audits.deviations import raise_deviation
from ..catalogue.models import Control
from ..db import utcnow
from ..time import local_today
from . import followup, notifications, service
from .models import Incident

LAPTOP = "Laptop left on the train"
CONTACT = "Data protection officer Lene Bruun, dpo@nordlys.example, +45 70 20 30 40"


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["KONTROL_TIMEZONE"])


def _hour(value: datetime) -> datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def _morning(now: datetime, days: int) -> datetime:
    """09:40 local time `days` before `now`, as UTC."""
    local = (now - timedelta(days=days)).astimezone(_zone())
    return local.replace(hour=9, minute=40, second=0, microsecond=0).astimezone(now.tzinfo)


def _report(session, user, title, description, detected_at, personal_data=None):
    return service.report_incident(session, user, service.IncidentReport(
        title, description, detected_at, personal_data), tz=_zone())


def _qualify(session, user, incident, keys=(), **values) -> Incident:
    known = set(session.scalars(select(Control.key).where(Control.key.in_(keys))))
    details = service.IncidentDetails(
        title=incident.title, description=incident.description,
        detected_at=incident.detected_at, controls=[k for k in keys if k in known], **values)
    decided = (values.get("became_aware_at") or incident.detected_at) + timedelta(minutes=30)
    return service.update_incident(session, user, incident, details, incident.version,
                                   tz=_zone(), now=max(decided, incident.detected_at))


def _chair(session, user, incident, when: datetime) -> None:
    followup.record_chair_informed(session, user, incident, when.astimezone(_zone()).date(),
                                  user.id, incident.version, today=local_today())


def _close(session, user, incident, when: datetime) -> None:
    followup.close_incident(session, user, incident, incident.version,
                           today=when.astimezone(_zone()).date())


def _content(session, user, incident, **texts) -> None:
    notifications.save_content(session, user, incident, notifications.NotificationContent(
        contact_point=CONTACT, **texts), incident.version)


def _submit(session, user, incident, recipient, when, phase="initial", **extra) -> None:
    notifications.record_submission(session, user, incident, notifications.SubmissionDetails(
        recipient=recipient, submitted_at=when, phase=phase, **extra), incident.version)


def seed_incidents(session: Session, users: dict) -> list[str]:
    """Add the six demo incidents once."""
    if session.scalar(select(Incident.id).where(Incident.title == LAPTOP)):
        return []
    coordinator, owner = users["coordinator"], users["control_owner"]
    now = _hour(utcnow())
    _laptop(session, coordinator, owner, _morning(now, 300))
    _email(session, coordinator, owner, _morning(now, 210))
    _phishing(session, coordinator, owner, _morning(now, 120))
    _processor(session, coordinator, _morning(now, 75))
    _outage(session, coordinator, owner, _morning(now, 33))
    _open_breach(session, coordinator, owner, now - timedelta(hours=19))
    return ["Six incidents, one breach clock running"]


def _laptop(session, coordinator, owner, start) -> None:
    incident = _report(session, owner, LAPTOP, "My work laptop was left on the regional train "
                       "from Aalborg; the conductor did not find it.", start, True)
    incident = _qualify(
        session, coordinator, incident, ("iso27001-2022:A.8.1", "iso27001-2022:A.8.24"),
        severity="low", category="confidentiality", personal_data=True,
        personal_data_breach=False, became_aware_at=start + timedelta(hours=2),
        breach_reason="The disk is encrypted (BitLocker with TPM and PIN) and the PIN was not "
                      "kept with the laptop; the device was wiped remotely the same day. The "
                      "data are unintelligible to a finder, so there is no risk to the data "
                      "subjects.",
        affected_systems="One managed laptop (NS-LT-0412)",
        root_cause="Laptop carried in a bag without a name tag and left behind when changing "
                   "trains.")
    _chair(session, coordinator, incident, start + timedelta(days=1))
    _close(session, coordinator, incident, start + timedelta(days=2))


def _email(session, coordinator, owner, start) -> None:
    incident = _report(session, owner, "E-mail with a salary file sent to the wrong recipient",
                       "An e-mail with a spreadsheet of 14 employees' salaries was sent to an "
                       "external address with a similar name.", start, True)
    aware = start + timedelta(hours=1)
    incident = _qualify(
        session, coordinator, incident, ("iso27001-2022:A.5.14",), severity="medium",
        category="confidentiality", personal_data=True, personal_data_breach=True,
        became_aware_at=aware, role="controller",
        breach_reason="Salary data of identifiable employees were disclosed to an unauthorised "
                      "recipient.", affected_processing="Payroll (HR)",
        root_cause="Address autocomplete picked an external contact.")
    _content(session, coordinator, incident,
             nature_en="Confidentiality breach: a salary spreadsheet sent by e-mail to a wrong, "
                       "external recipient.",
             nature_da="Brud på fortroligheden: et lønark sendt med e-mail til en forkert, "
                       "ekstern modtager.",
             subject_categories_en="Employees", subject_categories_da="Medarbejdere",
             subjects_approx=14, record_categories_en="Name, salary, pension",
             record_categories_da="Navn, løn, pension", records_approx=14,
             consequences_en="Low: the recipient confirmed deletion in writing.",
             consequences_da="Lav: modtageren har skriftligt bekræftet sletning.",
             measures_en="Recipient asked to delete; external autocomplete switched off.",
             measures_da="Modtageren bedt om at slette; autoudfyldning af eksterne adresser er "
                         "slået fra.")
    _submit(session, coordinator, incident, "authority", aware + timedelta(hours=30),
            reference="2025-431-0187", summary="Notification through the authority's form.")
    notifications.decide_subjects(
        session, coordinator, incident, "not_required",
        "The recipient deleted the file and confirmed it; the risk is not high.",
        "Modtageren har slettet filen og bekræftet det; risikoen er ikke høj.", None,
        incident.version)
    _chair(session, coordinator, incident, start + timedelta(days=1))
    _close(session, coordinator, incident, start + timedelta(days=10))


def _phishing(session, coordinator, owner, start) -> None:
    incident = _report(session, owner, "Mailbox taken over after a phishing e-mail",
                       "A colleague entered her password on a false login page; the mailbox "
                       "forwarded mail to an outside address for two days.", start, True)
    aware = start + timedelta(hours=6)
    incident = _qualify(
        session, coordinator, incident, ("iso27001-2022:A.6.3", "iso27001-2022:A.8.16"),
        severity="high", category="confidentiality", personal_data=True,
        personal_data_breach=True, became_aware_at=aware, role="controller",
        breach_reason="E-mails with survey respondents' contact details were forwarded to an "
                      "attacker.", affected_systems="Exchange Online mailbox",
        root_cause="No phishing-resistant MFA for the account; forwarding rules to external "
                   "addresses were allowed.")
    _content(session, coordinator, incident,
             nature_en="Account compromise: e-mail forwarded to an external address.",
             nature_da="Kompromitteret konto: e-mail videresendt til en ekstern adresse.",
             subject_categories_en="Survey respondents", subject_categories_da="Respondenter",
             subjects_approx=230, record_categories_en="Names, e-mail addresses, phone numbers",
             record_categories_da="Navne, e-mailadresser, telefonnumre", records_approx=230,
             consequences_en="Risk of targeted phishing against respondents.",
             consequences_da="Risiko for målrettet phishing mod respondenterne.",
             measures_en="Password reset, sessions revoked, forwarding blocked, respondents "
                         "warned.",
             measures_da="Adgangskode nulstillet, sessioner tilbagekaldt, videresendelse "
                         "blokeret, respondenter advaret.")
    _submit(session, coordinator, incident, "authority", aware + timedelta(hours=81),
            reference="2025-431-0702", summary="Initial notification with what was known.",
            delay_reason_en="The forwarding rule was found only when the mailbox audit log "
                            "had been exported, which took the supplier three days over a "
                            "weekend.",
            delay_reason_da="Videresendelsesreglen blev først fundet, da leverandøren havde "
                            "eksporteret postkassens revisionslog, hvilket tog tre dage hen "
                            "over en weekend.")
    _submit(session, coordinator, incident, "authority", aware + timedelta(days=9),
            phase="final", reference="2025-431-0702",
            summary="Final figures: 230 respondents affected.")
    notifications.decide_subjects(
        session, coordinator, incident, "inform",
        "High risk of phishing against the respondents.",
        "Høj risiko for phishing mod respondenterne.", aware + timedelta(days=4),
        incident.version)
    _chair(session, coordinator, incident, start + timedelta(days=1))
    control = session.scalar(select(Control).where(Control.key == "iso27001-2022:A.5.17"))
    finding = raise_deviation(
        session, coordinator, control, "No phishing-resistant MFA on mail accounts",
        "Found during the phishing incident: mail accounts accept one-time codes by SMS.",
        "minor", coordinator.id, None) if control is not None else None
    followup.add_action(session, coordinator, incident, followup.ActionDetails(
        "Roll out phishing-resistant MFA (FIDO2 keys) for all mail accounts.",
        owner_id=owner.id, due_on=(start + timedelta(days=150)).date(),
        deviation_id=finding.id if finding else None), incident.version,
        today=local_today())


def _processor(session, coordinator, start) -> None:
    incident = _report(session, coordinator, "Misconfigured export share at the data centre",
                       "A file share with register extracts processed for two customers was "
                       "readable by all staff accounts for one day.", start, True)
    incident = _qualify(
        session, coordinator, incident, ("isae3000-gdpr:I.3",), severity="medium",
        category="confidentiality", personal_data=True, personal_data_breach=True,
        became_aware_at=start + timedelta(hours=3), role="processor",
        controller_notice_hours=24,
        breach_reason="Personal data processed on behalf of controllers were accessible to "
                      "staff without a need to know.", affected_processing="Register extracts "
                      "for customers", root_cause="A permission inherited from a parent folder.")
    aware = incident.became_aware_at
    for name, hours in (("Region Nordjylland", 24), ("Aalborg Kommune", 36)):
        notifications.add_controller(session, coordinator, incident, name, hours, incident.version)
    _content(session, coordinator, incident,
             nature_en="Unauthorised internal access possible to register extracts.",
             nature_da="Uautoriseret intern adgang var mulig til registerudtræk.",
             subject_categories_en="Citizens in the extracts",
             subject_categories_da="Borgere i udtrækkene", subjects_approx=5200,
             record_categories_en="CPR numbers and health service contacts",
             record_categories_da="CPR-numre og kontakter med sundhedsvæsenet",
             records_approx=11000,
             consequences_en="No access found in the logs; risk judged low.",
             consequences_da="Loggen viser ingen adgang; risikoen vurderes som lav.",
             measures_en="Permission removed; inheritance checks added to the share audit.",
             measures_da="Rettigheden er fjernet; arv af rettigheder kontrolleres nu ved "
                         "gennemgangen af drev.")
    for controller, after in zip(incident.controllers, (20, 30), strict=True):
        _submit(session, coordinator, incident, str(controller.id),
                aware + timedelta(hours=after), summary="Notified by e-mail to the "
                "controller's security contact.")
    notifications.decide_subjects(
        session, coordinator, incident, "not_required",
        "Access logs show no one opened the files; for the controllers to confirm.",
        "Adgangslogs viser, at ingen har åbnet filerne; de dataansvarlige bekræfter.", None,
        incident.version)
    _chair(session, coordinator, incident, start + timedelta(days=1))


def _outage(session, coordinator, owner, start) -> None:
    from ..evidence.views import settings

    incident = _report(session, owner, "Statistics bank unavailable for two hours",
                       "The public statistics bank answered with errors for two hours from "
                       "09:10.",
                       start, False)
    incident = _qualify(
        session, coordinator, incident, ("iso27001-2022:A.5.30", "iso27001-2022:A.8.14"),
        severity="high", category="availability", personal_data=False,
        personal_data_breach=False, major_outage=True, occurred_at=start - timedelta(minutes=30),
        breach_reason="Only published, aggregate statistics were unavailable; no personal data.",
        affected_systems="Statistics bank (web and API)",
        root_cause="A certificate on the load balancer expired.")
    _chair(session, coordinator, incident, start)
    if session.scalar(select(Control.id).limit(1)) is not None:
        followup.attach_management_report(
            session, coordinator, incident, followup.OutageReport(
                (start + timedelta(days=2)).astimezone(_zone()).date(),
                "Two hours without the public statistics bank; 3,400 failed requests; press "
                "enquiries answered.", "An expired certificate on the load balancer; the "
                "renewal reminder went to a former employee.", "Certificate renewed; expiry "
                "now monitored with alerts to the operations team's shared mailbox."),
            settings(current_app), incident.version, today=local_today())
        _close(session, coordinator, session.get(Incident, incident.id),
               start + timedelta(days=3))


def _open_breach(session, coordinator, owner, start) -> None:
    incident = _report(session, owner, "Survey answers visible to other respondents",
                       "After this morning's release, respondents of the web survey could see "
                       "another respondent's saved answers.", start, True)
    _qualify(session, coordinator, incident, ("iso27001-2022:A.8.25",), severity="high",
             category="confidentiality", personal_data=True, personal_data_breach=True,
             became_aware_at=start + timedelta(hours=1), role="controller",
             breach_reason="Answers identify the respondent and were shown to others.",
             affected_systems="Web survey platform")
