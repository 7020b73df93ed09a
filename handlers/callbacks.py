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


class CaseOpenCB(CallbackData, prefix="co"):
    action: str  # share | noshare | describe | open | cancel


class CaseUserCB(CallbackData, prefix="cu"):
    action: str  # close
    case: int


class CaseFeedbackCB(CallbackData, prefix="cf"):
    case: int
    answer: str  # yes | partly | no


class StaffCB(CallbackData, prefix="st"):
    action: str  # claim | release | urgent | calm | close
    case: int


class ForgetCB(CallbackData, prefix="fg"):
    action: str  # yes | no


# /help_near_me (handlers/directory.py): each button carries the choices made so far, so the dialogue
# needs no stored state; every value is checked against the directory when pressed.
class NearStartCB(CallbackData, prefix="hn"):
    go: str = "1"


class NearPlaceCB(CallbackData, prefix="hnj"):
    j: str  # a jurisdiction code


class NearNeedCB(CallbackData, prefix="hnn"):
    j: str
    need: str  # a service tag, or "any"


class NearLangCB(CallbackData, prefix="hnl"):
    j: str
    need: str
    lang: str  # a language code, or "any"


class GuideCB(CallbackData, prefix="gd"):
    id: str  # a guide id; staff only, re-checked on every press


class MaterialsCB(CallbackData, prefix="mt"):
    aud: str  # families | ex_prisoners | staff
    lang: str = ""  # a language code, "any", or "" (not chosen yet)


class MaterialFileCB(CallbackData, prefix="mf"):
    id: str  # a material id


class NewsCB(CallbackData, prefix="nw"):
    action: str  # sub | stop
    country: str = ""
