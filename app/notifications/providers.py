"""The provider registry: every domain hands its deadlines to the engine through here.

A provider is `provider(session, context) -> Iterable[Deadline]`, registered by its domain's
`register()` (as dashboard tiles are, through CONTRIBUTORS). It adapts the domain's own
`open_deadlines` into the common shape (`deadlines.Deadline`) and issues a fixed number of
queries whatever the size of its register, so the scan, `/deadlines` and the calendar feed
stay flat as data grows. Nothing else in the app decides what is due.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy.orm import Session

from .deadlines import Deadline, require_aware

#: How far back a provider reports deadlines met (for the "done" filter).
DONE_DAYS = 90


@dataclass(frozen=True)
class ProviderContext:
    """What every provider gets besides the session: the instant and the display zone."""

    now: datetime
    zone: tzinfo

    def __post_init__(self) -> None:
        require_aware(self.now, "now")

    @property
    def today(self) -> date:
        """Today in the display zone."""
        return self.now.astimezone(self.zone).date()

    @property
    def done_since(self) -> datetime:
        """Deadlines met after this instant are still reported, as done."""
        return self.now - timedelta(days=DONE_DAYS)


Provider = Callable[[Session, ProviderContext], Iterable[Deadline]]

# Domains append their providers in register(); the order is the order of the scan.
PROVIDERS: list[Provider] = []
# Every kind a provider yields, with its (lazily translated) name, in registration order.
KINDS: dict[str, object] = {}


def register_provider(provider: Provider, kinds: dict[str, object]) -> None:
    """Add `provider` once, with the names of the kinds it yields (for filters and mails).

    register() functions may run more than once; a second call changes nothing.
    """
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    for kind, label in kinds.items():
        KINDS.setdefault(kind, label)


def kind_label(kind: str):
    """The translated name of a deadline kind (the kind itself when unknown)."""
    return KINDS.get(kind, kind)


def collect(session: Session, now: datetime, zone: tzinfo) -> list[Deadline]:
    """Every deadline of every registered provider, open ones and those recently met."""
    context = ProviderContext(now, zone)
    found: list[Deadline] = []
    for provider in PROVIDERS:
        found.extend(provider(session, context))
    return found
