"""Dates as bibs write them: BibTeX's ``year`` and ``month``, biblatex's ISO 8601 ``date``.

biblatex's ``date`` (and ``urldate``, ``eventdate``, ``origdate``) is ISO 8601 with EDTF's
extensions: ``2019``, ``2019-06``, ``2019-06-15``, a range ``2019-06/2019-07``, an open
end ``2019/`` or start ``/2019``, a year before the common era ``-0400``, an approximate
or uncertain date ``2019~``, ``2019?``, ``2019%``, a season ``2012-22`` (21 spring, 22
summer, 23 autumn, 24 winter; 25-32 the same in the northern, then the southern
hemisphere), which Citing Medicine writes after the year: ``2012 Summer``. BibTeX's ``month`` is a name, an
abbreviation (``jun``, ``Jun.``, which its @string macros expand to ``June``) or a number.
Pure functions, no I/O.
"""
from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["Date", "MONTHS", "SEASONS", "month_number", "parse_date", "season_number"]

#: NLM's month abbreviations (Citing Medicine), January first.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: The seasons as Citing Medicine writes them after the year ("2002 Summer"), spring first.
SEASONS = ("Spring", "Summer", "Autumn", "Winter")
_SEASON_NAMES = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}
_NAMES = {name: n for n, names in enumerate((
    ("jan", "january", "janvier", "januar", "enero"), ("feb", "february", "février", "februar", "febrero"),
    ("mar", "march", "mars", "märz", "marzo"), ("apr", "april", "avril", "abril"),
    ("may", "mai", "mayo"), ("jun", "june", "juin", "juni", "junio"), ("jul", "july", "juillet", "juli", "julio"),
    ("aug", "august", "août", "agosto"), ("sep", "sept", "september", "septembre", "septiembre"),
    ("oct", "october", "octobre", "oktober", "octubre"), ("nov", "november", "novembre", "noviembre"),
    ("dec", "december", "décembre", "dezember", "diciembre")), 1) for name in names}
_ISO = re.compile(r"(?P<year>-?\d{1,4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?"
                  r"(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?[~?%]?")


class Date(NamedTuple):
    """A date as far as it is known: ``year`` (as written: ``2019``, ``-0400``), ``month``
    and ``day`` as numbers (0: not given), a range's end (``end``, itself a Date, or
    ``None``; an open end is a Date with an empty year), and a ``season`` (1 spring to 4
    winter, :data:`SEASONS`; 0: none) of a date that gives one instead of a month."""

    year: str = ""
    month: int = 0
    day: int = 0
    end: "Date | None" = None
    season: int = 0

    @property
    def nlm(self) -> str:
        """As *Citing Medicine* writes it: ``2019 Jun 15``, ``2019 Jun``, ``2019``; a range
        ``2019 Jun-Jul`` or ``2019-2020``."""
        end = self.end
        if not self.year and end is not None:
            return end.nlm  # an open start: the end is all there is
        text = " ".join(p for p in (self.year, self._month_or_season,
                                    str(self.day) if self.day and self.month else "") if p)
        if end is None or not end.year or end == self._replace(end=None):
            return text
        if end.season and self.season and not self.month:  # "2012 Summer-Autumn", "2012 Winter-2013 Spring"
            return f"{text}-{end._month_or_season if end.year == self.year else end.nlm}"
        if end.year == self.year and end.month and self.month:
            same_month = end.month == self.month
            tail = (str(end.day) if same_month and end.day else
                    " ".join(p for p in (MONTHS[end.month - 1], str(end.day) if end.day else "") if p))
            return f"{text}-{tail}"
        return f"{text}-{end.year}"

    @property
    def _month_or_season(self) -> str:
        return MONTHS[self.month - 1] if self.month else SEASONS[self.season - 1] if self.season else ""

    @property
    def iso(self) -> str:
        """``2019-06-15`` / ``2019-06`` / ``2019`` (the start of a range)."""
        if not self.month:
            return self.year
        return f"{self.year}-{self.month:02d}" + (f"-{self.day:02d}" if self.day else "")

    @property
    def parts(self) -> list[int]:
        """CSL's ``date-parts`` of the start: ``[2019, 6, 15]`` (empty when the year is not a number)."""
        if not re.fullmatch(r"-?\d{1,4}", self.year):
            return []
        return [int(self.year), *(n for n in (self.month, self.day if self.month else 0) if n)]


def parse_date(text: str) -> Date:
    """A biblatex ``date`` value (see the module docstring); ``Date()`` when it is none."""
    text = (text or "").strip()
    if not text:
        return Date()
    start, sep, end = text.partition("/")
    first = _one(start) if start else Date()
    if not sep:
        return first
    last = _one(end) if end and end != ".." else Date()
    return first._replace(end=last)


def _one(text: str) -> Date:
    m = _ISO.fullmatch(text.strip())
    if not m:
        year = re.search(r"-?\b\d{4}\b", text)
        return Date(year.group(0) if year else "")
    month = int(m["month"] or 0)
    season = (month - 21) % 4 + 1 if 21 <= month <= 32 and not m["day"] else 0  # EDTF's seasons
    month = month if 1 <= month <= 12 else 0
    day = int(m["day"] or 0) if month else 0
    return Date(m["year"], month, day if 1 <= day <= 31 else 0, season=season)


def season_number(text: str) -> int:
    """BibTeX's ``month`` that names a season: ``summer``, ``Summer`` -> 2 (:data:`SEASONS`);
    anything else 0."""
    return _SEASON_NAMES.get((text or "").strip().rstrip(".").casefold(), 0)


def month_number(text: str) -> int:
    """BibTeX's ``month``: ``jun``, ``June``, ``Jun.``, ``6``, ``06`` -> 6; anything else 0."""
    text = (text or "").strip().rstrip(".").casefold()
    if text.isdigit():
        n = int(text)
        return n if 1 <= n <= 12 else 0
    return _NAMES.get(text, 0)
