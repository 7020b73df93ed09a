"""The routing rule, pseudonyms and working hours: pure rules, tested on tables."""

from __future__ import annotations

import datetime as dt

import pytest

from db.policy import choose_organisation, new_pseudonym, next_opening

ORGS = [
    ("krits", ("FI",), ("fi", "sv", "en", "ru")),
    ("sverige", ("SE",), ("sv", "en", "ar")),
    ("ru-help", ("RU-SPE", "RU-KR"), ("ru",)),
    ("polish-line", (), ("pl",)),  # any country, Polish speakers
    ("network", (), ()),           # the default
]


@pytest.mark.parametrize(("jurisdiction", "language", "expected"), [
    ("FI", "ru", "krits"),          # covers both
    ("FI", "ar", "krits"),          # the country's organisation, with an interpreter
    ("SE", "ar", "sverige"),
    ("SE", "fi", "sverige"),
    ("RU-KR", "ru", "ru-help"),
    ("RU-SPE", "en", "ru-help"),
    ("NO", "pl", "polish-line"),    # nobody covers Norway: the language decides
    ("NO", "en", "network"),        # nobody covers either: the default
    (None, "pl", "polish-line"),    # country unknown
    (None, "ru", "krits"),          # country unknown: the first organisation speaking the language
    ("DK", "da", "network"),
])
def test_a_new_case_goes_to_the_organisation_that_covers_it(jurisdiction, language, expected):
    assert choose_organisation(ORGS, "network", jurisdiction, language) == expected


def test_pseudonyms_look_like_names_and_vary():
    names = {new_pseudonym() for _ in range(50)}
    assert len(names) > 40 and all(len(n.split()) == 3 for n in names)


def test_outside_working_hours_the_next_opening_is_given():
    friday_evening = dt.datetime(2026, 11, 27, 18, 0, tzinfo=dt.UTC)  # 20:00 in Helsinki
    opening = next_opening("mon-fri 09:00-17:00", "Europe/Helsinki", friday_evening)
    assert opening is not None and opening.weekday() == 0 and opening.hour == 9
    assert next_opening("mon-fri 09:00-17:00", "Europe/Helsinki",
                        dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)) is None
