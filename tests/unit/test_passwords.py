"""The password rule: long enough and hard to guess, with a reason when not (pure)."""

import pytest

from app.auth import passwords


@pytest.mark.parametrize(("password", "reason"), [
    ("short", passwords.TOO_SHORT),
    ("aaaaaaaaaa", passwords.REPEATS),
    ("0123456789", passwords.SEQUENCE),
    ("qwertyuiop", passwords.MOST_COMMON),
    ("password12", passwords.LIKE_COMMON),
    ("Summer2024!", passwords.LIKE_COMMON),
    ("kontrolkontrol", passwords.REPEATS),
    ("christopher", passwords.ONE_WORD),
    ("signeholm88", passwords.PERSONAL),
    ("x" * 201, passwords.TOO_LONG),
])
def test_guessable_passwords_are_refused_with_a_reason(password, reason):
    problem = passwords.weakness(password, ["signe.holm@nordlys.example", "Signe Holm"])
    assert problem is not None and problem[0] == reason


@pytest.mark.parametrize("password", [
    "correct horse battery",  # tests/factories.py
    "violet tram umbrella", "Rødgrød med fløde 1987", "kX9_2mQv-7wLpE0s",  # like flask setup's
])
def test_good_passwords_pass(password):
    assert passwords.weakness(password, ["someone@example.org"]) is None


def test_generated_passwords_always_pass():
    from app.auth.service import generate_password

    assert all(passwords.weakness(generate_password()) is None for _ in range(50))


def test_a_very_long_password_is_judged_quickly():
    import time

    started = time.monotonic()
    passwords.weakness("ab1!" * 50)
    assert time.monotonic() - started < 1
