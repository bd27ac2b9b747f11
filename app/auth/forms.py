"""Sign-in, account and user-administration forms: fields and simple validators only."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length

from .passwords import MAX_LENGTH
from .permissions import Role

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.COORDINATOR: _l("Information-security coordinator"),
    Role.CONTROL_OWNER: _l("Control owner"),
    Role.INTERNAL_AUDITOR: _l("Internal auditor"),
    Role.EXTERNAL_AUDITOR: _l("External auditor"),
    Role.VIEWER: _l("Viewer"),
}


PASSWORD_HINT = _l("At least 10 characters and hard to guess: a few unrelated words work well.")


def role_choices():
    """The options of a role select."""
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class LoginForm(FlaskForm):
    """E-mail address and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class CodeForm(FlaskForm):
    """The second step of signing in: a code from the authenticator app or a recovery code."""

    code = StringField(
        _l("Code"), validators=[DataRequired(), Length(max=40)],
        description=_l("The 6-digit code from your authenticator app, or one of your recovery "
                       "codes."))


class EnrolForm(FlaskForm):
    """Confirm a new authenticator with a code it shows."""

    code = StringField(_l("Code from the app"), validators=[DataRequired(), Length(max=40)])


class ConfirmPasswordForm(FlaskForm):
    """Repeat the password before a change to two-factor sign-in."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(),
                                                              Length(max=1000)])


class TwoFactorPolicyForm(FlaskForm):
    """The roles whose users must sign in with two factors."""

    roles = SelectMultipleField(_l("Two-factor sign-in required for"), choices=role_choices,
                                validate_choice=True)


class PasswordForm(FlaskForm):
    """A user changes their own password."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(),
                                                             Length(max=MAX_LENGTH)],
                             description=PASSWORD_HINT)
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class UserCreateForm(FlaskForm):
    """An administrator creates an account."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    # The least privileged role unless the administrator chooses another.
    role = SelectField(_l("Role"), choices=role_choices, default=Role.VIEWER.value)
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=_l("At least 10 characters and hard to guess. Tell the person; they can "
                       "change it."),
    )


class UserEditForm(FlaskForm):
    """An administrator changes an account's name, role or active flag."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=role_choices)
    active = BooleanField(_l("Active (may sign in)"))
    version = HiddenField()


class TokenForm(FlaskForm):
    """Name a new personal API token."""

    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that post (sign out, revoke)."""
