"""Forms for the Statement of Applicability and for importing libraries."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from ..forms import optional_id

# The owner select sends '' for nobody; the service checks who may own controls.
_optional_int = optional_id


class DecisionField(RadioField):
    """Applicable yes/no/undecided: the stored True/False/None checks the matching radio."""

    def process_data(self, value):
        """Map the stored decision to its radio value (None too, which WTForms leaves)."""
        self.data = {True: "yes", False: "no", None: ""}.get(value, value)


class SoAEntryForm(FlaskForm):
    """Applicability, justification, status, owner and review date for one control."""

    applicable = DecisionField(
        _l("Applicable"),
        choices=[
            SelectChoice("yes", _l("Yes")),
            SelectChoice("no", _l("No")),
            SelectChoice("", _l("Not decided yet")),
        ],
        default="",
    )
    justification = TextAreaField(
        _l("Justification"),
        validators=[Length(max=4000)],
        description=_l(
            "Why the control is included or excluded. Required when it is not applicable."
        ),
    )
    status = SelectField(
        _l("Implementation status"),
        choices=[
            SelectChoice("", _l("—")),
            SelectChoice("planned", _l("Planned")),
            SelectChoice("partial", _l("Partially implemented")),
            SelectChoice("implemented", _l("Implemented")),
        ],
        default="",
    )
    owner_id = SelectField(_l("Owner"), coerce=_optional_int, validate_choice=False)
    last_reviewed_on = DateField(_l("Last reviewed"), validators=[Optional()])
    version = HiddenField()


class OwnerForm(FlaskForm):
    """Assign a control's owner."""

    owner_id = SelectField(_l("Owner"), coerce=_optional_int, validate_choice=False)
    version = HiddenField()


class SoABulkForm(FlaskForm):
    """What to set on the ticked SoA rows; an empty field leaves that value as it is."""

    status = SelectField(
        _l("Set status"),
        choices=[
            SelectChoice("", _l("Leave as it is")),
            SelectChoice("planned", _l("Planned")),
            SelectChoice("partial", _l("Partially implemented")),
            SelectChoice("implemented", _l("Implemented")),
        ],
        default="",
    )
    owner_id = SelectField(_l("Set owner"), coerce=_optional_int, validate_choice=False)
    last_reviewed_on = DateField(_l("Set last reviewed"), validators=[Optional()])

    def versions(self) -> dict[int, int]:
        """The ticked entries and the version each had when the page was shown."""
        from flask import request

        chosen = {}
        for raw in request.form.getlist("entry")[:1000]:
            if raw.isdigit() and len(raw) < 10:
                version = request.form.get(f"version-{raw}", "")
                chosen[int(raw)] = int(version) if version.isdigit() and len(version) < 10 else -1
        return chosen


class LibraryImportForm(FlaskForm):
    """CISO Assistant library files to import, and what their frameworks are for."""

    files = MultipleFileField(_l("Library files (YAML)"), validators=[FileRequired()],
                              description=_l("One or more library files from CISO Assistant: "
                                             "frameworks and mapping sets between them."))
    kind = SelectField(_l("Use the frameworks as"), choices=[
        SelectChoice("", _l("Kept on re-import; new ones for assurance engagements")),
        SelectChoice("standard", _l("Standard: part of the Statement of Applicability")),
        SelectChoice("extension", _l("Extension of the Statement of Applicability")),
        SelectChoice("assurance", _l("Assurance: tested in engagements, no SoA")),
    ], default="")
