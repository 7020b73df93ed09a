"""The directory of organisations: who helps prisoners, ex-prisoners and their families, where, in which language.

Pure and synchronous like the rest of knowledge/: it reads YAML (the shipped entries in
`content/directory/*.yaml`, then an optional local overrides file that an NGO keeps up to date with
`lykta directory import`), validates every entry with `file:line: reason` problems, ranks entries for a
search, and converts CSV or YAML imports row by row. docs/directory.md describes the format and the rules.

The one rule that matters most: a contact detail (phone, e-mail, address, chat) is shipped only with the
page it was verified on (`source`) and the date it was checked (`checked`); the validator refuses one
without them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from knowledge.errors import ContentError, ContentProblem
from knowledge.loader import CONTENT_DIR, _Doc, _open
from knowledge.schema import CORE_LANGUAGES, EXTRA_LANGUAGES, JURISDICTIONS

DIRECTORY_DIR = CONTENT_DIR / "directory"

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
OrgId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{1,40}$")]


class Kind(StrEnum):
    ngo = "ngo"
    authority = "authority"
    ombudsman = "ombudsman"
    monitoring = "monitoring"
    legal_aid = "legal_aid"
    consulate_info = "consulate_info"
    helpline = "helpline"


class Service(StrEnum):
    """Kinds of help, aligned with the topic taxonomy (TOPIC_SERVICES maps topics to them)."""

    find_person = "find_person"
    legal = "legal"
    consular = "consular"
    visits = "visits"
    contact = "contact"
    health = "health"
    mental_health = "mental_health"
    complaints = "complaints"
    parole = "parole"
    transfer = "transfer"
    expulsion = "expulsion"
    immigration = "immigration"
    documents = "documents"
    release = "release"
    housing = "housing"
    employment = "employment"
    benefits = "benefits"
    substance_use = "substance_use"
    family = "family"
    children = "children"
    peer_support = "peer_support"


class Audience(StrEnum):
    prisoners = "prisoners"
    ex_prisoners = "ex_prisoners"
    families = "families"
    children = "children"


class ContactType(StrEnum):
    phone = "phone"
    email = "email"
    address = "address"
    web = "web"  # a chat or contact form: a URL


# Languages an organisation may list: the bot's languages and the other languages families speak.
DIRECTORY_LANGUAGES: tuple[str, ...] = tuple(dict.fromkeys((
    *CORE_LANGUAGES, *EXTRA_LANGUAGES,
    "is", "de", "fr", "es", "it", "pt", "nl", "fa", "ps", "ku", "so", "ti", "am", "tr", "sq", "sr", "hr", "bs",
    "bg", "el", "cs", "sk", "sl", "hu", "lv", "be", "ka", "hy", "az", "kk", "ky", "vi", "th", "zh", "ur", "hi",
    "bn", "sw", "se", "kl", "fo",
)))

# Which kinds of help answer a topic: the organisations an answer ends with. Topics not listed get none.
TOPIC_SERVICES: dict[str, tuple[Service, ...]] = {
    "arrest.find_person": (Service.find_person,),
    "arrest.family_notification": (Service.find_person, Service.legal),
    "consular.access": (Service.consular,),
    "legal.lawyer": (Service.legal,),
    "legal.interpreter": (Service.legal,),
    "remand.restrictions": (Service.legal, Service.visits),
    "visits.how_to": (Service.visits,),
    "visits.children": (Service.children, Service.visits),
    "visits.from_abroad": (Service.visits,),
    "contact.phone": (Service.contact,),
    "contact.video": (Service.contact,),
    "contact.letters": (Service.contact,),
    "money.send": (Service.contact,),
    "parcels.send": (Service.contact,),
    "health.care": (Service.health, Service.complaints),
    "work.education": (Service.employment,),
    "language.information": (Service.legal,),
    "rights.general": (Service.legal, Service.complaints),
    "discrimination": (Service.complaints, Service.legal),
    "complaints": (Service.complaints,),
    "violence.threats": (Service.complaints,),
    "crisis.suicide": (Service.mental_health,),
    "death.serious_illness": (Service.family, Service.mental_health),
    "sentence.parole": (Service.parole,),
    "sentence.leave": (Service.parole,),
    "transfer.home_country": (Service.transfer,),
    "expulsion.deportation": (Service.expulsion, Service.legal),
    "residence.permit": (Service.immigration, Service.legal),
    "record.criminal": (Service.documents,),
    "release.preparation": (Service.release, Service.housing),
    "release.housing": (Service.housing,),
    "release.employment": (Service.employment,),
    "release.benefits": (Service.benefits,),
    "release.substance_use": (Service.substance_use,),
    "documents.identity": (Service.documents, Service.consular),
    "family.children": (Service.children,),
    "family.support": (Service.family, Service.peer_support),
}

PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{1,24}$")
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}$", re.IGNORECASE)
REQUIRED_COLUMNS = ("id", "kind", "name_local", "name_en", "jurisdictions", "languages", "services", "audience",
                    "source", "checked")


def _known(values: Any, allowed: Iterable[str], what: str) -> Any:
    """Check codes against a closed list, with a reason a person can act on."""
    allowed = tuple(allowed)
    if isinstance(values, str):
        values = split_list(values)
    if isinstance(values, (list, tuple)):
        for value in values:
            if str(value) not in allowed:
                hint = ", ".join(allowed) if len(allowed) <= 25 else \
                    f"a two-letter code such as {', '.join(allowed[:6])}; docs/directory.md lists them"
                raise ValueError(f"unknown {what} {str(value)!r} (use {hint})")
    return values


def split_list(cell: str) -> list[str]:
    """A list written in one cell: separated by ';' or ','."""
    return [part.strip() for part in re.split(r"[;,]", cell) if part.strip()]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(Strict):
    """One verified way to reach the organisation, with the page it was verified on and when."""

    type: ContactType
    value: NonEmpty
    label: dict[str, NonEmpty] = Field(default_factory=dict)  # language -> e.g. "Russian line, hours vary"
    languages: list[str] = Field(default_factory=list)  # the languages this line or address answers in
    source: AnyHttpUrl | None = None
    checked: dt.date | None = None

    @field_validator("languages", mode="before")
    @classmethod
    def _languages(cls, v: Any) -> Any:
        return _known(v, DIRECTORY_LANGUAGES, "language")

    @field_validator("label")
    @classmethod
    def _label(cls, v: dict[str, str]) -> dict[str, str]:
        _known(list(v), DIRECTORY_LANGUAGES, "language")
        if v and "en" not in v:
            raise ValueError("a label needs an English text (en)")
        return v

    @model_validator(mode="after")
    def _verified_and_well_formed(self) -> Contact:
        missing = [n for n in ("source", "checked") if getattr(self, n) is None]
        if missing:
            raise ValueError(f"a {self.type.value} contact needs the page it was verified on and the date checked "
                             f"(missing: {' and '.join(missing)})")
        if self.checked is not None and self.checked > dt.date.today():
            raise ValueError(f"checked date {self.checked.isoformat()} is in the future")
        value = self.value
        if self.type is ContactType.phone and (not PHONE.match(value) or sum(c.isdigit() for c in value) < 3):
            raise ValueError(f"{value!r} is not a phone number (digits, spaces, +, - and brackets only)")
        if self.type is ContactType.email and not EMAIL.match(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        if self.type is ContactType.web and not re.match(r"^https?://[^\s/]+\.[^\s/]+", value):
            raise ValueError(f"bad URL {value!r} (write it with https://)")
        return self


class Organisation(Strict):
    """One organisation or public body in the directory."""

    id: OrgId
    kind: Kind
    name: dict[str, NonEmpty]  # local (its own language), en, and optional translations by language code
    jurisdictions: list[str] = Field(min_length=1)
    cities: list[NonEmpty] = Field(default_factory=list)  # offices; empty means the whole jurisdiction
    languages: list[str] = Field(min_length=1)  # the languages it helps people in
    services: list[Service] = Field(min_length=1)
    audience: list[Audience] = Field(min_length=1)
    nationalities: list[str] = Field(default_factory=list)  # ISO country codes it is limited to; empty: anyone
    website: AnyHttpUrl | None = None
    source: AnyHttpUrl  # the page the organisation and its website were seen on
    checked: dt.date  # when that was checked
    summary: dict[str, NonEmpty] = Field(default_factory=dict)  # language -> one sentence: what it does
    contacts: list[Contact] = Field(default_factory=list)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        return _known([v], [k.value for k in Kind], "kind")[0] if isinstance(v, str) else v

    @field_validator("jurisdictions", mode="before")
    @classmethod
    def _jurisdictions(cls, v: Any) -> Any:
        return _known(v, JURISDICTIONS, "jurisdiction")

    @field_validator("languages", mode="before")
    @classmethod
    def _languages(cls, v: Any) -> Any:
        return _known(v, DIRECTORY_LANGUAGES, "language")

    @field_validator("services", mode="before")
    @classmethod
    def _services(cls, v: Any) -> Any:
        return _known(v, [s.value for s in Service], "service")

    @field_validator("audience", mode="before")
    @classmethod
    def _audience(cls, v: Any) -> Any:
        return _known(v, [a.value for a in Audience], "audience")

    @field_validator("cities", mode="before")
    @classmethod
    def _cities(cls, v: Any) -> Any:
        return split_list(v) if isinstance(v, str) else v

    @field_validator("nationalities", mode="before")
    @classmethod
    def _nationalities(cls, v: Any) -> Any:
        values = split_list(v) if isinstance(v, str) else v
        for code in values if isinstance(values, list) else []:
            if not re.fullmatch(r"[A-Z]{2}", str(code)):
                raise ValueError(f"unknown nationality {code!r} (use two-letter country codes such as GB, PL)")
        return values

    @field_validator("name")
    @classmethod
    def _name(cls, v: dict[str, str]) -> dict[str, str]:
        for key in ("local", "en"):
            if key not in v:
                raise ValueError(f"missing field name_{key} (the name in its own language and in English)")
        _known([k for k in v if k != "local"], DIRECTORY_LANGUAGES, "language")
        return v

    @field_validator("summary")
    @classmethod
    def _summary(cls, v: dict[str, str]) -> dict[str, str]:
        _known(list(v), DIRECTORY_LANGUAGES, "language")
        if v and "en" not in v:
            raise ValueError("a summary needs an English text (summary_en)")
        for lang, text in v.items():
            if len(text) > 300:
                raise ValueError(f"summary_{lang} is {len(text)} characters; keep it under 300")
            if "<" in text or ">" in text:
                raise ValueError(f"summary_{lang} contains < or >: plain text only")
        return v

    @field_validator("checked")
    @classmethod
    def _not_future(cls, v: dt.date) -> dt.date:
        if v > dt.date.today():
            raise ValueError(f"checked date {v.isoformat()} is in the future")
        return v

    @field_validator("jurisdictions", "languages", "services", "audience", "cities", "nationalities")
    @classmethod
    def _no_repeats(cls, v: list[Any]) -> list[Any]:
        if len(set(v)) != len(v):
            raise ValueError("a value is listed twice")
        return v

    def display_name(self, lang: str) -> str:
        """The name in its own language, followed by the reader's translation when it differs."""
        local = self.name["local"]
        tr = self.name.get(lang) or self.name.get("en")
        if not tr or tr == local or tr in local:
            return local
        return f"{local} ({tr})"

    def summary_in(self, lang: str) -> str | None:
        return self.summary.get(lang) or self.summary.get("en")

    @property
    def nationwide(self) -> bool:
        return not self.cities


