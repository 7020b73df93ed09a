"""Text normalisation shared by the index, the language detector and the crisis detector.

Every form here is deterministic and cheap (pure Python plus PyStemmer's C stemmers):

- `clean`: NFKC, casefold, invisible and control characters removed, punctuation to spaces;
- `fold`: `clean` plus diacritics removed (ä→a, ø→o, æ→ae, й→и ...), as people type on a foreign keyboard;
- `skeleton`: a lossy Latin "sound skeleton" shared by Cyrillic text and its Latin transliteration, so
  "kak peredat posylku", "как передать посылку" and Ukrainian "посилку" meet on the same key;
- `tokens`, `stem`, `is_stopword`: tokenisation, Snowball stemming and small stopword lists per language.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

MAX_CHARS = 4000  # longer messages are cut: the question is in there, and the cost stays bounded

# Snowball algorithms per language; uk, uz, tg have none (prefix matching on skeletons does the work).
_STEMMER_NAMES = {
    "en": "english", "ru": "russian", "fi": "finnish", "sv": "swedish", "nb": "norwegian", "da": "danish",
    "pl": "polish", "lt": "lithuanian", "et": "estonian", "ro": "romanian", "ar": "arabic",
}
_stemmers: dict[str, Stemmer.Stemmer] = {}

CYRILLIC_LANGS = frozenset({"ru", "uk", "tg"})  # uz is written in Latin today, sometimes in Cyrillic

_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\ufe00-\ufe0f\ufeff\U000e0000-\U000e0fff]"
)
# Apostrophes that are part of a word: Ukrainian в'язниця, Uzbek o'g'il / oʻgʻil, English don't.
_APOSTROPHES = "'’ʼʻ`´‘"
_WORD = re.compile(r"[^\W_]+(?:['’ʼʻ`´‘][^\W_]+)*", re.UNICODE)
_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
                                 "ک": "ك", "ی": "ي"})

# Letters that NFKD does not decompose.
_FOLD_EXTRA = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "þ": "th",
                             "ł": "l", "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "n"})

# Cyrillic to Latin, one table for Russian, Ukrainian, Tajik and Uzbek Cyrillic, as people type it.
_CYR2LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "e", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Tajik and Uzbek Cyrillic
    "ғ": "g", "ӣ": "i", "қ": "k", "ӯ": "u", "ҳ": "h", "ҷ": "j", "ў": "o",
}
_CYR_TABLE = str.maketrans(_CYR2LAT)
# Collapse the many ways a Cyrillic sound is typed in Latin letters into one.
_SKELETON_RULES = [
    ("shch", "s"), ("sch", "s"), ("sh", "s"), ("zh", "z"), ("ch", "c"), ("kh", "h"), ("tch", "c"),
    ("ts", "c"), ("tz", "c"), ("x", "h"), ("w", "v"), ("q", "k"), ("j", "i"), ("y", "i"), ("g", "h"),
    ("ck", "k"), ("ph", "f"), ("'", ""),
]
_SKELETON_RE = re.compile("|".join(re.escape(a) for a, _ in _SKELETON_RULES))
_SKELETON_MAP = dict(_SKELETON_RULES)
_DOUBLE = re.compile(r"(.)\1+")

CYRILLIC = re.compile("[\u0400-\u04ff]")
ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LATIN = re.compile("[a-zA-Z\u00c0-\u024f]")


def clean(text: str) -> str:
    """NFKC, casefold, invisible characters removed, whitespace collapsed; bounded in length."""
    if not isinstance(text, str):
        text = str(text)
    text = text[: MAX_CHARS * 2]
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).casefold()
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_LETTERS)
    return " ".join(text.split())[:MAX_CHARS]


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """One cleaned word without diacritics (Cyrillic й and ё keep their base letter too)."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word.translate(_FOLD_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    return " ".join(fold_word(w) for w in clean(text).split())


def words(cleaned: str) -> list[str]:
    """The words of a cleaned text; apostrophes inside a word are kept as one `'`."""
    out = []
    for m in _WORD.finditer(cleaned):
        w = m.group(0)
        for a in _APOSTROPHES:
            if a in w:
                w = w.replace(a, "'")
        out.append(w)
    return out


def tokens(text: str) -> list[str]:
    """Cleaned words of `text` (diacritics kept; see `fold_word`)."""
    return words(clean(text))


