"""The demo dataset: a dozen chat accounts with international contacts.

``build_dataset`` is cheap (it only decides account metadata); each account's
contacts and search index are generated on first access, because the TUI's
demo-mode cold start must stay well under a second while the big Slack
workspace holds 20,000 members. Everything derives from the seed through
``random.Random`` instances seeded with strings, so the same seed gives
byte-identical JSON in every process regardless of ``PYTHONHASHSEED`` or the
order in which accounts are first touched.
"""

from __future__ import annotations

import base64
import hashlib
import re
import string
import uuid
from dataclasses import dataclass
from functools import cached_property
from random import Random
from typing import Any

from beeper_tui.demo.defaults import DEFAULT_SEED
from beeper_tui.demo.names import Person, PersonFactory
from beeper_tui.demo.people_cases import cases_for
from beeper_tui.demo.search import ContactIndex, normalize

JSONDict = dict[str, Any]

_ALNUM = string.ascii_letters + string.digits
_UPPER_ALNUM = string.ascii_uppercase + string.digits
_SHARED_POOL_SIZE = 500


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """How one network looks on the wire and which identifiers it exposes.

    Rates are probabilities per contact. ``lookups`` lists the identifier kinds
    (``phone``, ``email``, ``username``) the network resolves exactly even for
    people who are not contacts yet; ``rejects`` lists kinds whose exact lookup
    fails on the network, as some real networks do.
    """

    key: str
    network: str | None
    bridge_type: str | None
    provider: str | None
    status: str | None
    status_text: str | None
    size: int
    server: str
    name_rate: float = 1.0
    phone_rate: float = 0.0
    email_rate: float = 0.0
    username_rate: float = 0.0
    img_rate: float = 0.4
    cannot_rate: float = 0.02
    shared_rate: float = 0.0
    null_rate: float = 0.0
    lookups: frozenset[str] = frozenset()
    rejects: frozenset[str] = frozenset()
    extras: tuple[JSONDict, ...] = ()
    email_domain: str | None = None
    label: str | None = None

    @property
    def display_network(self) -> str:
        """Human network name, even where the wire omits it (older builds)."""
        return self.network or self.label or self.key

    @property
    def legacy(self) -> bool:
        """Older Desktop builds send accounts with only ``accountID`` and ``user``."""
        return self.status is None


# User-controlled text from real networks can be hostile to a terminal UI.
# These exercise markup injection, escape sequences, bidi tricks, and sizes.
_HOSTILE: tuple[JSONDict, ...] = (
    {
        "id": "@mallory:matrix.org",
        "fullName": "[red]x[/red]\x1b]52;c;AAAA\x07",
        "username": "@mallory",
    },
    {"id": "@boldface:matrix.org", "fullName": "[bold]Bold[/]", "username": "@[bold]admin[/bold]"},
    {"id": "@linky:matrix.org", "fullName": "[link=https://example.com]click[/link]"},
    {
        "id": "@trojan:matrix.org",
        "fullName": "Invoice \u202efdp.exe\u202c Zero\u200bWidth\u200c\u200d\u2060Joiner\ufeff",
    },
    {
        "id": "@longname:matrix.org",
        "fullName": ("Wolfeschlegelsteinhausenbergerdorff " * 300)[:10_000],
    },
    {"id": "@nameless:matrix.org", "fullName": "", "email": "nameless@matrix.example"},
    {"id": "@zalgo:matrix.org", "fullName": "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗͎̍"},
    {"id": "@ansi:matrix.org", "fullName": "\x1b[31mred\x1b[0m", "username": "@ansi"},
    {"id": "@ghost:matrix.org", "fullName": None, "username": None, "email": None},
)

# Hand-picked people whose accents and scripts the search must fold.
_FEATURED: tuple[JSONDict, ...] = (
    {"id": "@telegram_7001000001:beeper.com", "fullName": "Zoë Lindqvist", "username": "@zoe_lq",
     "phoneNumber": "+46705550123"},
    {"id": "@telegram_7001000002:beeper.com", "fullName": "Renée Dubois",
     "phoneNumber": "+33612345678"},
    {"id": "@telegram_7001000003:beeper.com", "fullName": "José María Núñez",
     "username": "@jmnunez"},
    {"id": "@telegram_7001000004:beeper.com", "fullName": "Łukasz Wróbel",
     "phoneNumber": "+48501234567"},
    {"id": "@telegram_7001000005:beeper.com", "fullName": "Ngô Bảo Châu 🧮"},
    {"id": "@telegram_7001000006:beeper.com", "fullName": "Straße Weiß", "username": "@strasse"},
)  # fmt: skip


