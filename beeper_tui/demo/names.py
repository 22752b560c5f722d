"""International people for the demo dataset: names, phone numbers, emails, handles.

Faker's per-call API costs tens of microseconds per name, far too slow for a
100,000-member workspace. Instead the name lists are pulled once from Faker's
locale providers (plain tuples and dicts inside the pinned Faker release) and
combined with our own seeded ``random.Random``, which is both fast and
deterministic for a given seed.
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from random import Random
from typing import Literal

NameOrder = Literal["western", "eastern", "eastern_joined"]


@dataclass(frozen=True, slots=True)
class LocaleSpec:
    """How people from one locale are named and numbered."""

    code: str
    weight: int
    order: NameOrder
    country_code: str
    mobile_prefixes: tuple[str, ...]
    subscriber_digits: int
    email_domains: tuple[str, ...]


LOCALES: tuple[LocaleSpec, ...] = (
    LocaleSpec(
        "en_US",
        14,
        "western",
        "1",
        ("212", "310", "415", "512", "617", "646", "702", "206", "312", "305"),
        7,
        ("gmail.com", "outlook.com", "icloud.com", "yahoo.com", "proton.me"),
    ),
    LocaleSpec(
        "en_GB",
        5,
        "western",
        "44",
        ("74", "75", "77", "78", "79"),
        8,
        ("gmail.com", "outlook.com", "btinternet.com", "icloud.com"),
    ),
    LocaleSpec(
        "de_DE",
        5,
        "western",
        "49",
        ("151", "152", "157", "160", "162", "170", "171", "172", "175", "176"),
        8,
        ("gmx.de", "web.de", "gmail.com", "posteo.de"),
    ),
    LocaleSpec(
        "fr_FR",
        4,
        "western",
        "33",
        ("61", "62", "64", "66", "67", "68", "75", "76", "77", "78"),
        7,
        ("orange.fr", "free.fr", "gmail.com", "laposte.net"),
    ),
    LocaleSpec("es_ES", 4, "western", "34", ("6",), 8, ("gmail.com", "hotmail.es", "yahoo.es")),
    LocaleSpec(
        "pt_BR",
        4,
        "western",
        "55",
        ("119", "219", "319", "619"),
        8,
        ("gmail.com", "uol.com.br", "bol.com.br", "hotmail.com"),
    ),
    LocaleSpec(
        "it_IT",
        3,
        "western",
        "39",
        ("320", "333", "347", "366", "389"),
        7,
        ("libero.it", "gmail.com", "virgilio.it"),
    ),
    LocaleSpec(
        "pl_PL",
        2,
        "western",
        "48",
        ("50", "51", "60", "66", "69", "72", "78", "88"),
        7,
        ("wp.pl", "onet.pl", "gmail.com", "o2.pl"),
    ),
    LocaleSpec(
        "tr_TR",
        2,
        "western",
        "90",
        ("530", "532", "535", "541", "555"),
        7,
        ("gmail.com", "hotmail.com", "yandex.com.tr"),
    ),
    LocaleSpec(
        "ja_JP",
        3,
        "eastern",
        "81",
        ("90", "80", "70"),
        8,
        ("gmail.com", "yahoo.co.jp", "docomo.ne.jp", "icloud.com"),
    ),
    LocaleSpec(
        "zh_CN",
        3,
        "eastern_joined",
        "86",
        ("135", "138", "139", "150", "186"),
        8,
        ("qq.com", "163.com", "126.com", "gmail.com"),
    ),
    LocaleSpec(
        "ko_KR",
        2,
        "eastern_joined",
        "82",
        ("102", "103", "104", "106", "107", "108"),
        7,
        ("naver.com", "daum.net", "gmail.com"),
    ),
    LocaleSpec(
        "ar_AA",
        2,
        "western",
        "971",
        ("50", "52", "55", "56"),
        7,
        ("gmail.com", "outlook.com", "yahoo.com"),
    ),
    LocaleSpec(
        "he_IL",
        2,
        "western",
        "972",
        ("50", "52", "53", "54"),
        7,
        ("gmail.com", "walla.co.il", "012.net.il"),
    ),
    LocaleSpec(
        "hi_IN",
        3,
        "western",
        "91",
        ("98", "99", "97", "70", "88", "90"),
        8,
        ("gmail.com", "rediffmail.com", "yahoo.co.in"),
    ),
    LocaleSpec(
        "ru_RU",
        2,
        "western",
        "7",
        ("916", "926", "903", "985"),
        7,
        ("mail.ru", "yandex.ru", "gmail.com"),
    ),
    LocaleSpec(
        "nl_NL",
        2,
        "western",
        "31",
        ("61", "62", "63", "64", "65"),
        7,
        ("ziggo.nl", "gmail.com", "kpnmail.nl"),
    ),
    LocaleSpec(
        "sv_SE", 1, "western", "46", ("70", "72", "73", "76"), 7, ("telia.com", "gmail.com")
    ),
    LocaleSpec("el_GR", 1, "western", "30", ("69",), 8, ("gmail.com", "otenet.gr")),
    LocaleSpec("uk_UA", 1, "western", "380", ("50", "67", "63", "93"), 7, ("ukr.net", "gmail.com")),
    LocaleSpec("fa_IR", 1, "western", "98", ("912", "935", "901"), 7, ("gmail.com", "yahoo.com")),
)

# Romanisation stand-in for scripts NFKD cannot fold to ASCII (CJK, Arabic,
# Hebrew, Cyrillic...): handles and email addresses still need ASCII.
_SYLLABLES = (
    "ka", "ki", "ko", "ma", "mi", "mo", "na", "ni", "no", "ra", "ri", "ro", "sa", "shi", "so",
    "ta", "to", "ya", "yu", "li", "lu", "an", "en", "in", "on", "el", "al", "ar", "ir", "da",
    "de", "di", "jo", "ju", "ha", "he", "wei", "xin", "min", "jun", "hye", "seo", "ami", "ali",
    "omar", "noa",
)  # fmt: skip

_EMOJI = ("🌸", "🚴", "🎸", "☕", "🌍", "✨", "🐈", "🏄", "📚", "🎧", "🌶️", "⚽", "🦊", "🍕")


@dataclass(frozen=True, slots=True)
class Person:
    """One human being; networks show different facets of the same person."""

    given: str
    family: str
    full_name: str
    phone: str
    email: str
    handle: str
    locale: str


@dataclass(frozen=True, slots=True)
class _LocaleNames:
    spec: LocaleSpec
    male: tuple[str, ...]
    female: tuple[str, ...]
    family_male: tuple[str, ...]
    family_female: tuple[str, ...]


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, Mapping):
        value = list(value.keys())
    if not isinstance(value, Iterable) or isinstance(value, str):
        return ()
    # dict.fromkeys keeps Faker's order; a set would make the order depend on
    # PYTHONHASHSEED and break byte-identical output.
    return tuple(dict.fromkeys(str(v) for v in value))


def _first_non_empty(provider: object, *attrs: str) -> tuple[str, ...]:
    for attr in attrs:
        names = _names(getattr(provider, attr, None))
        if len(names) >= 10:
            return names
    return ()


@cache
def name_bank() -> tuple[_LocaleNames, ...]:
    """Name lists per locale, loaded once from the pinned Faker release."""
    bank: list[_LocaleNames] = []
    for spec in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{spec.code}").Provider
        male = _first_non_empty(provider, "first_names_male", "first_names")
        female = _first_non_empty(provider, "first_names_female", "first_names")
        family_male = _first_non_empty(
            provider, "last_names_male", "male_last_names", "unisex_last_names", "last_names"
        )
        family_female = _first_non_empty(
            provider, "last_names_female", "female_last_names", "unisex_last_names", "last_names"
        )
        if male and female and family_male and family_female:
            bank.append(_LocaleNames(spec, male, female, family_male, family_female))
    return tuple(bank)


def ascii_fold(text: str) -> str:
    """Lowercase ASCII letters and digits of ``text`` after stripping accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.lower() if c.isascii() and c.isalnum())


