"""Forms for the organisation profile, the ISAE 3000 report's texts and signatures, bundles."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from ..forms import optional_id


class ProfileForm(FlaskForm):
    """Who the organisation is, for the report texts."""

    name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=200)])
    registration_no = StringField(_l("Company registration number (CVR)"),
                                  validators=[Length(max=32)])
    city = StringField(_l("City"), validators=[Length(max=100)],
                       description=_l("Where management signs its statement."))
    service_en = StringField(_l("Service (English)"), validators=[Length(max=300)])
    service_da = StringField(_l("Service (Danish)"), validators=[Length(max=300)])
    processing_en = TextAreaField(_l("Description of the processing (English)"))
    processing_da = TextAreaField(_l("Description of the processing (Danish)"))
    complementary_controls_en = TextAreaField(
        _l("Complementary controls at the data controllers (English)"),
        description=_l("One per line."))
    complementary_controls_da = TextAreaField(
        _l("Complementary controls at the data controllers (Danish)"),
        description=_l("One per line."))
    signatory_name = StringField(_l("Signs management's statement"),
                                 validators=[Length(max=200)])
    signatory_title_en = StringField(_l("Signatory's title (English)"),
                                     validators=[Length(max=200)])
    signatory_title_da = StringField(_l("Signatory's title (Danish)"),
                                     validators=[Length(max=200)])
    version = HiddenField()


class BundleForm(FlaskForm):
    """Start an export bundle."""

    lang = RadioField(_l("Language"), choices=[SelectChoice("da", "Dansk"),
                                               SelectChoice("en", "English")], default="da")
    include_files = BooleanField(_l("Include the evidence files"))


class SectionForm(FlaskForm):
    """One section of the report in both languages (both empty: back to the default)."""

    key = HiddenField(validators=[DataRequired()])
    text_en = TextAreaField(_l("English"), validators=[Length(max=20000)])
    text_da = TextAreaField(_l("Danish"), validators=[Length(max=20000)])
    version = HiddenField()


class StatementSignatureForm(FlaskForm):
    """Who signed management's statement, where and when."""

    name = StringField(_l("Signed by"), validators=[Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    title_da = StringField(_l("Title (Danish)"), validators=[Length(max=200)])
    place = StringField(_l("Place"), validators=[Length(max=100)])
    signed_on = DateField(_l("Date"), validators=[Optional()])


class AuditorSignatureForm(FlaskForm):
    """The engagement partner signs the auditor's report."""

    place = StringField(_l("Place"), validators=[Length(max=100)])
    signed_on = DateField(_l("Date"), validators=[Optional()])


class ObjectiveForm(FlaskForm):
    """The auditor's judgement of one control objective."""

    group_id = HiddenField(validators=[DataRequired()], filters=[optional_id])
    achieved = RadioField(_l("Control objective"), choices=[
        SelectChoice("yes", _l("achieved")), SelectChoice("no", _l("not achieved"))],
        default="yes")
    criterion = SelectField(_l("Criterion affected"), choices=[
        SelectChoice("c", _l("(c) operating effectiveness")),
        SelectChoice("b", _l("(b) design"))])
    reason_en = TextAreaField(_l("Why (English)"), validators=[Length(max=8000)])
    reason_da = TextAreaField(_l("Why (Danish)"), validators=[Length(max=8000)])


class ExclusionForm(FlaskForm):
    """Why a control objective is not relevant, in both languages."""

    exclusion_id = HiddenField(validators=[DataRequired()], filters=[optional_id])
    reason_en = TextAreaField(_l("Reason (English)"), validators=[Length(max=4000)])
    reason_da = TextAreaField(_l("Reason (Danish)"), validators=[Length(max=4000)])


class IssueForm(FlaskForm):
    """Issue the report in the chosen languages."""

    langs = SelectMultipleField(_l("Languages"), choices=[SelectChoice("da", "Dansk"),
                                                          SelectChoice("en", "English")],
                                default=["da", "en"])
