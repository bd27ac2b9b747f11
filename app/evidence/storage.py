"""Content-addressed evidence storage: streamed, hashed, atomically placed and verified on read.

Blobs live at `root/ab/abcdef…` (the SHA-256 of their bytes, first two hex digits as folder).
Uploads are written to `root/.tmp/`, fsynced and renamed into place before the caller commits
the database row, so a crash leaves at most a stale temp file or an orphaned blob, never a
half-written file at a final path. Stdlib only: no Flask, no database.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.errors import IntegrityError, Invalid, NotFound

HASH_RE = re.compile(r"[0-9a-f]{64}")
SHARD_RE = re.compile(r"[0-9a-f]{2}")
TEMP_DIR = ".tmp"
FILE_MODE = 0o440  # read-only for owner and group, never executable
MAX_FILENAME = 150
MAX_EXTENSION = 16
_READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredBlob:
    """What `EvidenceStore.store` did; `created` is False when the bytes were already stored."""

    sha256: str
    size: int
    created: bool


@dataclass(frozen=True)
class VerifyReport:
    """What a sweep found: blobs re-hashed, and every hash that does not fit the database."""

    checked: int
    missing: tuple[str, ...]
    changed: tuple[str, ...]
    orphaned: tuple[str, ...]
    stale_temp: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when every recorded blob is present and intact and nothing unknown is stored."""
        return not (self.missing or self.changed or self.orphaned)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _hash_handle(handle: BinaryIO) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(_READ_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _limit_text(max_bytes: int) -> str:
    return f"{max_bytes / (1 << 20):g}"


class EvidenceStore:
    """Evidence blobs on disk under `root`, named by the SHA-256 of their content."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.temp_dir = self.root / TEMP_DIR

    def path_for(self, sha256: str) -> Path:
        """Return where the blob with this hash lives; refuse anything but 64 lowercase hex."""
        if not isinstance(sha256, str) or not HASH_RE.fullmatch(sha256):
            raise Invalid("sha256", "A SHA-256 must be 64 lowercase hexadecimal characters.")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        """Tell whether a blob with this hash is stored."""
        return self.path_for(sha256).is_file()

    def store(self, stream: BinaryIO, max_bytes: int, chunk_size: int = 1 << 20) -> StoredBlob:
        """Stream `stream` into the store, hashing as it goes, and return the blob it became.

        Never reads more than `max_bytes + 1` bytes: a larger upload is refused as soon as the
        limit is passed. The bytes are fsynced before an atomic rename into place, so the final
        path holds either nothing or the complete file.
        """
        self.temp_dir.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=self.temp_dir, prefix="upload-")
        temp_path = Path(temp_name)
        try:
            digest, size = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as out:
                while True:
                    # Ask for at most one byte past the limit so an oversized stream is never
                    # read further than needed to know it is too large.
                    chunk = stream.read(min(chunk_size, max_bytes - size + 1))
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > max_bytes:
                        limit = _limit_text(max_bytes)
                        raise Invalid("file", f"The file is larger than the limit of {limit} MB.")
                    digest.update(chunk)
                    out.write(chunk)
                if size == 0:
                    raise Invalid("file", "The file is empty.")
                out.flush()
                os.fchmod(out.fileno(), FILE_MODE)
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            final = self.path_for(sha256)
            if final.is_file():
                temp_path.unlink()
                return StoredBlob(sha256=sha256, size=size, created=False)
            shard_created = not final.parent.is_dir()
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp_path, final)
            _fsync_dir(final.parent)
            if shard_created:
                _fsync_dir(self.root)
            return StoredBlob(sha256=sha256, size=size, created=True)
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise

    def open_verified(self, sha256: str, expected_size: int | None = None) -> BinaryIO:
        """Open a stored blob for reading after re-hashing it; the handle is at offset 0.

        Raises `NotFound` when the blob is missing and `IntegrityError` when its bytes (or size)
        no longer match what was recorded. The handle returned is the one that was hashed, so
        a file swapped after the check cannot slip through.
        """
        path = self.path_for(sha256)
        try:
            handle = open(path, "rb")  # returned to the caller, who closes it
        except FileNotFoundError:
            raise NotFound(f"The stored file for {sha256} is missing.") from None
        try:
            actual, size = _hash_handle(handle)
            if actual != sha256 or (expected_size is not None and size != expected_size):
                raise IntegrityError(
                    f"The stored file for {sha256} no longer matches its recorded SHA-256 "
                    f"(found {actual}, {size} bytes)."
                )
            handle.seek(0)
            return handle
        except BaseException:
            handle.close()
            raise

    def iter_blobs(self) -> Iterator[str]:
        """Yield the hash of every stored blob, sorted; strays and temp files are skipped."""
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if not SHARD_RE.fullmatch(shard.name) or not shard.is_dir():
                continue
            for entry in sorted(shard.iterdir()):
                name = entry.name
                if HASH_RE.fullmatch(name) and name.startswith(shard.name) and entry.is_file():
                    yield name

    def stale_temp_files(self) -> tuple[str, ...]:
        """Name the files left in the temp folder (an upload that never finished)."""
        if not self.temp_dir.is_dir():
            return ()
        return tuple(sorted(p.name for p in self.temp_dir.iterdir() if p.is_file()))

    def verify(self, known: Mapping[str, int]) -> VerifyReport:
        """Compare the store with `known` (sha256 -> recorded size from the database).

        Every recorded blob on disk is re-hashed (`checked` counts them). A recorded hash that is
        not a valid SHA-256 cannot be on disk and is reported as missing.
        """
        on_disk = set(self.iter_blobs())
        missing, changed, checked = [], [], 0
        for sha256, size in sorted(known.items()):
            if sha256 not in on_disk:
                missing.append(sha256)
                continue
            try:
                with open(self.path_for(sha256), "rb") as handle:
                    actual, actual_size = _hash_handle(handle)
            except FileNotFoundError:  # removed while the sweep ran
                missing.append(sha256)
                continue
            checked += 1
            if actual != sha256 or actual_size != size:
                changed.append(sha256)
        return VerifyReport(
            checked=checked,
            missing=tuple(missing),
            changed=tuple(changed),
            orphaned=tuple(sorted(on_disk.difference(known))),
            stale_temp=self.stale_temp_files(),
        )

    def remove_orphan(self, sha256: str) -> bool:
        """Delete one stored blob; return False when it was already gone.

        The caller must have checked, in the same transaction, that no row refers to it: an
        upload whose row has not committed yet looks exactly like an orphan.
        """
        path = self.path_for(sha256)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _fsync_dir(path.parent)
        return True


def sanitise_filename(name: str, fallback: str = "evidence") -> str:
    r"""Turn an uploaded file name into a safe display/download name.

    Drops any directory part (`/` or `\`), control characters and leading dots; keeps letters
    (æøå included), digits, spaces and `.-_()`; collapses whitespace; caps the length at 150
    characters, keeping the extension. Falls back to `fallback` (plus the extension) when
    nothing usable is left.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category[0] == "Z" or ch in "\t\n\r\v\f":
            kept.append(" ")
        elif category[0] in "LM" or category == "Nd" or ch in ".-_()":
            kept.append(ch)
        # Anything else (controls, NUL, format characters, symbols, punctuation) is dropped.
    text = " ".join("".join(kept).split())

    stem, dot, ext = text.rpartition(".")
    if not dot or not ext.isalnum() or len(ext) > MAX_EXTENSION:
        stem, ext = text, ""
    stem = stem.strip(" .")
    suffix = f".{ext}" if ext else ""
    if not stem:
        return f"{fallback}{suffix}"
    stem = stem[: MAX_FILENAME - len(suffix)].rstrip(" .")
    return f"{stem}{suffix}"
