"""Configuration: defaults, then instance/config.py, then environment, then test overrides."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


class Defaults:
    """Settings every deployment starts from; each can be overridden (see README)."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    KONTROL_TIMEZONE = "Europe/Copenhagen"
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "da")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    PASSWORD_HASH_METHOD = "scrypt"
    KONTROL_SESSION_HOURS = 12  # a sign-in without "keep me signed in" ends after this at most
    KONTROL_REMEMBER_DAYS = 30  # "keep me signed in" ends after this (never more than 30)
    KONTROL_SECURITY_LOG_DAYS = 90  # failed sign-ins and codes are kept this long
    KONTROL_TRUSTED_PROXIES = 0  # reverse proxies whose X-Forwarded-For/-Proto to believe
    KONTROL_ORGANISATION = "Kontrol"
    KONTROL_EVIDENCE_DIR = None  # default: <instance>/evidence
    KONTROL_MAX_UPLOAD_MB = 50
    KONTROL_EXPIRY_WARNING_DAYS = 30  # evidence expiring within this many days is flagged
    KONTROL_REVIEW_WARNING_DAYS = 30  # governance reviews due within this many days are flagged
    KONTROL_EMERGENCY_REPORT_DAYS = 3  # an emergency deviation reaches the chair within this
    KONTROL_RISK_SCALE = 5  # likelihood and consequence scale of new risk assessments
    KONTROL_BASE_URL = "http://127.0.0.1:5000"  # links in e-mails (a scheduler has no request)
    KONTROL_SCAN_MINUTES = 5  # how often the scheduler scans deadlines
    # Reminder thresholds per deadline kind, e.g. {"finding_response": ["14d", "due", "overdue"]}
    # (defaults: 30d, 7d, due, overdue; breach clocks 50%, 24h, 4h, overdue).
    KONTROL_DEADLINE_THRESHOLDS: dict = {}
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "kontrol@localhost"


# The ledger key seals the chain (HMAC-SHA256); shorter keys could be guessed.
MIN_LEDGER_KEY = 32

# Environment variables read on start: name -> (config key, converter).
ENVIRONMENT = {
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "KONTROL_LEDGER_KEY": ("KONTROL_LEDGER_KEY", str),
    "KONTROL_TIMEZONE": ("KONTROL_TIMEZONE", str),
    "KONTROL_ORGANISATION": ("KONTROL_ORGANISATION", str),
    "KONTROL_EVIDENCE_DIR": ("KONTROL_EVIDENCE_DIR", str),
    "KONTROL_MAX_UPLOAD_MB": ("KONTROL_MAX_UPLOAD_MB", int),
    "KONTROL_EXPIRY_WARNING_DAYS": ("KONTROL_EXPIRY_WARNING_DAYS", int),
    "KONTROL_REVIEW_WARNING_DAYS": ("KONTROL_REVIEW_WARNING_DAYS", int),
    "KONTROL_EMERGENCY_REPORT_DAYS": ("KONTROL_EMERGENCY_REPORT_DAYS", int),
    "KONTROL_RISK_SCALE": ("KONTROL_RISK_SCALE", int),
    "KONTROL_SESSION_HOURS": ("KONTROL_SESSION_HOURS", int),
    "KONTROL_REMEMBER_DAYS": ("KONTROL_REMEMBER_DAYS", int),
    "KONTROL_SECURITY_LOG_DAYS": ("KONTROL_SECURITY_LOG_DAYS", int),
    "KONTROL_TRUSTED_PROXIES": ("KONTROL_TRUSTED_PROXIES", int),
    "KONTROL_SECURE_COOKIES": ("SESSION_COOKIE_SECURE", lambda v: v.lower() in ("1", "true")),
    "KONTROL_BASE_URL": ("KONTROL_BASE_URL", str),
    "KONTROL_SCAN_MINUTES": ("KONTROL_SCAN_MINUTES", int),
    "KONTROL_DEADLINE_THRESHOLDS": ("KONTROL_DEADLINE_THRESHOLDS", json.loads),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "MAIL_USE_TLS": ("MAIL_USE_TLS", lambda v: v.lower() in ("1", "true", "yes")),
    "MAIL_USERNAME": ("MAIL_USERNAME", str),
    "MAIL_PASSWORD": ("MAIL_PASSWORD", str),
    "MAIL_DEFAULT_SENDER": ("MAIL_DEFAULT_SENDER", str),
}


def normalise_database_url(url: str) -> str:
    """Let people write postgres:// or postgresql:// and still get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(app, overrides: dict | None) -> None:
    """Fill `app.config` in order: defaults, instance/config.py, environment, overrides."""
    app.config.from_object(Defaults)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
        Path(app.instance_path) / "kontrol.db"
    )
    app.config.from_pyfile("config.py", silent=True)
    for variable, (key, convert) in ENVIRONMENT.items():
        if os.environ.get(variable):
            app.config[key] = convert(os.environ[variable])
    app.config.update(overrides or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    _bound_sign_in_settings(app.config)
    app.config["KONTROL_SCAN_MINUTES"] = min(max(int(app.config["KONTROL_SCAN_MINUTES"]), 1), 1440)
    app.config["MAX_CONTENT_LENGTH"] = (app.config["KONTROL_MAX_UPLOAD_MB"] + 1) * 1024 * 1024
    if not app.config.get("KONTROL_EVIDENCE_DIR"):
        app.config["KONTROL_EVIDENCE_DIR"] = str(Path(app.instance_path) / "evidence")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    if not app.config.get("KONTROL_LEDGER_KEY"):
        app.config["KONTROL_LEDGER_KEY"] = instance_secret_key(Path(app.instance_path),
                                                               "ledger_key")
    if len(app.config["KONTROL_LEDGER_KEY"]) < MIN_LEDGER_KEY:
        raise RuntimeError(f"KONTROL_LEDGER_KEY must be at least {MIN_LEDGER_KEY} characters "
                           "(e.g. the output of: python3 -c 'import secrets; "
                           "print(secrets.token_hex(32))').")


def _bound_sign_in_settings(config) -> None:
    """Keep session settings in range; the remember-me cookie lasts as long as its sign-in."""
    from datetime import timedelta

    config["KONTROL_SESSION_HOURS"] = min(max(int(config["KONTROL_SESSION_HOURS"]), 1), 24 * 7)
    config["KONTROL_REMEMBER_DAYS"] = min(max(int(config["KONTROL_REMEMBER_DAYS"]), 1), 30)
    config["KONTROL_SECURITY_LOG_DAYS"] = min(max(int(config["KONTROL_SECURITY_LOG_DAYS"]), 1),
                                              3650)
    config["REMEMBER_COOKIE_DURATION"] = timedelta(days=config["KONTROL_REMEMBER_DAYS"])
    config.setdefault("REMEMBER_COOKIE_SECURE", config["SESSION_COOKIE_SECURE"])


def instance_secret_key(instance: Path, name: str = "secret_key") -> str:
    """Read a key kept in instance/<name>, creating it (random, mode 0600) on first start.

    Used for the session secret (`secret_key`) and the ledger's HMAC key (`ledger_key`). The
    key is written whole to a temporary file and linked into place, so workers starting at the
    same moment all read the one key that won.
    """
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    temporary = instance / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process created it first: use theirs
    finally:
        temporary.unlink()
    return path.read_text().strip()
