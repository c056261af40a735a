"""Swedish personal identity numbers (personnummer) and co-ordination numbers (samordningsnummer).

Accepted forms: ``YYYYMMDD-NNNC``, ``YYYYMMDDNNNC``, ``YYMMDD-NNNC``, ``YYMMDDNNNC`` and ``YYMMDD+NNNC``
(a person aged 100 or more). A samordningsnummer has 60 added to the day. The last digit is a Luhn check
digit over the ten digits YYMMDDNNN. Errors, in Swedish for the person who typed the number, never repeat
the number itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PATTERN = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$")


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


def parse_personal_number(text: str, today: date | None = None) -> PersonalNumber:
    if not isinstance(text, str):
        raise InvalidPersonalNumber("Personnumret ska vara text")
    match = PATTERN.match(text.strip())
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
