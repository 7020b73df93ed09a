"""/help_near_me through the real bot: a relative finds organisations by country, kind of help and language."""

from __future__ import annotations

from pathlib import Path

from knowledge.directory import Organisation, export_yaml
from tests.e2e.test_onboarding import onboard
from tests.support.harness import Person, buttons

LOCAL_NGO = Organisation.model_validate({
    "id": "apu.helsinki", "kind": "ngo", "name": {"local": "Apu ry", "en": "Help association"},
    "jurisdictions": ["FI"], "cities": ["Helsinki"], "languages": ["fi", "ru"], "services": ["housing", "family"],
    "audience": ["families", "ex_prisoners"], "website": "https://apu.example.org/",
    "source": "https://apu.example.org/about", "checked": "2026-11-01",
    "summary": {"en": "Housing advice for families.", "ru": "Советы по жилью для семей."},
    "contacts": [{"type": "phone", "value": "+358 40 123 4567", "source": "https://apu.example.org/contact",
                  "checked": "2026-11-01"}],
})


async def test_a_relative_finds_help_in_her_language_in_her_country(sim, sqlite_url, start_bot, tmp_path: Path):
    local = tmp_path / "directory.local.yaml"  # what `lykta directory import` writes for an NGO
    local.write_text(export_yaml([LOCAL_NGO]), encoding="utf-8")
    await start_bot(sqlite_url, LYKTA_DIRECTORY_FILE=str(local))
    olga = Person(sim, chat_id=6101, language_code="ru")
    await onboard(olga, "ru", "FI")
    await olga.reply()

    olga.send("/help_near_me")
    where = await olga.reply()
    assert buttons(where)[0] == ("📍 Финляндия", "hnj:FI")  # her country first
    assert ("Карелия", "hnj:RU-KR") in buttons(where)
    olga.press(where, "hnj:FI")
    need = await olga.reply()
    assert ("Жильё", "hnn:FI:housing") in buttons(need) and ("Любая помощь", "hnn:FI:any") in buttons(need)
    olga.press(need, "hnn:FI:housing")
    language = await olga.reply()
    assert buttons(language)[0] == ("✓ Русский", "hnl:FI:housing:ru")
    olga.press(language, "hnl:FI:housing:ru")
    found = (await olga.reply())["text"]
    # the NGO's own entry (Russian-speaking) comes before RETS (Finnish only); both with their verified details
    assert found.index("Apu ry") < found.index("RETS")
    assert "+358 40 123 4567" in found and "Советы по жилью для семей." in found
    assert "rets.fi" in found and "жильём с сопровождением" in found
    assert "MIELI" not in found  # the kind of help filters

    olga.press(need, "hnn:FI:mental_health")
    olga.press(await olga.reply(), "hnl:FI:mental_health:ru")
    crisis = (await olga.reply())["text"]
    assert crisis.startswith("Поговорить с кем-то, кризисная помощь — Финляндия")
    assert "09 2525 0115 — Русский" in crisis and "проверены на собственном сайте организации" in crisis

    olga.press(need, "hnn:FI:food")  # forged: a kind of help that does not exist
    assert "больше не действует" in (await olga.callback_answer())["text"]
    olga.press(need, "hnj:XX")  # forged: a country that does not exist
    assert "больше не действует" in (await olga.callback_answer())["text"]
    olga.press(need, "hnl:FI:housing")  # forged: a field missing
    assert "больше не действует" in (await olga.callback_answer())["text"]


async def test_the_organisations_answer_leads_to_the_directory_and_other_answers_end_with_one(
        sim, sqlite_url, start_bot, tmp_path: Path):
    local = tmp_path / "directory.local.yaml"
    local.write_text(export_yaml([LOCAL_NGO]), encoding="utf-8")
    await start_bot(sqlite_url, LYKTA_DIRECTORY_FILE=str(local))
    erik = Person(sim, chat_id=6102, language_code="sv")
    await onboard(erik, "en", "FI")
    welcome = await erik.reply()

    erik.send("Which organisations help families of prisoners?")
    answer = await erik.reply()
    if ("🔎 Find organisations near me", "hn:1") not in buttons(answer):  # the matcher asked which topic
        erik.press_button(answer, "t:ngo.contacts")
        answer = await erik.reply()
    assert ("🔎 Find organisations near me", "hn:1") in buttons(answer)
    erik.press(answer, "hn:1")
    where = await erik.reply()
    assert buttons(where)[0] == ("📍 Finland", "hnj:FI")

    erik.press(welcome, "t:release.housing")
    housing = (await erik.reply())["text"]
    # an organisation in Finland offering housing help, with verified contacts, and not already in the answer
    assert "Organisations that can help:\n• Apu ry — apu.example.org" in housing
    assert "More: /help_near_me" in housing

    nadia = Person(sim, chat_id=6103)
    await onboard(nadia, "en", "OTHER")
    welcome = await nadia.reply()
    nadia.press(welcome, "t:release.housing")
    assert "Organisations that can help" not in (await nadia.reply())["text"]  # no country: no list
