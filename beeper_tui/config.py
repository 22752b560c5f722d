"""Settings: command-line flags > environment > config file > defaults."""

from __future__ import annotations

import locale
import math
import os
import stat
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, get_args
from urllib.parse import urlsplit

import platformdirs

from beeper_tui.api.limits import DEFAULT_BASE_URL, MAX_LIMIT
from beeper_tui.api.net import display_url, is_loopback_url
from beeper_tui.service.phones import is_phone_region

__all__ = [
    "CONFIG_KEYS",
    "IMAGE_MODES",
    "ConfigError",
    "ImageMode",
    "Secret",
    "Settings",
    "SettingsError",
    "clip",
    "default_config_path",
    "default_phone_region",
    "env_settings",
    "load_config_file",
    "remove_config_values",
    "resolve_settings",
    "save_config_text",
    "save_config_values",
    "token_file_warning",
]

CONFIG_KEYS: Final = (
    "base_url",
    "access_token",
    "debounce_ms",
    "page_size",
    "refresh_seconds",
    "theme",
    "max_response_mb",
    "request_timeout",
    "use_proxy",
    "export_max_contacts",
    "sync_minutes",
    "phone_region",
    "images",
    "remote_images",
    "sidebar_width",
    "keymap",
)

ImageMode = Literal["auto", "kitty", "sixel", "halfblock", "off"]
"""How avatars are drawn: the terminal's best protocol, one named protocol, or not at all."""
IMAGE_MODES: Final[tuple[str, ...]] = get_args(ImageMode)


def default_phone_region() -> str | None:
    """The locale's territory (``fr_FR`` → ``FR``) for national phone numbers, or None."""
    try:
        name = locale.getlocale()[0] or ""
    except ValueError:
        return None
    territory = name.partition("_")[2][:2].upper()
    return territory if is_phone_region(territory) else None


_MAX_SHOWN: Final = 60
"""Characters of a user's value an error message repeats (a 10 MB value is not echoed)."""
_MAX_MESSAGE: Final = 400


def clip(value: object, limit: int = _MAX_SHOWN) -> str:
    """``repr(value)`` for an error message, cut to ``limit`` characters with ``…``."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ConfigError(Exception):
    """A setting from a flag, the environment or the config file is unusable.

    Its message is always one line of bounded length, whatever the values in it.
    """

    def __init__(self, message: str) -> None:
        line = " ".join(message.split())
        if len(line) > _MAX_MESSAGE:
            line = line[: _MAX_MESSAGE - 1] + "…"
        super().__init__(line)


class Secret:
    """A value that never prints: stars in ``repr``/``str``; :meth:`get_secret_value` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """The value itself, for the one place that needs it (the HTTP client)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class SettingsError(ConfigError):
    """One setting's value is unusable: :attr:`field` names it, the message says why."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"invalid {field}: {problem}")


# -- the checks ------------------------------------------------------------------------
# Numbers are strict (``page_size = true`` is not 1, ``"50"`` is not 50) and bounded both
# ways; a float setting takes a whole number too. Each check returns the value to keep.

Check = Callable[[object], Any]


def _whole(lo: int, hi: int) -> Check:
    def check(value: object) -> int:
        if type(value) is not int:
            raise ValueError(f"must be a whole number, got {clip(value)}")
        if not lo <= value <= hi:
            raise ValueError(f"must be between {lo} and {hi}, got {value}")
        return value

    return check


def _seconds(lo: float, hi: float) -> Check:
    def check(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be a number, got {clip(value)}")
        if not math.isfinite(value) or not lo <= value <= hi:
            raise ValueError(f"must be between {lo:g} and {hi:g}, got {value!r}")
        return float(value)

    return check


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {clip(value)}")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {clip(value)}")
    return value


def _optional(check: Check) -> Check:
    def optional(value: object) -> Any:
        return None if value is None else check(value)

    return optional


def _one_of(*choices: str) -> Check:
    def check(value: object) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}, got {clip(value)}")
        return str(value)

    return check


def _path(value: object) -> Path:
    if isinstance(value, Path):
        return value
    if isinstance(value, str) and value:
        return Path(value)
    raise ValueError(f"must be a path, got {clip(value)}")