@lru_cache(maxsize=65536)
def translit(word: str) -> str:
    """Cyrillic letters to Latin ones (other letters unchanged), diacritics folded."""
    return fold_word(word).translate(_CYR_TABLE) if CYRILLIC.search(word) else fold_word(word)


@lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """The lossy Latin sound skeleton of one word, equal for Cyrillic and its usual transliterations."""
    lat = translit(word)
    lat = _SKELETON_RE.sub(lambda m: _SKELETON_MAP[m.group(0)], lat)
    return _DOUBLE.sub(r"\1", lat)


def skeleton_text(text: str) -> str:
    return " ".join(skeleton(w) for w in tokens(text))


def script(text: str) -> str:
    """The dominant script: "cyrillic", "arabic", "latin" or "other"."""
    cyr = len(CYRILLIC.findall(text))
    ara = len(ARABIC.findall(text))
    lat = len(LATIN.findall(text))
    best = max(cyr, ara, lat)
    if best == 0:
        return "other"
    if best == cyr:
        return "cyrillic"
    if best == ara:
        return "arabic"
    return "latin"


def _stemmer(lang: str) -> Stemmer.Stemmer | None:
    name = _STEMMER_NAMES.get(lang)
    if name is None:
        return None
    st = _stemmers.get(lang)
    if st is None:
        st = _stemmers[lang] = Stemmer.Stemmer(name)
    return st


@lru_cache(maxsize=131072)
def stem(word: str, lang: str) -> str:
    """Snowball stem of a cleaned word in `lang` (the word itself where there is no stemmer)."""
    st = _stemmer(lang)
    if st is None or len(word) < 3:
        return word
    if lang == "ru" and not CYRILLIC.search(word):
        return word
    try:
        return st.stemWord(word)
    except Exception:  # noqa: BLE001  # pragma: no cover - the C stemmer does not raise on str
        return word


