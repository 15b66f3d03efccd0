"""The agent's renewal notices: each one sent once, on its day or late, never lost.

At every ``tick`` (once a minute in the agent), for each contract with a renewal
part and notices:

1. Today is the local date in the contract's zone; the expiry counts the renewals
   recorded up to today. The notices due by today (the core's ``due_notices``: none
   once the item lapsed) get a ``due`` row per channel, once.
2. Each ``due`` row whose retry time has come is sent. A notice whose day has passed
   (the agent was down, or the server refused until now) goes out late, marked so.

Exactly once cannot be had over SMTP or HTTP: a sender that stops after the server
accepted a message but before it wrote that down cannot tell, when it restarts,
whether the message left. The rows make that window as small as it can be and choose
**at most once** inside it, as the issue asks ("a crash never double-sends"):

- Every failure before the hand-over (server unreachable, TLS, login, sender or a
  recipient refused, a refused message) delivered nothing: the row goes back to
  ``due`` and is retried with a doubling delay (30 s up to 1 h), for as long as the
  item can be renewed. Nothing is lost.
- The row becomes ``sending`` (a conditional UPDATE, committed) only once the mail
  server has accepted the sender and every recipient, right before DATA; for a
  webhook, right before the POST. Two agents on one database never both send it.
- Accepted: the row becomes ``sent`` at once, before the goodbye (SMTP's QUIT) that
  a slow server could hold up. Cut mid-hand-over (connection lost during
  DATA, a timeout, the process killed), the row stays ``sending``; ``STUCK_AFTER``
  later it becomes ``in_doubt`` and is never sent again. ``renewal status`` and the
  log show it, so that someone checks the mail server's log; a duplicate reminder
  would have been the other price (at least once).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from zoneinfo import ZoneInfo

from slawatch.agent.notices.content import NoticeContent, Subject, compose
from slawatch.agent.notices.errors import NotDelivered
from slawatch.agent.notices.handover import HandOver
from slawatch.agent.notices.smtp import SmtpSender
from slawatch.agent.notices.webhook import post_notice
from slawatch.app.renewals import local_day
from slawatch.config import Config, Contract
from slawatch.config.renewals import Channel, Notices
from slawatch.sla.renewals import Delivery, current_expiry, due_notices
from slawatch.store.store import NoticeRecord, Store, StoreError

log = logging.getLogger(__name__)

EVERY = 60.0  # seconds between ticks in the agent: a notice is due on a date, not a minute
STUCK_AFTER = 600  # seconds in ``sending`` after which its sender is taken for stopped
RETRY_FIRST = 30  # seconds before the first retry; doubled each time
RETRY_MAX = 3600


def retry_delay(failures: int) -> int:
    """Seconds to wait after the ``failures``-th failed attempt (1, 2, ...)."""
    return int(min(RETRY_FIRST * 2 ** (failures - 1), RETRY_MAX))


class Notifier:
    """Sends the renewal notices of the config in force; ``tick`` does one pass."""

    def __init__(
        self,
        store: Store,
        config: Callable[[], Config],
        clock: Callable[[], float],
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self.store = store
        self._config = config
        self._clock = clock
        self._environ = environ

    def tick(self) -> int:
        """One pass over every item; returns how many notices were sent. A store that
        fails ends the pass (logged): the next one starts over from the rows."""
        now = int(self._clock())
        sent = 0
        try:
            self._settle_stuck(now)
            for model in self._config().renewal_contracts():
                sent += self._item(model, now)
        except StoreError as exc:
            log.warning("renewal notices wait for the database: %s", exc)
        return sent

    def _settle_stuck(self, now: int) -> None:
        for row in self.store.stuck_notices(now - STUCK_AFTER):
            why = "the hand-over was cut (agent stopped); not sent again: check the server's log"
            if self.store.notice_in_doubt(row.id, why):
                log.error("renewal notice in doubt: %s: %s", _where(row), why)

    def _item(self, model: Contract, now: int) -> int:
        renewal = model.renewal
        if renewal is None or renewal.notices is None:
            return 0
        terms = renewal.terms()
        today = local_day(now, model.timezone)
        renewals = [r.renewal() for r in self.store.renewals(model.name, terms.expires)]
        expires = current_expiry(terms, renewals, today)
        due = due_notices(expires, terms.kind, today, ())
        if not due:
            return 0  # nothing due yet, or lapsed: rows still due stay unsent
        channels = [str(c) for c in renewal.notices.channels]
        rows = self.store.notices(model.name, expires)
        have = {(r.offset_days, r.channel) for r in rows}
        new = [(n, c) for n, _ in due for c in channels if (n.offset_days, c) not in have]
        if new:  # most passes write nothing: no write lock taken from the sample writer
            self.store.add_due_notices(model.name, expires, new, now)
            rows = self.store.notices(model.name, expires)
        subject = Subject(model.name, renewal, expires)
        ready = [
            r
            for r in rows
            if r.status is Delivery.DUE and r.retry_at <= now and r.channel in channels
        ]
        return sum(self._send(subject, model.timezone, row, now) for row in ready)

    def _send(self, subject: Subject, zone: ZoneInfo, row: NoticeRecord, now: int) -> int:
        content = compose(subject, row.notice(), local_day(now, zone))
        notices = subject.renewal.notices
        assert notices is not None  # _item sends only for items that have notices

        def claim() -> bool:
            return self.store.claim_notice(row.id, now)

        def accepted() -> None:
            done = int(self._clock())
            late = local_day(done, zone) > row.due
            self.store.notice_sent(row.id, done, late)
            log.info("renewal notice sent%s: %s", " late" if late else "", _where(row))

        try:
            if not self._deliver(content, row, notices, HandOver(claim, accepted), now):
                return 0  # another agent claimed it first
        except StoreError:
            raise  # the store failed, not the delivery: the pass ends, the row as it was
        except NotDelivered as exc:
            retry_at = now + retry_delay(row.attempts + 1)
            self.store.notice_failed(row.id, str(exc), retry_at)
            log.warning(
                "renewal notice not sent, retried in %d s: %s: %s", retry_at - now, _where(row), exc
            )
            return 0
        except Exception as exc:  # after the hand-over began, the server may have it
            why = f"{type(exc).__name__}: {exc}"
            if self.store.notice_in_doubt(row.id, why):
                log.error("renewal notice in doubt, not sent again: %s: %s", _where(row), why)
            else:  # not claimed yet: nothing left, it is tried again at the next pass
                log.exception("renewal notice failed before the hand-over: %s", _where(row))
            return 0
        return 1

    def _deliver(
        self,
        content: NoticeContent,
        row: NoticeRecord,
        notices: Notices,
        hand_over: HandOver,
        now: int,
    ) -> bool:
        if row.channel == Channel.WEBHOOK and notices.webhook is not None:
            return post_notice(content, notices.webhook, hand_over)
        smtp = self._config().agent.smtp
        if smtp is None:  # the config's validation requires it with channel smtp
            raise NotDelivered("agent.smtp is not configured")
        return SmtpSender(smtp, self._environ).send(content, notices.recipients, hand_over, now)


def _where(row: NoticeRecord) -> str:
    return (
        f"contract={row.contract} expires={row.expires} notice=D{row.offset_days:+d} "
        f"due={row.due} channel={row.channel}"
    )
