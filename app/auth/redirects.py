"""Where to go after a form: the one check for every `next` parameter in the app.

A `next` value comes from the request, so an attacker can choose it. Only a path on this site is
followed. Browsers forgive a lot before they resolve a URL: they drop tabs and newlines
(`/%09/evil.example` becomes `//evil.example`), read a backslash as a slash and trim leading
spaces, so anything containing those is refused rather than cleaned.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 2000


def safe_next(target: object, default: str) -> str:
    """`target` when it is a same-origin path such as `/evidence?page=2`, else `default`."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
