"""The user's language and country: from the database once the notice is accepted, else from the conversation."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext

from db import User
from handlers.deps import AppInfo


async def user_prefs(user: User | None, state: FSMContext | None, app: AppInfo) -> tuple[str | None, str | None]:
    """(chosen language or None, jurisdiction or None); "OTHER" country means no jurisdiction."""
    lang = user.language if user is not None else None
    country = user.jurisdiction if user is not None else None
    if state is not None and (lang is None or country is None):
        data = await state.get_data()
        lang = lang or data.get("lang")
        country = country or data.get("country")
    if lang not in app.languages:
        lang = None
    return lang, (country if country and country != "OTHER" else None)