@dataclass(frozen=True)
class Directory:
    """The loaded directory: shipped entries with the local ones on top (same id: the local one wins)."""

    organisations: tuple[Organisation, ...]
    local_ids: frozenset[str] = frozenset()
    by_id: dict[str, Organisation] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {o.id: o for o in self.organisations})

    def __len__(self) -> int:
        return len(self.organisations)

    def in_jurisdiction(self, jurisdiction: str) -> list[Organisation]:
        return [o for o in self.organisations if jurisdiction in o.jurisdictions]

    def services_in(self, jurisdiction: str) -> list[Service]:
        """The kinds of help some organisation offers there, in the fixed order of `Service`."""
        present = {s for o in self.in_jurisdiction(jurisdiction) for s in o.services}
        return [s for s in Service if s in present]

    def languages_in(self, jurisdiction: str, need: str | None = None) -> list[str]:
        present = {lang for o in self.in_jurisdiction(jurisdiction) if need is None or need in o.services
                   for lang in o.languages}
        return [lang for lang in DIRECTORY_LANGUAGES if lang in present]


# ---------------------------------------------------------------------------------------------------------
# Ranking: the one place that decides which organisation comes first.

# For practical help, NGOs and helplines come before public bodies. A need that is some kind's own
# business puts that kind first (complaints: the ombudsman and monitoring bodies; legal: legal aid).
KIND_ORDER: tuple[Kind, ...] = (Kind.ngo, Kind.helpline, Kind.legal_aid, Kind.consulate_info, Kind.ombudsman,
                                Kind.monitoring, Kind.authority)