def _secret(value: object) -> Secret:
    if isinstance(value, Secret):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return Secret(value)


def _keymap(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError("must be a table of binding IDs and keys")
    for key, keys in value.items():
        if not isinstance(key, str) or not isinstance(keys, str):
            raise ValueError(f"{clip(key)} must map to a string of keys, got {clip(keys)}")
    return dict(value)


def _url(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    shown = display_url(value.strip())
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        raise ValueError(f"not an http(s) URL: {shown!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {shown!r}")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValueError(f"bad port in URL: {shown!r}") from None
    return value.strip().rstrip("/")


def _region(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not is_phone_region(value):
        raise ValueError('must be a country code phone numbers are known for (FR, GB…), or ""')
    return value.upper()


def _refresh(value: object) -> float:
    seconds: float = _seconds(0, 86400)(value)
    # Much below a tenth of a second the loop would do nothing but refresh.
    if 0 < seconds < 0.1:
        raise ValueError("must be 0 (off) or between 0.1 and 86400 seconds")
    return seconds


_NO_DEFAULT: Final = object()

_FIELDS: Final[dict[str, tuple[Check, Any]]] = {
    # name: (check, default; a callable default is called for each Settings)
    "base_url": (_url, DEFAULT_BASE_URL),
    "access_token": (_optional(_secret), None),
    "demo": (_flag, False),
    "demo_version": (_optional(_text), None),
    "debounce_ms": (_whole(0, 5000), 200),
    "page_size": (_whole(1, MAX_LIMIT), 50),
    "refresh_seconds": (_refresh, 10.0),
    "max_response_mb": (_whole(1, 256), 8),
    "request_timeout": (_seconds(1, 600), 60.0),
    "export_max_contacts": (_whole(1, 100_000_000), 1_000_000),
    "use_proxy": (_flag, False),
    "sync_minutes": (_whole(0, 1440), 30),
    "phone_region": (_region, default_phone_region),
    "book": (_one_of("off", "memory", "disk"), "off"),
    "theme": (_text, "textual-dark"),
    "images": (_one_of(*IMAGE_MODES), "auto"),
    "remote_images": (_flag, False),
    "sidebar_width": (_optional(_whole(16, 80)), None),
    "keymap": (_keymap, dict),
    "config_path": (_optional(_path), None),
    "log_file": (_optional(_path), None),
    "token_source": (_optional(_text), None),
    "config_warning": (_optional(_text), None),
}


class Settings:
    """Everything the app is configured with, checked when made (:class:`SettingsError`).

    The token is a :class:`Secret`: it never prints. Plain Python, no pydantic:
    every command reads its settings first, ``search`` from the book too.
    """

    base_url: str
    """Where Beeper Desktop's API listens."""
    access_token: Secret | None
    """Bearer token for the API (never shown)."""
    demo: bool
    """Run on the embedded demo instead of a real Beeper Desktop."""
    demo_version: str | None
    """Which Beeper Desktop build the embedded demo plays (None: the newest)."""
    debounce_ms: int
    """Quiet time after the last keystroke before a search is sent."""
    page_size: int
    """Contacts per page request."""
    refresh_seconds: float
    """How often account statuses refresh in the background (0 turns it off, else >= 0.1)."""
    max_response_mb: int
    """Largest answer accepted from Beeper Desktop, in MB after decompression."""
    request_timeout: float
    """Longest one request may take from start to the last byte of its answer, in seconds."""
    export_max_contacts: int
    """Most contacts an export takes from one account; more ends it as an endless account."""
    use_proxy: bool
    """Honour HTTP_PROXY/ALL_PROXY for a Beeper Desktop on another machine (never for this one)."""
    sync_minutes: int
    """How often the address book re-syncs in the background, in minutes (0 turns it off)."""
    phone_region: str | None
    """ISO country code for phone numbers typed in national format (None: international only)."""
    book: Literal["off", "memory", "disk"]
    """The address book: on disk (the command line's default), in memory only
    (``--no-cache``), or off (server search only)."""
    theme: str
    """Textual theme name."""
    images: ImageMode
    """How avatars are drawn: ``auto`` detects Kitty/Sixel, else coloured half-blocks."""
    remote_images: bool
    """Fetch ``http(s)://`` avatars from their servers (off: only Beeper Desktop's media)."""
    sidebar_width: int | None
    """Columns of the accounts sidebar (None: 30, wider on wide terminals)."""
    keymap: dict[str, str]
    """``[keymap]``: binding IDs mapped to keys (``"contact.copy" = "y"``); checked by the app."""
    config_path: Path | None
    """The config file in use (where a saved token goes)."""
    log_file: Path | None
    """Where the debug log goes, if anywhere."""
    token_source: str | None
    """Where the token came from: ``flag``, ``environment`` or ``config`` (None: no token)."""
    config_warning: str | None
    """A one-line warning about the config file (a token others can read), if any."""

    def __init__(self, **values: Any) -> None:
        unknown = sorted(set(values) - _FIELDS.keys())
        if unknown:
            raise SettingsError(unknown[0], "not a setting")
        for name, (check, default) in _FIELDS.items():
            value = values.get(name, _NO_DEFAULT)
            if value is _NO_DEFAULT:
                value = default() if callable(default) else default
            else:
                try:
                    value = check(value)
                except ValueError as exc:
                    raise SettingsError(name, str(exc)) from None
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_given", frozenset(values))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Settings are fixed once made: build new ones")

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS)
        return f"Settings({shown})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and all(
            getattr(self, name) == getattr(other, name) for name in _FIELDS
        )

    __hash__ = None  # type: ignore[assignment]

    def values(self) -> dict[str, Any]:
        """Every setting by name (the token still a :class:`Secret`)."""
        return {name: getattr(self, name) for name in _FIELDS}

    @property
    def base_url_is_default(self) -> bool:
        """Whether no flag, variable or config file named the base URL (so: find Desktop)."""
        given: frozenset[str] = object.__getattribute__(self, "_given")
        return "base_url" not in given

    @property
    def display_base_url(self) -> str:
        """``base_url`` without credentials, for screens and messages."""
        return display_url(self.base_url)

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for ``BeeperClient`` from these settings."""
        return {
            "deadline": self.request_timeout,
            "max_response_bytes": self.max_response_mb * 1024 * 1024,
            "use_env_proxy": self.use_proxy,
        }

    @property
    def warnings(self) -> list[str]:
        """Every one-line warning these settings deserve, for the CLI or a toast."""
        return [w for w in (self.clear_text_warning, self.config_warning) if w]

    @property
    def token(self) -> str | None:
        """The token's value, for the client only."""
        return self.access_token.get_secret_value() if self.access_token else None

    @property
    def clear_text_warning(self) -> str | None:
        """A warning when the token would travel unencrypted over a network."""
        if self.demo:
            return None
        if urlsplit(self.base_url).scheme == "http" and not is_loopback_url(self.base_url):
            return (
                f"{self.display_base_url} is plain http and not on this machine: "
                "the access token travels unencrypted."
            )
        return None


