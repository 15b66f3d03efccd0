"""Real receivers on 127.0.0.1 for the notice tests: an SMTP server (aiosmtpd) that
parses what it accepts, and an HTTP server that keeps the JSON POSTed to it."""

from __future__ import annotations

import asyncio
import email
import json
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

STARTED_WITHIN = 5.0  # seconds


@dataclass
class Received:
    """A message the SMTP server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool  # whether it came over STARTTLS
    login: str | None  # who logged in, if anyone

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        text: str = part.get_content()
        return text


class MailServer:
    """aiosmtpd on 127.0.0.1 in its own thread and event loop.

    ``refuse`` makes it answer the next commands of that kind with an error:
    ``"rcpt"`` (550), ``"data"`` (554, the message refused) or ``"drop"`` (the
    connection closed once the message was received, without an answer: the client
    cannot know whether it was accepted). ``tls`` (a server context) offers and
    requires STARTTLS; ``login`` requires AUTH with that user and password.
    ``goodbyes`` counts the QUIT commands seen; while ``answer_quit`` is clear, a
    QUIT waits for it (up to ``STARTED_WITHIN``) before its answer.
    """

    def __init__(
        self, tls: ssl.SSLContext | None = None, login: tuple[str, str] | None = None
    ) -> None:
        self.received: list[Received] = []
        self.refuse: str | None = None
        self.attempts = 0  # MAIL commands seen
        self.goodbyes = 0
        self.answer_quit = threading.Event()
        self.answer_quit.set()
        self._tls = tls
        self._login = login
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._started.wait(STARTED_WITHIN)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            self._loop.create_server(self._protocol, "127.0.0.1", 0)
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        self._started.set()
        self._loop.run_forever()

    def _protocol(self) -> SMTP:
        return SMTP(
            self,
            hostname="mail.test",
            tls_context=self._tls,
            require_starttls=self._tls is not None,
            authenticator=self._authenticate if self._login else None,
            auth_required=self._login is not None,
            auth_require_tls=self._tls is not None,
            loop=self._loop,
        )

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        given = (
            (data.login.decode(), data.password.decode())
            if isinstance(data, LoginPassword)
            else None
        )
        return AuthResult(success=given == self._login, handled=False, auth_data=data)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.attempts += 1
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refuse == "rcpt":
            return f"550 5.1.1 <{address}>: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse == "data":
            return "554 5.7.1 message refused"
        if self.refuse == "drop":
            assert server.transport is not None
            server.transport.close()
            return "250 OK"  # never reaches the client
        assert isinstance(envelope.content, bytes)
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        auth = session.auth_data
        self.received.append(
            Received(
                str(envelope.mail_from),
                list(envelope.rcpt_tos),
                message,
                session.ssl is not None,
                auth.login.decode() if isinstance(auth, LoginPassword) else None,
            )
        )
        return "250 OK: queued"

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.goodbyes += 1
        await asyncio.to_thread(self.answer_quit.wait, STARTED_WITHIN)
        return "221 Bye"

    def close(self) -> None:
        if self._loop.is_closed():
            return

        async def stop() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(STARTED_WITHIN)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(STARTED_WITHIN)
        self._loop.close()


class HookServer:
    """An HTTP server on 127.0.0.1 that keeps every JSON body POSTed to it, with its
    headers, and answers ``status``."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], dict[str, str]]] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.status < 300:
                    outer.received.append((json.loads(body), dict(self.headers)))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/renewals?token=s3cret"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