KINDS_FOR_NEED: dict[Service, tuple[Kind, ...]] = {
    Service.complaints: (Kind.ombudsman, Kind.monitoring),
    Service.legal: (Kind.legal_aid,),
    Service.mental_health: (Kind.helpline,),
    Service.consular: (Kind.consulate_info,),
}


def rank_key(org: Organisation, *, city: str | None = None, needs: Sequence[str] = (),
             language: str | None = None) -> tuple:
    """Sort key, smallest first. In order of weight:

    0. it helps people of any nationality (the bot does not ask the user's; those limited to some, such as
       Prisoners Abroad for British citizens, come after all others);
    1. the organisation helps in the user's language;
    2. it has an office in the user's city, then it serves the whole jurisdiction, then other cities only;
    3. it offers more of the kinds of help asked for (when several are asked, e.g. for a topic);
    4. its kind: the kinds that own the need first (KINDS_FOR_NEED), then KIND_ORDER: NGOs and helplines
       before legal aid, the ombudsman, monitoring bodies and authorities;
    5. it works in this jurisdiction only (local) rather than in many (international);
    6. it has verified contacts, then a website, then neither;
    7. its name, so equal entries keep a stable order.
    """
    speaks = language is None or language in org.languages
    if city and any(c.casefold() == city.casefold() for c in org.cities):
        place = 0
    elif org.nationwide:
        place = 1
    else:
        place = 2 if city else 1
    overlap = len(set(needs) & set(org.services))
    owners: tuple[Kind, ...] = ()
    for need in needs:
        owners += KINDS_FOR_NEED.get(Service(need), ()) if need in Service.__members__ else ()
    kind = owners.index(org.kind) if org.kind in owners else len(owners) + KIND_ORDER.index(org.kind)
    reach = 0 if org.contacts else (1 if org.website else 2)
    return (bool(org.nationalities), not speaks, place, -overlap, kind, len(org.jurisdictions) > 1, reach,
            org.name["local"].casefold())