class PersonFactory:
    """Makes international people from a seeded ``Random``.

    Uniqueness of phone numbers and emails is kept per factory, which is all a
    single account needs; across accounts clashes are astronomically rare.
    """

    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._bank = name_bank()
        self._weights = [entry.spec.weight for entry in self._bank]
        self._phones: set[str] = set()
        self._emails: set[str] = set()

    def person(self, email_domain: str | None = None) -> Person:
        rng = self._rng
        entry = rng.choices(self._bank, self._weights)[0]
        spec = entry.spec
        if rng.random() < 0.5:
            given, family = rng.choice(entry.male), rng.choice(entry.family_male)
        else:
            given, family = rng.choice(entry.female), rng.choice(entry.family_female)
        if spec.order == "eastern":
            full = f"{family} {given}"
        elif spec.order == "eastern_joined":
            full = f"{family}{given}"
        else:
            full = f"{given} {family}"
        given_ascii = ascii_fold(given) or self._syllables(2)
        family_ascii = ascii_fold(family) or self._syllables(2)
        handle = self._handle(given_ascii, family_ascii)
        return Person(
            given=given,
            family=family,
            full_name=full,
            phone=self._phone(spec),
            email=self._email(
                given_ascii, family_ascii, email_domain or rng.choice(spec.email_domains)
            ),
            handle=handle,
            locale=spec.code,
        )

    def emoji(self) -> str:
        return self._rng.choice(_EMOJI)

    def _syllables(self, count: int) -> str:
        return "".join(self._rng.choice(_SYLLABLES) for _ in range(count))

    def _handle(self, given: str, family: str) -> str:
        rng = self._rng
        style = rng.randrange(4)
        if style == 0:
            base = f"{given}{family}"
        elif style == 1:
            base = f"{given}_{family[:1]}"
        elif style == 2:
            base = f"{given[:1]}{family}"
        else:
            base = f"{given}.{family}"
        if rng.random() < 0.45:
            base += str(rng.randrange(1, 100))
        return base[:24]

    def _phone(self, spec: LocaleSpec) -> str:
        rng = self._rng
        while True:
            subscriber = str(rng.randrange(2, 10)) + "".join(
                str(rng.randrange(10)) for _ in range(spec.subscriber_digits - 1)
            )
            phone = f"+{spec.country_code}{rng.choice(spec.mobile_prefixes)}{subscriber}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def _email(self, given: str, family: str, domain: str) -> str:
        rng = self._rng
        local = rng.choice((f"{given}.{family}", f"{given}{family[:1]}", f"{given[:1]}{family}"))
        email = f"{local}@{domain}"
        while email in self._emails:
            email = f"{local}{rng.randrange(1, 1000)}@{domain}"
        self._emails.add(email)
        return email
