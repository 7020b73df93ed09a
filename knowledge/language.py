"""Language detection for short messages, without any model download.

Evidence, cheapest first:
1. the script: Arabic letters mean ar; Cyrillic means ru, uk (і ї є ґ), tg (ӣ ӯ ҷ ғ қ ҳ) or uz (ў ғ қ ҳ);
2. letters that only some Latin alphabets have (õ → et, ą ł ż → pl, ė ų → lt, ș ț ă → ro, æ ø → da/nb ...);
3. vocabulary: the stopwords of each language and the words of the knowledge base in that language
   (which also recognises Russian typed in Latin letters, through the sound skeleton).

The language the user chose is a strong prior, not a cage: it is kept unless the message clearly
belongs to another language (a Russian message in a Finnish session is answered as Russian).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge.normalize import (
    ARABIC,
    CYRILLIC,
    LATIN,
    clean,
    fold_word,
    skeleton,
    stopwords,
    words,
)
from knowledge.schema import CORE_LANGUAGES, EXTRA_LANGUAGES

ALL_LANGUAGES = CORE_LANGUAGES + EXTRA_LANGUAGES


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


LATIN_LANGS = ("en", "fi", "sv", "nb", "da", "pl", "lt", "et", "ro", "uz")
CYRILLIC_LANGS = ("ru", "uk", "tg", "uz")

_TG = re.compile("[ӣӯҷ]")
_TG_UZ = re.compile("[ғқҳ]")
_UZ_CYR = re.compile("[ў]")
_UK = re.compile("[іїєґ]")
_RU_ONLY = re.compile("[ыэъё]")

# Letters typical of one or a few Latin alphabets: (pattern, {lang: weight}).
_LETTERS: list[tuple[re.Pattern[str], dict[str, float]]] = [
    (re.compile("õ"), {"et": 3}),
    (re.compile("[ąęłśżźćń]"), {"pl": 3}),
    (re.compile("[ėųūįč]"), {"lt": 3}),
    (re.compile("[șşțţă]"), {"ro": 3}),
    (re.compile("[âî]"), {"ro": 1.5}),
    (re.compile("[æø]"), {"da": 1.5, "nb": 1.5}),
    (re.compile("å"), {"sv": 1, "nb": 0.8, "da": 0.8}),
    (re.compile("[äö]"), {"fi": 1, "sv": 1, "et": 1}),
    (re.compile("ü"), {"et": 1}),
    (re.compile("[šž]"), {"lt": 1, "et": 1}),
    (re.compile("(?:o|g)[ʻ'‘’`]"), {"uz": 1.5}),
]
# Words that tell close relatives apart (Danish and Norwegian share most stopwords).
_DISTINCT: dict[str, frozenset[str]] = {
    "da": _set(
        "hvad mig dig sig efter nogen noget af fængsel fængslet løsladt løsladelse hende ham blevet "
        "bliver hjælp kommune sådan"
    ),
    "nb": _set(
        "hva meg deg seg etter noen noe av fengsel fengselet løslatt løslatelse henne ham blitt blir "
        "hjelp kommunen sånn ikkje"
    ),
    "sv": _set(
        "vad mig dig sig efter någon något av fängelse fängelset frigiven frigivning henne honom blivit "
        "blir hjälp kommunen sån inte"
    ),
}
_UZ_WORDS = _set(
    "bo'ladimi bo'ladi mumkin qanday qamoqda qamoqxona uchun bilan emas kerak nima qachon qayerda "
    "bormi yo'q rahmat salom iltimos o'g'lim akam ukam otam onam"
)
_TG_WORDS = _set(
    "аст мебошад чӣ чи тавр барои мумкин кай шавад мекунанд бародарам писарам ташаккур салом рахмат "
    "дар ба аз"
)
_RU_LATIN_HINTS = frozenset(skeleton(w) for w in _set(
    "kak chto gde kogda mozhno nuzhno pochemu skolko ego ee emu eyo syn muzh brat pomogite "
    "pozhaluysta zdravstvuyte privet spasibo ili esli uzhe eshche mne menya chtoby posylku peredat "
    "sizo udo zona tyurma kolonii koloniya svidanie advokat"
))


_UK_LATIN_HINTS = frozenset(skeleton(w) for w in _set(
    "chy shcho yak vin vona yoho yiyi meni mene tse tsey tsya ye dyakuyu bud laska mozhna potribno "
    "chomu koly de skilky cholovik cholovika syn syna vyaznytsya vyaznytsi tyurmi"
)) - _RU_LATIN_HINTS


def detect_script_language(text: str) -> str | None:
    """The language when the script alone decides it (Cyrillic or Arabic), else None."""
    cyr = len(CYRILLIC.findall(text))
    ara = len(ARABIC.findall(text))
    lat = len(LATIN.findall(text))
    if ara and ara >= max(cyr, lat):
        return "ar"
    if cyr and cyr >= lat:
        low = text.casefold()
        if _TG.search(low):
            return "tg"
        if _UZ_CYR.search(low):
            return "uz"
        if _UK.search(low):
            return "uk"
        if _TG_UZ.search(low):
            return "tg"
        toks = set(words(low))
        if toks & _TG_WORDS and not _RU_ONLY.search(low):
            return "tg"
        return "ru"
    return None


def _latin_scores(text: str, vocab: Callable[[str, str], bool] | None) -> dict[str, float]:
    low = clean(text)
    toks = words(low)
    scores: dict[str, float] = {lang: 0.0 for lang in LATIN_LANGS + ("ru", "uk")}
    for pattern, weights in _LETTERS:
        if pattern.search(low):
            for lang, w in weights.items():
                scores[lang] += w
    for tok in toks:
        folded = fold_word(tok)
        for lang in LATIN_LANGS:
            if tok in stopwords(lang) or folded in stopwords(lang):
                scores[lang] += 1.0
            elif vocab is not None and len(tok) > 3 and vocab(lang, tok):
                scores[lang] += 0.7
        for lang, distinct in _DISTINCT.items():
            if tok in distinct:
                scores[lang] += 1.5
        if tok in _UZ_WORDS:
            scores["uz"] += 1.5
        sk = skeleton(tok)
        if sk in _UK_LATIN_HINTS:
            scores["uk"] += 1.2
        if sk in _RU_LATIN_HINTS:
            scores["ru"] += 1.0
        elif vocab is not None and len(tok) > 3 and vocab("ru", tok):
            scores["ru"] += 0.5
    return scores


def detect(text: str, given: str | None = None, vocab: Callable[[str, str], bool] | None = None) -> str:
    """The language of `text`; `given` (the user's choice) wins unless the text clearly says otherwise.

    `vocab(lang, word)` tells whether a word is known in the knowledge base in that language.
    """
    given = given if given in ALL_LANGUAGES else None
    by_script = detect_script_language(text)
    if by_script is not None:
        if given in CYRILLIC_LANGS and by_script in ("ru", "uk", "tg", "uz") and by_script == "ru":
            return given  # plain Cyrillic without telling letters: trust the user's choice
        if given == "uz" and by_script == "tg" and not _TG.search(text.casefold()):
            return "uz"
        low = text.casefold()
        if by_script in ("tg", "ru") and not _TG.search(low) and not _TG_UZ.search(low) and not _UK.search(low):
            if by_script == "tg" and given in ("ru", "uk"):
                return given  # only a word, not a letter, looked Tajik ("чи" is Ukrainian too): keep the choice
            if vocab is not None:  # no telling letters: let the knowledge base's vocabulary decide
                toks = [t for t in words(low) if len(t) > 2]
                hits = {lang: sum(1 for t in toks if vocab(lang, t)) for lang in ("ru", "uk", "tg")}
                hits[by_script] += 0.5  # ties keep the letters-and-words guess
                best = max(hits, key=lambda k: hits[k])
                if hits[best] >= 1:
                    return best
        return by_script
    if not LATIN.search(text):
        return given or "en"
    scores = _latin_scores(text, vocab)
    best = max(scores, key=lambda k: scores[k])
    if given is None:
        return best if scores[best] > 0 else "en"
    if given == "ar" or given == "tg":
        # Arabic or Tajik in Latin letters (Arabizi): keep the choice unless another language is clear.
        return best if scores[best] >= 2 else given
    mine = scores.get(given, 0.0)
    if given in ("ru", "uk"):
        # Latin-letter Russian/Ukrainian is expected; switch only on clear evidence of another language.
        return best if scores[best] >= mine + 3 else given
    if given == "nb" and best == "da" or given == "da" and best == "nb":
        return given
    return best if scores[best] >= mine + 2.5 and scores[best] >= 3 else given
