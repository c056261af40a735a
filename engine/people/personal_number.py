"""Swedish personal identity numbers (personnummer) and co-ordination numbers (samordningsnummer).

Accepted forms: ``YYYYMMDD-NNNC``, ``YYYYMMDDNNNC``, ``YYMMDD-NNNC``, ``YYMMDDNNNC`` and ``YYMMDD+NNNC``
(a person aged 100 or more). A samordningsnummer has 60 added to the day. The last digit is a Luhn check
digit over the ten digits YYMMDDNNN. Errors, in Swedish for the person who typed the number, never repeat
the number itself.

A number is normalised before it is checked, hashed or compared: digits of any script (fullwidth `１９１２`,
Arabic-Indic, …) become 0–9, any dash or minus sign becomes `-`, a fullwidth plus `+`, and spaces anywhere are
dropped; one person's number written in two ways is one person."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

PATTERN = re.compile(r"^([0-9]{2})?([0-9]{2})([0-9]{2})([0-9]{2})([-+]?)([0-9]{3})([0-9])$")
# Hyphens, dashes and minus signs as keyboards, word processors and copied text write the separator.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u00ad"
PLUSES = "\ufe62\uff0b"


class InvalidPersonalNumber(ValueError):
    pass


@dataclass(frozen=True)
class PersonalNumber:
    number: str  # normalised: YYYYMMDDNNNC
    birth_date: date
    coordination: bool

    @property
    def kind(self) -> str:
        return "samordningsnummer" if self.coordination else "personnummer"


def luhn_check_digit(digits: str) -> int:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def normalise(text: str) -> str:
    """The number as ASCII: every decimal digit as 0–9, every dash as `-`, every plus as `+`, no spaces."""
    out = []
    for char in text:
        if char.isspace() or unicodedata.category(char) == "Cf":  # spaces, and invisible marks pasted along
            continue
        if char in DASHES:
            out.append("-")
        elif char in PLUSES:
            out.append("+")
        elif char.isdecimal():
            out.append(str(unicodedata.decimal(char)))
        else:
            out.append(char)
    return "".join(out)


def parse_personal_number(text: str, today: date | None = None) -> PersonalNumber:
    if not isinstance(text, str):
        raise InvalidPersonalNumber("Personnumret ska vara text")
    if len(text) > 64:
        raise InvalidPersonalNumber("Personnumret har fel format (ÅÅÅÅMMDD-NNNN)")
    match = PATTERN.match(normalise(text))
    if not match:
        raise InvalidPersonalNumber("Personnumret har fel format (ÅÅÅÅMMDD-NNNN)")
    century, yy, mm, dd, sep, serial, check = match.groups()
    day = int(dd)
    coordination = day > 60
    if coordination:
        day -= 60
    today = today or date.today()
    if century is None:
        year = 2000 + int(yy)
        while year > today.year:
            year -= 100
        if sep == "+":
            year -= 100
    else:
        year = int(century + yy)
    try:
        born = date(year, int(mm), day)
    except ValueError as err:
        raise InvalidPersonalNumber("Datumet i personnumret finns inte") from err
    if born > today:
        raise InvalidPersonalNumber("Datumet i personnumret ligger i framtiden")
    if luhn_check_digit(yy + mm + dd + serial) != int(check):
        raise InvalidPersonalNumber("Personnumret har fel kontrollsiffra")
    return PersonalNumber(number=f"{year:04d}{mm}{dd}{serial}{check}", birth_date=born, coordination=coordination)
