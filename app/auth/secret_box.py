"""TOTP secrets sealed at rest, under a key kept outside the database.

A TOTP secret has to be read back to check a code, so it cannot be hashed like a password or
a recovery code. It is stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256) under a key
derived with HKDF-SHA256 from the ledger key (`KONTROL_LEDGER_KEY` or `instance/ledger_key`),
which the database never holds: a copy of the database, or of a backup, does not give away
anybody's second factor. The derivation's label keeps this key apart from the ledger's own use.
"""

from __future__ import annotations

import base64
import logging
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PREFIX = "fernet:"
_LABEL = b"kontrol: totp secrets at rest, v1"
log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=_LABEL).derive(key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _key(key: str | None) -> str:
    return key if key is not None else current_app.config["KONTROL_LEDGER_KEY"]


def seal(secret: str, key: str | None = None) -> str:
    """The stored form of a TOTP secret: `fernet:` and the token."""
    return PREFIX + _fernet(_key(key)).encrypt(secret.encode("ascii")).decode("ascii")


def unseal(stored: str | None, key: str | None = None) -> str | None:
    """The secret a stored value holds; None when there is none or this key does not open it.

    A value the key cannot open (the database restored beside another ledger key, or edited)
    is logged and treats every code as wrong: the user signs in with a recovery code or an
    administrator resets their second factor.
    """
    if not stored:
        return None
    if stored.startswith(PREFIX):
        try:
            return _fernet(_key(key)).decrypt(stored[len(PREFIX):].encode("ascii")).decode(
                "ascii")
        except (InvalidToken, ValueError):
            pass
    log.error("a stored TOTP secret does not open with this ledger key; the user needs a "
              "recovery code or an administrator's reset")
    return None