def _specs(big_account_size: int, workspace: str) -> tuple[NetworkSpec, ...]:
    phone, email, username = "phone", "email", "username"
    return (
        NetworkSpec(
            "whatsapp", "WhatsApp", "whatsapp", "local", "connected", "Connected", 1200,
            "beeper.local", name_rate=0.85, phone_rate=1.0, img_rate=0.55, shared_rate=0.35,
            lookups=frozenset({phone}),
        ),
        NetworkSpec(
            "telegram", "Telegram", "telegram", "cloud", "backfilling",
            "Syncing your chats — 62%", 800, "beeper.com", phone_rate=0.5, username_rate=0.55,
            shared_rate=0.3, null_rate=0.05, lookups=frozenset({phone, username}),
            extras=_FEATURED,
        ),
        NetworkSpec(
            "signal", "Signal", "signal", "local", "connecting", "Connecting…", 300,
            "beeper.local", name_rate=0.9, phone_rate=0.85, username_rate=0.2, shared_rate=0.35,
            lookups=frozenset({phone, username}),
        ),
        NetworkSpec(
            "slackgo", "Slack", "slackgo", "cloud", "connected", f"Connected to {workspace}",
            big_account_size, "beeper.com", phone_rate=0.25, email_rate=1.0, username_rate=0.9,
            img_rate=0.6, shared_rate=0.03, lookups=frozenset({email}),
            email_domain="".join(c for c in workspace.lower() if c.isalnum()) + ".example",
        ),
        NetworkSpec(
            "discordgo", "Discord", "discordgo", "cloud", "reconnect_required",
            "Reconnect required — your session expired", 400, "beeper.com", name_rate=0.8,
            username_rate=1.0, cannot_rate=0.05, lookups=frozenset({username}),
        ),
        NetworkSpec(
            "imessagecloud", "iMessage", "imessagecloud", "platform-sdk", "attention_required",
            "Attention required — approve this Mac on your iPhone", 600, "beeper.local",
            name_rate=0.2, phone_rate=0.7, img_rate=0.1, cannot_rate=0.0, shared_rate=0.35,
            lookups=frozenset({phone, email}),
        ),
        NetworkSpec(
            "instagramgo", "Instagram", "instagramgo", "cloud", "connected", "Connected", 500,
            "beeper.com", name_rate=0.8, username_rate=1.0, img_rate=0.8,
            lookups=frozenset({username}), rejects=frozenset({phone}),
        ),
        NetworkSpec(
            "linkedin", "LinkedIn", "linkedin", "cloud", "connection_required",
            "Sign in to LinkedIn again to keep syncing", 250, "beeper.com", email_rate=0.6,
            img_rate=0.7, cannot_rate=0.1, shared_rate=0.3, lookups=frozenset({email}),
        ),
        NetworkSpec(
            "matrix", "Beeper", "matrix", "cloud", "connected", "Connected", 150, "beeper.com",
            name_rate=0.9, email_rate=0.2, username_rate=1.0, shared_rate=0.1,
            lookups=frozenset({username, email}), extras=_HOSTILE,
        ),
        NetworkSpec(
            "twitter", "X", "twitter", "cloud", "disconnected",
            "Disconnected — X ended this session", 350, "beeper.com", username_rate=1.0,
            img_rate=0.7, cannot_rate=0.12, lookups=frozenset({username}),
        ),
        NetworkSpec(
            "facebookgo", "Facebook Messenger", "facebookgo", "cloud", "disabled",
            "Disabled in Settings", 700, "beeper.com", phone_rate=0.3, email_rate=0.3,
            img_rate=0.7, shared_rate=0.3, null_rate=0.05, lookups=frozenset({phone, email}),
        ),
        NetworkSpec(
            "gmessages", None, None, None, None, None, 220, "beeper.local", name_rate=0.75,
            phone_rate=1.0, img_rate=0.2, cannot_rate=0.0, shared_rate=0.35,
            lookups=frozenset({phone}), label="Google Messages",
        ),
    )  # fmt: skip


_WORKSPACES = ("Northwind Traders", "Acme Robotics", "Globex Labs", "Initech", "Umbrella Health")
_OWNERS = (
    ("Robin", "Achterberg"),
    ("Samira", "Okafor"),
    ("Noor", "Haddad"),
    ("Kai", "Lindqvist"),
    ("Mateo", "Quispe"),
)

