"""What NGO workers notice in their group: reminders, templates in the user's language, the queue, history."""

from __future__ import annotations

import json

from tests.e2e.test_cases import STAFF_CHAT, open_case
from tests.e2e.test_onboarding import onboard
from tests.support.harness import GroupMember, Person, staff_group


async def test_workers_use_templates_the_queue_and_see_earlier_cases(sim, sqlite_url, start_bot):
    group = staff_group(sim, STAFF_CHAT)
    sofia = GroupMember(sim, group, 9001, "Sofia")
    await start_bot(sqlite_url, LYKTA_STAFF_CHAT_ID=str(STAFF_CHAT), LYKTA_WORKING_HOURS="",
                    LYKTA_STAFF_SIGNATURE="anonymous", LYKTA_ORG_NAME="Krisinkeskus")
    olga = Person(sim, chat_id=6101)
    await onboard(olga, "ru", "RU-SPE")
    await olga.reply()
    first = await open_case(olga)
    card = await sofia.reply(lambda m: f"#{first}" in m.get("text", "") and "st:claim" in json.dumps(m))
    thread = card["message_thread_id"]

    sofia.write("/queue", 0)
    queue = await sofia.reply(lambda m: "#" in m.get("text", "") and "min" in m.get("text", ""))
    assert f"#{first}" in queue["text"]

    sofia.write("/t hello", thread)
    hello = await olga.reply()
    assert hello["text"].startswith("Здравствуйте!") and "— Krisinkeskus" in hello["text"]
    assert "Sofia" not in hello["text"]  # this organisation signs anonymously

    sofia.press(card, f"st:claim:{first}")
    await sofia.callback_answer()
    sofia.write("/mine", 0)
    assert f"#{first}" in (await sofia.reply(lambda m: "#" in m.get("text", "")))["text"]
    sofia.press(card, f"st:close:{first}")
    await olga.reply(lambda m: "cf:" in json.dumps(m.get("reply_markup", {})))

    second = await open_case(olga)  # the same person asks again later
    card2 = await sofia.reply(lambda m: f"#{second}" in m.get("text", "") and "st:claim" in json.dumps(m))
    assert f"#{first}" in card2["text"]  # the earlier case is linked and shown
    sofia.write("/stats", 0)
    stats = await sofia.reply(lambda m: "1" in m.get("text", "") and ":" in m.get("text", "") and "ru" in m.get("text", ""))
    assert "ru: 1" in stats["text"]


async def test_an_unclaimed_case_is_reminded_and_outside_hours_the_user_is_told(sim, sqlite_url, start_bot):
    group = staff_group(sim, STAFF_CHAT)
    sofia = GroupMember(sim, group, 9001, "Sofia")
    await start_bot(sqlite_url, LYKTA_STAFF_CHAT_ID=str(STAFF_CHAT), LYKTA_REMINDER_MINUTES="0.02",
                    LYKTA_URGENT_REMINDER_MINUTES="0.02", LYKTA_WORKING_HOURS="sun-sun 00:00-00:01")
    pekka = Person(sim, chat_id=6102)
    await onboard(pekka, "en", "FI")
    await pekka.reply()
    pekka.send("/case")
    consent = await pekka.reply(lambda m: "co:open" in json.dumps(m.get("reply_markup", {})))
    pekka.press(consent, "co:open")
    opened = await pekka.reply(lambda m: "#" in m["text"])
    assert "not working right now" in opened["text"] and "back on" in opened["text"]
    reminder = await sofia.reply(lambda m: "still waiting" in m.get("text", ""), timeout=30)
    assert reminder["message_thread_id"]
