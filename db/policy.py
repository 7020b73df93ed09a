"""Pure rules over plain values: pseudonyms, case transitions, working hours. No I/O."""

from __future__ import annotations

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

ADJECTIVES = ("Amber", "Blue", "Calm", "Clear", "Gentle", "Golden", "Green", "Grey", "Kind", "Quiet", "Silver",
              "Steady", "Warm", "White", "Bright", "Brave", "Swift", "Still", "Wise", "Early")
NOUNS = ("Heron", "Birch", "Lynx", "Otter", "Pine", "River", "Swan", "Willow", "Harbour", "Lantern", "Maple",
         "Meadow", "Owl", "Reed", "Robin", "Rowan", "Stone", "Spruce", "Tern", "Wren")

STATUSES = ("open", "claimed", "closed")


def new_pseudonym() -> str:
    """A friendly name staff see instead of the user's: 8,000 combinations before the number repeats."""
    return f"{secrets.choice(ADJECTIVES)} {secrets.choice(NOUNS)} {secrets.randbelow(90) + 10}"


def can_transition(current: str, target: str) -> bool:
    allowed = {"open": {"claimed", "closed"}, "claimed": {"open", "closed"}, "closed": set()}
    return target in allowed.get(current, set())


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_hours(spec: str) -> tuple[set[int], dt.time, dt.time]:
    """"mon-fri 09:00-17:00" → (weekdays, opening, closing). An empty spec means always open."""
    if not spec.strip():
        return set(range(7)), dt.time(0, 0), dt.time(23, 59, 59)
    days_part, _, time_part = spec.strip().lower().partition(" ")
    first, _, last = days_part.partition("-")
    start_day, end_day = DAYS.index(first), DAYS.index(last or first)
    days = {d % 7 for d in range(start_day, end_day + 1 + (7 if end_day < start_day else 0))}
    opening, _, closing = time_part.strip().partition("-")
    return days, dt.time.fromisoformat(opening), dt.time.fromisoformat(closing)


def next_opening(spec: str, tz: str, now: dt.datetime) -> dt.datetime | None:
    """None while the organisation is working; otherwise when it opens next (in its time zone)."""
    days, opening, closing = parse_hours(spec)
    local = now.astimezone(ZoneInfo(tz))
    if local.weekday() in days and opening <= local.time() < closing:
        return None
    for ahead in range(0, 8):
        day = (local + dt.timedelta(days=ahead)).date()
        candidate = dt.datetime.combine(day, opening, tzinfo=ZoneInfo(tz))
        if day.weekday() in days and candidate > local:
            return candidate
    return None


def choose_organisation(organisations: list[tuple[str, tuple[str, ...], tuple[str, ...]]], default: str,
                        jurisdiction: str | None, language: str) -> str:
    """The one routing rule for new cases.

    1. the first organisation covering both the user's jurisdiction and language;
    2. else the first covering the jurisdiction (it can bring an interpreter; the country's law matters most);
    3. else the first covering the language (when the user's country is unknown or "other");
    4. else the default organisation.
    An organisation with no jurisdictions (or no languages) listed covers all of them.
    """
    def covers(values: tuple[str, ...], value: str | None) -> bool:
        return not values or (value is not None and value in values)

    for org_id, jurisdictions, languages in organisations:
        if jurisdiction and jurisdiction in jurisdictions and covers(languages, language):
            return org_id
    for org_id, jurisdictions, _languages in organisations:
        if jurisdiction and jurisdiction in jurisdictions:
            return org_id
    for org_id, jurisdictions, languages in organisations:
        if language in languages and (not jurisdiction or not jurisdictions):
            return org_id
    return default
