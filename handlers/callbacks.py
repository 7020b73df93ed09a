"""Every CallbackData of the bot: short prefixes, small values. Data is forgeable: handlers re-check it."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LangCB(CallbackData, prefix="lang"):
    code: str


class CountryCB(CallbackData, prefix="ctry"):
    code: str


class PrivacyCB(CallbackData, prefix="priv"):
    action: str  # accept | share | decline


class GroupCB(CallbackData, prefix="g"):
    group: str


class TopicCB(CallbackData, prefix="t"):
    id: str


class RelatedCB(CallbackData, prefix="rel"):
    id: str


class FeedbackCB(CallbackData, prefix="fb"):
    id: str
    helped: bool


class HumanCB(CallbackData, prefix="hum"):
    id: str = ""
