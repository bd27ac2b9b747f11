"""Helpers shared by the evidence tests: details, uploads, what the store holds, sign-in."""

from __future__ import annotations

import io
from datetime import date

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.evidence.service import EvidenceDetails, Upload
from tests.factories import TEST_PASSWORD


def details(**fields) -> EvidenceDetails:
    """Valid details for control testcat:C.1, speaking for 2026-03-31; override any field."""
    values = {"title": "Access review Q1", "controls": ["testcat:C.1"],
              "period_start": date(2026, 1, 1), "period_end": date(2026, 3, 31)}
    values.update(fields)
    return EvidenceDetails(**values)


def upload(data: bytes = b"user,decision\nanna,keep\n", name: str = "review.csv",
           content_type: str | None = "text/csv") -> Upload:
    """An in-memory upload."""
    return Upload(io.BytesIO(data), name, content_type)


def stored_files(root) -> list:
    """Blobs at their final paths (temp files excluded)."""
    return sorted(p for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts)


def temp_files(root) -> list:
    """Files left in the store's temp folder."""
    tmp = root / ".tmp"
    return list(tmp.iterdir()) if tmp.exists() else []


def post_multipart(client, url: str, fields: dict, files: dict | None = None, **kwargs):
    """POST multipart/form-data encoded in memory (the test client would spool a large body to
    a temporary file that nobody closes when the app refuses to read it)."""
    values = MultiDict()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            values.add(name, item)
    for name, (data, filename, content_type) in (files or {}).items():
        values.add(name, FileStorage(io.BytesIO(data), filename, name, content_type))
    boundary, body = encode_multipart(values)
    return client.post(url, input_stream=io.BytesIO(body), content_length=len(body),
                       content_type=f"multipart/form-data; boundary={boundary}", **kwargs)


def sign_in(client, user) -> None:
    """Sign an existing user in through the login form."""
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
