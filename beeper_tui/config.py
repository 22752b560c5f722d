"""Settings: command-line flags > environment > config file > defaults."""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import platformdirs
import tomli_w
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from beeper_tui.api.client import DEFAULT_BASE_URL
from beeper_tui.api.net import is_loopback_url

__all__ = [
    "CONFIG_KEYS",
    "ConfigError",
    "Settings",
    "default_config_path",
    "env_settings",
    "load_config_file",
    "resolve_settings",
    "save_config_values",
]

CONFIG_KEYS: Final = (
    "base_url",
    "access_token",
    "debounce_ms",
    "page_size",
    "refresh_seconds",
    "theme",
)


class ConfigError(Exception):
    """A setting from a flag, the environment or the config file is unusable."""


class Settings(BaseModel):
    """Everything the app is configured with. The token is a ``SecretStr``: it never prints."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    base_url: str = DEFAULT_BASE_URL
    """Where Beeper Desktop's API listens."""
    access_token: SecretStr | None = None
    """Bearer token for the API (never shown)."""
    demo: bool = False
    """Run on the embedded demo instead of a real Beeper Desktop."""
    debounce_ms: int = Field(default=200, ge=0, le=5000)
    """Quiet time after the last keystroke before a search is sent."""
    page_size: int = Field(default=50, ge=1, le=500)
    """Contacts per page request."""
    refresh_seconds: float = Field(default=10.0, ge=0)
    """How often account statuses refresh in the background (0 turns it off)."""
    theme: str = "textual-dark"
    """Textual theme name."""
    config_path: Path | None = None
    """The config file in use (where a saved token goes)."""
    log_file: Path | None = None
    """Where the debug log goes, if anywhere."""

    @field_validator("base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {value!r}")
        try:
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise ValueError(f"bad port in URL: {value!r}") from None
        return value.strip().rstrip("/")

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
                f"{self.base_url} is plain http and not on this machine: "
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
    unknown = sorted(set(data) - set(CONFIG_KEYS))
    if unknown:
        raise ConfigError(f"unknown key in config file {path}: {', '.join(unknown)}")
    return data


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
    merged: dict[str, Any] = dict(load_config_file(path, required=explicit))
    merged.update(env_settings(environ))
    merged.update({k: v for k, v in flags.items() if v is not None})
    merged["config_path"] = path
    try:
        return Settings.model_validate(merged)
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
    token never sits in a world-readable file, even briefly.
    """
    current = load_config_file(path) if path.exists() else {}
    current.update({k: v for k, v in values.items() if v is not None})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), stat.S_IRUSR | stat.S_IWUSR)
            tomli_w.dump(current, fh)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
