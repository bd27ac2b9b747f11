"""Evidence forms: fields and simple validators only; the service checks the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import Length, Optional

from ..forms import optional_id

_optional_int = optional_id


class EvidenceForm(FlaskForm):
    """What every kind of evidence says: title, controls, the period it speaks for, expiry."""

    title = StringField(_l("Title"), validators=[Length(max=300)])
    # Choices are filled by the view; the service gives the message for a wrong key.
    controls = SelectMultipleField(
        _l("Controls"), validate_choice=False,
        description=_l("The controls this evidence is for. Hold Ctrl (⌘ on a Mac) to choose "
                       "several."))
    period_start = DateField(
        _l("Date or start of period"), validators=[Optional()],
        description=_l("The date the evidence speaks for (not today's upload date), or the "
                       "first day of the period it covers."))
    period_end = DateField(_l("End of period"), validators=[Optional()],
                           description=_l("Leave empty for a single date."))
    valid_until = DateField(
        _l("Valid until"), validators=[Optional()],
        description=_l("For evidence that expires, such as a certificate or a yearly report."))
    tags = StringField(_l("Tags"), validators=[Length(max=1000)],
                       description=_l("Separated by commas, e.g. access review, quarterly."))
    owner_id = SelectField(_l("Owner"), coerce=_optional_int, validators=[Optional()])
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])
    request_id = HiddenField()


class FileEvidenceForm(EvidenceForm):
    """A file upload."""

    file = FileField(_l("File"))


class LinkEvidenceForm(EvidenceForm):
    """A link to a ticket, a wiki page or another system."""

    url = URLField(_l("Address (URL)"), validators=[Length(max=2000)])


class NoteEvidenceForm(EvidenceForm):
    """A written note; its text is the evidence."""

    description = TextAreaField(_l("Note"), validators=[Length(max=20000)])


FORMS = {"file": FileEvidenceForm, "link": LinkEvidenceForm, "note": NoteEvidenceForm}


class EvidenceEditForm(EvidenceForm):
    """Change what is said about evidence; `url` only applies to links."""

    url = URLField(_l("Address (URL)"), validators=[Length(max=2000)])
    version = HiddenField()


class VersionForm(FlaskForm):
    """Upload a new version of a file."""

    file = FileField(_l("New version"))
    version = HiddenField()


class RequestForm(FlaskForm):
    """Ask for evidence for a control by a due date."""

    control = SelectField(_l("Control"), validate_choice=False)
    assignee_id = SelectField(
        _l("Ask"), coerce=_optional_int, validators=[Optional()],
        description=_l("Leave empty to ask the control's owner."))
    due_on = DateField(_l("Due"), validators=[Optional()])
    description = TextAreaField(_l("What is needed"), validators=[Length(max=20000)])
