"""Config hardening: bounded strict numbers, the token file's mode, the temp file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import beeper_tui.config as config_module
from beeper_tui.config import ConfigError, Settings, resolve_settings, save_config_values

TOKEN = "file-token-abcdef"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("BEEPER_ACCESS_TOKEN", "BEEPER_BASE_URL", "BEEPER_DESKTOP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config_module, "default_config_path", lambda: tmp_path / "default.toml")


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def resolve_file(path: Path) -> Settings:
    return resolve_settings({}, environ={}, config_path=path)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("page_size = true", "page_size"),
        ("debounce_ms = false", "debounce_ms"),
        ("refresh_seconds = true", "refresh_seconds"),
        ("refresh_seconds = 1e-9", "refresh_seconds"),
        ("refresh_seconds = 0.05", "refresh_seconds"),
        ("refresh_seconds = 1e9", "refresh_seconds"),
        ("refresh_seconds = nan", "refresh_seconds"),
        ("refresh_seconds = inf", "refresh_seconds"),
        ("page_size = 100000", "page_size"),
        ("page_size = 2.5", "page_size"),
        ('page_size = "50"', "page_size"),
        ("debounce_ms = -1", "debounce_ms"),
        ("max_response_mb = 0", "max_response_mb"),
        ("max_response_mb = 100000", "max_response_mb"),
        ("request_timeout = 0", "request_timeout"),
        ("request_timeout = 1e9", "request_timeout"),
        ("use_proxy = 1", "use_proxy"),
        ("theme = 3", "theme"),
    ],
)
def test_every_number_is_strict_and_bounded(tmp_path: Path, line: str, field: str) -> None:
    cfg = write(tmp_path / "c.toml", line + "\n")
    with pytest.raises(ConfigError) as info:
        resolve_file(cfg)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"invalid {field} (from {cfg})")


def test_bounded_settings_in_range_are_used(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "c.toml",
        "refresh_seconds = 0\nmax_response_mb = 2\nrequest_timeout = 5\nuse_proxy = true\n",
    )
    settings = resolve_file(cfg)
    assert settings.refresh_seconds == 0
    assert settings.client_options() == {
        "deadline": 5.0,
        "max_response_bytes": 2 * 1024 * 1024,
        "use_env_proxy": True,
    }
    assert Settings(refresh_seconds=1).refresh_seconds == 1.0
    assert Settings(refresh_seconds=0.1).refresh_seconds == 0.1


def test_world_readable_token_file_warns_once(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", f'access_token = "{TOKEN}"\n', mode=0o644)
    settings = resolve_file(cfg)
    assert settings.config_warning is not None
    assert "\n" not in settings.config_warning
    assert "other users can read it" in settings.config_warning
    assert "0644" in settings.config_warning
    assert TOKEN not in settings.config_warning
    assert settings.warnings == [settings.config_warning]


@pytest.mark.parametrize(
    ("text", "mode"),
    [(f'access_token = "{TOKEN}"\n', 0o600), ("page_size = 20\n", 0o644)],
)
def test_no_warning_for_a_private_file_or_one_without_a_token(
    tmp_path: Path, text: str, mode: int
) -> None:
    settings = resolve_file(write(tmp_path / "c.toml", text, mode=mode))
    assert settings.config_warning is None
    assert settings.warnings == []


def test_saving_ignores_a_planted_symlink_at_the_old_temp_name(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    stolen = tmp_path / "stolen"
    (tmp_path / "config.toml.tmp").symlink_to(stolen)
    save_config_values(cfg, {"access_token": TOKEN})
    assert not stolen.exists()
    assert TOKEN in cfg.read_text(encoding="utf-8")
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    # No temporary file is left behind.
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert leftovers == ["config.toml", "config.toml.tmp"]


def test_saving_creates_the_temp_file_exclusively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[str, int]] = []
    real_open = os.open

    def spy(path: str, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        opened.append((str(path), flags))
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", spy)
    cfg = tmp_path / "config.toml"
    save_config_values(cfg, {"access_token": TOKEN})
    (tmp_name, flags), *_ = [o for o in opened if o[0].endswith(".tmp")]
    assert Path(tmp_name).parent == tmp_path
    assert flags & os.O_EXCL
    assert flags & os.O_NOFOLLOW


@pytest.mark.parametrize("where", ["flag", "file"])
def test_url_credentials_are_not_echoed_in_errors(tmp_path: Path, where: str) -> None:
    bad = "ftp://alice:hunter2@localhost:23373"
    if where == "flag":
        cfg, flags = write(tmp_path / "c.toml", ""), {"base_url": bad}
    else:
        cfg, flags = write(tmp_path / "c.toml", f'base_url = "{bad}"\n'), {}
    with pytest.raises(ConfigError) as info:
        resolve_settings(flags, environ={}, config_path=cfg)
    assert "hunter2" not in str(info.value)
    assert "ftp://localhost:23373" in str(info.value)


def test_clear_text_warning_hides_url_credentials() -> None:
    settings = Settings(base_url="http://alice:hunter2@desktop.example:23373")
    assert settings.clear_text_warning is not None
    assert "hunter2" not in settings.clear_text_warning
    assert settings.display_base_url == "http://desktop.example:23373"


def test_a_deeply_nested_config_is_one_line_not_a_recursion_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from beeper_tui.cli import main

    path = tmp_path / "deep.toml"
    path.write_text("keymap = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        resolve_settings({}, environ={}, config_path=path)
    assert main(["search", "x", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "nested too deeply" in err


def test_a_huge_value_is_clipped_in_the_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from beeper_tui.cli import main

    path = tmp_path / "big.toml"
    path.write_text(f'theme = "{"t" * 10_000_000}"\n')
    assert main(["--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unknown theme" in err
    assert len(err) < 1000
    assert len(str(ConfigError("x" * 100_000 + "\n" + "y"))) <= 400
