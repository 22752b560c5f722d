"""Settings resolution (flags > env > config file > defaults) and the command line."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest

import beeper_tui.config as config_module
from beeper_tui import __version__
from beeper_tui.api.client import DEFAULT_BASE_URL
from beeper_tui.api.net import is_loopback_url
from beeper_tui.cli import build_parser, main
from beeper_tui.config import (
    ConfigError,
    Settings,
    SettingsError,
    env_settings,
    load_config_file,
    resolve_settings,
    save_config_values,
)

TOKEN = "sekrit-token-123"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("BEEPER_ACCESS_TOKEN", "BEEPER_BASE_URL", "BEEPER_DESKTOP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    # Never read the real user's config file.
    monkeypatch.setattr(config_module, "default_config_path", lambda: tmp_path / "default.toml")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert text
    assert "\n" not in text
    return text


# -- precedence ------------------------------------------------------------------


def test_defaults_when_nothing_is_given(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", "")
    settings = resolve_settings({}, environ={}, config_path=cfg)
    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.access_token is None
    assert settings.token is None
    assert settings.page_size == 50
    assert settings.debounce_ms == 200
    assert settings.demo is False
    assert settings.config_path == cfg


def test_missing_default_config_file_is_fine(tmp_path: Path) -> None:
    settings = resolve_settings({}, environ={})
    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.config_path == tmp_path / "default.toml"


def test_config_file_overrides_defaults(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "c.toml",
        'base_url = "http://file.example:1"\naccess_token = "file-token"\n'
        'page_size = 120\ndebounce_ms = 80\ntheme = "nord"\nrefresh_seconds = 0\n',
    )
    settings = resolve_settings({}, environ={}, config_path=cfg)
    assert settings.base_url == "http://file.example:1"
    assert settings.token == "file-token"
    assert settings.page_size == 120
    assert settings.debounce_ms == 80
    assert settings.theme == "nord"
    assert settings.refresh_seconds == 0


def test_env_overrides_config_file(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "c.toml",
        'base_url = "http://file.example:1"\naccess_token = "file-token"\npage_size = 120\n',
    )
    environ = {"BEEPER_BASE_URL": "http://env.example:2", "BEEPER_ACCESS_TOKEN": "env-token"}
    settings = resolve_settings({}, environ=environ, config_path=cfg)
    assert settings.base_url == "http://env.example:2"
    assert settings.token == "env-token"
    assert settings.page_size == 120


def test_flags_override_env_and_config_file(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "c.toml",
        'base_url = "http://file.example:1"\naccess_token = "file-token"\npage_size = 120\n',
    )
    environ = {"BEEPER_BASE_URL": "http://env.example:2", "BEEPER_ACCESS_TOKEN": "env-token"}
    flags = {
        "base_url": "http://flag.example:3/",
        "access_token": "flag-token",
        "page_size": 7,
        "debounce_ms": None,
    }
    settings = resolve_settings(flags, environ=environ, config_path=cfg)
    assert settings.base_url == "http://flag.example:3"
    assert settings.token == "flag-token"
    assert settings.page_size == 7
    assert settings.debounce_ms == 200


def test_flags_given_as_none_do_not_override(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", 'base_url = "http://file.example:1"\n')
    flags = {"base_url": None, "access_token": None, "demo": None, "page_size": None}
    settings = resolve_settings(flags, environ={}, config_path=cfg)
    assert settings.base_url == "http://file.example:1"
    assert settings.demo is False


def test_desktop_base_url_env_is_accepted(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", 'base_url = "http://file.example:1"\n')
    settings = resolve_settings(
        {}, environ={"BEEPER_DESKTOP_BASE_URL": "http://older.example:4"}, config_path=cfg
    )
    assert settings.base_url == "http://older.example:4"


def test_beeper_base_url_wins_over_desktop_base_url() -> None:
    environ = {
        "BEEPER_BASE_URL": "http://new.example:5",
        "BEEPER_DESKTOP_BASE_URL": "http://older.example:4",
    }
    assert env_settings(environ) == {"base_url": "http://new.example:5"}


def test_empty_env_values_are_ignored(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", 'access_token = "file-token"\n')
    settings = resolve_settings(
        {}, environ={"BEEPER_ACCESS_TOKEN": "", "BEEPER_BASE_URL": ""}, config_path=cfg
    )
    assert settings.token == "file-token"
    assert settings.base_url == DEFAULT_BASE_URL


def test_environ_defaults_to_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEEPER_BASE_URL", "http://os-env.example:6")
    cfg = write(tmp_path / "c.toml", "")
    assert resolve_settings({}, config_path=cfg).base_url == "http://os-env.example:6"


# -- errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["ftp://example.com", "localhost:23373", "http://", "not a url", "http://host:99999"]
)
def test_invalid_url_is_one_line_config_error(tmp_path: Path, url: str) -> None:
    cfg = write(tmp_path / "c.toml", "")
    with pytest.raises(ConfigError) as info:
        resolve_settings({"base_url": url}, environ={}, config_path=cfg)
    text = one_line(info.value)
    assert "base_url" in text
    assert "command line" in text


def test_invalid_url_from_env_names_the_environment(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", "")
    with pytest.raises(ConfigError) as info:
        resolve_settings({}, environ={"BEEPER_BASE_URL": "gopher://x"}, config_path=cfg)
    text = one_line(info.value)
    assert "base_url" in text
    assert "environment" in text


def test_negative_page_size_in_config_file(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", "page_size = -5\n")
    with pytest.raises(ConfigError) as info:
        resolve_settings({}, environ={}, config_path=cfg)
    text = one_line(info.value)
    assert "page_size" in text
    assert str(cfg) in text


@pytest.mark.parametrize("flags", [{"page_size": 0}, {"page_size": -1}, {"debounce_ms": -1}])
def test_out_of_range_numbers_are_config_errors(tmp_path: Path, flags: dict[str, Any]) -> None:
    cfg = write(tmp_path / "c.toml", "")
    with pytest.raises(ConfigError) as info:
        resolve_settings(flags, environ={}, config_path=cfg)
    assert next(iter(flags)) in one_line(info.value)


def test_unknown_config_key(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", 'base_url = "http://x:1"\npage_sise = 10\n')
    with pytest.raises(ConfigError) as info:
        resolve_settings({}, environ={}, config_path=cfg)
    text = one_line(info.value)
    assert "page_sise" in text
    assert str(cfg) in text


@pytest.mark.parametrize("text", ["page_size = ", "[broken\nx = 1", 'base_url = "unterminated'])
def test_malformed_toml(tmp_path: Path, text: str) -> None:
    cfg = write(tmp_path / "c.toml", text)
    with pytest.raises(ConfigError) as info:
        resolve_settings({}, environ={}, config_path=cfg)
    message = one_line(info.value)
    assert str(cfg) in message


def test_non_utf8_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_bytes(b'theme = "\xff\xfe"\n')
    with pytest.raises(ConfigError) as info:
        resolve_settings({}, environ={}, config_path=cfg)
    assert str(cfg) in one_line(info.value)


def test_missing_explicit_config_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "config.toml"
    with pytest.raises(ConfigError) as info:
        resolve_settings({}, environ={}, config_path=missing)
    text = one_line(info.value)
    assert str(missing) in text
    assert "not found" in text


def test_config_path_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config_file(tmp_path, required=True)
    assert str(tmp_path) in one_line(info.value)


def test_config_error_does_not_echo_the_token(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", f'access_token = "{TOKEN}"\npage_size = "many"\n')
    with pytest.raises(ConfigError) as info:
        resolve_settings({}, environ={"BEEPER_ACCESS_TOKEN": TOKEN}, config_path=cfg)
    assert "page_size" in one_line(info.value)
    assert TOKEN not in str(info.value)
    assert TOKEN not in repr(info.value)


# -- saving ----------------------------------------------------------------------


def test_save_creates_private_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "config.toml"
    save_config_values(path, {"access_token": TOKEN})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tomllib.loads(path.read_text()) == {"access_token": TOKEN}
    assert list(path.parent.iterdir()) == [path]


def test_save_keeps_other_keys_and_tightens_mode(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.toml", 'theme = "nord"\npage_size = 100\naccess_token = "old"\n'
    )
    os.chmod(path, 0o644)
    save_config_values(path, {"access_token": TOKEN, "base_url": None})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tomllib.loads(path.read_text()) == {
        "theme": "nord",
        "page_size": 100,
        "access_token": TOKEN,
    }
    settings = resolve_settings({}, environ={}, config_path=path)
    assert settings.token == TOKEN
    assert settings.theme == "nord"


def test_save_under_permissive_umask_is_still_private(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = tmp_path / "config.toml"
        save_config_values(path, {"access_token": TOKEN})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- token never printed -----------------------------------------------------------


def test_settings_repr_and_str_hide_token(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", "")
    settings = resolve_settings({"access_token": TOKEN}, environ={}, config_path=cfg)
    assert settings.token == TOKEN
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert TOKEN not in f"{settings!r} {settings}"
    assert TOKEN not in repr(settings.values())


@pytest.mark.parametrize(
    ("url", "warns"),
    [
        ("http://localhost:23373", False),
        ("http://127.0.0.1:23373", False),
        ("http://[::1]:23373", False),
        ("https://beeper.example.com", False),
        ("http://192.168.1.20:23373", True),
        ("http://desktop.lan:23373", True),
    ],
)
def test_clear_text_warning(url: str, warns: bool) -> None:
    settings = Settings(base_url=url)
    assert (settings.clear_text_warning is not None) is warns
    assert Settings(base_url=url, demo=True).clear_text_warning is None
    assert is_loopback_url(url) is (url.startswith("http://") and not warns)


# -- command line ----------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--page-size", "abc"],
        ["--page-size", "0"],
        ["--page-size", "-3"],
        ["--debounce-ms", "soon"],
        ["--no-such-flag"],
    ],
)
def test_bad_flag_exits_2_with_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("beeper-tui: error:")
    assert argv[0] in lines[0]


def test_page_size_abc_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--page-size", "abc"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "abc" in err


def test_help_mentions_env_and_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "BEEPER_ACCESS_TOKEN" in out
    assert "BEEPER_BASE_URL" in out
    flags = [
        opt
        for action in build_parser()._actions
        for opt in action.option_strings
        if opt.startswith("--")
    ]
    assert {"--base-url", "--token", "--demo", "--config", "--page-size", "--help"} <= set(flags)
    for flag in flags:
        assert flag in out


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_missing_config_file_returns_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.toml"
    assert main(["--config", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1
    assert str(missing) in err


def test_bad_base_url_flag_returns_2_without_echoing_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write(tmp_path / "c.toml", "")
    code = main(["--config", str(cfg), "--token", TOKEN, "--base-url", "ftp://nope"])
    assert code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "base_url" in err
    assert TOKEN not in err


def test_too_large_page_size_returns_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(tmp_path / "c.toml", "")
    assert main(["--config", str(cfg), "--page-size", "100000"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "page_size" in err


def test_unwritable_log_file_returns_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(tmp_path / "c.toml", "")
    log = tmp_path / "no" / "such" / "dir" / "debug.log"
    assert main(["--config", str(cfg), "--log", str(log)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith("beeper-tui: error:")


def test_unknown_theme_in_config_returns_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write(tmp_path / "c.toml", 'theme = "nope"\n')
    assert main(["--demo", "--config", str(cfg)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1
    assert "unknown theme 'nope'" in err


def test_book_settings_are_bounded() -> None:
    from beeper_tui.config import default_phone_region

    assert Settings(sync_minutes=0).sync_minutes == 0
    with pytest.raises(SettingsError):
        Settings(sync_minutes=-1)
    with pytest.raises(SettingsError):
        Settings(sync_minutes=100_000)
    assert Settings(phone_region="fr").phone_region == "FR"
    assert Settings(phone_region="").phone_region is None
    with pytest.raises(SettingsError):
        Settings(phone_region="France")
    for unknown in ("XX", "UK", "1F"):
        with pytest.raises(SettingsError, match="phone_region") as caught:
            Settings(phone_region=unknown)
        assert caught.value.field == "phone_region"
    assert Settings(phone_region="gb").phone_region == "GB"
    region = default_phone_region()
    assert region is None or (len(region) == 2 and region.isupper())
    assert Settings().book == "off"  # tests and embedders opt in; the command line uses disk


def test_default_phone_region_reads_the_locale_territory(monkeypatch: pytest.MonkeyPatch) -> None:
    import locale

    from beeper_tui.config import default_phone_region

    monkeypatch.setattr(locale, "getlocale", lambda *a: ("fr_FR", "UTF-8"))
    assert default_phone_region() == "FR"
    monkeypatch.setattr(locale, "getlocale", lambda *a: (None, None))
    assert default_phone_region() is None
    monkeypatch.setattr(locale, "getlocale", lambda *a: ("C", "UTF-8"))
    assert default_phone_region() is None


# -- images ------------------------------------------------------------------------


def test_images_and_remote_images_from_the_config_file_and_the_flag(tmp_path: Path) -> None:
    assert (Settings().images, Settings().remote_images) == ("auto", False)
    cfg = write(tmp_path / "c.toml", 'images = "sixel"\nremote_images = true\n')
    settings = resolve_settings({}, environ={}, config_path=cfg)
    assert (settings.images, settings.remote_images) == ("sixel", True)
    args = build_parser().parse_args(["--images", "halfblock", "--config", str(cfg)])
    assert args.images == "halfblock"
    assert resolve_settings({"images": args.images}, environ={}, config_path=cfg).images == (
        "halfblock"
    )


@pytest.mark.parametrize("text", ['images = "png"', "images = 1", 'remote_images = "yes"'])
def test_bad_image_settings_are_one_line_errors(tmp_path: Path, text: str) -> None:
    cfg = write(tmp_path / "c.toml", text + "\n")
    with pytest.raises(ConfigError) as caught:
        resolve_settings({}, environ={}, config_path=cfg)
    assert "image" in one_line(caught.value)


def test_token_source_is_known(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", 'access_token = "from-file"\n')
    env = {"BEEPER_ACCESS_TOKEN": "from-env"}
    assert resolve_settings({}, environ={}, config_path=cfg).token_source == "config"
    assert resolve_settings({}, environ=env, config_path=cfg).token_source == "environment"
    flags = {"access_token": "from-flag"}
    assert resolve_settings(flags, environ=env, config_path=cfg).token_source == "flag"
    empty = write(tmp_path / "e.toml", "")
    assert resolve_settings({}, environ={}, config_path=empty).token_source is None


def test_keymap_and_sidebar_width_from_the_config(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", 'sidebar_width = 44\n[keymap]\n"contact.copy" = "y"\n')
    settings = resolve_settings({}, environ={}, config_path=cfg)
    assert settings.keymap == {"contact.copy": "y"}
    assert settings.sidebar_width == 44
    bad = write(tmp_path / "b.toml", "sidebar_width = 3\n")
    with pytest.raises(ConfigError, match="sidebar_width"):
        resolve_settings({}, environ={}, config_path=bad)