def search(directory: Directory, jurisdiction: str, city: str | None = None, need: str | None = None,
           language: str | None = None, audience: str | None = None) -> list[Organisation]:
    """Organisations serving `jurisdiction` (offering `need` and serving `audience`, when given), best first.

    The jurisdiction, the need and the audience filter; the language and the city only rank (an
    organisation in another language is still listed, after those that speak the user's).
    """
    found = [o for o in directory.in_jurisdiction(jurisdiction)
             if (need is None or need in o.services) and (audience is None or audience in o.audience)]
    needs = (need,) if need else ()
    return sorted(found, key=lambda o: rank_key(o, city=city, needs=needs, language=language))


def for_topic(directory: Directory, topic_id: str, jurisdiction: str, language: str | None = None,
              limit: int = 2, exclude_hosts: Iterable[str] = ()) -> list[Organisation]:
    """The one or two organisations an answer on `topic_id` ends with: they offer the topic's kinds of help.

    Only organisations with a website (the answer links them), and none whose site the answer already shows.
    """
    needs = TOPIC_SERVICES.get(topic_id, ())
    if not needs:
        return []
    skip = {h.removeprefix("www.") for h in exclude_hosts}
    found = [o for o in directory.in_jurisdiction(jurisdiction)
             if set(needs) & set(o.services) and o.website is not None
             and (o.website.host or "").removeprefix("www.") not in skip]
    found.sort(key=lambda o: rank_key(o, needs=[n.value for n in needs], language=language))
    return found[:limit]


# ---------------------------------------------------------------------------------------------------------
# Validation errors in words a writer or an NGO worker can act on.

