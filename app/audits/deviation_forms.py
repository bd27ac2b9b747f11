"""Forms for findings: fields and simple validators only; the service checks the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..forms import optional_id

SEVERITY_LABELS = {
    "observation": _l("Observation"),
    "minor": _l("Minor deviation"),
    "material": _l("Material deviation"),
}


# Selects send '' for nobody; the service checks the id.
_optional_int = optional_id


def _severity_choices():
    return [SelectChoice("", _l("—"))] + [SelectChoice(value, label)
                                           for value, label in SEVERITY_LABELS.items()]


class DeviationForm(FlaskForm):
    """What a finding says, how serious it is, who remediates it and by when."""

    title = StringField(_l("Title"), validators=[Length(max=200)])
    description = TextAreaField(
        _l("Description"), validators=[Length(max=20000)],
        description=_l("What was found: the condition, the criterion it fails, and the effect."))
    severity = SelectField(_l("Severity"), choices=_severity_choices, default="")
    owner_id = SelectField(_l("Remediation owner"), coerce=_optional_int, validate_choice=False)
    due_on = DateField(_l("Due date"), validators=[Optional()])


class RaiseDeviationForm(DeviationForm):
    """A new finding: the control it concerns and, when it comes from a test, the test."""

    # Choices are filled by the view; the service gives the message for a wrong key.
    control = SelectField(_l("Control"), validate_choice=False)
    test_id = HiddenField()


class EditDeviationForm(DeviationForm):
    """Change a finding."""

    version = HiddenField()


class RespondForm(FlaskForm):
    """Management's response to a finding."""

    root_cause = TextAreaField(_l("Root cause"), validators=[Length(max=20000)],
                               description=_l("Why the control did not work as intended."))
    management_response = TextAreaField(
        _l("Management's response"), validators=[Length(max=20000)],
        description=_l("What will be done to remediate it, and by when."))
    version = HiddenField()


class CloseForm(FlaskForm):
    """Close a finding with the evidence that the remediation works."""

    evidence_id = SelectField(_l("Closing evidence"), coerce=_optional_int,
                              validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Length(max=20000)])
    version = HiddenField()


class ReopenForm(FlaskForm):
    """Reopen a closed finding."""

    reason = TextAreaField(_l("Why reopen it?"), validators=[Length(max=20000)])
    version = HiddenField()