# Small stopword lists: function words, and words every question about prison contains.
_STOP = {
    "en": "a an the and or but if of to in on at for from with by about as is are was were be been am do does did "
          "can could would should will shall may might must i me my we our you your he him his she her it its they "
          "them their this that these those there here what which who whom whose when where why how not no yes so "
          "too very just also any some all get got have has had please hi hello thanks thank im ive dont cant "
          "wont isnt hes shes theyre theres whats into out up than then now still yet again one both going gonna "
          "little much many often really even ever every",
    "ru": "и в во не что он она оно они на я с со как а то все всё так его ее её их но да ты к у же вы за бы по "
          "только мне было вот от меня еще ещё нет о из ему теперь когда даже ну ли если уже или ни быть был была "
          "были до вас нибудь опять уж вам ведь там потом себя ничего ей может мы тут где есть надо ней для тебя "
          "чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой "
          "совсем ним здесь этом один почти мой тем чтобы нее сейчас куда зачем всех никогда можно при наконец "
          "два об другой хоть после над больше тот через эти нас про всего них какая много разве три эту моя "
          "впрочем свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между "
          "здравствуйте подскажите пожалуйста скажите это как могу может можем могут хочу хочет хотим нужно "
          "надо будет сколько ли чтобы ничего почему",
    "uk": "і й та в у на з із зі до від по за не що як це він вона воно вони ми ви я ти його її їх мені мене "
          "чи а але або якщо коли де тут там є був була було були буде бути можна треба так ще вже теж "
          "для про при без через після над під між тому який яка яке які що хто щоб дуже",
    "fi": "ja on ei se että hän ne mitä mutta kun niin kuin jos myös tai vai nyt sitten oli ovat olla olen "
          "olet olemme ole mikä mitkä kuka ketkä missä mistä mihin miten miksi milloin onko voiko saako pitääkö "
          "minä sinä me te he hänen heidän minun sinun meidän teidän tämä tuo nämä nuo siitä sen sitä siihen "
          "jo vielä vain sekä kanssa ilman mm moi hei kiitos kiitti ko kö ja kuinka usein vaikka oo itse kenelle "
          "kenen kauan paljon pitää pitäisi voi voisi voisko saa tehdä tehdään mitään jotain joku jotka joka "
          "jos siis eli sit sitte en et emme ette eivät ei",
    "sv": "och i att det som en på är av för med till den har de inte om ett han men var jag sig från vi så "
          "kan man när år säger hon nu ska skulle kunna vara blir blev har hade hur vad vem vilka vilken var "
          "varför där här dem deras hans hennes min mitt mina din ditt dina oss er ni du mig dig honom henne "
          "få får fick också bara eller även än efter innan under över hej tack typ nåt någon något länge lång "
          "ofta gång gånger",
    "nb": "og i jeg det at en et den til er som på de med han av ikke der så var meg seg men ett har om vi "
          "min mitt mine ha hadde hun nå over da ved fra du ut sin dem oss opp man kan hans hvor eller hva skal "
          "selv sjøl her alle vil bli ble blitt kunne inn når være kom noen noe ville dere deg hvem hvordan "
          "hvorfor hvilke hvilken få får fikk også bare etter før under hei takk lang lenge ofte gang ganger "
          "se ser",
    "da": "og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi min "
          "mit mine havde hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her alle vil "
          "blev kunne ind når være noget nogen hvem hvordan hvorfor hvilke hvilken få får fik også bare efter "
          "før under hej tak kan lang længe ofte gang gange se ser",
    "pl": "i w we z ze na do nie to że jak a o od po za się czy co jest są był była było jego jej ich mnie "
          "mój moja moje ja ty on ona ono my wy oni tak też już jeszcze tylko ale lub albo gdy kiedy gdzie "
          "który która które dla przez przy bez pod nad może można mi mu go ją je ma mam mamy musi muszę "
          "ile jaki jaka jakie tam tu teraz bardzo",
    "lt": "ir į iš su be per už prie nuo pas ar kad kaip kur kas ką kai jis ji jie jos jo mano tavo mūsų aš tu "
          "mes jūs yra buvo bus bet tai taip ne gal galima dar jau tik jį jam jai man mane gali galiu turi "
          "reikia kiek koks kokia po",
    "et": "ja on ei see et kas kui ka või aga ta tema nad mina sina me te mu minu sinu meie teie oma oli olen "
          "olla mis kes kus kuidas miks millal siis nüüd veel juba ainult ning saab peab tohib võib mul tal "
          "talle temale mulle teda mind enne keegi juba pärast",
    "ro": "și si în in la de pe cu din pentru că ca nu este e sunt a al ale o un una el ea ei ele eu tu noi voi "
          "mi ma mă se sa să ce cine cum unde când cand dar sau daca dacă mai foarte după dupa fără fara are au "
          "am ai avem aveți era fost fi poate pot putem care cât cat cel cea cei doar ne ni le li îi ii îl il "
          "i-au l-au m-au ne-au acum deja încă inca tot toate nimic nicio niciun vreo",
    "ar": "في من على الى إلى عن مع هل ما ماذا كيف متى اين أين هذا هذه ذلك التي الذي و او أو لا ان أن انا أنا "
          "هو هي نحن انت أنت",
    "uz": "va bilan uchun bu u men sen biz siz ular ham yoki lekin agar qanday qachon qayerda nima kim bor yo'q",
    "tg": "ва дар ба аз бо барои ин он ман ту мо шумо онҳо ҳам ё аммо агар чӣ кӣ куҷо кай чаро",
}
_STOP_SETS: dict[str, frozenset[str]] = {}
for _lang, _words in _STOP.items():
    _STOP_SETS[_lang] = frozenset(_words.split()) | frozenset(fold_word(w) for w in _words.split())
_STOP_SETS["nb"] = _STOP_SETS["nb"]
_ALL_STOP = frozenset().union(*_STOP_SETS.values())
# Russian function words typed in Latin letters, by skeleton.
_RU_STOP_SKELETONS = frozenset(skeleton(w) for w in _STOP["ru"].split() + _STOP["uk"].split())


def is_stopword(word: str, lang: str) -> bool:
    s = _STOP_SETS.get(lang)
    if s is None:
        return False
    if word in s:
        return True
    if lang in ("ru", "uk") and not CYRILLIC.search(word):
        return skeleton(word) in _RU_STOP_SKELETONS
    return False


def stopwords(lang: str) -> frozenset[str]:
    return _STOP_SETS.get(lang, frozenset())


def any_stopword(word: str) -> bool:
    return word in _ALL_STOP