def default_config_path() -> Path:
    """``config.toml`` in the platform's config dir (e.g. ``~/.config/beeper-tui``)."""
    return Path(platformdirs.user_config_dir("beeper-tui", appauthor=False)) / "config.toml"


def load_config_file(path: Path, *, required: bool = False) -> dict[str, Any]:
    """Read the TOML config; a missing file is empty unless ``required``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if required:
            raise ConfigError(f"config file not found: {path}") from None
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    import tomllib  # only when there is a file: `search` without one never pays for it

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"invalid config file {path}: {exc}") from None
    except RecursionError:
        raise ConfigError(f"invalid config file {path}: values nested too deeply") from None
    unknown = sorted(set(data) - set(CONFIG_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown key in config file {path}: {', '.join(clip(k)[1:-1] for k in unknown)}"
        )
    return data


def token_file_warning(path: Path) -> str | None:
    """One line when ``path`` (holding a token) can be read by other users, else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return None
    return (
        f"{path} holds the access token and other users can read it "
        f"(mode {stat.S_IMODE(mode):04o}); fix with: chmod 600 {path}"
    )


def env_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings from the environment variables the official SDKs read."""
    out: dict[str, Any] = {}
    token = environ.get("BEEPER_ACCESS_TOKEN")
    if token:
        out["access_token"] = token
    base_url = environ.get("BEEPER_BASE_URL") or environ.get("BEEPER_DESKTOP_BASE_URL")
    if base_url:
        out["base_url"] = base_url
    return out


def resolve_settings(
    flags: Mapping[str, Any],
    *,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Merge flags > environment > config file > defaults into :class:`Settings`.

    ``flags`` holds only what was given on the command line. Raises
    :class:`ConfigError` with one line naming the problem.
    """
    environ = os.environ if environ is None else environ
    explicit = config_path is not None
    path = config_path or default_config_path()
    from_file = load_config_file(path, required=explicit)
    merged: dict[str, Any] = dict(from_file)
    if from_file.get("access_token"):
        merged["config_warning"] = token_file_warning(path)
    from_env = env_settings(environ)
    merged.update(from_env)
    merged.update({k: v for k, v in flags.items() if v is not None})
    if flags.get("access_token") is not None:
        merged["token_source"] = "flag"
    elif "access_token" in from_env:
        merged["token_source"] = "environment"
    elif merged.get("access_token"):
        merged["token_source"] = "config"
    merged["config_path"] = path
    try:
        return Settings(**merged)
    except RecursionError:
        raise ConfigError(f"invalid config file {path}: values nested too deeply") from None
    except SettingsError as exc:
        source = _source_of(exc.field, flags, environ, path)
        raise ConfigError(f"invalid {exc.field}{source}: {exc.problem}") from None


