"""Unit tests for app.evidence.storage: streamed content-addressed storage and filename hygiene."""

import hashlib
import io
import os
import stat

import pytest

from app.errors import IntegrityError, Invalid, NotFound
from app.evidence.storage import EvidenceStore, StoredBlob, VerifyReport, sanitise_filename

MB = 1 << 20


class CountingStream:
    """A read-only stream fed by a generator of chunks that counts how many bytes it handed out."""

    def __init__(self, chunks, fail_after: int | None = None):
        self._chunks = iter(chunks)
        self._buffer = b""
        self._fail_after = fail_after
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        assert size > 0, "the store must never ask for the whole stream at once"
        while len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        self.bytes_read += len(data)
        if self._fail_after is not None and self.bytes_read > self._fail_after:
            raise OSError("connection reset by peer")
        return data


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def final_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts]


def temp_files(root) -> list:
    tmp = root / ".tmp"
    return list(tmp.iterdir()) if tmp.exists() else []


@pytest.fixture
def store(tmp_path):
    return EvidenceStore(tmp_path / "evidence")


def test_store_and_read_back(store):
    data = b"access review Q1\n" * 1000
    blob = store.store(io.BytesIO(data), max_bytes=MB, chunk_size=1024)
    assert blob == StoredBlob(sha256=sha(data), size=len(data), created=True)
    assert store.path_for(blob.sha256) == store.root / blob.sha256[:2] / blob.sha256
    assert store.exists(blob.sha256)
    with store.open_verified(blob.sha256, expected_size=len(data)) as handle:
        assert handle.tell() == 0
        assert handle.read() == data
    assert temp_files(store.root) == []


def test_identical_content_is_stored_once(store):
    data = b"the same policy PDF"
    first = store.store(io.BytesIO(data), max_bytes=MB)
    second = store.store(io.BytesIO(data), max_bytes=MB)
    assert first.created is True
    assert second == StoredBlob(sha256=first.sha256, size=len(data), created=False)
    assert final_files(store.root) == [store.path_for(first.sha256)]
    assert temp_files(store.root) == []


def test_empty_file_is_refused(store):
    with pytest.raises(Invalid) as excinfo:
        store.store(io.BytesIO(b""), max_bytes=MB)
    assert excinfo.value.field == "file"
    assert excinfo.value.message == "The file is empty."
    assert final_files(store.root) == []
    assert temp_files(store.root) == []


def test_file_of_exactly_the_limit_is_accepted(store):
    blob = store.store(io.BytesIO(b"x" * 4096), max_bytes=4096, chunk_size=1000)
    assert blob.size == 4096


