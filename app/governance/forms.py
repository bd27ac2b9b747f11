"""Governance forms: fields and simple validators only; the services check the rules."""

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
    widgets,
)
from wtforms.validators import Length, NumberRange, Optional

from .models.adoptions import Category
from .models.documents import DocumentKind, Outcome, ReviewKind
from .models.risks import AssessmentKind, AssessmentStatus, Topic, Treatment
from .rules import AdoptionStatus, Body, Step

KIND_LABELS = {DocumentKind.POLICY: _l("Policy"), DocumentKind.GUIDELINE: _l("Guideline"),
               DocumentKind.PROCEDURE: _l("Procedure"), DocumentKind.PLAN: _l("Plan")}
BODY_LABELS = {Body.TOP_MANAGEMENT: _l("Top management"),
               Body.SECURITY_COMMITTEE: _l("Security committee"),
               Body.IT_SECURITY_GROUP: _l("IT security group")}
OUTCOME_LABELS = {Outcome.NO_CHANGE: _l("No change"), Outcome.UPDATED: _l("Updated"),
                  Outcome.WITHDRAWN: _l("Withdrawn")}
REVIEW_KIND_LABELS = {ReviewKind.REVIEW: _l("Review"),
                      ReviewKind.SECURITY_LEVEL: _l("Security-level decision")}
ASSESSMENT_KIND_LABELS = {
    AssessmentKind.PERIODIC: _l("Periodic"), AssessmentKind.CHANGE: _l("Change"),
    AssessmentKind.NEW_TECHNOLOGY: _l("New technology"), AssessmentKind.CLOUD: _l("Cloud"),
    AssessmentKind.AI: _l("AI"), AssessmentKind.SUB_PROCESSOR: _l("Sub-processor"),
    AssessmentKind.DPIA: _l("DPIA")}
ASSESSMENT_STATUS_LABELS = {AssessmentStatus.PLANNED: _l("Planned"),
                            AssessmentStatus.IN_PROGRESS: _l("In progress"),
                            AssessmentStatus.COMPLETED: _l("Completed")}
TOPIC_LABELS = {Topic.GDPR: _l("GDPR"), Topic.TECHNICAL_DEBT: _l("Technical debt"),
                Topic.BREACHES: _l("Security breaches"),
                Topic.VULNERABILITIES: _l("Vulnerabilities"),
                Topic.LOGGING: _l("Logging needs"),
                Topic.NEW_TECHNOLOGY: _l("Use of new technology")}
TREATMENT_LABELS = {Treatment.REDUCE: _l("Reduce"), Treatment.ACCEPT: _l("Accept"),
                    Treatment.TRANSFER: _l("Transfer"), Treatment.AVOID: _l("Avoid")}
ADOPTION_STATUS_LABELS = {
    AdoptionStatus.DRAFT: _l("Draft"), AdoptionStatus.RISK_ASSESSED: _l("Risk assessed"),
    AdoptionStatus.IMPACT_ANALYSED: _l("Impact analysed"),
    AdoptionStatus.PRESENTED: _l("Presented to top management"),
    AdoptionStatus.APPROVED: _l("Approved"), AdoptionStatus.REJECTED: _l("Rejected"),
    AdoptionStatus.IN_USE: _l("In use")}
STEP_LABELS = {
    Step.RISK_ASSESSMENT: _l("a risk assessment"), Step.IMPACT_ANALYSIS: _l("an impact analysis"),
    Step.DPIA: _l("a DPIA (personal data are processed)"),
    Step.MANAGEMENT_PRESENTATION: _l("the presentation to top management, with minutes"),
    Step.MANAGEMENT_APPROVAL: _l("top management's approval")}
CATEGORY_LABELS = {Category.CLOUD_SERVICE: _l("Cloud service"),
                   Category.AI_SOLUTION: _l("AI solution"),
                   Category.INTERNET_SERVICE: _l("Internet-based service"),
                   Category.DATA_SHARING: _l("Sharing of data"),
                   Category.NEW_METHOD: _l("New method or system on confidential data")}


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") and str(value).isdigit() and (
        len(str(value)) < 18) else None