def _source_of(field: str, flags: Mapping[str, Any], environ: Mapping[str, str], path: Path) -> str:
    if flags.get(field) is not None:
        return " (from the command line)"
    if field in env_settings(environ):
        return " (from the environment)"
    return f" (from {path})"


def save_config_values(path: Path, values: Mapping[str, Any]) -> None:
    """Merge ``values`` into the TOML config at ``path``, written with mode 0600.

    The file is created private before anything is written to it, so the
    token never sits in a world-readable file, even briefly. The temporary
    file has a fresh random name beside the target and is opened with
    ``O_EXCL|O_NOFOLLOW`` (``mkstemp``): a symlink planted there cannot
    redirect the token.
    """
    current = load_config_file(path) if path.exists() else {}
    current.update({k: v for k, v in values.items() if v is not None})
    _write_config(path, current)


def save_config_text(path: Path, key: str, value: str) -> None:
    """Set one top-level text ``key`` in the TOML config, every other line kept as written.

    The user's comments, order and other keys (the token among them) stay
    byte for byte: the key's line is replaced, or added at the top where
    top-level keys belong. The file keeps mode 0600.
    """
    import json  # a TOML basic string is a JSON string for the characters a key holds
    import tomllib

    if key not in CONFIG_KEYS:
        raise ConfigError(f"unknown config key {clip(key)}")
    line = f"{key} = {json.dumps(value, ensure_ascii=False)}\n"
    try:
        old = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        old = ""
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    lines = old.splitlines(keepends=True)
    top = next((i for i, text in enumerate(lines) if text.lstrip().startswith("[")), len(lines))
    mine = [i for i in range(top) if lines[i].split("=", 1)[0].strip() == key]
    if mine:
        lines[mine[0]] = line
    else:
        lines.insert(0, line)
    new = "".join(lines)
    try:
        data = tomllib.loads(new)  # never write a file the next start cannot read
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML ({exc}); left as it is") from None
    if data.get(key) != value:
        raise ConfigError(f"could not set {key} in {path}")
    _write_bytes(path, new.encode("utf-8"))


def remove_config_values(path: Path, keys: Sequence[str]) -> None:
    """Remove ``keys`` from the TOML config at ``path`` (rewritten with mode 0600)."""
    if not path.exists():
        return
    current = load_config_file(path)
    for key in keys:
        current.pop(key, None)
    _write_config(path, current)


def _write_config(path: Path, current: Mapping[str, Any]) -> None:
    import tomli_w  # only a save needs the writer

    _write_bytes(path, tomli_w.dumps(current).encode("utf-8"))


def _write_bytes(path: Path, data: bytes) -> None:
    """``data`` into ``path`` atomically, the file private (0600) before a byte is in it."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), stat.S_IRUSR | stat.S_IWUSR)
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