_OPTIONAL_KEYS = ("fullName", "username", "phoneNumber", "email", "imgURL")


class SharedPeople:
    """People who have accounts on several networks; built lazily, once per dataset."""

    def __init__(self, seed: int) -> None:
        self._seed = seed

    @cached_property
    def people(self) -> tuple[Person, ...]:
        factory = PersonFactory(Random(f"{self._seed}:shared-people"))
        return tuple(factory.person() for _ in range(_SHARED_POOL_SIZE))


class DemoAccount:
    """One chat account: its wire JSON and, on first access, its contacts."""

    def __init__(
        self,
        spec: NetworkSpec,
        wire: JSONDict,
        owner: JSONDict,
        seed: int,
        shared: SharedPeople,
    ) -> None:
        self.spec = spec
        self.wire = wire
        self.owner = owner
        self._seed = seed
        self.shared = shared

    @property
    def account_id(self) -> str:
        return str(self.wire["accountID"])

    @property
    def network_name(self) -> str | None:
        return self.spec.network

    @cached_property
    def contacts(self) -> list[JSONDict]:
        """Wire User objects in list order (sort key from the name, then id)."""
        return _ContactBuilder(self, Random(f"{self._seed}:{self.spec.key}:contacts")).build()

    @cached_property
    def index(self) -> ContactIndex:
        """Search index over ``contacts``, built once."""
        return ContactIndex(self.contacts)

    @cached_property
    def positions_by_id(self) -> dict[str, int]:
        return {str(contact["id"]): i for i, contact in enumerate(self.contacts)}

    def __repr__(self) -> str:
        return f"DemoAccount({self.account_id!r})"


@dataclass(frozen=True, slots=True)
class Dataset:
    """All demo accounts, in the order ``GET /v1/accounts`` returns them."""

    seed: int
    accounts: list[DemoAccount]

    def account(self, account_id: str) -> DemoAccount | None:
        for account in self.accounts:
            if account.account_id == account_id:
                return account
        return None

    def accounts_json(self) -> list[JSONDict]:
        return [account.wire for account in self.accounts]


def build_dataset(seed: int = DEFAULT_SEED, *, big_account_size: int = 20_000) -> Dataset:
    """Build the demo accounts for ``seed``; contacts are generated lazily."""
    if big_account_size < 1:
        raise ValueError("big_account_size must be at least 1")
    rng = Random(f"{seed}:accounts")
    workspace = rng.choice(_WORKSPACES)
    given, family = rng.choice(_OWNERS)
    owner = _Owner(
        given=given,
        family=family,
        phone=f"+1415555{rng.randrange(100, 200):04d}",
        email=f"{given.lower()}.{family.lower()}@fastmail.com",
        handle=f"{given.lower()}{family[:1].lower()}",
    )
    shared = SharedPeople(seed)
    accounts: list[DemoAccount] = []
    for spec in _specs(big_account_size, workspace):
        account_id, extra = _account_id(spec, rng)
        owner_user = owner.user(spec, rng)
        wire: JSONDict = {"accountID": account_id}
        if not spec.legacy:
            wire["bridge"] = {
                "id": spec.key if spec.provider != "local" else f"local-{spec.key}",
                "provider": spec.provider,
                "type": spec.bridge_type,
            }
            wire["network"] = spec.network
            wire["status"] = spec.status
            wire["statusText"] = spec.status_text
            wire.update(extra)
        wire["user"] = owner_user
        accounts.append(DemoAccount(spec, wire, owner_user, seed, shared))
    return Dataset(seed=seed, accounts=accounts)


def _random_chars(rng: Random, alphabet: str, count: int) -> str:
    return "".join(rng.choices(alphabet, k=count))


def _account_id(spec: NetworkSpec, rng: Random) -> tuple[str, JSONDict]:
    if spec.provider == "local" or spec.legacy:
        return f"local-{spec.key}_ba_{_random_chars(rng, _ALNUM + '-_', 22)}", {}
    if spec.key == "slackgo":
        team = "T0" + _random_chars(rng, _UPPER_ALNUM, 8)
        user = "U0" + _random_chars(rng, _UPPER_ALNUM, 8)
        return f"slackgo.{team}-{user}", {
            "loginID": f"{team}-{user}",
            "capabilities": {"threads": True, "reactions": True, "maxTextLength": 40000},
        }
    if spec.key == "imessagecloud":
        return f"imessagecloud_{_random_chars(rng, string.hexdigits.lower()[:16], 12)}", {}
    return spec.key, {}


