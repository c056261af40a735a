"""A real SMTP server (aiosmtpd) and a real HTTP receiver on 127.0.0.1, in this process, that keep what arrives;
organisations of the routine's walks with users who have e-mail addresses; and the app set to send to them."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from engine.database import db
from tests.routine.walk import KOMMUN, VARDCENTRAL
from tests.servers import free_port

PERSON_NAME = "Anna Andersson"
PERSONAL_NUMBER = "19121212-1212"
SENDER = "sip@notiser.example.se"


@dataclass
class Mailbox:
    """What the SMTP server accepted: each message once per recipient, as parsed by the standard library."""

    messages: list[tuple[str, EmailMessage]] = field(default_factory=list)
    attempts: int = 0
    hold_at: int | None = None  # the attempt (1, 2, …) whose answer the server holds back, until the client goes
    holding: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.hold_at == self.attempts:
            self.holding.set()
            await asyncio.sleep(600)  # cancelled when the client's connection is lost: nothing accepted
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        for rcpt in envelope.rcpt_tos:
            self.messages.append((rcpt, message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpt, message in self.messages if rcpt == address]

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for _, message in self.messages]


@pytest.fixture
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@dataclass
class Receiver:
    """An organisation's system receiving webhooks: it verifies each signature as Standard Webhooks says, and
    answers with `status` (a list: one answer per request, the last repeated), sending `location` with a 3xx.
    A request that is not a verified POST (a redirect followed as a GET, say) is kept in `refused`."""

    secret: str | None = None
    received: list[dict] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)
    statuses: list[int] = field(default_factory=lambda: [200])
    location: str | None = None

    def verify(self, headers, body: bytes) -> bool:
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        given = [part.split(",", 1)[1] for part in headers["webhook-signature"].split() if part.startswith("v1,")]
        return any(hmac.compare_digest(expected, signature) for signature in given)


@contextmanager
def receiving(host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    """A Receiver served on `host` (over TLS with `tls`) at a free port; its `url` says where."""
    found = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            entry = {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body,
                     "json": json.loads(body), "path": self.path}
            status = found.statuses.pop(0) if len(found.statuses) > 1 else found.statuses[0]
            if found.secret is not None and found.verify(self.headers, body) and status < 300:
                found.received.append(entry)
            else:
                found.refused.append(entry)
                status = status if status >= 300 else 401
            self.send_response(status)
            if 300 <= status < 400 and found.location:
                self.send_header("Location", found.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            found.refused.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "path": self.path})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    found.url = f"{'https' if tls else 'http'}://{host}:{server.server_address[1]}/sip-webhook"
    found.port = server.server_address[1]
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()


# The receivers of these tests are on 127.0.0.1 over plain http, which the server refuses unless the operator
# allows them, as an on-premise deployment would.
LOCAL_RECEIVERS = {"WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32", "WEBHOOK_ALLOW_HTTP": "true"}


@pytest.fixture
def receiver(app):
    app.config.update(LOCAL_RECEIVERS)
    with receiving() as found:
        yield found


def mail_settings(mailbox) -> dict:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mailbox.port), "SMTP_FROM": SENDER,
            "BASE_URL": "https://sip.example.se"}


@pytest.fixture
def sending(app, mailbox):
    """The app set to send through the test's SMTP server."""
    app.config.update(mail_settings(mailbox))
    return app


STAFF = {  # username -> (organisation, kind, e-mail)
    "eva": (KOMMUN["organisation"], "kommun_sol", "eva@kommun.example.se"),
    "ola": (KOMMUN["organisation"], "kommun_sol", "ola@kommun.example.se"),
    "per": (VARDCENTRAL["organisation"], "primarvard", "per@vc.example.se"),
}


@pytest.fixture
def staff(app):
    """Staff of the two organisations the routine's walks summon, each with an e-mail address."""
    from engine.identity import ensure_organisation, ensure_user

    users = {}
    for username, (organisation, kind, email) in STAFF.items():
        user = ensure_user(username, username.title(), ensure_organisation(organisation, kind, "base"), ["staff"])
        user.email = email
        users[username] = user
    db.session.commit()
    return {username: email for username, (_, _, email) in STAFF.items()}


def assert_nothing_personal(text: str) -> None:
    """No name of the person, no personal number (in any of its written forms)."""
    for name in PERSON_NAME.split():
        assert name not in text, f"the person's name ({name}) is in: {text[:300]}"
    digits = PERSONAL_NUMBER.replace("-", "")
    for form in (PERSONAL_NUMBER, digits, digits[2:], PERSONAL_NUMBER[2:]):
        assert form not in text, "a personal number is in the message"
