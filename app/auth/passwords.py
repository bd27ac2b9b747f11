"""Whether a password is hard enough to guess, and why not (pure: no Flask, no database).

zxcvbn estimates how many guesses a password would take, knowing the common passwords, words,
names, keyboard patterns, repeats, sequences and dates that crackers try first, and the
account's own name and e-mail address. A score of 3 ("safely unguessable: moderate protection
from an offline attack") is required, as well as a minimum length. The reason for a refusal is
one of a few fixed messages, so the interface can show it in every language.
"""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 200
MIN_SCORE = 3
# zxcvbn's matching grows quadratically with length; what lies beyond this adds strength anyway.
_ESTIMATE_CHARS = 64


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction; the interface translates it when it shows it."""
    return message


TOO_SHORT = N_("Use at least %(min)s characters.")
TOO_LONG = N_("Use at most %(max)s characters.")
MOST_COMMON = N_("This is one of the most common passwords.")
LIKE_COMMON = N_("This is too close to a commonly used password.")
PERSONAL = N_("Do not build the password from your name or e-mail address.")
REPEATS = N_("Repeated characters or words are easy to guess.")
SEQUENCE = N_("Sequences such as abc or 6543 are easy to guess.")
KEYBOARD = N_("Rows and patterns of keys are easy to guess.")
DATES = N_("Dates and years are easy to guess.")
ONE_WORD = N_("A single word or name is easy to guess.")
GUESSABLE = N_("This password is too easy to guess.")

_BY_PATTERN = {"repeat": REPEATS, "sequence": SEQUENCE, "spatial": KEYBOARD, "date": DATES,
               "regex": DATES}


def weakness(password: str, personal: Iterable[str] = ()) -> tuple[str, dict] | None:
    """None when `password` is acceptable; else a message template and its parameters.

    `personal` holds words an attacker would try for this account (name, e-mail address).
    """
    if len(password or "") < MIN_LENGTH:
        return TOO_SHORT, {"min": MIN_LENGTH}
    if len(password) > MAX_LENGTH:
        return TOO_LONG, {"max": MAX_LENGTH}
    inputs = _personal_words(personal)
    result = zxcvbn(password[:_ESTIMATE_CHARS], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return None
    return _reason(result, password[:_ESTIMATE_CHARS]), {}


def _personal_words(personal: Iterable[str]) -> list[str]:
    words = []
    for item in personal:
        item = (item or "").strip().lower()
        if not item:
            continue
        words.extend({item, item.replace(" ", "")})
        local = item.split("@")[0]
        words.extend(part for part in local.replace("_", ".").replace("-", ".").split(".")
                     if len(part) >= 3)
        words.extend(part for part in item.split() if len(part) >= 3)
    return words


def _reason(result: dict, password: str) -> str:
    """The message for the weakest part zxcvbn found (the longest match that is not brute force)."""
    matches = [m for m in result["sequence"] if m["pattern"] != "bruteforce"]
    if not matches:
        return GUESSABLE
    worst = max(matches, key=lambda match: len(match["token"]))
    if worst["pattern"] == "dictionary":
        source = worst.get("dictionary_name")
        if source == "user_inputs":
            return PERSONAL
        if source == "passwords":
            whole = len(worst["token"]) == len(password) and not worst.get("l33t")
            return MOST_COMMON if whole and worst.get("rank", 10**6) <= 1000 else LIKE_COMMON
        return ONE_WORD
    return _BY_PATTERN.get(worst["pattern"], GUESSABLE)
