"""Incident forms: fields and simple validators only; the services check the rules.

Times are typed as local wall time in the configured zone (`datetime-local` inputs); the views
turn them into UTC instants with `clocks.parse_local`.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]  # browsers add seconds with a step

SEVERITY_LABELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High"),
                   "critical": _l("Critical")}
CATEGORY_LABELS = {"confidentiality": _l("Confidentiality"), "integrity": _l("Integrity"),
                   "availability": _l("Availability"),
                   "microdata": _l("Microdata confidentiality rules")}
STATUS_LABELS = {"reported": _l("Reported"), "investigating": _l("Investigating"),
                 "closed": _l("Closed")}
ROLE_LABELS = {"controller": _l("Controller"), "processor": _l("Processor")}
PHASE_LABELS = {"initial": _l("Initial notification"),
                "supplementary": _l("Supplementary information"),
                "final": _l("Final notification")}
SUBJECTS_LABELS = {"pending": _l("Not decided yet"), "inform": _l("Inform the data subjects"),
                   "not_required": _l("Not required")}


def optional_int(value):
    """Selects send '' for nobody; the service checks the id."""
    return int(value) if value not in (None, "", "None") and str(value).isdigit() else None


def optional_bool(value):
    """'yes', 'no' or '' (not known / not decided)."""
    if isinstance(value, bool) or value is None:
        return value
    return {"yes": True, "no": False, "True": True, "False": False}.get(value)


def _when(label, description=None):
    return DateTimeLocalField(label, format=LOCAL_FORMATS, validators=[Optional()],
                              description=description)


def _choices(labels: dict, empty=None) -> list:
    head = [SelectChoice("", empty)] if empty is not None else []
    return head + [SelectChoice(value, label) for value, label in labels.items()]


def _yes_no(empty):
    return [SelectChoice("", empty), SelectChoice(True, _l("Yes")),
            SelectChoice(False, _l("No"))]


class ReportForm(FlaskForm):
    """The short report anyone may make: what happened, and when it was noticed."""

    title = StringField(_l("What happened?"), validators=[Length(max=200)],
                        description=_l("In a few words, e.g. “Laptop left on the train”."))
    description = TextAreaField(
        _l("Details"), validators=[Length(max=20000)],
        description=_l("What you saw, which systems or data may be affected, what you did."))
    detected_at = _when(_l("When was it noticed?"))
    personal_data = SelectField(_l("Are personal data involved?"), coerce=optional_bool,
                                choices=lambda: _yes_no(_l("Don't know")), default="")


class IncidentForm(FlaskForm):
    """The coordinator's record: the breach decision, awareness, role, systems, cause."""

    title = StringField(_l("Title"), validators=[Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])
    severity = SelectField(_l("Severity"), choices=lambda: _choices(SEVERITY_LABELS, "—"))
    category = SelectField(_l("What it hit"), choices=lambda: _choices(CATEGORY_LABELS, "—"))
    occurred_at = _when(_l("Happened at"), _l("When it happened, if known."))
    detected_at = _when(_l("Detected at"))
    became_aware_at = _when(
        _l("Became aware at"),
        _l("When we were reasonably certain that a personal-data breach had happened: the "
           "notification clock starts here."))
    personal_data = SelectField(_l("Personal data involved"), coerce=optional_bool,
                                choices=lambda: _yes_no(_l("Not known")))
    personal_data_breach = SelectField(
        _l("Personal-data breach?"), coerce=optional_bool,
        choices=lambda: _yes_no(_l("Not decided")))
    breach_decided_by_id = SelectField(_l("Decided by"), coerce=optional_int,
                                       validate_choice=False)
    breach_reason = TextAreaField(
        _l("Why"), validators=[Length(max=20000)],
        description=_l("Why it is, or is not, a personal-data breach (e.g. the laptop was "
                       "encrypted and the key was not lost)."))
    role = SelectField(_l("Our role"), choices=lambda: _choices(ROLE_LABELS))
    controller_notice_hours = IntegerField(
        _l("Agreed notice hours"), validators=[Optional(), NumberRange(1, 720)], default=24,
        description=_l("As processor: the hours the data processing agreement allows for "
                       "telling the controller (default 24). Set hours per controller below."))
    affected_systems = TextAreaField(_l("Affected systems"), validators=[Length(max=20000)])
    affected_processing = TextAreaField(_l("Affected processing"),
                                        validators=[Length(max=20000)])
    root_cause = TextAreaField(_l("Root cause"), validators=[Length(max=20000)])
    controls = SelectMultipleField(
        _l("Linked controls"), validate_choice=False,
        description=_l("Hold Ctrl (⌘ on a Mac) to choose several."))
    major_outage = BooleanField(_l("Major outage (IT reports to top management)"))
    microdata_users = TextAreaField(
        _l("Names and user ids"), validators=[Length(max=20000)],
        description=_l("For a breach of the microdata rules: who was involved, with user ids."))
    microdata_project = StringField(_l("Project number"), validators=[Length(max=100)])
    version = HiddenField()