def _choices(labels: dict, blank=None) -> list:
    return ([SelectChoice("", blank)] if blank is not None else []) + [
        SelectChoice(key.value, label) for key, label in labels.items()]


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class DocumentForm(FlaskForm):
    """Register or edit a governing document."""

    title = StringField(_l("Title"), validators=[Length(max=300)])
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS))
    owner_id = SelectField(_l("Owner"), coerce=_int_or_none, validate_choice=False)
    approving_body = SelectField(_l("Approved by"), choices=_choices(BODY_LABELS))
    review_interval_months = IntegerField(
        _l("Review interval (months)"), default=12, validators=[Optional(),
                                                               NumberRange(1, 60)])
    controls = SelectMultipleField(
        _l("Controls"), validate_choice=False,
        description=_l("The controls the document supports; their pages show its latest "
                       "review. Hold Ctrl (⌘ on a Mac) to choose several."))
    in_handbook = BooleanField(_l("Part of the information security handbook"), default=True)
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])
    version = HiddenField()


class NewDocumentForm(DocumentForm):
    """Registration also takes the version in force and when it was approved."""

    approved_on = DateField(
        _l("Last approved on"), validators=[Optional()],
        description=_l("When the version in force was approved; the first review is due one "
                       "interval later (default: today)."))
    label = StringField(_l("Version"), validators=[Length(max=40)], default="1.0")
    file = FileField(_l("File of the version in force"),
                     description=_l("Kept as evidence of the document's controls; its SHA-256 "
                                    "is checked on every download."))


class VersionForm(FlaskForm):
    """Propose a new version."""

    label = StringField(_l("Version"), validators=[Length(max=40)])
    change = SelectField(_l("Change"), choices=[
        SelectChoice("major", _l("Major: approved before it takes effect")),
        SelectChoice("minor", _l("Minor"))])
    summary = TextAreaField(_l("What changed"), validators=[Length(max=20000)])
    file = FileField(_l("File"))


class ApprovalFields(FlaskForm):
    """Who approved, when, and the minutes."""

    approval_body = SelectField(_l("Approved by (body)"),
                                choices=_choices(BODY_LABELS, blank="—"))
    approved_by = StringField(_l("Approved by (name)"), validators=[Length(max=200)])
    approved_on = DateField(_l("Approved on"), validators=[Optional()])
    minutes = FileField(_l("Minutes"), description=_l("Stored as evidence."))


