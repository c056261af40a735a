"""The meeting's invitation as an iCalendar object (RFC 5545, with the methods of RFC 5546): sent with the
summons (METHOD:REQUEST), again with a higher SEQUENCE when the meeting's date, time or place change, and as
METHOD:CANCEL when the meeting is cancelled. Its UID is the case's meeting's, so a calendar client updates or
removes the one entry it has. It holds the date, time and place and a link, nothing about the person."""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta

from icalendar import Calendar, Event, Timezone, vCalAddress

from ..calendar import SWEDISH_TIME
from ..store.models import utcnow

# How long an invitation's meeting lasts: the routine records only when it starts.
MEETING_LENGTH = timedelta(minutes=90)
REQUEST, CANCEL = "REQUEST", "CANCEL"


def meeting_uid(case_id: str, domain: str) -> str:
    return f"sip-mote-{case_id}@{domain}"


def invitation(case_id: str, meeting: dict, sequence: int, method: str, organizer: str, attendee: str,
               link: str, domain: str) -> str:
    """The iCalendar text of the case's meeting (`meeting`: ISO `date`, `time` HH:MM, `place`) for `attendee`,
    from `organizer` (e-mail addresses); `method` REQUEST or CANCEL."""
    start = datetime.combine(date.fromisoformat(meeting["date"]), time.fromisoformat(meeting["time"]),
                             SWEDISH_TIME)
    calendar = Calendar()
    calendar.add("prodid", "-//SIP samordnad individuell plan//Kallelse//SV")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", meeting_uid(case_id, domain))
    event.add("sequence", sequence)
    event.add("dtstamp", utcnow())
    event.add("dtstart", start)
    event.add("dtend", start + MEETING_LENGTH)
    event.add("summary", "SIP-möte (inställt)" if method == CANCEL else "SIP-möte")
    event.add("location", meeting["place"])
    event.add("description", ("Mötet är inställt. " if method == CANCEL else "Kallelse till SIP-möte. ")
              + f"Läs mer i SIP: {link}")
    event.add("url", link)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("organizer", vCalAddress(f"mailto:{organizer}"))
    participant = vCalAddress(f"mailto:{attendee}")
    participant.params["ROLE"] = "REQ-PARTICIPANT"
    participant.params["PARTSTAT"] = "NEEDS-ACTION"
    participant.params["RSVP"] = "FALSE"
    event.add("attendee", participant)
    calendar.add_component(_timezone(start.year))  # before the event, as clients expect it
    calendar.add_component(event)
    return calendar.to_ical().decode()


@functools.cache
def _timezone(year: int) -> Timezone:
    """Swedish time's VTIMEZONE around a meeting's year: its rules for a calendar client without a time zone
    database (computed once per year; the whole range takes tens of milliseconds)."""
    return Timezone.from_tzinfo(SWEDISH_TIME, "Europe/Stockholm", date(year - 1, 1, 1), date(year + 2, 1, 1))