@dataclass(frozen=True, slots=True)
class _Owner:
    given: str
    family: str
    phone: str
    email: str
    handle: str

    def user(self, spec: NetworkSpec, rng: Random) -> JSONDict:
        person = Person(
            given=self.given,
            family=self.family,
            full_name=f"{self.given} {self.family}",
            phone=self.phone,
            email=self.email,
            handle=self.handle,
            locale="en_US",
        )
        user: JSONDict = {"id": _user_id(spec, person, rng), "fullName": person.full_name}
        if spec.username_rate:
            user["username"] = f"@{self.handle}"
        if spec.phone_rate:
            user["phoneNumber"] = self.phone
        if spec.email_rate:
            user["email"] = self.email
        user["isSelf"] = True
        return user


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())


def _user_id(spec: NetworkSpec, person: Person, rng: Random) -> str:
    """A realistic Beeper user ID for ``person`` on ``spec``'s network."""
    server = spec.server
    key = spec.key
    if key == "whatsapp":
        return f"@whatsapp_{_digits(person.phone)}:{server}"
    if key == "gmessages":
        return f"@gmessages_{_digits(person.phone)}:{server}"
    if key == "signal":
        return f"@signal_{uuid.UUID(int=rng.getrandbits(128), version=4)}:{server}"
    if key == "telegram":
        return f"@telegram_{rng.randrange(10**8, 8 * 10**9)}:{server}"
    if key == "slackgo":
        return f"@slackgo_u0{_random_chars(rng, _UPPER_ALNUM, 9).lower()}:{server}"
    if key == "discordgo":
        return f"@discordgo_{rng.randrange(10**17, 10**18 * 2)}:{server}"
    if key == "instagramgo":
        return f"@instagramgo_{rng.randrange(10**9, 10**11)}:{server}"
    if key == "linkedin":
        return f"@linkedin_ACoAA{_random_chars(rng, _ALNUM, 20)}:{server}"
    if key == "twitter":
        return f"@twitter_{rng.randrange(10**17, 2 * 10**18)}:{server}"
    if key == "facebookgo":
        return f"@facebookgo_{rng.randrange(10**14, 10**15)}:{server}"
    if key == "matrix":
        home = rng.choice(("beeper.com", "beeper.com", "matrix.org", "mozilla.org", "fosdem.org"))
        return f"@{person.handle.replace('_', '.')}:{home}"
    if key == "imessagecloud":
        return f"@imessagecloud_{_digits(person.phone)}:{server}"
    raise ValueError(f"no user id style for {key}")


