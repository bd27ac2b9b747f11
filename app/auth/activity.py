"""Accounts, sign-ins and tokens in the activity feed (see ledger/describe.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..ledger.describe import Thing, by_id, known, label, name_lookup, phrase, text
from .forms import ROLE_LABELS
from .models import User

_ROLES = {role.value: name for role, name in ROLE_LABELS.items()}


def _role(changes) -> dict:
    return known(role=label(_ROLES, changes.get("role"), lower=False))


THINGS = {
    "user": Thing(nouns=("%(name)s", _l("user %(id)s")),
                  facts=lambda c: known(name=text(c.get("name"))),
                  lookup=name_lookup(User.name, User.id),
                  endpoint="auth.edit_user", link=by_id("user_id")),
    "api_token": Thing(nouns=(_l("API token “%(name)s”"), _l("API token %(id)s")),
                       facts=lambda c: known(name=text(c.get("name")))),
    "role_policy": Thing(nouns=(_l("the two-factor sign-in policy"),), endpoint="auth.security"),
}

PHRASES = {
    "auth.login": phrase(_l("%(actor)s signed in")),
    "user.recovery_code_used": phrase(_l("%(actor)s signed in with a recovery code")),
    "user.created": phrase(_l("%(actor)s created an account for %(thing)s (%(role)s)"),
                           _l("%(actor)s created an account for %(thing)s"), values=_role),
    "user.updated": phrase(
        lambda c: {
            (True, False): (_l("%(actor)s deactivated the account of %(thing)s"),),
            (False, True): (_l("%(actor)s reactivated the account of %(thing)s"),),
        }.get(tuple(c.get("active") or ()), (_l("%(actor)s gave %(thing)s the role %(role)s"),
                                            _l("%(actor)s changed the account of %(thing)s"))),
        values=_role),
    "user.password_set": phrase(lambda c: (_l("%(actor)s changed their password"),)
                                if c.get("by_self") else
                                (_l("%(actor)s set a new password for %(thing)s"),)),
    "user.sessions_ended": phrase(_l("%(actor)s signed out their other sessions")),
    "user.language_set": phrase(lambda c: {
        "en": (_l("%(actor)s switched the interface to English"),),
        "da": (_l("%(actor)s switched the interface to Danish"),),
    }.get(c.get("language"), (_l("%(actor)s changed their language"),))),
    "token.created": phrase(_l("%(actor)s created %(thing)s")),
    "token.revoked": phrase(_l("%(actor)s revoked %(thing)s")),
    "user.two_factor_enabled": phrase(_l("%(actor)s turned on two-factor sign-in")),
    "user.recovery_codes_renewed": phrase(_l("%(actor)s renewed their recovery codes")),
    "user.two_factor_disabled": phrase(_l("%(actor)s turned off two-factor sign-in")),
    "user.two_factor_reset": phrase(_l("%(actor)s reset two-factor sign-in for %(thing)s")),
    "policy.two_factor_set": phrase(_l("%(actor)s changed %(thing)s")),
    # Written until failed sign-ins moved to the security log (SecurityEvent); old rows remain.
    "auth.login_failed": phrase(_l("A sign-in as %(email)s failed"),
                                values=lambda c: known(email=text(c.get("email")))),
}