def _column(loc: Sequence[Any]) -> str:
    """Where a value lives, named like the CSV column that holds it (name_en, contact2_source...)."""
    parts = list(loc)
    if not parts:
        return "(entry)"
    head = str(parts[0])
    if head in ("name", "summary") and len(parts) > 1:
        return f"{head}_{parts[1]}"
    if head == "contacts" and len(parts) > 1 and isinstance(parts[1], int):
        rest = "_".join(str(p) for p in parts[2:])
        return f"contact{parts[1] + 1}" + (f"_{rest}" if rest else "")
    return head


def reasons(exc: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    """(location, reason) for each error of a validation."""
    out: list[tuple[tuple[Any, ...], str]] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        # list items: report the list, not its index ("jurisdictions", not "jurisdictions.0")
        if len(loc) > 1 and isinstance(loc[-1], int) and loc[0] in {"jurisdictions", "languages", "services",
                                                                     "audience", "cities", "nationalities"}:
            loc = loc[:-1]
        where = _column(loc)
        kind = err["type"]
        value = err.get("input")
        msg = str(err["msg"]).removeprefix("Value error, ")
        if kind == "missing":
            text = f"missing field {where}"
        elif kind == "extra_forbidden":
            text = f"unknown field {where}"
        elif kind.startswith("url_"):
            text = f"bad URL in {where}: {value!r} (write it with https://)"
        elif kind.startswith("date_"):
            text = f"bad date in {where}: {value!r} (write YYYY-MM-DD)"
        elif kind == "string_pattern_mismatch" and where == "id":
            text = f"bad id {value!r} (2-41 characters: lowercase letters, digits, '.', '_', '-')"
        elif kind == "too_short" and isinstance(value, list) or kind == "string_too_short":
            text = f"{where} is empty"
        elif kind == "value_error":
            text = msg if where in ("(entry)", "name", "summary") or msg.startswith("unknown ") else f"{where}: {msg}"
        else:
            text = f"{where}: {msg}"
        out.append((loc, text))
    return out


# ---------------------------------------------------------------------------------------------------------
# Loading the shipped files and the local overrides file.

def _entries(doc: _Doc, problems: list[ContentProblem]) -> tuple[tuple[Any, ...], list[Any]]:
    """(location prefix, entries) of a directory file: `organisations: [...]`, or a bare list."""
    data = doc.data
    if data is None:
        return (), []
    if isinstance(data, dict) and set(data) == {"organisations"} and isinstance(data["organisations"], list):
        return ("organisations",), data["organisations"]
    if isinstance(data, list):
        return (), data
    problems.append(doc.problem((), "a directory file holds `organisations:`, a list of entries"))
    return (), []


def _check_file(doc: _Doc, problems: list[ContentProblem]) -> list[Organisation]:
    prefix, entries = _entries(doc, problems)
    orgs: list[Organisation] = []
    seen: set[str] = set()
    for i, raw in enumerate(entries):
        rid = raw.get("id") if isinstance(raw, dict) else None
        duplicate = isinstance(rid, str) and rid in seen
        if duplicate:
            problems.append(doc.problem(prefix + (i, "id"), f"duplicate id {rid!r}"))
        elif isinstance(rid, str):
            seen.add(rid)
        try:
            org = Organisation.model_validate(raw)
        except ValidationError as exc:
            for loc, text in reasons(exc):
                problems.append(doc.problem(prefix + (i, *loc), text))
            continue
        if not duplicate:
            orgs.append(org)
    return orgs


def check_directory(content_dir: Path | None = None, overrides: Path | None = None
                    ) -> tuple[Directory | None, list[ContentProblem]]:
    """Validate the shipped directory files and the local overrides file (when it exists)."""
    root = Path(content_dir) if content_dir else CONTENT_DIR
    problems: list[ContentProblem] = []
    shipped: dict[str, Organisation] = {}
    for path in sorted((root / "directory").glob("*.yaml")):
        doc = _open(path, root, problems)
        if doc is None:
            continue
        for org in _check_file(doc, problems):
            if org.id in shipped:
                problems.append(doc.problem(_loc_of(doc, org.id), f"duplicate id {org.id!r} (already in another file)"))
                continue
            shipped[org.id] = org
    local: dict[str, Organisation] = {}
    if overrides is not None and Path(overrides).exists():
        doc = _open(Path(overrides), root, problems)
        if doc is not None:
            local = {o.id: o for o in _check_file(doc, problems)}
    if problems:
        return None, problems
    merged = {**shipped, **local}
    return Directory(tuple(merged.values()), frozenset(local)), problems


def _loc_of(doc: _Doc, org_id: str) -> tuple[Any, ...]:
    prefix, items = _entries(doc, [])
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == org_id:
            return prefix + (i, "id")
    return prefix


def load_directory(content_dir: Path | None = None, overrides: Path | None = None) -> Directory:
    """The directory, or `ContentError` listing every problem (the bot refuses to start with a broken one)."""
    directory, problems = check_directory(content_dir, overrides)
    if directory is None:
        raise ContentError(problems)
    return directory


def load_local(path: Path) -> list[Organisation]:
    """The entries of a local overrides file (none when it does not exist); `ContentError` when it is broken."""
    if not path.exists():
        return []
    problems: list[ContentProblem] = []
    doc = _open(path, path.parent, problems)
    orgs = _check_file(doc, problems) if doc is not None else []
    if problems:
        raise ContentError(problems)
    return orgs


# ---------------------------------------------------------------------------------------------------------
# Import and export: rows of a CSV file or entries of a YAML file.

class ImportFileError(Exception):
    """The whole file cannot be imported (unreadable, not UTF-8, unknown columns); one clear message."""


@dataclass(frozen=True)
class BadRow:
    row: int  # CSV: the spreadsheet row (the header is row 1); YAML: the entry's number, from 1
    id: str | None
    reasons: tuple[str, ...]
    line: int | None = None  # YAML: the line the entry starts on

    def __str__(self) -> str:
        where = f"row {self.row}" + (f" (line {self.line})" if self.line else "")
        who = f" [{self.id}]" if self.id else ""
        return f"{where}{who}: " + "; ".join(self.reasons)


@dataclass(frozen=True)
class ImportResult:
    good: tuple[tuple[int, Organisation], ...]
    bad: tuple[BadRow, ...]


def _decode(data: bytes, name: str) -> str:
    """Text of an import file: UTF-8 (with or without BOM) or UTF-16 with a BOM.

    Bytes that are not UTF-8 are kept as surrogates, so the rows that hold them are reported one by one.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError(f"{name}: cannot read it as UTF-16 text; save it as “CSV UTF-8” and try again") \
                from None
    if b"\x00" in data[:2000]:
        raise ImportFileError(f"{name}: this looks like UTF-16 text without a byte-order mark; "
                              "save it as “CSV UTF-8” and try again")
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")
    return text


def _bad_bytes(text: str) -> str | None:
    for ch in text:
        if 0xDC80 <= ord(ch) <= 0xDCFF:
            return f"0x{ord(ch) - 0xDC00:02x}"
    return None


_COLUMN = re.compile(r"^(?:(id|kind|jurisdictions|cities|languages|services|audience|nationalities|website|source|checked)"
                     r"|name_(local|[a-z]{2,3})|summary_([a-z]{2,3})"
                     r"|contact(\d{1,2})_(type|value|languages|source|checked|label(?:_([a-z]{2,3}))?))$")


def row_to_entry(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row (column -> cell) as the mapping an `Organisation` is validated from; empty cells are absent."""
    entry: dict[str, Any] = {}
    contacts: dict[int, dict[str, Any]] = {}
    for column, cell in row.items():
        cell = (cell or "").strip()
        if not cell:
            continue
        m = _COLUMN.match(column)
        if m is None:
            continue
        plain, name_lang, summary_lang, contact_no, contact_field, label_lang = m.groups()
        if plain in ("jurisdictions", "languages", "services", "audience", "cities", "nationalities"):
            entry[plain] = split_list(cell)
        elif plain:
            entry[plain] = cell
        elif name_lang:
            entry.setdefault("name", {})[name_lang] = cell
        elif summary_lang:
            entry.setdefault("summary", {})[summary_lang] = cell
        else:
            contact = contacts.setdefault(int(contact_no), {})
            if contact_field.startswith("label"):
                contact.setdefault("label", {})[label_lang or "en"] = cell
            elif contact_field == "languages":
                contact["languages"] = split_list(cell)
            else:
                contact[contact_field] = cell
    if contacts:
        entry["contacts"] = [contacts[k] for k in sorted(contacts)]
    return entry


def entry_to_row(org: Organisation) -> dict[str, str]:
    """An organisation as one CSV row (the inverse of `row_to_entry`)."""
    row = {
        "id": org.id, "kind": org.kind.value, "name_local": org.name["local"], "name_en": org.name["en"],
        "jurisdictions": "; ".join(org.jurisdictions), "cities": "; ".join(org.cities),
        "languages": "; ".join(org.languages), "services": "; ".join(s.value for s in org.services),
        "audience": "; ".join(a.value for a in org.audience), "nationalities": "; ".join(org.nationalities),
        "website": str(org.website or ""),
        "source": str(org.source), "checked": org.checked.isoformat(),
    }
    for lang, text in org.name.items():
        if lang not in ("local", "en"):
            row[f"name_{lang}"] = text
    for lang, text in org.summary.items():
        row[f"summary_{lang}"] = text
    for n, c in enumerate(org.contacts, 1):
        row[f"contact{n}_type"] = c.type.value
        row[f"contact{n}_value"] = c.value
        row[f"contact{n}_languages"] = "; ".join(c.languages)
        for lang, text in c.label.items():
            row[f"contact{n}_label_{lang}"] = text
        row[f"contact{n}_source"] = str(c.source)
        row[f"contact{n}_checked"] = c.checked.isoformat() if c.checked else ""
    return row


def _columns(rows: list[dict[str, str]]) -> list[str]:
    base = ["id", "kind", "name_local", "name_en", "jurisdictions", "cities", "languages", "services", "audience",
            "nationalities", "website", "source", "checked"]
    extra = sorted({k for r in rows for k in r if k.startswith("name_")} - set(base))
    summaries = [f"summary_{lang}" for lang in DIRECTORY_LANGUAGES if any(f"summary_{lang}" in r for r in rows)]
    contact_cols: list[str] = []
    count = max((int(m.group(1)) for r in rows for k in r if (m := re.match(r"contact(\d+)_", k))), default=0)
    labels = sorted({k.rsplit("_", 1)[1] for r in rows for k in r if re.match(r"contact\d+_label_", k)},
                    key=lambda lang: (lang != "en", lang))
    for n in range(1, count + 1):
        contact_cols += [f"contact{n}_type", f"contact{n}_value", f"contact{n}_languages",
                         *(f"contact{n}_label_{lang}" for lang in labels), f"contact{n}_source",
                         f"contact{n}_checked"]
    return base + extra + summaries + contact_cols


def export_csv(orgs: Iterable[Organisation]) -> str:
    rows = [entry_to_row(o) for o in orgs]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_columns(rows), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_plain(org: Organisation) -> dict[str, Any]:
    """An organisation as plain YAML-ready data (dates as dates, URLs as text, defaults left out)."""
    data = org.model_dump(mode="json", exclude_defaults=True)
    data["checked"] = org.checked
    for c_data, c in zip(data.get("contacts", []), org.contacts, strict=True):
        c_data["checked"] = c.checked
    return data


def export_yaml(orgs: Iterable[Organisation], header: str = "") -> str:
    body = yaml.safe_dump({"organisations": [to_plain(o) for o in orgs]}, allow_unicode=True, sort_keys=False,
                          width=110)
    return header + body


def read_import(path: Path) -> ImportResult:
    """Validate every row of a CSV or YAML file; `ImportFileError` when the file as a whole cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    name = str(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        return _read_yaml(data, name)
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        return _read_csv(data, name)
    raise ImportFileError(f"{name}: import a .csv or a .yaml file")


def _validate_rows(items: list[tuple[int, int | None, dict[str, Any] | None, list[str]]]) -> ImportResult:
    """items: (row number, line, entry or None, reasons found before validation)."""
    good: list[tuple[int, Organisation]] = []
    bad: list[BadRow] = []
    first_row: dict[str, int] = {}
    for row, line, entry, early in items:
        rid = str(entry.get("id")) if isinstance(entry, dict) and entry.get("id") else None
        found = list(early)
        org = None
        if entry is not None and not early:
            try:
                org = Organisation.model_validate(entry)
            except ValidationError as exc:
                found += [text for _loc, text in reasons(exc)]
        if rid is not None:
            if rid in first_row:
                found.append(f"duplicate id {rid!r} (also row {first_row[rid]})")
            else:
                first_row[rid] = row
        if found or org is None:
            bad.append(BadRow(row, rid, tuple(dict.fromkeys(found)) or ("empty entry",), line))
        else:
            good.append((row, org))
    return ImportResult(tuple(good), tuple(bad))


def _read_csv(data: bytes, name: str) -> ImportResult:
    text = _decode(data, name)
    header_line = text.splitlines()[0] if text.strip() else ""
    if not header_line:
        raise ImportFileError(f"{name}: the file is empty")
    bad_byte = _bad_bytes(header_line)
    if bad_byte:
        raise ImportFileError(f"{name}: the header row is not UTF-8 text (byte {bad_byte}); "
                              "save the file as “CSV UTF-8” and import it again")
    delimiter = max(",;\t", key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    unknown = [h for h in header if h and not _COLUMN.match(h)]
    if unknown:
        raise ImportFileError(f"{name}: unknown column(s) {', '.join(repr(u) for u in unknown)}; "
                              f"docs/directory.md lists the columns")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFileError(f"{name}: the file has no column(s) {', '.join(missing)}")
    if len(set(header)) != len(header):
        raise ImportFileError(f"{name}: a column appears twice in the header")
    items: list[tuple[int, int | None, dict[str, Any] | None, list[str]]] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        early: list[str] = []
        bad_byte = next((b for c in cells if (b := _bad_bytes(c))), None)
        if bad_byte:
            early.append(f"bad encoding: not UTF-8 text (byte {bad_byte}); save the file as “CSV UTF-8”")
        if len(cells) > len(header):
            early.append(f"{len(cells)} cells but the header has {len(header)} columns")
        row = dict(zip(header, cells, strict=False))
        entry = row_to_entry(row) if not bad_byte else {"id": row.get("id", "").strip() or None}
        items.append((number, None, entry, early))
    return _validate_rows(items)


def _read_yaml(data: bytes, name: str) -> ImportResult:
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                              "save it as UTF-8 and try again") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=loader)
        parsed = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise ImportFileError(f"{name}: YAML syntax{where}: {getattr(exc, 'problem', exc)}") from None
    seq = parsed.get("organisations") if isinstance(parsed, dict) else parsed
    if isinstance(parsed, dict) and isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if k.value == "organisations"), None)
    if not isinstance(seq, list):
        raise ImportFileError(f"{name}: expected `organisations:` with a list of entries")
    items: list[tuple[int, int | None, dict[str, Any] | None, list[str]]] = []
    for i, raw in enumerate(seq):
        line = node.value[i].start_mark.line + 1 if isinstance(node, yaml.SequenceNode) else None
        if not isinstance(raw, dict):
            items.append((i + 1, line, None, ["an entry is a mapping of fields"]))
            continue
        items.append((i + 1, line, raw, []))
    return _validate_rows(items)


@dataclass(frozen=True)
class MergeOutcome:
    local: tuple[Organisation, ...]  # the new content of the overrides file
    added: tuple[str, ...]
    updated: tuple[str, ...]  # overrides a shipped entry
    replaced: tuple[str, ...]  # replaces an earlier local entry
    unchanged: tuple[str, ...]  # the same as the shipped entry: not stored


def merge_local(shipped: dict[str, Organisation], local: Sequence[Organisation],
                imported: Sequence[Organisation]) -> MergeOutcome:
    """Put imported entries into the local list by id; an entry equal to the shipped one is not stored."""
    result = {o.id: o for o in local}
    added, updated, replaced, unchanged = [], [], [], []
    for org in imported:
        if shipped.get(org.id) == org:
            unchanged.append(org.id)
            result.pop(org.id, None)
            continue
        if org.id in result:
            replaced.append(org.id)
        elif org.id in shipped:
            updated.append(org.id)
        else:
            added.append(org.id)
        result[org.id] = org
    return MergeOutcome(tuple(result.values()), tuple(added), tuple(updated), tuple(replaced), tuple(unchanged))


LOCAL_HEADER = ("# Local directory entries, written by `lykta directory import`; loaded on top of the shipped\n"
                "# entries (knowledge/content/directory/). An entry with a shipped id replaces it. See docs/directory.md.\n")


def write_local(path: Path, orgs: Sequence[Organisation]) -> None:
    """Write the overrides file atomically (a half-written file never reaches the bot)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(export_yaml(orgs, LOCAL_HEADER), encoding="utf-8")
    os.replace(tmp, path)