class _ContactBuilder:
    """Generates one account's contact list; used once per account."""

    def __init__(self, account: DemoAccount, rng: Random) -> None:
        self._account = account
        self._spec = account.spec
        self._rng = rng
        self._factory = PersonFactory(rng)
        self._ids: set[str] = {str(account.owner["id"])}
        self._seed = account._seed

    def build(self) -> list[JSONDict]:
        spec, rng = self._spec, self._rng
        contacts: list[JSONDict] = [dict(self._account.owner)]
        extras = [dict(extra) for extra in spec.extras]
        target = spec.size - 1 - len(extras)
        pool = self._account.shared.people if spec.shared_rate else ()
        shared_count = min(round(target * spec.shared_rate), len(pool))
        for person in rng.sample(pool, shared_count):
            self._add(contacts, person, shared=True)
        while len(contacts) < target + 1:
            self._add(contacts, self._factory.person(spec.email_domain), shared=False)
        # The "who is who" cases take the place of the last people drawn, so the
        # size and everyone drawn before them stay as they were.
        cases = [c for c in cases_for(spec.key, spec.email_domain) if c["id"] not in self._ids]
        cases = cases[: max(0, len(contacts) - 1)]
        if cases:
            del contacts[len(contacts) - len(cases) :]
            contacts.extend(cases)
        contacts.extend(extras[: max(0, spec.size - len(contacts))])
        contacts.sort(key=_sort_key)
        return contacts

    def _add(self, contacts: list[JSONDict], person: Person, *, shared: bool) -> None:
        user = self._contact(person, shared=shared)
        if user is not None:
            contacts.append(user)

    def _contact(self, person: Person, *, shared: bool) -> JSONDict | None:
        spec, rng = self._spec, self._rng
        # Shared people always show a phone or email where the network has
        # them, so a client can merge them across accounts.
        phone_rate = max(spec.phone_rate, 0.9) if shared and spec.phone_rate else spec.phone_rate
        email_rate = max(spec.email_rate, 0.9) if shared and spec.email_rate else spec.email_rate
        has_name = rng.random() < spec.name_rate
        has_username = rng.random() < spec.username_rate
        has_phone = rng.random() < phone_rate
        has_email = rng.random() < email_rate
        if spec.key == "imessagecloud" and not has_phone:
            has_email = True
        lid = spec.key == "whatsapp" and not shared and rng.random() < 0.05
        if lid:
            # WhatsApp's privacy IDs hide the phone number but carry a push name.
            has_phone, has_name = False, True
            user_id = f"@whatsapp_lid-{rng.randrange(10**14, 10**15)}:{spec.server}"
        elif spec.key == "imessagecloud" and not has_phone:
            user_id = f"@imessagecloud_{person.email.replace('@', '_at_')}:{spec.server}"
        else:
            user_id = _user_id(spec, person, rng)
        if user_id in self._ids:
            return None
        self._ids.add(user_id)

        user: JSONDict = {"id": user_id}
        if has_name:
            user["fullName"] = self._display_name(person)
        if has_username:
            user["username"] = self._username(person)
        if has_phone:
            user["phoneNumber"] = person.phone
        if has_email:
            user["email"] = person.email
        if rng.random() < spec.img_rate:
            user["imgURL"] = f"mxc://{spec.server}/{_random_chars(rng, _ALNUM, 24)}"
        elif _gets_avatar(spec, self._seed, user_id):
            user["imgURL"] = _hashed_media_url(spec, self._seed, user_id)
        if rng.random() < spec.cannot_rate:
            user["cannotMessage"] = True
        if spec.key == "twitter" and rng.random() < 0.05:
            # Unknown keys may appear on the wire; clients must ignore them.
            user["isVerified"] = True
        if rng.random() < spec.null_rate:
            for key in _OPTIONAL_KEYS:
                user.setdefault(key, None)
        return user

    def _display_name(self, person: Person) -> str:
        rng = self._rng
        roll = rng.random()
        if roll < 0.70:
            return person.full_name
        if roll < 0.82:
            return person.given
        if roll < 0.90 and person.locale not in ("ja_JP", "zh_CN", "ko_KR"):
            return f"{person.given} {person.family[:1]}."
        if roll < 0.95:
            return f"{person.full_name} {self._factory.emoji()}"
        return f"{person.given} {self._factory.emoji()}"

    def _username(self, person: Person) -> str:
        if self._spec.key == "slackgo":
            return "@" + person.email.split("@", 1)[0]
        return f"@{person.handle}"


_AVATAR_COVERAGE = 0.9
_SPARSE_AVATARS = 0.3


def _gets_avatar(spec: NetworkSpec, seed: int, user_id: str) -> bool:
    """Whether a contact the seeded roll left without an avatar gets one anyway.

    Most networks show a picture for nine people in ten; those where pictures
    are rare on real installs (iMessage, SMS) stay as rolled. Decided by a
    hash, not the shared generator, so every other field keeps its value.
    """
    if spec.img_rate < _SPARSE_AVATARS:
        return False
    wanted = (_AVATAR_COVERAGE - spec.img_rate) / (1 - spec.img_rate)
    digest = hashlib.sha256(f"{seed}:avatar:{user_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < wanted


def _hashed_media_url(spec: NetworkSpec, seed: int, user_id: str) -> str:
    digest = hashlib.sha256(f"{seed}:media:{user_id}".encode()).digest()
    media = base64.b32encode(digest).decode().rstrip("=")[:24]
    return f"mxc://{spec.server}/{media}"


def _sort_key(user: JSONDict) -> tuple[bool, str, str]:
    # Named people first, then the ones known only by a handle, number or address.
    full_name = user.get("fullName")
    label = next(
        (
            str(user[key])
            for key in ("fullName", "username", "phoneNumber", "email")
            if isinstance(user.get(key), str) and user[key]
        ),
        "",
    )
    return (
        not (isinstance(full_name, str) and full_name),
        _collation(label),
        str(user["id"]),
    )


_LEADING_NOISE = re.compile(r"^[\W_]+")


def _collation(label: str) -> str:
    # Like a phone's address book: leading punctuation, brackets and control
    # characters do not decide the order, and names starting with a letter come
    # before those starting with a digit or symbol.
    key = normalize(_LEADING_NOISE.sub("", label))
    return ("0" if key[:1].isalpha() else "1") + key
