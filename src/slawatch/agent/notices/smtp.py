"""E-mail through the SMTP submission server of ``agent.smtp``, with smtplib.

Why the standard library's ``smtplib`` and not ``aiosmtplib``: a few notices a day,
sent from a worker thread, need no event-loop concurrency; ``smtplib`` adds no
dependency, speaks STARTTLS and AUTH, and exposes each step of the exchange (MAIL,
RCPT, DATA). The hand-over needs those steps: the notice is claimed (marked as being
handed over, in the store) only once the server has accepted the sender and every
recipient, right before DATA, so almost every failure happens while nothing was
delivered and can be retried safely; and it is recorded as sent as soon as the server
has accepted the message, before QUIT, so that an agent stopped while the server takes
its time to say goodbye leaves no notice in doubt.

The login is read from the environment variables that ``agent.smtp`` names, at each
send; with the user name's variable unset or empty, no login is attempted.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime

from slawatch.agent.notices.content import NoticeContent
from slawatch.agent.notices.errors import NotDelivered
from slawatch.agent.notices.handover import HandOver
from slawatch.config.smtp import Smtp


class SmtpSender:
    """Sends one message per notice to all its recipients, through one server."""

    def __init__(self, settings: Smtp, environ: Mapping[str, str] = os.environ) -> None:
        self.settings = settings
        self._environ = environ

    def send(
        self,
        content: NoticeContent,
        recipients: Sequence[str],
        hand_over: HandOver,
        now: int,
    ) -> bool:
        """Send ``content``; ``hand_over.claim()`` is called right before DATA and the
        exchange is abandoned (false returned) when it says no; ``hand_over.accepted()``
        once the server has taken the message, before QUIT. Raises ``NotDelivered`` when
        the server could not be reached or refused; any other exception means the
        message may or may not have been accepted."""
        message = self._message(content, recipients, now)
        server = self._connect()
        try:
            self._envelope(server, recipients)
            if not hand_over.claim():
                return False
            try:
                code, reply = server.data(message.as_bytes())
            except smtplib.SMTPDataError as exc:  # DATA itself refused: nothing was delivered
                raise NotDelivered(f"the server refused the message: {_reply(exc)}") from None
            if code != 250:  # smtplib returns the final reply: a refusal delivered nothing
                raise NotDelivered(f"the server refused the message: {code} {reply.decode()}")
            hand_over.accepted()
            return True
        finally:
            _close(server)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            server = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise NotDelivered(f"cannot reach {s.host}:{s.port}: {_reply(exc)}") from None
        try:
            self._greet(server)
        except BaseException:
            _close(server)
            raise
        return server

    def _greet(self, server: smtplib.SMTP) -> None:
        s = self.settings
        step = "EHLO"
        try:
            server.ehlo()
            if s.starttls:
                step = "STARTTLS"
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            user = self._environ.get(s.username, "")
            if user:
                step = f"login as {user} (${s.username}, ${s.password})"
                server.login(user, self._environ.get(s.password, ""))
        except (OSError, smtplib.SMTPException) as exc:
            raise NotDelivered(f"{s.host}:{s.port}: {step} failed: {_reply(exc)}") from None

    def _envelope(self, server: smtplib.SMTP, recipients: Sequence[str]) -> None:
        try:
            code, reply = server.mail(self.settings.sender)
            if code != 250:
                raise NotDelivered(f"the server refused the sender: {code} {reply.decode()}")
            for recipient in recipients:
                code, reply = server.rcpt(recipient)
                if code not in (250, 251):
                    raise NotDelivered(
                        f"the server refused the recipient {recipient}: {code} {reply.decode()}"
                    )
        except (OSError, smtplib.SMTPException) as exc:
            raise NotDelivered(f"the server dropped the exchange: {_reply(exc)}") from None

    def _message(self, content: NoticeContent, recipients: Sequence[str], now: int) -> EmailMessage:
        sender = self.settings.sender
        message = EmailMessage(policy=SMTP_POLICY)
        message["From"] = sender
        message["To"] = ", ".join(recipients)
        message["Subject"] = content.subject
        message["Date"] = format_datetime(datetime.fromtimestamp(now, UTC))
        # The same notice always has the same Message-ID: mail readers that see it
        # twice (should a retry ever duplicate it) show it once.
        message["Message-ID"] = f"<renewal.{content.key}@{sender.rpartition('@')[2]}>"
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
        message.set_content(content.text, charset="utf-8", cte="quoted-printable")
        return message


def _reply(exc: BaseException) -> str:
    """An SMTP error as the server's code and words, else the exception's text."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        return f"{exc.smtp_code} {text}".strip()
    return str(exc) or type(exc).__name__


def _close(server: smtplib.SMTP) -> None:
    """QUIT and close; what the server says to QUIT changes nothing any more."""
    try:
        server.quit()
    except (OSError, smtplib.SMTPException):
        server.close()