class ReviewForm(ApprovalFields):
    """Record a review, with its approval when it is already given."""

    kind = SelectField(_l("Kind"), choices=_choices(REVIEW_KIND_LABELS))
    reviewed_on = DateField(_l("Reviewed on"), validators=[Optional()])
    reviewer_id = SelectField(_l("Reviewer"), coerce=_int_or_none, validate_choice=False)
    outcome = SelectField(_l("Outcome"), choices=_choices(OUTCOME_LABELS))
    version_id = SelectField(_l("Version approved by this review"), coerce=_int_or_none,
                             validate_choice=False)
    notes = TextAreaField(_l("Notes"), validators=[Length(max=20000)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (for buttons)."""

    version = HiddenField()


class AssessmentForm(FlaskForm):
    """Start or edit a risk assessment."""

    title = StringField(_l("Title"), validators=[Length(max=300)])
    kind = SelectField(_l("Kind"), choices=_choices(ASSESSMENT_KIND_LABELS))
    owner_id = SelectField(_l("Owner"), coerce=_int_or_none, validate_choice=False)
    assessed_on = DateField(_l("Date"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=_choices(ASSESSMENT_STATUS_LABELS),
                         default="in_progress")
    scope = TextAreaField(_l("Scope"), validators=[Length(max=20000)])
    topics = CheckboxesField(_l("Topics considered"), choices=_choices(TOPIC_LABELS),
                             description=_l("The policy asks every assessment to consider "
                                            "these."))
    version = HiddenField()


class RiskForm(FlaskForm):
    """Add or edit a risk, its treatment and any acceptance."""

    title = StringField(_l("Risk"), validators=[Length(max=300)])
    threat = TextAreaField(_l("Threat"), validators=[Length(max=20000)])
    vulnerability = TextAreaField(_l("Vulnerability"), validators=[Length(max=20000)])
    assets = TextAreaField(_l("Affected assets or processing"),
                           validators=[Length(max=20000)])
    likelihood = SelectField(_l("Likelihood"), coerce=_int_or_none, validate_choice=False)
    consequence = SelectField(_l("Consequence"), coerce=_int_or_none, validate_choice=False)
    treatment = SelectField(_l("Treatment"), choices=_choices(TREATMENT_LABELS))
    treatment_plan = TextAreaField(_l("Treatment plan"), validators=[Length(max=20000)])
    residual_likelihood = SelectField(_l("Residual likelihood"), coerce=_int_or_none,
                                      validate_choice=False)
    residual_consequence = SelectField(_l("Residual consequence"), coerce=_int_or_none,
                                       validate_choice=False)
    owner_id = SelectField(_l("Risk owner"), coerce=_int_or_none, validate_choice=False)
    due_on = DateField(_l("Treatment due"), validators=[Optional()])
    controls = SelectMultipleField(_l("Controls"), validate_choice=False)
    accepted_by = StringField(_l("Accepted by"), validators=[Length(max=200)])
    accepted_on = DateField(_l("Accepted on"), validators=[Optional()])
    accepted_until = DateField(_l("Acceptance valid until"), validators=[Optional()])
    version = HiddenField()


class AdoptionForm(FlaskForm):
    """Register or edit an adoption of new technology."""

    title = StringField(_l("Technology"), validators=[Length(max=300)])
    categories = CheckboxesField(_l("Categories"), choices=_choices(CATEGORY_LABELS))
    personal_data = BooleanField(_l("Personal data will be processed (a DPIA is required)"))
    owner_id = SelectField(_l("Owner"), coerce=_int_or_none, validate_choice=False)
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])
    version = HiddenField()


class RiskStepForm(FlaskForm):
    """Step 1: link the risk assessment."""

    risk_assessment_id = SelectField(_l("Risk assessment"), coerce=_int_or_none,
                                     validate_choice=False)
    version = HiddenField()


class ImpactStepForm(FlaskForm):
    """Step 2: the impact analysis."""

    impact_assessment_id = SelectField(_l("Impact analysis (DPIA)"), coerce=_int_or_none,
                                       validate_choice=False)
    impact_summary = TextAreaField(_l("Or a written impact analysis"),
                                   validators=[Length(max=20000)])
    version = HiddenField()


class PresentationStepForm(FlaskForm):
    """Step 3: the presentation to top management."""

    presented_on = DateField(_l("Presented on"), validators=[Optional()])
    minutes = FileField(_l("Minutes"))
    version = HiddenField()


class DecisionStepForm(FlaskForm):
    """Step 4: top management's decision."""

    decision = SelectField(_l("Decision"), choices=[SelectChoice("approved", _l("Approved")),
                                                     SelectChoice("rejected", _l("Rejected"))])
    decided_on = DateField(_l("Decided on"), validators=[Optional()])
    decided_by = StringField(_l("Decided by"), validators=[Length(max=200)])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=20000)])
    version = HiddenField()


class DispensationForm(FlaskForm):
    """A request for dispensation, or an emergency deviation decided on the spot."""

    requirement = SelectField(_l("Requirement"), validate_choice=False)
    title = StringField(_l("Title"), validators=[Length(max=300)],
                        description=_l("Leave empty to use the requirement's title."))
    reason = TextAreaField(_l("Why it cannot be met"), validators=[Length(max=20000)])
    compensating_measures = TextAreaField(_l("Compensating measures"),
                                          validators=[Length(max=20000)])
    requested_by_id = SelectField(_l("Requested by"), coerce=_int_or_none,
                                  validate_choice=False)
    addressed_to = StringField(_l("Addressed to"), validators=[Length(max=200)])
    valid_until = DateField(_l("Desired validity until"), validators=[Optional()])
    emergency = HiddenField()
    decided_at = DateTimeLocalField(_l("Decided at"), format="%Y-%m-%dT%H:%M",
                                    validators=[Optional()])
    decided_by = StringField(_l("Decided on the spot by"), validators=[Length(max=200)])
    version = HiddenField()


class DecisionForm(FlaskForm):
    """The chair's decision, or a renewal."""

    outcome = SelectField(_l("Decision"), choices=[SelectChoice("approved", _l("Approved")),
                                                    SelectChoice("rejected", _l("Rejected"))])
    decided_by = StringField(_l("Decided by"), validators=[Length(max=200)])
    decided_on = DateField(_l("Decided on"), validators=[Optional()])
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    conditions = TextAreaField(_l("Conditions"), validators=[Length(max=20000)])
    version = HiddenField()


class ReportForm(FlaskForm):
    """When an emergency deviation was reported to the chair."""

    reported_at = DateTimeLocalField(_l("Reported to the chair at"), format="%Y-%m-%dT%H:%M",
                                     validators=[Optional()])
    version = HiddenField()
