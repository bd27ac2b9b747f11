"""The sub-processor register: the only code that writes sub-processors and their transfers.

A sub-processor processes in one or more countries; every country outside the EU/EEA among
them, and the country where it is established when that is outside (the importer then sits in
a third country, EDPB Guidelines 05/2021), needs a transfer with a basis under GDPR Chapter V.
Registering or editing a sub-processor creates the transfers for new third countries from the
basis given with it, and refuses a third country without one (field `transfer_basis`).

Each public function is one unit of work: permission → checks → write → ledger → commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ..auth.models import User
from ..auth.permissions import Permission, require
from ..ledger.service import append
from . import countries, rules
from .checks import (
    MAX_NAME,
    N_,
    Upload,
    VendorContext,
    check_version,
    choice,
    day,
    invalid,
    items,
    optional_text,
    store_file,
    text,
    unit_of_work,
)
from .models import Approval, Basis, Risk, Status, SubProcessor, Transfer


@dataclass(frozen=True)
class SubProcessorDetails:
    """What the register says about a sub-processor, from a form, the API or the demo."""

    name: str
    registration_number: str
    address: str | None
    country: str
    countries: Sequence[str]
    processing_en: str
    processing_da: str
    data_categories: Sequence[str] | str
    approval: str
    start_date: date | None
    controllers: Sequence[str] | str = ()
    end_date: date | None = None
    status: str = Status.ACTIVE.value
    contact: str | None = None
    risk_rating: str = Risk.MEDIUM.value


@dataclass(frozen=True)
class TransferBasis:
    """The basis of a transfer: one of Basis, the SCC version for SCCs, and a note."""

    basis: str | None = None
    scc_version: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class TransferDetails:
    """What can be changed on one transfer."""

    recipient: str
    basis: TransferBasis


def _country(field_name: str, code: str | None) -> str:
    code = (code or "").strip().upper()
    if countries.get(code) is None:
        raise invalid(field_name, N_("Choose a country from the list (ISO code such as DK)."))
    return code


def _check(details: SubProcessorDetails) -> dict:
    values = {
        "name": text("name", details.name, N_("Give the sub-processor's name."), MAX_NAME),
        "registration_number": text(
            "registration_number", details.registration_number,
            N_("Give the company registration number (CVR, or the foreign equivalent)."), 40),
        # F.5 lists the address; the API may leave it for later, the pages flag it as missing.
        "address": optional_text("address", details.address, 500),
        "country": _country("country", details.country),
    }
    codes = [_country("countries", code) for code in items("countries", details.countries)]
    if not codes:
        raise invalid("countries", N_("Give at least one country where the data is "
                                      "processed."))
    values["countries"] = codes
    for lang, label in (("en", N_("Describe the processing in English.")),
                        ("da", N_("Describe the processing in Danish."))):
        values[f"processing_{lang}"] = text(f"processing_{lang}",
                                            getattr(details, f"processing_{lang}"), label)
    values["data_categories"] = items("data_categories", details.data_categories)
    if not values["data_categories"]:
        raise invalid("data_categories", N_("Give at least one category of personal data."))
    values["approval"] = choice("approval", details.approval, Approval,
                                N_("Choose general or specific approval."))
    values["controllers"] = items("controllers", details.controllers)
    if values["approval"] == Approval.SPECIFIC and not values["controllers"]:
        raise invalid("controllers", N_("Name the controllers that gave their specific "
                                        "approval."))
    values["start_date"] = day("start_date", details.start_date,
                               N_("Give the date the processing starts."))
    values["end_date"] = day("end_date", details.end_date)
    if values["end_date"] and values["end_date"] < values["start_date"]:
        raise invalid("end_date", N_("The processing cannot end before it starts."))
    values["status"] = choice("status", details.status, Status,
                              N_("Choose proposed, active or ended."))
    if values["status"] == Status.ENDED and values["end_date"] is None:
        raise invalid("end_date", N_("Give the date the processing ended."))
    values["contact"] = optional_text("contact", details.contact, 300)
    values["risk_rating"] = choice("risk_rating", details.risk_rating, Risk,
                                   N_("Choose a risk rating: low, medium or high."))
    return values


def third_countries(values: dict) -> list[str]:
    """The countries that need a transfer: processing or establishment outside the EU/EEA."""
    return countries.third_countries([*values["countries"], values["country"]])


def check_basis(code: str, basis: TransferBasis, today: date) -> TransferBasis:
    """A valid basis for a transfer to country `code`, or Invalid naming the field at fault.

    Fields: `transfer_basis`, `scc_version`, `transfer_note` (as the forms and API name them).
    """
    country = countries.get(code)
    name = country.name_en if country else code
    params = {"country": name, "country_code": code}
    if not basis.basis:
        raise invalid("transfer_basis", N_(
            "%(country)s is outside the EU/EEA: choose the transfer basis (an adequacy "
            "decision, standard contractual clauses, binding corporate rules or a "
            "derogation)."), **params)
    choice("transfer_basis", basis.basis, Basis, N_("Choose adequacy decision, standard "
                                                     "contractual clauses, binding corporate "
                                                     "rules or a derogation."))
    note = optional_text("transfer_note", basis.note, 2000)
    version = None
    if basis.basis == Basis.ADEQUACY:
        decision = country.adequacy if country else None
        if decision is None or not decision.in_force(today):
            raise invalid("transfer_basis", N_(
                "%(country)s has no adequacy decision in force; choose standard contractual "
                "clauses, binding corporate rules or a derogation."), **params)
        if decision.scope_en and not note:
            raise invalid("transfer_note", N_(
                "The adequacy decision for %(country)s covers only some recipients: say how "
                "this recipient is covered (e.g. its certification)."), **params)
    elif basis.basis == Basis.SCC:
        version = (basis.scc_version or "").strip()
        scc = countries.data().scc_versions.get(version)
        if scc is None:
            raise invalid("scc_version", N_("Choose the version of the standard contractual "
                                            "clauses."))
        if not scc.valid_on(today):
            raise invalid("scc_version", N_(
                "The %(version)s clauses are no longer a valid transfer basis (since "
                "%(until)s); use the 2021/914 clauses."), version=version,
                until=scc.valid_until.isoformat())
    elif not note:
        raise invalid("transfer_note", N_(
            "Say which binding corporate rules or which derogation of Article 49 the transfer "
            "rests on."))
    return TransferBasis(basis.basis, version, note)


def refresh_due_dates(sp: SubProcessor, ctx: VendorContext) -> None:
    """Recompute the stored next statement and follow-up dates (flushes nothing)."""
    sp.next_statement_due = rules.next_statement_due(
        sp.start_date, sp.end_date, [s.year for s in sp.statements])
    rule = ctx.policy.get(sp.risk_rating) or rules.DEFAULT_FOLLOW_UP[sp.risk_rating]
    sp.next_follow_up_due = rules.next_follow_up_due(
        sp.start_date, sp.end_date, rule, [(f.kind, f.performed_on) for f in sp.follow_ups])


def _sync_transfers(session: Session, actor, sp: SubProcessor, values: dict,
                    basis: TransferBasis | None, ctx: VendorContext) -> dict:
    """Create transfers for new third countries, drop those no longer used; returns changes."""
    wanted = third_countries(values)
    existing = {t.country: t for t in sp.transfers}
    new = [code for code in wanted if code not in existing]
    checked = {code: check_basis(code, basis or TransferBasis(), ctx.today) for code in new}
    changes = {}
    for code in new:
        sp.transfers.append(Transfer(country=code, recipient=values["name"],
                                     basis=checked[code].basis,
                                     scc_version=checked[code].scc_version,
                                     note=checked[code].note))
        changes[code] = {"basis": checked[code].basis, "scc_version": checked[code].scc_version}
    for code, transfer in existing.items():
        if code not in wanted:
            sp.transfers.remove(transfer)
            changes[code] = {"removed": transfer.basis}
    return changes


def create_subprocessor(session: Session, actor, details: SubProcessorDetails,
                        basis: TransferBasis | None, ctx: VendorContext) -> SubProcessor:
    """Register a sub-processor with the transfers its third countries need."""
    require(actor, Permission.MANAGE_SUBPROCESSORS)
    values = _check(details)
    sp = SubProcessor(**values, created_by_id=actor.id if isinstance(actor, User) else None)
    with unit_of_work(session):
        transfers = _sync_transfers(session, actor, sp, values, basis, ctx)
        refresh_due_dates(sp, ctx)
        session.add(sp)
        session.flush()
        append(session, actor, "subprocessor.created", sp, {**values, "transfers": transfers})
    return sp


def update_subprocessor(session: Session, actor, sp: SubProcessor,
                        details: SubProcessorDetails, version: int,
                        basis: TransferBasis | None, ctx: VendorContext) -> SubProcessor:
    """Change a register entry; new third countries need `basis`, dropped ones lose theirs."""
    require(actor, Permission.MANAGE_SUBPROCESSORS)
    check_version(sp, version, "sub-processor")
    values = _check(details)
    if set(values["countries"]) == set(sp.countries or ()):
        values["countries"] = sp.countries  # a form lists them in its own order: no change
    changes = {name: [getattr(sp, name), value] for name, value in values.items()
               if getattr(sp, name) != value}
    with unit_of_work(session, "sub-processor"):
        transfers = _sync_transfers(session, actor, sp, values, basis, ctx)
        if transfers:
            changes["transfers"] = transfers
        if not changes:
            session.rollback()
            return sp
        for name, value in values.items():
            setattr(sp, name, value)
        refresh_due_dates(sp, ctx)
        append(session, actor, "subprocessor.updated", sp, changes)
    return sp


def update_transfer(session: Session, actor, transfer: Transfer, details: TransferDetails,
                    version: int, ctx: VendorContext, tia: Upload | None = None,
                    tia_date: date | None = None) -> Transfer:
    """Change a transfer's recipient or basis; `tia` stores a transfer impact assessment."""
    require(actor, Permission.MANAGE_SUBPROCESSORS)
    check_version(transfer, version, "transfer")
    recipient = text("recipient", details.recipient, N_("Name the recipient."), MAX_NAME)
    basis = check_basis(transfer.country, details.basis, ctx.today)
    if tia is not None:
        assessed = day("tia_date", tia_date, N_("Give the date of the assessment.")) or ctx.today
        if assessed > ctx.today:
            raise invalid("tia_date", N_("This date is in the future; record it once it has "
                                         "happened."))
    values = {"recipient": recipient, "basis": basis.basis, "scc_version": basis.scc_version,
              "note": basis.note}
    changes = {name: [getattr(transfer, name), value] for name, value in values.items()
               if getattr(transfer, name) != value}
    if tia is not None:
        evidence = store_file(
            session, actor, ctx, tia, field_name="tia_file", code="G.3",
            period=(assessed, assessed),
            title=f"Transfer impact assessment: {transfer.subprocessor.name}, "
                  f"{countries.name(transfer.country)}")
        changes["tia_evidence_id"] = [transfer.tia_evidence_id, evidence.id]
        values["tia_evidence_id"] = evidence.id
    if not changes:
        return transfer
    with unit_of_work(session, "transfer"):
        for name, value in values.items():
            setattr(transfer, name, value)
        append(session, actor, "subprocessor_transfer.updated", transfer,
               {"subprocessor": transfer.subprocessor_id, "country": transfer.country,
                **changes})
    return transfer


def refresh_all_due_dates(session: Session, actor, ctx: VendorContext) -> int:
    """Recompute every stored due date (after the follow-up policy changed); returns changes."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    require(actor, Permission.MANAGE_SUBPROCESSORS)
    changed = 0
    with unit_of_work(session):
        for sp in session.scalars(select(SubProcessor).options(
                selectinload(SubProcessor.statements), selectinload(SubProcessor.follow_ups))):
            before = (sp.next_statement_due, sp.next_follow_up_due)
            refresh_due_dates(sp, ctx)
            if (sp.next_statement_due, sp.next_follow_up_due) != before:
                changed += 1
                append(session, actor, "subprocessor.due_dates_refreshed", sp, {
                    "next_statement_due": [before[0], sp.next_statement_due],
                    "next_follow_up_due": [before[1], sp.next_follow_up_due]})
    return changed
