"""Free text goes to the matcher: an answer, a choice between topics, an offer of a person, or crisis help."""

from __future__ import annotations

import html
import logging

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db import Repos, User
from db.repositories.cases import CaseAlreadyOpen
from handlers import casework
from handlers.callbacks import FeedbackCB, HumanCB, RelatedCB, TopicCB
from handlers.deps import AppInfo
from handlers.prefs import user_prefs
from handlers.render.answer import answer_keyboard, render_topic, topic_buttons
from handlers.texts import BUTTON_STALE

log = logging.getLogger("lykta.questions")
router = Router(name="questions")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

MAX_QUESTION = 4096


def emergency_text(app: AppInfo, jurisdiction: str | None) -> str:
    numbers = ["112"]
    if jurisdiction and jurisdiction in app.kb.jurisdictions:
        numbers = app.kb.jurisdictions[jurisdiction].emergency
    return _("🆘 <b>If someone's life or safety is in danger right now, call {numbers}.</b> "
             "The call is free, and you can ask for an interpreter.").format(numbers=" / ".join(numbers))


async def open_crisis_case(message: Message, user: User, repos: Repos, app: AppInfo, lang: str,
                           jurisdiction: str | None, topic: str | None, text: str) -> None:
    """Someone may be in danger: open an urgent case at once, sharing only this message.

    This happens even before the privacy notice is accepted: protecting someone's life is a lawful
    ground of its own (GDPR art. 6(1)(d) and 9(2)(c)); docs/privacy.md explains it.
    """
    if app.network is None or await repos.cases.open_for_user(user.id) is not None:
        return
    try:
        case = await casework.open_case(repos, app, user, language=lang, jurisdiction=jurisdiction, topic=topic,
                                        summary=text[:1500], shared_name=None, crisis=True)
    except CaseAlreadyOpen:
        return
    await message.answer(_("I have asked a worker of {org} to contact you here as soon as possible (case #{number}). "
                           "Anything you write now goes to them.").format(org=html.escape(app.network.of_case(case).name),
                                                                          number=case.id))


@router.message(F.text & ~F.text.startswith("/"))
async def question(message: Message, state: FSMContext, user: User, repos: Repos, app: AppInfo, i18n: I18n) -> None:
    text = message.text or ""
    chosen, jurisdiction = await user_prefs(user, state, app)
    if len(text) > MAX_QUESTION:
        await message.answer(_("That message is very long. Please write your question in a few sentences."))
        return
    decision = app.matcher.match(text, lang=chosen, jurisdiction=jurisdiction)
    await state.update_data(recent=casework.remember((await state.get_data()).get("recent") or [], text))
    lang = decision.lang if decision.lang in app.kb.languages else (chosen or app.default_language)
    locale = lang if lang in i18n.available_locales else i18n.current_locale
    log.info("matched", extra={"action": str(decision.action), "topic": decision.topic, "lang": lang,
                               "score": round(decision.score, 3)})
    with i18n.use_locale(locale):
        action = str(decision.action)
        if action == "crisis":
            await message.answer(emergency_text(app, jurisdiction))
            await open_crisis_case(message, user, repos, app, lang, jurisdiction, decision.topic, text)
            if decision.topic in app.kb.topics:
                await message.answer(render_topic(app.kb, decision.topic, lang, jurisdiction, app.directory),
                                     reply_markup=answer_keyboard(app.kb, decision.topic))
        elif action == "answer" and decision.topic in app.kb.topics:
            body = render_topic(app.kb, decision.topic, lang, jurisdiction, app.directory)
            if app.kb.policy(decision.topic).value == "refer":
                body += "\n\n" + _("A worker of an organisation can help you with this: press “Talk to a person”.")
            await message.answer(body, reply_markup=answer_keyboard(app.kb, decision.topic))
        elif action == "clarify" and decision.candidates:
            builder = topic_buttons(app.kb, [t for t, _s in decision.candidates[:3] if t in app.kb.topics], lang)
            builder.row(*InlineKeyboardBuilder().button(text=_("None of these: talk to a person"),
                                                        callback_data=HumanCB(id="")).buttons)
            await message.answer(_("I am not sure I understood. Is your question about one of these?"),
                                 reply_markup=builder.as_markup())
        else:
            builder = InlineKeyboardBuilder()
            builder.button(text=_("🙋 Talk to a person"), callback_data=HumanCB(id=""))
            await message.answer(_("I'm sorry, I could not find an answer to that. You can rephrase the question, "
                                   "browse /topics, or talk to a person."), reply_markup=builder.as_markup())
            # Counted after the reply: on SQLite a write holds the database's one write lock until the commit.
            await repos.stats.count_unanswered(lang, user if user.consent_at else None, text)


@router.callback_query(TopicCB.filter())
async def show_topic(query: CallbackQuery, callback_data: TopicCB, state: FSMContext, user: User,
                     app: AppInfo) -> None:
    if callback_data.id not in app.kb.topics:
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    lang, jurisdiction = await user_prefs(user, state, app)
    await query.answer()
    await query.message.answer(render_topic(app.kb, callback_data.id, lang or app.default_language, jurisdiction,
                                            app.directory),
                               reply_markup=answer_keyboard(app.kb, callback_data.id))


@router.callback_query(RelatedCB.filter())
async def related(query: CallbackQuery, callback_data: RelatedCB, state: FSMContext, user: User,
                  app: AppInfo) -> None:
    if callback_data.id not in app.kb.topics:
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    lang, _j = await user_prefs(user, state, app)
    await query.answer()
    ids = [t for t in app.kb.topics[callback_data.id].related if t in app.kb.topics]
    await query.message.answer(_("Related topics:"),
                               reply_markup=topic_buttons(app.kb, ids, lang or app.default_language).as_markup())


@router.callback_query(FeedbackCB.filter())
async def feedback(query: CallbackQuery, callback_data: FeedbackCB, state: FSMContext, user: User, repos: Repos,
                   app: AppInfo) -> None:
    if callback_data.id not in app.kb.topics:
        await query.answer(str(BUTTON_STALE), show_alert=True)
        return
    lang, _j = await user_prefs(user, state, app)
    await repos.stats.record_feedback(callback_data.id, lang or app.default_language, callback_data.helped)
    await query.answer(_("Thank you for telling us."))
