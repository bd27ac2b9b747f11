"""Sub-processor forms and the labels of the register's fixed vocabularies.

Fields and simple validators only; the services check the rules (the API goes through them
too). Field names match the service's error fields, so an error lands at its field.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

STATUS_LABELS = {"proposed": _l("Proposed"), "active": _l("Active"), "ended": _l("Ended")}
APPROVAL_LABELS = {"general": _l("General approval"), "specific": _l("Specific approval")}
RISK_LABELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
BASIS_LABELS = {"adequacy": _l("Adequacy decision"),
                "scc": _l("Standard contractual clauses"),
                "bcr": _l("Binding corporate rules"), "derogation": _l("Derogation (Art. 49)")}
TYPE_LABELS = {"isae3000": "ISAE 3000", "isae3402": "ISAE 3402", "soc2": "SOC 2",
               "soc1": "SOC 1", "iso27001": _l("ISO/IEC 27001 certificate"),
               "other": _l("Other")}
OPINION_LABELS = {"unqualified": _l("Unqualified"), "qualified": _l("Qualified")}
SIGNIFICANCE_LABELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
FOLLOW_UP_LABELS = {"inspection": _l("Inspection"), "meeting": _l("Meeting"),
                    "questionnaire": _l("Questionnaire"),
                    "statement_review": _l("Review of the auditor's statement")}
CHANGE_LABELS = {"add": _l("Adds a sub-processor"), "replace": _l("Replaces a sub-processor")}
OUTCOME_LABELS = {"pending": _l("Pending"), "withdrawn": _l("Withdrawn by the controller"),
                  "change_dropped": _l("Change not made"),
                  "rejected": _l("Rejected (no reasonable grounds)"),
                  "data_withdrawn": _l("Controller withdrew its data")}
LABELS = {"status": STATUS_LABELS, "approval": APPROVAL_LABELS, "risk": RISK_LABELS,
          "basis": BASIS_LABELS, "type": TYPE_LABELS, "opinion": OPINION_LABELS,
          "significance": SIGNIFICANCE_LABELS, "follow_up": FOLLOW_UP_LABELS,
          "change": CHANGE_LABELS, "outcome": OUTCOME_LABELS}
#: Blank observation rows a statement form offers beyond those already recorded.
SPARE_OBSERVATION_ROWS = 3


def choices(pairs, blank=None) -> list[SelectChoice]:
    """SelectChoices from (value, label) pairs or a label dict, with an optional blank first."""
    items = [SelectChoice(value, label) for value, label in (
        pairs.items() if isinstance(pairs, dict) else pairs)]
    return [SelectChoice("", blank), *items] if blank is not None else items


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class TransferBasisFields:
    """The transfer basis fields, shared by the register form and the transfer form."""

    transfer_basis = SelectField(
        _l("Transfer basis"), choices=choices(BASIS_LABELS, "—"), validate_choice=False,
        description=_l("Needed for processing outside the EU/EEA or by a company established "
                       "there."))
    scc_version = SelectField(_l("Version of the standard contractual clauses"),
                              validate_choice=False)
    transfer_note = TextAreaField(
        _l("Note on the basis"), validators=[Length(max=2000)],
        description=_l("For a partial adequacy decision: how the recipient is covered (e.g. "
                       "its certification). For binding corporate rules or a derogation: "
                       "which ones."))


class SubProcessorForm(TransferBasisFields, FlaskForm):
    """A sub-processor in the register (F.5: name, CVR, address, processing)."""

    name = StringField(_l("Name"), validators=[Length(max=200)])
    registration_number = StringField(
        _l("Company registration number"), validators=[Length(max=40)],
        description=_l("CVR, or the foreign equivalent."))
    address = TextAreaField(_l("Address"), validators=[Length(max=500)])
    country = SelectField(_l("Established in"), validate_choice=False)
    countries = SelectMultipleField(
        _l("Countries of processing"), validate_choice=False,
        description=_l("Where the data is stored or accessed. Hold Ctrl (⌘ on a Mac) to "
                       "choose several."))
    processing_en = TextAreaField(_l("Description of the processing (English)"),
                                  validators=[Length(max=20000)])
    processing_da = TextAreaField(
        _l("Description of the processing (Danish)"), validators=[Length(max=20000)],
        description=_l("Both are printed in the ISAE 3000 report."))
    data_categories = TextAreaField(_l("Categories of personal data"),
                                    validators=[Length(max=7000)],
                                    description=_l("One per line."))
    approval = SelectField(_l("Approval"), choices=choices(APPROVAL_LABELS),
                           validate_choice=False)
    controllers = TextAreaField(
        _l("Approved by (controllers)"), validators=[Length(max=7000)],
        description=_l("One per line. For a general approval, leave empty when every "
                       "controller's agreement allows it."))
    start_date = DateField(_l("Processing starts"), validators=[Optional()])
    end_date = DateField(_l("Processing ends"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS), validate_choice=False)
    contact = StringField(_l("Contact"), validators=[Length(max=300)],
                          description=_l("Name, e-mail or telephone at the sub-processor."))
    risk_rating = SelectField(
        _l("Risk rating"), choices=choices(RISK_LABELS), validate_choice=False,
        description=_l("Decides the follow-up: high a yearly inspection or meeting, medium a "
                       "yearly questionnaire, low the review of the auditor's statement."))
    version = HiddenField()


class TransferForm(TransferBasisFields, FlaskForm):
    """One transfer to a third country, and its transfer impact assessment."""

    recipient = StringField(_l("Recipient"), validators=[Length(max=200)])
    tia_file = FileField(_l("Transfer impact assessment"),
                         description=_l("Stored as evidence for activity G.3."))
    tia_date = DateField(_l("Date of the assessment"), validators=[Optional()])
    version = HiddenField()


class ObservationForm(Form):
    """One observation row of a statement (a sub-form: no CSRF token of its own)."""

    description = TextAreaField(_l("Observation"), validators=[Length(max=20000)])
    significance = SelectField(_l("Significance"), choices=choices(SIGNIFICANCE_LABELS, "—"),
                               validate_choice=False)
    comment = TextAreaField(_l("Sub-processor's comment"), validators=[Length(max=20000)])
    remediation_due = DateField(_l("Remediation deadline"), validators=[Optional()])


class StatementForm(FlaskForm):
    """A year's auditor's statement."""

    year = IntegerField(_l("Year of processing covered"), validators=[Optional()])
    received_on = DateField(_l("Received"), validators=[Optional()])
    statement_type = SelectField(_l("Type"), choices=choices(TYPE_LABELS, "—"),
                                 validate_choice=False)
    period_start = DateField(_l("Period covered, from"), validators=[Optional()],
                             description=_l("Leave empty for the calendar year."))
    period_end = DateField(_l("to"), validators=[Optional()])
    opinion = SelectField(_l("Auditor's opinion"), choices=choices(OPINION_LABELS, "—"),
                          validate_choice=False)
    no_observations = BooleanField(_l("The statement says explicitly that there are no "
                                      "observations"))
    observations = FieldList(FormField(ObservationForm), min_entries=0)
    file = FileField(_l("Statement file"), description=_l(
        "Stored as evidence for activity F.6."))
    version = HiddenField()


class FollowUpForm(FlaskForm):
    """An inspection, meeting, questionnaire or statement review."""

    kind = SelectField(_l("Kind"), choices=choices(FOLLOW_UP_LABELS, "—"),
                       validate_choice=False)
    performed_on = DateField(_l("Performed on"), validators=[Optional()])
    performed_by_id = SelectField(_l("Performed by"), coerce=_optional_int,
                                  validators=[Optional()], validate_choice=False)
    conclusion = TextAreaField(_l("Conclusion"), validators=[Length(max=20000)])
    controllers_informed_on = DateField(
        _l("Controllers informed on"), validators=[Optional()],
        description=_l("The controllers are told what follow-up was done (F.6)."))
    file = FileField(_l("File"), description=_l("Minutes, questionnaire or report; stored as "
                                                 "evidence for activity F.6."))
    version = HiddenField()


class NoticeForm(FlaskForm):
    """A change notice to the controllers."""

    kind = SelectField(_l("The notice"), choices=choices(CHANGE_LABELS),
                       validate_choice=False)
    replaces_id = SelectField(_l("Replaces"), coerce=_optional_int, validators=[Optional()],
                              validate_choice=False)
    notified_on = DateField(_l("Controllers notified on"), validators=[Optional()])
    effective_on = DateField(_l("Takes effect on"), validators=[Optional()],
                             description=_l("At least 30 days after the notice."))
    controllers = TextAreaField(
        _l("Controllers notified"), validators=[Length(max=7000)],
        description=_l("One per line. Leave empty for the controllers that approved the "
                       "sub-processor."))
    note = TextAreaField(_l("Note"), validators=[Length(max=20000)])
    version = HiddenField()


class ObjectionForm(FlaskForm):
    """A controller's objection and its outcome."""

    controller = StringField(_l("Controller"), validators=[Length(max=200)])
    received_on = DateField(_l("Received"), validators=[Optional()])
    reason = TextAreaField(_l("Grounds"), validators=[Length(max=20000)])
    outcome = SelectField(_l("Outcome"), choices=choices(OUTCOME_LABELS),
                          validate_choice=False)
    decided_on = DateField(_l("Decided on"), validators=[Optional()])
    outcome_note = TextAreaField(_l("Note on the outcome"), validators=[Length(max=20000)])
    version = HiddenField()
