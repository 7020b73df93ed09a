"""Several organisations, one bot: cases reach the right team, teams never touch each other's cases."""

from __future__ import annotations

import json

import yaml

from tests.e2e.test_cases import open_case_en
from tests.e2e.test_onboarding import onboard
from tests.support.harness import GroupMember, Person, staff_group

FI_GROUP, SE_GROUP = -1001000001, -1001000002


def organisations_file(tmp_path) -> str:
    path = tmp_path / "organisations.yaml"
    path.write_text(yaml.safe_dump({"default": "krits", "organisations": [
        {"id": "krits", "name": "Krits Finland", "staff_chat_id": FI_GROUP, "jurisdictions": ["FI"],
         "languages": ["fi", "en", "ru"], "working_hours": ""},
        {"id": "bryggan", "name": "Bryggan", "staff_chat_id": SE_GROUP, "jurisdictions": ["SE"],
         "languages": ["sv", "en"], "working_hours": "", "signature": "anonymous"},
    ]}))
    return str(path)


async def test_cases_are_routed_isolated_and_transferable(sim, sqlite_url, start_bot, tmp_path):
    fi_group, se_group = staff_group(sim, FI_GROUP), staff_group(sim, SE_GROUP)
    aino = GroupMember(sim, fi_group, 9101, "Aino")
    sven = GroupMember(sim, se_group, 9201, "Sven")
    await start_bot(sqlite_url, LYKTA_ORGANISATIONS_FILE=organisations_file(tmp_path))
    maria = Person(sim, chat_id=6201)
    await onboard(maria, "en", "FI")
    await maria.reply()
    number = await open_case_en(maria)
    card = await aino.reply(lambda m: f"#{number}" in m.get("text", "") and "st:claim" in json.dumps(m))
    assert not [e for e in se_group.events if e["type"] == "message"]  # Sweden's group saw nothing

    sven.write("/queue", 0)
    assert f"#{number}" not in (await sven.reply())["text"]
    se_card = {"message_id": 1, "reply_markup": {"inline_keyboard": [[{"text": "Claim",
                                                                       "callback_data": f"st:claim:{number}"}]]}}
    se_group.messages[1] = {"message_id": 1, "chat": se_group.as_json(), "date": 0, "text": "forged",
                            "from": {"id": 1, "is_bot": True, "first_name": "x"}, **se_card}
    sven.press(se_card, f"st:claim:{number}")  # a worker of Bryggan tries Krits's case from his own group
    assert "does not exist" in (await sven.callback_answer())["text"]

    aino.write(f"/transfer bryggan", card["message_thread_id"])
    se_card = await sven.reply(lambda m: f"#{number}" in m.get("text", "") and "st:claim" in json.dumps(m))
    told = await maria.reply(lambda m: "Bryggan" in m["text"])
    assert f"#{number}" in told["text"]
    maria.send("Thank you, I am in Malmö now")
    relayed = await sven.reply(lambda m: m.get("message_thread_id") == se_card["message_thread_id"]
                               and "Malmö" in m.get("text", ""))
    assert relayed
    sven.write("Hej Maria, we can help.", se_card["message_thread_id"])
    answer = await maria.reply(lambda m: "we can help" in m["text"])
    assert "— Bryggan" in answer["text"] and "Sven" not in answer["text"]
    aino.write("Are you there?", card["message_thread_id"])  # the old topic no longer reaches her
    assert [m for m in await maria.quiet(1.5) if "Are you there" in m.get("text", "")] == []
