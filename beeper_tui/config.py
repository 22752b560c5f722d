"""Settings: command-line flags > environment > config file > defaults."""

from __future__ import annotations

import locale
import math
import os
import stat
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, get_args
from urllib.parse import urlsplit

import platformdirs
import tomli_w
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from beeper_tui.api.limits import DEFAULT_BASE_URL, MAX_LIMIT
from beeper_tui.api.net import display_url, is_loopback_url

__all__ = [
    "CONFIG_KEYS",
    "IMAGE_MODES",
    "ConfigError",
    "ImageMode",
    "Settings",
    "clip",
    "default_config_path",
    "default_phone_region",
    "env_settings",
    "load_config_file",
    "remove_config_values",
    "resolve_settings",
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
    return territory if len(territory) == 2 and territory.isalpha() else None


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


class Settings(BaseModel):
    """Everything the app is configured with. The token is a ``SecretStr``: it never prints."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    base_url: str = DEFAULT_BASE_URL
    """Where Beeper Desktop's API listens."""
    access_token: SecretStr | None = None
    """Bearer token for the API (never shown)."""
    demo: bool = False
    demo_version: str | None = None
    """Which Beeper Desktop build the embedded demo plays (None: the newest)."""
    """Run on the embedded demo instead of a real Beeper Desktop."""
    # Numbers are strict (``page_size = true`` is not 1) and bounded both ways.
    debounce_ms: int = Field(default=200, ge=0, le=5000, strict=True)
    """Quiet time after the last keystroke before a search is sent."""
    page_size: int = Field(default=50, ge=1, le=MAX_LIMIT, strict=True)
    """Contacts per page request."""
    refresh_seconds: float = Field(default=10.0, ge=0, le=86400, strict=True, allow_inf_nan=False)
    """How often account statuses refresh in the background (0 turns it off, else >= 0.1)."""
    max_response_mb: int = Field(default=8, ge=1, le=256, strict=True)
    """Largest answer accepted from Beeper Desktop, in MB after decompression."""
    request_timeout: float = Field(default=60.0, ge=1, le=600, strict=True, allow_inf_nan=False)
    """Longest one request may take from start to the last byte of its answer, in seconds."""
    export_max_contacts: int = Field(default=1_000_000, ge=1, le=100_000_000, strict=True)
    """Most contacts an export takes from one account; more ends it as an endless account."""
    use_proxy: bool = Field(default=False, strict=True)
    """Honour HTTP_PROXY/ALL_PROXY for a Beeper Desktop on another machine (never for this one)."""
    sync_minutes: int = Field(default=30, ge=0, le=1440, strict=True)
    """How often the address book re-syncs in the background, in minutes (0 turns it off)."""
    phone_region: str | None = Field(default_factory=default_phone_region)
    """ISO country code for phone numbers typed in national format (None: international only)."""
    book: Literal["off", "memory", "disk"] = "off"
    """The address book: on disk (the command line's default), in memory only
    (``--no-cache``), or off (server search only)."""
    theme: str = Field(default="textual-dark", strict=True)
    """Textual theme name."""
    images: ImageMode = "auto"
    """How avatars are drawn: ``auto`` detects Kitty/Sixel, else coloured half-blocks."""
    remote_images: bool = Field(default=False, strict=True)
    """Fetch ``http(s)://`` avatars from their servers (off: only Beeper Desktop's media)."""
    sidebar_width: int | None = Field(default=None, ge=16, le=80, strict=True)
    """Columns of the accounts sidebar (None: 30, wider on wide terminals)."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """``[keymap]``: binding IDs mapped to keys (``"contact.copy" = "y"``); checked by the app."""
    config_path: Path | None = None
    """The config file in use (where a saved token goes)."""
    log_file: Path | None = None
    """Where the debug log goes, if anywhere."""
    token_source: str | None = None
    """Where the token came from: ``flag``, ``environment`` or ``config`` (None: no token)."""
    config_warning: str | None = None
    """A one-line warning about the config file (a token others can read), if any."""

    @field_validator("base_url", mode="before")
    @classmethod
    def _check_url(cls, value: object) -> str:
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

    @field_validator("phone_region", mode="before")
    @classmethod
    def _check_region(cls, value: object) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or len(value) != 2 or not value.isalpha():
            raise ValueError("must be a two-letter country code such as FR, or empty for none")
        return value.upper()

    @field_validator("refresh_seconds")
    @classmethod
    def _check_refresh(cls, value: float) -> float:
        # Much below a tenth of a second the loop would do nothing but refresh.
        if 0 < value < 0.1 or not math.isfinite(value):
            raise ValueError("must be 0 (off) or between 0.1 and 86400 seconds")
        return value

    @property
    def base_url_is_default(self) -> bool:
        """Whether no flag, variable or config file named the base URL (so: find Desktop)."""
        return "base_url" not in self.model_fields_set

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
        return Settings.model_validate(merged)
    except RecursionError:
        raise ConfigError(f"invalid config file {path}: values nested too deeply") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err.get("loc", ())) or "settings"
        source = _source_of(field, flags, environ, path)
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        raise ConfigError(f"invalid {field}{source}: {msg}") from None


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


def remove_config_values(path: Path, keys: Sequence[str]) -> None:
    """Remove ``keys`` from the TOML config at ``path`` (rewritten with mode 0600)."""
    if not path.exists():
        return
    current = load_config_file(path)
    for key in keys:
        current.pop(key, None)
    _write_config(path, current)


def _write_config(path: Path, current: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), stat.S_IRUSR | stat.S_IWUSR)
            tomli_w.dump(current, fh)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