def test_oversize_is_refused_while_streaming(store):
    limit = 2 * MB
    stream = CountingStream(b"a" * 65536 for _ in range(10 * limit // 65536))
    with pytest.raises(Invalid) as excinfo:
        store.store(stream, max_bytes=limit, chunk_size=65536)
    assert excinfo.value.field == "file"
    assert excinfo.value.message == "The file is larger than the limit of 2 MB."
    assert limit < stream.bytes_read <= limit + 65536
    assert final_files(store.root) == []
    assert temp_files(store.root) == []


def test_stream_failing_midway_leaves_nothing(store):
    stream = CountingStream((b"b" * 4096 for _ in range(100)), fail_after=50_000)
    with pytest.raises(OSError, match="connection reset"):
        store.store(stream, max_bytes=MB, chunk_size=4096)
    assert final_files(store.root) == []
    assert temp_files(store.root) == []


def test_stored_file_is_read_only_and_not_executable(store):
    blob = store.store(io.BytesIO(b"#!/bin/sh\necho owned\n"), max_bytes=MB)
    mode = stat.S_IMODE(os.stat(store.path_for(blob.sha256)).st_mode)
    assert mode & 0o111 == 0
    assert mode & 0o222 == 0
    assert mode & 0o400


def test_tampered_bytes_raise_integrity_error(store):
    blob = store.store(io.BytesIO(b"original evidence"), max_bytes=MB)
    path = store.path_for(blob.sha256)
    path.chmod(0o640)
    path.write_bytes(b"forged evidence!!")
    with pytest.raises(IntegrityError, match=f"The stored file for {blob.sha256} no longer"):
        store.open_verified(blob.sha256)


def test_wrong_recorded_size_raises_integrity_error(store):
    blob = store.store(io.BytesIO(b"twelve bytes"), max_bytes=MB)
    with pytest.raises(IntegrityError):
        store.open_verified(blob.sha256, expected_size=blob.size + 1)


def test_missing_blob_raises_not_found(store):
    with pytest.raises(NotFound):
        store.open_verified(sha(b"never stored"))
    assert not store.exists(sha(b"never stored"))


@pytest.mark.parametrize(
    "bad",
    [
        "../etc/passwd",
        "../../" + "a" * 58,
        "A" * 64,
        sha(b"x").upper(),
        "abc123",
        "a" * 63,
        "a" * 65,
        "g" * 64,
        sha(b"x")[:62] + "/x",
        "",
    ],
)
def test_path_for_rejects_anything_but_lowercase_hex(store, bad):
    with pytest.raises(Invalid) as excinfo:
        store.path_for(bad)
    assert excinfo.value.field == "sha256"


def test_iter_blobs_skips_temp_and_strays(store):
    kept = store.store(io.BytesIO(b"real"), max_bytes=MB).sha256
    (store.root / ".tmp" / "upload-leftover").write_bytes(b"partial")
    (store.root / "README").write_text("stray")
    (store.root / "zz").mkdir()
    (store.root / "zz" / ("z" * 64)).write_text("stray")
    (store.root / kept[:2] / "notes.txt").write_text("stray")
    other = "ff" + "0" * 62
    (store.root / kept[:2] / other).write_text("in the wrong folder")
    assert list(store.iter_blobs()) == [kept]


def test_verify_clean_store_is_ok(store):
    blob = store.store(io.BytesIO(b"fine"), max_bytes=MB)
    report = store.verify({blob.sha256: blob.size})
    assert report == VerifyReport(checked=1, missing=(), changed=(), orphaned=(), stale_temp=())
    assert report.ok


def test_verify_reports_missing_changed_orphaned_and_stale_temp(store):
    intact = store.store(io.BytesIO(b"intact"), max_bytes=MB)
    tampered = store.store(io.BytesIO(b"tampered"), max_bytes=MB)
    resized = store.store(io.BytesIO(b"resized"), max_bytes=MB)
    orphan = store.store(io.BytesIO(b"orphan"), max_bytes=MB)
    gone = sha(b"gone")
    path = store.path_for(tampered.sha256)
    path.chmod(0o640)
    path.write_bytes(b"TAMPERED")
    (store.root / ".tmp" / "upload-crashed").write_bytes(b"half")

    report = store.verify(
        {
            intact.sha256: intact.size,
            tampered.sha256: tampered.size,
            resized.sha256: resized.size + 5,
            gone: 4,
        }
    )
    assert report.checked == 3
    assert report.missing == (gone,)
    assert report.changed == tuple(sorted([tampered.sha256, resized.sha256]))
    assert report.orphaned == (orphan.sha256,)
    assert report.stale_temp == ("upload-crashed",)
    assert not report.ok


def test_verify_on_empty_root(tmp_path):
    report = EvidenceStore(tmp_path / "nothing-yet").verify({})
    assert report.ok and report.checked == 0


def test_remove_orphan(store):
    blob = store.store(io.BytesIO(b"orphan"), max_bytes=MB)
    assert store.remove_orphan(blob.sha256) is True
    assert not store.exists(blob.sha256)
    assert store.remove_orphan(blob.sha256) is False


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rapport.pdf", "rapport.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/etc/shadow", "shadow"),
        ("C:\\Users\\x\\rapport æøå.pdf", "rapport æøå.pdf"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("...", "evidence"),
        ("..", "evidence"),
        ("", "evidence"),
        ("   ", "evidence"),
        ("/", "evidence"),
        (".htaccess", "evidence.htaccess"),
        ("..pdf", "evidence.pdf"),
        ("???.xlsx", "evidence.xlsx"),
        ("evil\x00.pdf.exe", "evil.pdf.exe"),
        ("bad\x01\x1f\x7fname.txt", "badname.txt"),
        ("line\nbreak\ttab.txt", "line break tab.txt"),
        ("right\u202etxt.exe", "righttxt.exe"),
        ("Æble  Øl   Å.docx", "Æble Øl Å.docx"),
        ("Cafe\u0301.txt", "Café.txt"),
        ('a<b>c:d"e|f?g*h.txt', "abcdefgh.txt"),
        ("report (final)_v2-1.pdf", "report (final)_v2-1.pdf"),
        ("trailing dots. . .", "trailing dots"),
        ("archive.tar.gz", "archive.tar.gz"),
    ],
)
def test_sanitise_filename_gallery(name, expected):
    assert sanitise_filename(name) == expected


def test_sanitise_filename_nfc_is_composed():
    assert sanitise_filename("a\u030a.txt") == "\u00e5.txt"


def test_sanitise_filename_long_name_keeps_extension():
    result = sanitise_filename("x" * 400 + ".pdf")
    assert len(result) == 150
    assert result == "x" * 146 + ".pdf"


def test_sanitise_filename_long_name_without_extension():
    assert sanitise_filename("y" * 400) == "y" * 150


def test_sanitise_filename_custom_fallback():
    assert sanitise_filename("../", fallback="bilag") == "bilag"
    assert sanitise_filename("\x00\x00.csv", fallback="bilag") == "bilag.csv"
