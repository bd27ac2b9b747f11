"""The external auditor's export bundle: one ZIP per engagement, built in the background.

Contents: the report PDF (ISAE 3000 or internal), the workpapers XLSX, an evidence index (CSV)
of the evidence in scope (the engagement's controls, evidence speaking for its period) with the
file version the audit rests on (`version_for_audit`: the newest, or the newest at issue) and
its SHA-256, optionally those files themselves, and MANIFEST.sha256 listing the SHA-256 of
every file in the bundle (check it with `sha256sum -c MANIFEST.sha256`). The manifest's comment
lines carry the ledger's anchor (head sequence and hash) at build time, so every bundle an
auditor keeps is also an anchor for `flask ledger verify --anchor`. The ZIP is written to a
temporary name and renamed when complete; its own SHA-256 is recorded and shown.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import jobs
from ..audits import service as audits
from ..audits.models import ControlTest, EngagementKind
from ..auth.permissions import Permission, require
from ..db import utcnow
from ..errors import Invalid, NotFound
from ..evidence.models import Evidence, EvidenceVersion
from ..evidence.storage import EvidenceStore
from ..extensions import db
from ..ledger.anchor import format_anchor
from ..ledger.service import append, current_anchor
from ..time import local_today
from .models import ExportBundle
from .spreadsheet import csv_bytes

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # ZIP entries carry no wall-clock time: same data, same zip


def request_bundle(session: Session, actor, engagement, lang: str, include_files: bool,
                   settings: dict) -> ExportBundle:
    """Queue a bundle for the engagement and start building it in the background."""
    require(actor, Permission.EXPORT_BUNDLE)
    audits.require_view(actor, engagement)
    if lang not in ("da", "en"):
        raise Invalid("lang", "Choose Danish or English.")
    bundle = ExportBundle(engagement_id=engagement.id, requested_by_id=actor.id, lang=lang,
                          include_files=bool(include_files), status="queued")
    session.add(bundle)
    append(session, actor, "bundle.requested", bundle,
           {"engagement": engagement.id, "lang": lang, "include_files": bool(include_files)})
    session.commit()
    jobs.start(build_bundle, bundle.id, actor.id, settings)
    return bundle


def get_bundle(session: Session, actor, bundle_id: int) -> ExportBundle:
    """A bundle of an engagement the actor may see."""
    bundle = session.get(ExportBundle, bundle_id)
    if bundle is None:
        raise NotFound("No such bundle.")
    audits.require_view(actor, bundle.engagement)
    return bundle


def bundle_path(settings: dict, bundle: ExportBundle) -> Path:
    """Where a finished bundle lies."""
    return Path(settings["exports_dir"]) / f"bundle-{bundle.id}.zip"


def evidence_in_scope(session: Session, engagement) -> list[Evidence]:
    """Evidence for the engagement's controls whose period overlaps the engagement's."""
    control_ids = select(ControlTest.control_id).where(
        ControlTest.engagement_id == engagement.id)
    return list(session.scalars(
        select(Evidence).where(Evidence.controls.any(_control_in(control_ids)),
                               Evidence.period_start <= engagement.period_end,
                               Evidence.period_end >= engagement.covers_from)
        .options(selectinload(Evidence.controls), selectinload(Evidence.versions))
        .order_by(Evidence.id)))


def _control_in(control_ids):
    from ..catalogue.models import Control

    return Control.id.in_(control_ids)


def build_bundle(bundle_id: int, actor_id: int, settings: dict) -> None:
    """The background job: write every part, the manifest, then the ZIP; record progress."""
    from ..auth.models import User

    session = db.session
    bundle = session.get(ExportBundle, bundle_id)
    actor = session.get(User, actor_id)
    engagement = bundle.engagement
    target = Path(settings["exports_dir"])
    target.mkdir(parents=True, exist_ok=True)
    partial = target / f".bundle-{bundle.id}.zip.part"
    try:
        evidence = [(item, version_for_audit(item, engagement))
                    for item in evidence_in_scope(session, engagement)]
        files = [(item, version) for item, version in evidence
                 if bundle.include_files and version is not None]
        bundle.status, bundle.total, bundle.done = "building", 4 + len(files), 0
        _progress(session, bundle, "report")
        store = EvidenceStore(settings["evidence_dir"])
        with _BundleWriter(partial, _manifest_head(session, engagement, evidence,
                                                   bundle.include_files)) as writer:
            writer.add(*_report(session, actor, engagement, bundle.lang, settings))
            _progress(session, bundle, "workpapers", 1)
            writer.add(*_workpapers(session, actor, engagement, bundle.lang, settings))
            _progress(session, bundle, "evidence index", 1)
            writer.add("evidence-index.csv", _index(evidence))
            for item, version in files:
                _progress(session, bundle, f"evidence {item.id}", 1)
                with store.open_verified(version.sha256, version.size) as handle:
                    writer.add_stream(f"evidence/{item.id}-v{version.number}-"
                                      f"{version.filename}", handle)
            _progress(session, bundle, "manifest", 1)
        digest, count = writer.sha256, writer.count
        os.replace(partial, bundle_path(settings, bundle))
    except Exception as error:  # noqa: BLE001 - recorded on the bundle for the user
        session.rollback()
        partial.unlink(missing_ok=True)
        bundle = session.get(ExportBundle, bundle_id)
        bundle.status, bundle.error = "failed", str(error)[:2000]
        append(session, actor, "bundle.failed", bundle, {"error": bundle.error})
        session.commit()
        return
    bundle.status, bundle.done, bundle.step = "ready", bundle.total, None
    bundle.sha256, bundle.size = digest, bundle_path(settings, bundle).stat().st_size
    bundle.filename = f"kontrol-engagement-{engagement.id}-{bundle.lang}.zip"
    bundle.finished_at = utcnow()
    append(session, actor, "bundle.built", bundle, {"sha256": digest, "size": bundle.size,
                                                    "files": count})
    session.commit()


def _progress(session: Session, bundle: ExportBundle, step: str, advance: int = 0) -> None:
    bundle.step, bundle.done = step, bundle.done + advance
    session.commit()


def _report(session, actor, engagement, lang, settings) -> tuple[str, bytes]:
    from . import service
    from .internal_pdf import build_internal_report
    from .pdf import build_isae_report

    today = local_today()
    if engagement.is_issued and engagement.is_assurance:  # the PDF frozen at issue
        from ..evidence.storage import EvidenceStore
        from .signing import issued_pdf

        data, _row = issued_pdf(session, engagement, lang,
                                EvidenceStore(settings["evidence_dir"]))
        return f"isae3000-report-{lang}.pdf", data
    if engagement.kind in (EngagementKind.ISAE3000_TYPE1, EngagementKind.ISAE3000_TYPE2):
        report = service.isae_report(session, actor, engagement, lang,
                                     settings["organisation"], today)
        return f"isae3000-report-{lang}.pdf", build_isae_report(report)
    report = service.internal_report(session, actor, engagement, lang,
                                     settings["organisation"], today)
    return f"internal-audit-report-{lang}.pdf", build_internal_report(report)


def _workpapers(session, actor, engagement, lang, settings) -> tuple[str, bytes]:
    from . import service
    from .workpapers import build_workpapers

    tests = service.workpapers(session, actor, engagement, lang)
    period = (f"{engagement.period_start} – {engagement.period_end}" if engagement.period_start
              else f"{engagement.period_end}")
    return f"workpapers-{lang}.xlsx", build_workpapers(engagement.name, period, lang, tests,
                                                        utcnow())


def version_for_audit(item: Evidence, engagement) -> EvidenceVersion | None:
    """The file version an engagement rests on: the newest one (`versions` is newest first).

    Once the engagement is issued, versions uploaded after that are not what the report was
    based on, so the newest version uploaded up to its issue is taken; None for links, notes,
    and files that only appeared later.
    """
    issued_at = engagement.issued_at if engagement.is_issued else None
    return next((version for version in item.versions
                 if issued_at is None or version.uploaded_at <= issued_at), None)


def _index(evidence: list[tuple[Evidence, EvidenceVersion | None]]) -> bytes:
    return csv_bytes(
        ["evidence_id", "title", "kind", "controls", "period_start", "period_end",
         "valid_until", "version", "file", "sha256", "size", "url"],
        ([item.id, item.title, item.kind, " ".join(sorted(c.key for c in item.controls)),
          item.period_start, item.period_end, item.valid_until or "",
          version.number if version else "", version.filename if version else "",
          version.sha256 if version else "", version.size if version else "", item.url or ""]
         for item, version in evidence))


def _manifest_head(session: Session, engagement, evidence, include_files: bool) -> list[str]:
    """The manifest's comment lines, which `sha256sum -c` skips.

    What the bundle is, the ledger's anchor as it stood, and, when files are left out, each
    evidence version's hash.
    """
    lines = [f"# Kontrol auditor bundle: engagement {engagement.id}, period "
             f"{engagement.covers_from} to {engagement.period_end}, built "
             f"{utcnow():%Y-%m-%dT%H:%M:%SZ}",
             "# Check the files: sha256sum -c MANIFEST.sha256",
             "# Check the ledger still holds this head: flask ledger verify --anchor "
             "MANIFEST.sha256",
             f"# {format_anchor(current_anchor(session), utcnow())}"]
    if not include_files:
        lines += [f"# evidence {item.id} version {version.number} sha256 {version.sha256} "
                  "(file not included)" for item, version in evidence if version is not None]
    return [line + "\n" for line in lines]


class _BundleWriter:
    """Writes ZIP entries as they come (files are streamed), then the manifest last."""

    def __init__(self, path: Path, head: list[str]):
        self.path, self.head, self.lines, self.count, self.sha256 = path, head, [], 0, ""

    def __enter__(self):
        self.archive = zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED)
        return self

    def add(self, name: str, data: bytes) -> None:
        """One entry from bytes."""
        self.add_stream(name, io.BytesIO(data))

    def add_stream(self, name: str, stream) -> None:
        """One entry copied in chunks, hashed on the way."""
        digest = hashlib.sha256()
        info = zipfile.ZipInfo(name, FIXED_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        with self.archive.open(info, "w") as entry:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
                entry.write(chunk)
        self.lines.append(f"{digest.hexdigest()}  {name}\n")
        self.count += 1

    def __exit__(self, kind, error, traceback) -> None:
        if error is None:
            self.add("MANIFEST.sha256", "".join(self.head + self.lines).encode("utf-8"))
        self.archive.close()
        if error is None:
            with self.path.open("rb") as handle:
                self.sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
