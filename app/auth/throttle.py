"""Back-off for guessing: how long a client must wait, from the failures it caused (pure).

Each rule counts the failures within a window that match one key (the client address, the
account, or both). Below its threshold a rule does not slow anyone down; from the threshold on
each further failure doubles the wait after the latest one, up to a cap. Nobody is locked out for
good: the wait ends by itself, and the account owner signing in from another address is only
slowed by the account rule, which has the higher threshold and the shorter cap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Rule:
    """From `threshold` failures on, wait `base` × 2^(failures − threshold), at most `cap`."""

    name: str
    threshold: int
    base: timedelta
    cap: timedelta

    def wait(self, failures: Iterable[datetime], now: datetime) -> timedelta:
        """How long from `now` until the next attempt is allowed (zero: allowed now)."""
        times = sorted(failures)
        if len(times) < self.threshold:
            return timedelta(0)
        excess = min(len(times) - self.threshold, 30)  # bound the power before the cap applies
        delay = min(self.cap, self.base * (2 ** excess))
        return max(timedelta(0), times[-1] + delay - now)


@dataclass(frozen=True)
class Limits:
    """The three rules of sign-in throttling and the window their failures are counted in."""

    window: timedelta = timedelta(minutes=15)
    # One client guessing one account's password.
    pair: Rule = Rule("pair", 5, timedelta(seconds=30), timedelta(minutes=15))
    # One client trying many accounts (password spraying).
    address: Rule = Rule("address", 20, timedelta(seconds=30), timedelta(minutes=15))
    # Many clients guessing one account: slows them, never locks the owner for long.
    account: Rule = Rule("account", 10, timedelta(seconds=15), timedelta(minutes=2))


@dataclass(frozen=True)
class Failure:
    """A counted failure: when, for which account (e-mail as typed) and from which address."""

    at: datetime
    email: str
    remote_addr: str


def wait_for(limits: Limits, failures: Iterable[Failure], email: str, remote_addr: str,
             now: datetime) -> timedelta:
    """The longest wait any rule imposes on `email` from `remote_addr` at `now`."""
    since = now - limits.window
    recent = [failure for failure in failures if failure.at >= since]
    by_pair = [f.at for f in recent if f.email == email and f.remote_addr == remote_addr]
    by_address = [f.at for f in recent if f.remote_addr == remote_addr]
    by_account = [f.at for f in recent if f.email == email]
    return max(limits.pair.wait(by_pair, now), limits.address.wait(by_address, now),
               limits.account.wait(by_account, now))
