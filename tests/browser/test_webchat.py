"""The web chat in a real browser, against the real bot: what a relative does in the page, and on a partner's site.

Each test starts `lykta run` (its web chat is the bot's own server; the staff group is in the Telegram
double), drives Debian's Chromium with Playwright, checks accessibility with axe-core, and leaves
screenshots in tests/artifacts/.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.async_api import Frame, FrameLocator, Locator, Page, expect
from sqlalchemy import select

from db import User, create_engine, create_sessionmaker
from tests.browser.conftest import ARTIFACTS, axe_check
from tests.support.harness import GroupMember, eventually, staff_group

pytestmark = pytest.mark.browser
STAFF_CHAT = -1001234567
SESSION_KEY = "lykta.session"


def bot_says(scope: Page | FrameLocator, text: str | re.Pattern[str]) -> Locator:
    return scope.locator("#log li.msg.bot").filter(has_text=text).last


async def send(page: Page, text: str) -> None:
    await page.locator("#text").fill(text)
    await page.locator("#text").press("Enter")
    await expect(page.locator("#log li.msg.mine").last).to_contain_text(text[:20])


async def web_users(database_url: str) -> list[User]:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return list(await session.scalars(select(User).where(User.channel == "web")))
    finally:
        await engine.dispose()


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


async def no_horizontal_scroll(target: Page | Frame) -> None:
    width = await target.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


async def test_a_relative_does_everything_in_the_page(sim, sqlite_url, start_bot, browser, axe_source, partner):
    group = staff_group(sim, STAFF_CHAT)
    sofia = GroupMember(sim, group, 9001, "Sofia")
    bot = await start_bot(sqlite_url, LYKTA_STAFF_CHAT_ID=str(STAFF_CHAT), LYKTA_WORKING_HOURS="",
                          LYKTA_ORG_NAME="Lykta NGO", LYKTA_WEB_QUICK_EXIT_URL=f"{partner.url}/weather")
    page = await browser.new_page()
    await page.goto(bot.web_url + "/")

    # Onboarding with the keyboard only: Tab to a language, Enter; focus follows to the next question.
    await expect(bot_says(page, "Choose your language")).to_be_visible(timeout=20_000)
    assert await page.evaluate("document.documentElement.lang") == "en"
    assert await axe_check(page, axe_source, "onboarding") == []
    await shot(page, "01-onboarding")
    for _ in range(30):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.textContent") == "English":
            break
    else:
        raise AssertionError("the language buttons cannot be reached with Tab")
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused button shows no focus ring"
    await page.keyboard.press("Enter")
    await expect(bot_says(page, "Which country")).to_be_visible()
    await expect(page.locator(":focus")).to_have_text("Finland")
    await page.keyboard.press("Enter")
    await expect(bot_says(page, "Your privacy")).to_be_visible()
    await expect(page.locator(":focus")).to_have_text("✅ I agree")
    await page.keyboard.press("Enter")
    await expect(bot_says(page, "How can I help?")).to_be_visible()

    # A question and its answer; a button on the answer.
    await send(page, "How do I send a parcel to prison?")
    answer = page.locator("#log li.msg.bot").filter(has=page.get_by_role("button", name="👍 This helped")).last
    await expect(answer).to_contain_text(re.compile("parcel", re.IGNORECASE))
    assert await axe_check(page, axe_source, "answer") == []
    await shot(page, "02-answer")
    await answer.get_by_role("button", name="👍 This helped").click()
    await expect(page.locator("#status")).to_have_text("Thank you for telling us.")

    # The /topics menu, browsed with buttons.
    await send(page, "/topics")
    menu = bot_says(page, "Choose a subject")
    await menu.get_by_role("button", name="Visits, calls, letters, money").click()
    group_list = page.locator("#log li.msg.bot").filter(
        has=page.locator(".text", has_text="Visits, calls, letters, money")).last
    await expect(group_list.locator(".buttons button").first).to_be_visible()
    await group_list.locator(".buttons button").first.click()
    await expect(page.locator("#log li.msg.bot").last.get_by_role("button", name="👍 This helped")).to_be_visible()

    # A case: consent, open; the worker's reply arrives in the page without a reload.
    await send(page, "/case")
    consent = bot_says(page, "pseudonym")
    await consent.get_by_role("button", name="✅ Open the case").click()
    opened = bot_says(page, re.compile(r"#\d+"))
    await expect(opened).to_be_visible()
    number = int(re.search(r"#(\d+)", await opened.inner_text()).group(1))
    card = await sofia.reply(lambda m: f"#{number}" in m.get("text", "") and "st:claim" in json.dumps(m), 20)
    thread = card["message_thread_id"]
    await send(page, "My son was arrested yesterday, where is he?")
    await sofia.reply(lambda m: m.get("message_thread_id") == thread and "arrested" in m.get("text", ""), 20)
    sofia.write("Hello, I am Sofia. I will find out today.", thread)
    reply = bot_says(page, "I will find out today")
    await expect(reply).to_be_visible(timeout=20_000)
    await expect(reply).to_contain_text("Sofia, Lykta NGO")
    await shot(page, "03-case-reply")

    # A reload redraws the history (the user's own messages too), without the page's automatic /start.
    drawn = await page.locator("#log li.msg").count()
    await page.reload()
    await expect(bot_says(page, "I will find out today")).to_be_visible()
    await expect(page.locator("#log li.msg")).to_have_count(drawn)
    await expect(page.locator("#log li.mine").filter(has_text="arrested")).to_have_count(1)
    await expect(page.locator("#log li.mine").filter(has_text="/start")).to_have_count(0)
    await shot(page, "04-after-reload")

    # Text scales with the reader's font size (rem units).
    before = (await page.locator("#send").bounding_box())["height"]
    await page.evaluate("document.documentElement.style.fontSize = '200%'")
    after = (await page.locator("#send").bounding_box())["height"]
    await page.evaluate("document.documentElement.style.fontSize = ''")
    assert after > 1.6 * before, (before, after)

    # /mydata, then "Forget this conversation": the bot erases everything, the page ends the session.
    await send(page, "/mydata")
    mydata = bot_says(page, "What Lykta stores about you")
    await expect(mydata).to_contain_text(f"Case #{number}")
    await expect(mydata).to_contain_text("web")
    assert len(await web_users(sqlite_url)) == 1
    await page.get_by_role("button", name="Forget this conversation").click()
    dialog = page.locator("#confirm")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    assert await axe_check(page, axe_source, "forget-dialog") == []
    await shot(page, "05-forget-dialog")
    await dialog.get_by_role("button", name="Yes, erase everything").click()
    await expect(page.locator("#ended-text")).to_have_text("This conversation has been erased.", timeout=20_000)
    await expect(page.locator("#log li")).to_have_count(0)
    assert await page.evaluate(f"localStorage.getItem('{SESSION_KEY}')") is None
    assert await web_users(sqlite_url) == []
    await sofia.reply(lambda m: m.get("message_thread_id") == thread and "erased their data" in m.get("text", ""))
    assert await axe_check(page, axe_source, "forgotten") == []
    await shot(page, "06-forgotten")

    # Quick exit: the chat's page is replaced by the neutral one, out of the history, the token wiped.
    await page.goto(f"{partner.url}/before")
    await page.goto(bot.web_url + "/")
    await expect(bot_says(page, "Choose your language")).to_be_visible(timeout=20_000)
    token = json.loads(await page.evaluate(f"localStorage.getItem('{SESSION_KEY}')"))["token"]
    await page.get_by_role("button", name="Quick exit").click()
    await page.wait_for_url(f"{partner.url}/weather")
    await page.go_back()
    assert page.url == f"{partner.url}/before"
    await page.goto(bot.web_url + "/healthz")
    assert await page.evaluate(f"localStorage.getItem('{SESSION_KEY}')") is None
    gone = await browser.context.request.get(bot.web_url + "/api/events?timeout=0",
                                             headers={"Authorization": f"Bearer {token}"})
    assert gone.status == 401  # the session was ended on the server too

    assert browser.csp_violations == [] and browser.page_errors == []


async def test_the_widget_on_a_partner_page(sim, sqlite_url, start_bot, browser, axe_source, partner):
    bot = await start_bot(sqlite_url, LYKTA_WEB_ALLOWED_ORIGINS=partner.url,
                          LYKTA_WEB_QUICK_EXIT_URL=f"{partner.url}/weather")
    partner.bot_url = bot.web_url
    page = await browser.new_page(360, 740)

    # A Russian-language partner in Finland: the widget speaks Russian and the bot skips those questions.
    await page.goto(f"{partner.url}/before")
    await page.goto(partner.page(lang="ru", country="FI"))
    launcher = page.get_by_role("button", name="Чат")
    await expect(launcher).to_have_attribute("aria-expanded", "false")
    await shot(page, "07-widget-closed-360")
    async with page.expect_response(lambda r: r.url.endswith("/api/session")) as opened:
        await launcher.click()  # the chat's session starts only now
    token = (await (await opened.value).json())["token"]
    chat = page.frame_locator("iframe")
    notice = bot_says(chat, "/mydata")
    await expect(notice).to_be_visible(timeout=20_000)
    frame = next(f for f in page.frames if f.url.startswith(bot.web_url))
    await expect(chat.locator("#log li.msg.bot")).to_have_count(1)  # no language or country question
    await expect(chat.locator("#send")).to_have_text("Отправить")
    assert await frame.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ru", "ltr"]
    await expect(chat.locator("#text")).to_be_focused()
    panel = await page.locator("#lykta-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 360, panel
    await no_horizontal_scroll(page)
    await no_horizontal_scroll(frame)
    assert await axe_check(page, axe_source, "widget-partner-page") == []
    assert await axe_check(frame, axe_source, "widget-chat-360") == []
    await shot(page, "08-widget-open-360-ru")

    # Esc twice in the chat: the partner's whole page is replaced by the neutral one.
    await chat.locator("#text").press("Escape")
    await chat.locator("#text").press("Escape")
    await page.wait_for_url(f"{partner.url}/weather")
    await page.go_back()
    assert page.url == f"{partner.url}/before"
    gone = await browser.context.request.get(bot.web_url + "/api/events?timeout=0",
                                             headers={"Authorization": f"Bearer {token}"})
    assert gone.status == 401

    # Arabic: the widget and the chat are laid out right to left; the page follows the chat's language.
    await page.goto(partner.page(lang="ar"))
    host = page.locator("#lykta-widget")
    await expect(host).to_have_attribute("dir", "rtl")
    launcher = page.get_by_role("button", name="محادثة")
    box = await launcher.bounding_box()
    assert box["x"] + box["width"] / 2 < 180, "in RTL the chat button sits on the left"
    await launcher.click()
    chat = page.frame_locator("iframe")
    # A new session: nothing of the old chat survived. (The bot's first question depends on whether it
    # speaks Arabic yet: the language, or, when `/start ar` is understood, the country.)
    await expect(chat.locator("#log li.msg.bot")).to_have_count(1, timeout=20_000)
    await expect(chat.locator("#log li.msg")).to_have_count(1)
    frame = next(f for f in page.frames if f.url.startswith(bot.web_url))
    assert await frame.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    await expect(chat.get_by_role("button", name="خروج سريع")).to_be_visible()
    assert await axe_check(frame, axe_source, "widget-chat-rtl") == []
    await shot(page, "09-widget-rtl")
    await chat.locator("#text").fill("/language")
    await chat.locator("#text").press("Enter")
    await bot_says(chat, "Choose your language").get_by_role("button", name="English").click()
    await expect(bot_says(chat, re.compile("Which country|Language changed"))).to_be_visible()
    assert await frame.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["en", "ltr"]
    await expect(host).to_have_attribute("dir", "ltr")
    await expect(page.get_by_role("button", name="Close the chat").first).to_be_visible()

    # The quick-exit button inside the widget replaces the partner's page too.
    await chat.get_by_role("button", name="Quick exit").click()
    await page.wait_for_url(f"{partner.url}/weather")
    assert browser.csp_violations == [] and browser.page_errors == []

    # The same partner page on an origin not in LYKTA_WEB_ALLOWED_ORIGINS gets no chat in its frame.
    other = partner.url.replace("localhost", "127.0.0.1")
    await page.goto(f"{other}/partner?lang=en")
    await page.get_by_role("button", name="Chat").click()
    await eventually(lambda: any("frame-ancestors" in v for v in browser.csp_violations), 10, "CSP refusing the frame")
    for framed in [f for f in page.frames if f.url.startswith(bot.web_url)]:
        assert await framed.locator("#log").count() == 0

