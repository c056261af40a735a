"""The kinds of events staff are told of, with the words the web app and the e-mails use for them."""

from __future__ import annotations

TASK_CREATED = "task_created"
SUMMONS = "summons"
MEETING_UPDATED = "meeting_updated"
MEETING_CANCELLED = "meeting_cancelled"
DEADLINE_TOMORROW = "deadline_tomorrow"
DEADLINE_PASSED = "deadline_passed"
CONSENT_WITHDRAWN = "consent_withdrawn"
CASE_CLOSED = "case_closed"

# Kind -> (what the settings page calls it, the e-mail's subject and first line). Nothing about the person.
KINDS: dict[str, tuple[str, str]] = {
    TASK_CREATED: ("Ny uppgift", "Du har en ny uppgift i en SIP"),
    SUMMONS: ("Kallelse till SIP-möte", "Du har en ny uppgift i en SIP: en kallelse till SIP-möte"),
    MEETING_UPDATED: ("Ändrat SIP-möte", "Ett SIP-möte du är kallad till har ändrats"),
    MEETING_CANCELLED: ("Inställt SIP-möte", "Ett SIP-möte du är kallad till är inställt"),
    DEADLINE_TOMORROW: ("Sista dag för en uppgift närmar sig", "En uppgift i en SIP ska vara klar senast i morgon"),
    DEADLINE_PASSED: ("Sista dag för en uppgift har passerat", "En uppgift i en SIP skulle ha varit klar"),
    CONSENT_WITHDRAWN: ("Samtycke återkallat", "Samtycket till en SIP har återkallats"),
    CASE_CLOSED: ("SIP avslutad", "En SIP du deltar i är avslutad"),
}

EVENT_KINDS = tuple(KINDS)

# How a user wants to be told of a kind of event.
IMMEDIATELY, DAILY, NEVER = "immediately", "daily", "never"
CHOICES = (IMMEDIATELY, DAILY, NEVER)