class ControllerForm(FlaskForm):
    """A controller we notify as processor, with its agreed hours."""

    name = StringField(_l("Controller"), validators=[Length(max=200)])
    notice_hours = IntegerField(_l("Agreed hours"), default=24,
                                validators=[Optional(), NumberRange(1, 720)])
    version = HiddenField()


class ContentForm(FlaskForm):
    """Art. 33(3): what the notification says, in English and Danish."""

    nature_en = TextAreaField(_l("Nature of the breach (English)"),
                              validators=[Length(max=20000)])
    nature_da = TextAreaField(_l("Nature of the breach (Danish)"),
                              validators=[Length(max=20000)])
    subject_categories_en = TextAreaField(_l("Categories of data subjects (English)"),
                                          validators=[Length(max=20000)])
    subject_categories_da = TextAreaField(_l("Categories of data subjects (Danish)"),
                                          validators=[Length(max=20000)])
    subjects_approx = IntegerField(_l("Approximate number of data subjects"),
                                   validators=[Optional(), NumberRange(0, 1_000_000_000)])
    record_categories_en = TextAreaField(_l("Categories of records (English)"),
                                         validators=[Length(max=20000)])
    record_categories_da = TextAreaField(_l("Categories of records (Danish)"),
                                         validators=[Length(max=20000)])
    records_approx = IntegerField(_l("Approximate number of records"),
                                  validators=[Optional(), NumberRange(0, 1_000_000_000)])
    contact_point = TextAreaField(
        _l("Contact point"), validators=[Length(max=1000)],
        description=_l("The data protection officer or another contact: name, e-mail, phone."))
    consequences_en = TextAreaField(_l("Likely consequences (English)"),
                                    validators=[Length(max=20000)])
    consequences_da = TextAreaField(_l("Likely consequences (Danish)"),
                                    validators=[Length(max=20000)])
    measures_en = TextAreaField(_l("Measures taken or proposed (English)"),
                                validators=[Length(max=20000)])
    measures_da = TextAreaField(_l("Measures taken or proposed (Danish)"),
                                validators=[Length(max=20000)])
    version = HiddenField()


class SubmissionForm(FlaskForm):
    """One dated submission of the notification."""

    recipient = SelectField(_l("Sent to"), validate_choice=False)
    submitted_at = _when(_l("Sent at"))
    phase = SelectField(_l("Phase"), choices=lambda: _choices(PHASE_LABELS))
    reference = StringField(_l("Reference"), validators=[Length(max=100)],
                            description=_l("E.g. the authority's case number."))
    summary = TextAreaField(_l("What was sent"), validators=[Length(max=20000)])
    delay_reason_en = TextAreaField(
        _l("Reasons for the delay (English)"), validators=[Length(max=20000)],
        description=_l("Required when the notification is sent after the deadline."))
    delay_reason_da = TextAreaField(_l("Reasons for the delay (Danish)"),
                                    validators=[Length(max=20000)])
    version = HiddenField()


class SubjectsForm(FlaskForm):
    """Art. 34: informing the data subjects."""

    decision = SelectField(_l("Inform the data subjects?"),
                           choices=lambda: _choices(SUBJECTS_LABELS))
    reason_en = TextAreaField(_l("Reason (English)"), validators=[Length(max=20000)])
    reason_da = TextAreaField(_l("Reason (Danish)"), validators=[Length(max=20000)])
    informed_at = _when(_l("Informed at"))
    version = HiddenField()


class ChairForm(FlaskForm):
    """Policy §14: the chair of the security committee is told of every incident."""

    informed_on = DateField(_l("Chair informed on"), validators=[Optional()])
    informed_by_id = SelectField(_l("Informed by"), coerce=optional_int, validate_choice=False)
    version = HiddenField()


class OutageReportForm(FlaskForm):
    """IT's report to top management on a major outage."""

    reported_on = DateField(_l("Reported to top management on"), validators=[Optional()])
    consequences = TextAreaField(_l("Consequences"), validators=[Length(max=20000)])
    causes = TextAreaField(_l("Causes"), validators=[Length(max=20000)])
    solutions = TextAreaField(_l("Solutions"), validators=[Length(max=20000)])
    file = FileField(_l("The report as sent (optional)"))
    version = HiddenField()


class ActionForm(FlaskForm):
    """A corrective action."""

    description = TextAreaField(_l("Action"), validators=[Length(max=5000)])
    owner_id = SelectField(_l("Owner"), coerce=optional_int, validate_choice=False)
    due_on = DateField(_l("Due"), validators=[Optional()])
    done_on = DateField(_l("Done on"), validators=[Optional()])
    deviation_id = SelectField(_l("Finding"), coerce=optional_int, validate_choice=False)
    version = HiddenField()


class CloseForm(FlaskForm):
    """Close the incident."""

    version = HiddenField()


class ReopenForm(FlaskForm):
    """Reopen a closed incident."""

    reason = TextAreaField(_l("Why reopen it?"), validators=[Length(max=20000)])
    version = HiddenField()


class RemoveControllerForm(FlaskForm):
    """Take a controller off the list."""

    version = HiddenField()
