"""E-mails of notifications: Swedish, a link into the web app, and nothing about the person (health and
social-services confidentiality: only that there is something to do, and where). The Message-ID is the
delivery's idempotency key, so a mail server or client can tell a repeat from a new message."""

from __future__ import annotations

import smtplib
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from ..calendar import SWEDISH_TIME
from ..store import NotificationEvent
from ..store.models import utcnow
from . import kinds, settings
from .calendar_invite import CANCEL, REQUEST, invitation

SWEDISH_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
                  "november", "december")
FOOTER = ("Meddelandet innehåller inga uppgifter om den enskilde. Logga in i SIP för att läsa mer.\n"
          "Vad du får besked om väljer du under Inställningar: {base}/installningar")


def swedish_date(value: str | date) -> str:
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.day} {SWEDISH_MONTHS[day.month - 1]} {day.year}"


def link_of(event: NotificationEvent) -> str:
    """Where in the web app the event's work is: its task, else its case."""
    base = settings.base_url()
    return f"{base}/uppgifter/{event.task_id}" if event.task_id else f"{base}/arenden/{event.case_id}"


def message_id(key: str) -> str:
    return f"<{key}@{settings.mail_domain()}>"


def _message(to: str, key: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp()["from"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id(key)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def event_mail(event: NotificationEvent, to: str, key: str) -> EmailMessage:
    """The e-mail telling `to` of `event`; a meeting's summons, change and cancellation carry its invitation."""
    subject = kinds.KINDS[event.kind][1]
    link = link_of(event)
    detail = event.detail or {}
    lines = [f"{subject}.", "", f"Öppna i SIP: {link}"]
    if event.kind in (kinds.SUMMONS, kinds.MEETING_UPDATED, kinds.MEETING_CANCELLED) and detail.get("date"):
        lines += ["", f"Mötet: {swedish_date(detail['date'])} klockan {detail['time']}, plats: {detail['place']}."]
    if event.kind in (kinds.DEADLINE_TOMORROW, kinds.DEADLINE_PASSED) and detail.get("due_at"):
        due = datetime.fromisoformat(detail["due_at"]).astimezone(SWEDISH_TIME)
        lines += ["", f"Sista dag: {swedish_date(due.date())}."]
    lines += ["", FOOTER.format(base=settings.base_url())]
    message = _message(to, key, subject, "\n".join(lines))
    if event.kind in (kinds.SUMMONS, kinds.MEETING_UPDATED, kinds.MEETING_CANCELLED) and detail.get("date"):
        method = CANCEL if event.kind == kinds.MEETING_CANCELLED else REQUEST
        text = invitation(event.case_id, detail, int(detail.get("sequence", 0)), method, settings.smtp()["from"],
                          to, link, settings.mail_domain())
        message.add_attachment(text, subtype="calendar", filename="sip-mote.ics", params={"method": method})
    return message


def digest_mail(events: list[NotificationEvent], to: str, key: str) -> EmailMessage:
    """The day's digest: one line per event, each with its kind and link, and nothing about the person."""
    subject = f"Dagens sammanfattning från SIP: {len(events)} händelse{'r' if len(events) != 1 else ''}"
    lines = [f"{subject}.", ""]
    lines += [f"- {kinds.KINDS[event.kind][0]}: {link_of(event)}" for event in events]
    lines += ["", FOOTER.format(base=settings.base_url())]
    return _message(to, key, subject, "\n".join(lines))


class Mailer:
    """One SMTP connection, opened when first needed and kept for a batch of mails."""

    def __init__(self, timeout: float = 30):
        self.config = settings.smtp()
        self.timeout = timeout
        self.connection: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(message)
        except smtplib.SMTPServerDisconnected:
            self.connection = self._connect()
            self.connection.send_message(message)

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        if config["security"] == "ssl":
            connection = smtplib.SMTP_SSL(config["host"], config["port"], timeout=self.timeout)
        else:
            connection = smtplib.SMTP(config["host"], config["port"], timeout=self.timeout)
            if config["security"] == "starttls":
                connection.starttls()
        if config["user"]:
            connection.login(config["user"], config["password"] or "")
        return connection

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.connection = None


def permanent(err: Exception) -> bool:
    """Whether a failed send will fail again however often it is tried: the server refused the address or the
    message for good (a 5xx answer)."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in err.recipients.values())
    code = getattr(err, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600
