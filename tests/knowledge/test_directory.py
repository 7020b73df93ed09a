"""The directory of organisations: honest shipped data, a ranking a family can trust, imports that refuse bad rows."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge import JURISDICTIONS, check_content, load_knowledge_base
from knowledge.directory import (
    TOPIC_SERVICES,
    Directory,
    ImportFileError,
    Kind,
    Organisation,
    check_directory,
    export_csv,
    export_yaml,
    for_topic,
    load_directory,
    merge_local,
    read_import,
    search,
)
from knowledge.loader import CONTENT_DIR

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date.today().isoformat()


@pytest.fixture(scope="module")
def shipped() -> Directory:
    return load_directory()


def org(id: str, kind: str = "ngo", **fields) -> Organisation:
    data = {"id": id, "kind": kind, "name": {"local": id.title(), "en": id.title()}, "jurisdictions": ["FI"],
            "languages": ["fi"], "services": ["family"], "audience": ["families"],
            "source": "https://example.org/about", "checked": "2026-01-10"}
    data.update(fields)
    return Organisation.model_validate(data)


# --- the shipped data --------------------------------------------------------------------------------------

def test_every_jurisdiction_has_its_prison_service_and_ombudsman_with_the_registry_website(shipped):
    registry = load_knowledge_base().jurisdictions
    for code in JURISDICTIONS:
        sites = {str(o.website) for o in shipped.in_jurisdiction(code) if o.website}
        for key in ("prison_service", "ombudsman"):
            assert str(registry[code].bodies[key].url) in sites, (code, key)
        kinds = {o.kind for o in shipped.in_jurisdiction(code)}
        assert {Kind.authority, Kind.ombudsman} <= kinds, code


def test_every_contact_names_the_page_it_was_verified_on_and_when(shipped):
    contacts = [(o, c) for o in shipped.organisations for c in o.contacts]
    assert len(contacts) >= 8  # RISE's letter address, the FI ombudsman's e-mail, MIELI's lines, Mind, 1717...
    for o, c in contacts:
        assert str(c.source).startswith("https://") and c.checked is not None, o.id


def test_no_unverified_contact_from_the_research_notes_is_shipped(shipped):
    """domain.md marks these DATED or UNVERIFIED: they must not appear (docs/directory.md, the contact rule)."""
    values = [c.value for o in shipped.organisations for c in o.contacts]
    numbers = {re.sub(r"\D", "", v) for v in values}
    for number in ("0295688500", "28806000", "70260406", "72555555", "70201201", "0925250113", "88002000122",
                   "116123", "22400040"):
        assert number not in numbers, number
    text = " ".join(values)
    assert "@fangelsi.is" not in text and "Strandgade" not in text and "Vehnämyllynkatu" not in text


def test_russian_ngos_are_not_recommended(shipped):
    """domain.md §6.7: the legal status of prisoner-support NGOs in Russia is unclear or risky."""
    for code in ("RU-SPE", "RU-KR"):
        local_ngos = [o.id for o in shipped.in_jurisdiction(code) if o.kind is Kind.ngo and len(o.jurisdictions) == 1]
        assert local_ngos == []
    assert not any("zvns" in str(o.website) or "Русь" in o.name["local"] for o in shipped.organisations)


def test_every_topic_mapped_to_kinds_of_help_exists_and_offers_something_somewhere(shipped):
    kb = load_knowledge_base()
    offered = {s for o in shipped.organisations for s in o.services}
    for topic, services in TOPIC_SERVICES.items():
        assert topic in kb.meta, topic
        # domain.md names no consulate pages and no benefits office: left to organisations' own imports
        assert set(services) & offered or topic in {"consular.access", "release.benefits"}, topic


# --- ranking -------------------------------------------------------------------------------------------------

def test_a_russian_speaker_in_finland_gets_the_russian_crisis_line_first(shipped):
    found = search(shipped, "FI", need="mental_health", language="ru")
    assert found[0].id == "fi.mieli"
    assert "09 2525 0115" in [c.value for c in found[0].contacts if "ru" in c.languages]


def test_ngos_and_helplines_come_before_authorities_for_practical_help(shipped):
    found = [o.kind for o in search(shipped, "FI", language="fi")]
    assert found.index(Kind.ngo) < found.index(Kind.authority)
    assert found.index(Kind.helpline) < found.index(Kind.authority)


def test_for_complaints_the_ombudsman_comes_first(shipped):
    for code in JURISDICTIONS:
        assert search(shipped, code, need="complaints")[0].kind is Kind.ombudsman, code


def test_the_need_filters_and_the_language_and_city_only_rank():
    directory = Directory((
        org("helsinki-fi", cities=["Helsinki"], services=["housing"]),
        org("tampere-ru", cities=["Tampere"], languages=["ru"], services=["housing"]),
        org("national-fi", services=["housing"]),
        org("other-need", services=["visits"], languages=["ru"]),
        org("authority-ru", kind="authority", languages=["ru"], services=["housing"]),
    ))
    ids = [o.id for o in search(directory, "FI", city="Helsinki", need="housing", language="ru")]
    # language first, then the user's city, the whole country, other cities only; then the kind
    assert ids == ["authority-ru", "tampere-ru", "helsinki-fi", "national-fi"]
    ids = [o.id for o in search(directory, "FI", city="helsinki", need="housing")]
    assert ids == ["helsinki-fi", "national-fi", "authority-ru", "tampere-ru"]
    assert search(directory, "SE") == []


def test_organisations_limited_to_some_nationalities_come_last(shipped):
    found = search(shipped, "FI", language="en")
    assert found[-1].id == "intl.prisoners_abroad" and found[-1].nationalities == ["GB"]


def test_an_answer_ends_with_one_or_two_organisations_offering_that_help(shipped):
    housing = for_topic(shipped, "release.housing", "FI", "ru")
    assert [o.id for o in housing] == ["fi.rets"]
    crisis = for_topic(shipped, "crisis.suicide", "FI", "ru")
    assert crisis[0].id == "fi.mieli"
    assert for_topic(shipped, "bot.privacy", "FI", "ru") == []
    assert "fi.rets" not in [o.id for o in for_topic(shipped, "release.housing", "FI", "ru",
                                                     exclude_hosts=["rets.fi"])]


# --- the validator -------------------------------------------------------------------------------------------

@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def test_the_validator_names_file_line_and_reason(content_copy: Path):
    path = content_copy / "directory" / "fi.yaml"
    text = path.read_text()
    text = text.replace("  kind: helpline\n", "  kind: hotline\n", 1)
    text = text.replace("source: 'https://mieli.fi/helpline', checked: 2026-11-25}", "}", 1)
    text = text.replace("  website: https://rets.fi/\n", "  website: rets dot fi\n", 1)
    text = text.replace("- id: fi.silta\n", "- id: fi.rets\n", 1)
    path.write_text(text)
    directory, problems = check_directory(content_copy)
    assert directory is None
    found = "\n".join(str(p) for p in problems)
    lines = text.splitlines()

    def line_of(needle: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if needle in line)

    assert f"directory/fi.yaml:{line_of('kind: hotline')}: unknown kind 'hotline'" in found
    assert re.search(r"directory/fi\.yaml:\d+: contact1: a phone contact needs the page it was verified on and the "
                     r"date checked \(missing: source and checked\)", found)
    assert f"directory/fi.yaml:{line_of('rets dot fi')}: bad URL in website: 'rets dot fi'" in found
    assert re.search(r"directory/fi\.yaml:\d+: duplicate id 'fi.rets'", found)


def test_kb_validate_checks_the_directory_and_the_local_file(content_copy: Path, tmp_path: Path):
    local = tmp_path / "local.yaml"
    local.write_text("organisations:\n- id: x.y\n  kind: ngo\n")
    result = lykta("kb", "validate", "--content", str(content_copy), "--directory-file", str(local))
    assert result.returncode == 1
    assert re.search(r"local\.yaml:2: missing field name", result.stderr), result.stderr
    local.unlink()
    result = lykta("kb", "validate", "--content", str(content_copy), "--directory-file", str(local))
    assert result.returncode == 0 and "directory: 45 organisations" in result.stdout, result.stderr


def test_a_local_entry_replaces_the_shipped_one_with_the_same_id(tmp_path: Path, shipped):
    local = tmp_path / "local.yaml"
    rets = shipped.by_id["fi.rets"].model_copy(update={"cities": ["Helsinki"]})
    local.write_text(export_yaml([rets, org("new.helper")]))
    directory = load_directory(overrides=local)
    assert directory.by_id["fi.rets"].cities == ["Helsinki"]
    assert "new.helper" in directory.by_id and directory.local_ids == {"fi.rets", "new.helper"}
    assert len(directory) == len(shipped) + 1


# --- import ----------------------------------------------------------------------------------------------------

HEADER = ("id,kind,name_local,name_en,jurisdictions,cities,languages,services,audience,website,source,checked,"
          "summary_en,contact1_type,contact1_value,contact1_source,contact1_checked")
GOOD = ("apu.helsinki,ngo,Apu ry,Help association,FI,Helsinki,fi; ru,family; housing,families,"
        "https://apu.example.org/,https://apu.example.org/about,2026-11-01,Helps families.,phone,+358 40 123 4567,"
        "https://apu.example.org/contact,2026-11-01")


def write(tmp_path: Path, text: str, name: str = "entries.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def reasons_by_row(result) -> dict[int, str]:
    return {b.row: "; ".join(b.reasons) for b in result.bad}


def test_every_bad_row_is_named_with_its_number_and_reason(tmp_path: Path):
    rows = [HEADER, GOOD,
            "a.kind,charity,X,X,FI,,fi,family,families,,https://x.example.org/,2026-11-01,,,,,",
            "a.juris,ngo,X,X,FIN,,fi,family,families,,https://x.example.org/,2026-11-01,,,,,",
            "a.lang,ngo,X,X,FI,,finnish,family,families,,https://x.example.org/,2026-11-01,,,,,",
            "a.service,ngo,X,,FI,,fi,food,families,,https://x.example.org/,2026-11-01,,,,,",
            "a.url,ngo,X,X,FI,,fi,family,families,www.example,https://x.example.org/,2026-11-01,,,,,",
            "a.contact,ngo,X,X,FI,,fi,family,families,,https://x.example.org/,2026-11-01,,phone,+358 40 765 4321,,",
            "apu.helsinki,ngo,Apu,Apu,FI,,fi,family,families,,https://x.example.org/,2026-11-01,,,,,",
            ",ngo,X,X,FI,,fi,family,families,,https://x.example.org/,11/01/2026,,,,,"]
    result = read_import(write(tmp_path, "\n".join(rows) + "\n"))
    assert [o.id for _r, o in result.good] == ["apu.helsinki"]
    bad = reasons_by_row(result)
    assert "unknown kind 'charity'" in bad[3]
    assert "unknown jurisdiction 'FIN'" in bad[4]
    assert "unknown language 'finnish'" in bad[5]
    assert "unknown service 'food'" in bad[6] and "missing field name_en" in bad[6]
    assert "bad URL in website: 'www.example'" in bad[7]
    assert "contact1: a phone contact needs the page it was verified on and the date checked" in bad[8]
    assert "duplicate id 'apu.helsinki' (also row 2)" in bad[9]
    assert "missing field id" in bad[10] and "bad date in checked: '11/01/2026'" in bad[10]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_utf8_with_or_without_bom_and_utf16_with_bom_are_read(tmp_path: Path, encoding: str):
    text = HEADER + "\n" + GOOD.replace("Apu ry", "Äitien apu ry") + "\n"
    result = read_import(write(tmp_path, text, encoding=encoding))
    assert result.bad == () and result.good[0][1].name["local"] == "Äitien apu ry"


def test_semicolon_separated_files_from_nordic_spreadsheets_are_read(tmp_path: Path):
    text = HEADER.replace(",", ";") + "\n" + GOOD.replace("; ", ",").replace(",", ";").replace("fi;ru", "fi,ru")
    text = text.replace("family;housing", "family,housing")
    result = read_import(write(tmp_path, text + "\n"))
    assert result.bad == (), result.bad
    assert result.good[0][1].languages == ["fi", "ru"]


def test_rows_that_are_not_utf8_are_bad_rows_and_an_undecodable_file_is_refused(tmp_path: Path):
    latin = GOOD.replace("apu.helsinki", "apu.tampere").replace("Apu ry", "Äiti ry")
    path = tmp_path / "mixed.csv"
    path.write_bytes((HEADER + "\n" + GOOD + "\n").encode() + (latin + "\n").encode("latin-1"))
    result = read_import(path)
    assert len(result.good) == 1
    assert "bad encoding: not UTF-8" in reasons_by_row(result)[3]
    path.write_bytes((HEADER.replace("name_local", "nimi_ä") + "\n").encode("latin-1"))
    with pytest.raises(ImportFileError, match="not UTF-8"):
        read_import(path)
    path.write_bytes(HEADER.encode("utf-16-le"))
    with pytest.raises(ImportFileError, match="UTF-16"):
        read_import(path)


def test_unknown_or_missing_columns_refuse_the_whole_file(tmp_path: Path):
    with pytest.raises(ImportFileError, match="unknown column.*'telephone'"):
        read_import(write(tmp_path, HEADER + ",telephone\n"))
    with pytest.raises(ImportFileError, match="no column.*kind"):
        read_import(write(tmp_path, HEADER.replace("kind,", "") + "\n"))


def test_a_yaml_import_names_the_entry_and_its_line(tmp_path: Path):
    text = ("organisations:\n"
            "- id: ok.one\n  kind: ngo\n  name: {local: A, en: A}\n  jurisdictions: [SE]\n  languages: [sv]\n"
            "  services: [children]\n  audience: [children]\n  source: https://a.example.org/\n  checked: 2026-10-01\n"
            "- id: bad.one\n  kind: ngo\n  name: {local: B}\n  jurisdictions: [SE]\n  languages: [sv]\n"
            "  services: [children]\n  audience: [children]\n  source: https://b.example.org/\n  checked: 2999-01-01\n")
    result = read_import(write(tmp_path, text, "entries.yaml"))
    assert [o.id for _r, o in result.good] == ["ok.one"]
    (bad,) = result.bad
    assert (bad.row, bad.line, bad.id) == (2, 11, "bad.one")
    assert "missing field name_en" in str(bad) and "is in the future" in str(bad)


def test_export_and_import_round_trip_without_change(tmp_path: Path, shipped):
    path = write(tmp_path, export_csv(shipped.organisations))
    result = read_import(path)
    assert result.bad == ()
    outcome = merge_local(shipped.by_id, [], [o for _r, o in result.good])
    assert outcome.local == () and len(outcome.unchanged) == len(shipped)
    path = write(tmp_path, export_yaml(shipped.organisations), "all.yaml")
    assert [o for _r, o in read_import(path).good] == list(shipped.organisations)


# --- the command line ------------------------------------------------------------------------------------------

def lykta(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LYKTA_")}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60, check=False)


def test_import_writes_nothing_when_a_row_is_bad_and_the_good_rows_with_skip_bad(tmp_path: Path):
    local = tmp_path / "data" / "directory.local.yaml"
    bad = "a.kind,charity,X,X,FI,,fi,family,families,,https://x.example.org/,2026-11-01,,,,,"
    source = write(tmp_path, f"{HEADER}\n{GOOD}\n{bad}\n")
    result = lykta("directory", "import", str(source), LYKTA_DIRECTORY_FILE=str(local))
    assert result.returncode == 1
    assert "row 3 [a.kind]: unknown kind 'charity'" in result.stderr
    assert "nothing imported" in result.stderr and not local.exists()
    result = lykta("directory", "import", str(source), "--skip-bad", LYKTA_DIRECTORY_FILE=str(local))
    assert result.returncode == 0, result.stderr
    assert "1 new" in result.stdout and "skipped 1 bad row(s): row 3 [a.kind]" in result.stdout
    assert [o.id for o in load_directory(overrides=local).organisations if o.id in {"apu.helsinki"}]
    exported = lykta("directory", "export", "--local-only", "--format", "csv", LYKTA_DIRECTORY_FILE=str(local))
    assert exported.stdout.splitlines()[1].startswith("apu.helsinki,ngo,Apu ry")


def test_import_refuses_an_undecodable_file_with_one_clear_message(tmp_path: Path):
    path = tmp_path / "latin.csv"
    path.write_bytes("id,kind,nimi_ä\n".encode("latin-1"))
    result = lykta("directory", "import", str(path), "--file", str(tmp_path / "local.yaml"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "not UTF-8" in result.stderr and "CSV UTF-8" in result.stderr


def test_check_content_still_ignores_the_directory_folder():
    kb, problems, _warnings = check_content()
    assert kb is not None and not [p for p in problems if "directory" in p.file]
