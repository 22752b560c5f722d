"""Signing in with Beeper Desktop against the demo over loopback; a test plays the browser."""

from __future__ import annotations

import asyncio
import re
import stat
import subprocess
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from beeper_tui.api.client import BeeperClient
from beeper_tui.api.errors import AuthenticationError
from beeper_tui.cli import main
from beeper_tui.config import load_config_file, save_config_values
from beeper_tui.demo import DemoState
from beeper_tui.demo.oauth import TOKEN_EXPIRED
from beeper_tui.service.sign_in import (
    SignInError,
    can_open_browser,
    introspect,
    pkce_pair,
    revoke,
    sign_in,
)

_REQUEST_ID = re.compile(r'name="request_id" value="([^"]+)"')


def _browser(
    decision: str = "approve", *, tamper_state: bool = False, error_text: str | None = None
) -> Any:
    """What a person does in the browser: open the URL, press a button, follow the redirect."""

    async def visit(url: str) -> httpx.Response:
        async with httpx.AsyncClient(trust_env=False, follow_redirects=False) as web:
            page = await web.get(url)
            if page.status_code in (302, 303):
                target = page.headers["location"]
            else:
                assert page.status_code == 200, page.text
                match = _REQUEST_ID.search(page.text)
                assert match, "the approval page has a form"
                answer = await web.post(
                    str(page.url.copy_with(query=None)),
                    data={"request_id": match.group(1), "decision": decision},
                )
                assert answer.status_code == 303
                target = answer.headers["location"]
            if tamper_state:
                target = re.sub(r"state=[^&]+", "state=forged", target)
            if error_text is not None:  # Desktop explains its refusal in its own words
                said = urlencode({"error": "server_error", "error_description": error_text})
                target = re.sub(r"&?error_description=[^&]*", "", target)
                target = re.sub(r"(?<![_a-z])error=[^&]+", said, target)
            assert target.startswith("http://127.0.0.1:")
            return await web.get(target)

    return visit


class Browser:
    """Collects the URL the sign-in shows and visits it in a task."""

    def __init__(self, visit: Callable[[str], Coroutine[Any, Any, httpx.Response]]) -> None:
        self.visit = visit
        self.urls: list[str] = []
        self.task: asyncio.Task[httpx.Response] | None = None

    def show(self, url: str) -> None:
        self.urls.append(url)
        self.task = asyncio.ensure_future(self.visit(url))


async def test_sign_in_end_to_end_gives_a_working_token(
    demo_server: str, demo_state: DemoState
) -> None:
    browser = Browser(_browser())
    signed = await sign_in(demo_server, browser.show)
    assert browser.task is not None
    landing = await browser.task
    assert landing.status_code == 200
    assert "Signed in" in landing.text
    assert signed.token not in repr(signed)
    (url,) = browser.urls
    assert "code_challenge_method=S256" in url
    assert "state=" in url
    assert demo_state.oauth.decisions == ["approve"]
    (registered,) = demo_state.oauth.clients.values()
    assert registered.redirect_uris[0].startswith("http://127.0.0.1:")
    async with BeeperClient(demo_server, signed.token, max_retries=0) as client:
        assert await client.list_accounts()
    found = await introspect(demo_server, signed.token)
    assert found.active
    assert found.can_write


async def test_a_denied_approval_says_so(demo_server: str, demo_state: DemoState) -> None:
    browser = Browser(_browser("deny"))
    with pytest.raises(SignInError, match="denied"):
        await sign_in(demo_server, browser.show)
    assert demo_state.oauth.decisions == ["deny"]
    assert len(demo_state.oauth.tokens) == 1  # only the demo's own token


async def test_a_wrong_state_is_refused_and_no_code_is_exchanged(
    demo_server: str, demo_state: DemoState
) -> None:
    browser = Browser(_browser(tamper_state=True))
    with pytest.raises(SignInError, match="state"):
        await sign_in(demo_server, browser.show)
    assert demo_state.requests_to(r"^/oauth/token$") == []
    assert len(demo_state.oauth.tokens) == 1
    assert browser.task is not None
    page = await browser.task  # the browser is told the truth, not "Signed in"
    assert page.status_code == 400
    assert "Signed in" not in page.text
    assert "Not signed in" in page.text


_IDLE_THEN_DONE = """
import asyncio, httpx
from beeper_tui.service.sign_in import LoopbackRedirect

async def main():
    listener = LoopbackRedirect()
    uri = await listener.open()
    idle = [await asyncio.open_connection("127.0.0.1", listener.port) for _ in range(3)]
    async with httpx.AsyncClient(trust_env=False) as web:
        await web.get(uri + "?code=c&state=s")
    await listener.wait(30)
    await listener.close()

asyncio.run(main())
"""


def test_idle_connections_are_closed_quietly_when_sign_in_ends() -> None:
    # In a process of its own: the noise came when the event loop shut down.
    done = subprocess.run(
        [sys.executable, "-c", _IDLE_THEN_DONE], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert done.stderr == ""


async def test_an_error_description_is_cleaned_before_it_is_shown(demo_server: str) -> None:
    hostile = "disk\x1b]52;c;ZXZpbA==\x07 on fire\x1b[2J\nreally"
    browser = Browser(_browser("deny", error_text=hostile))
    with pytest.raises(SignInError) as failed:
        await sign_in(demo_server, browser.show)
    message = str(failed.value)
    assert "disk" in message
    assert "\x1b" not in message
    assert "\x07" not in message
    assert "\n" not in message


def test_server_text_is_cleaned_before_it_is_shown() -> None:
    from beeper_tui.api.oauth import OAuthEndpointError
    from beeper_tui.service.sign_in import _shown

    hostile = "bad\x1b]52;c;ZXZpbA==\x07 news\x1b[2J\nhere"
    for text in (str(OAuthEndpointError("/oauth/token", "x", hostile)), _shown(hostile)):
        assert "\x1b" not in text
        assert "\x07" not in text
        assert "\n" not in text


async def test_sign_in_times_out_when_nobody_approves(demo_server: str) -> None:
    with pytest.raises(SignInError, match="timed out"):
        await sign_in(demo_server, lambda url: None, timeout=0.2)


async def test_revoked_tokens_stop_working(demo_server: str, demo_state: DemoState) -> None:
    token = demo_state.oauth.approve_connection()
    await revoke(demo_server, token)
    assert not (await introspect(demo_server, token)).active
    async with BeeperClient(demo_server, token, max_retries=0) as client:
        with pytest.raises(AuthenticationError):
            await client.list_accounts()


async def test_expired_token_reads_as_sign_in_again(
    demo_server: str, demo_state: DemoState
) -> None:
    token = demo_state.oauth.approve_connection(lifetime=0)
    assert not (await introspect(demo_server, token)).active
    async with BeeperClient(demo_server, token, max_retries=0) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_accounts()
    assert caught.value.expired
    assert TOKEN_EXPIRED in caught.value.message
    assert "sign in again" in caught.value.message


def test_pkce_pair_is_s256() -> None:
    from beeper_tui.demo.oauth import s256

    verifier, challenge = pkce_pair()
    assert 43 <= len(verifier) <= 128
    assert s256(verifier) == challenge


def test_a_browser_needs_a_display_on_linux() -> None:
    assert not can_open_browser({}, "linux")
    assert can_open_browser({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert can_open_browser({"DISPLAY": ":0"}, "linux")
    assert can_open_browser({}, "darwin")


# -- the command line ---------------------------------------------------------


async def test_login_no_browser_saves_the_token_and_exits_0(
    demo_server: str,
    demo_state: DemoState,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "config.toml"
    shown: asyncio.Queue[str] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    import beeper_tui.service.sign_in as sign_in_module

    real_sign_in = sign_in_module.sign_in

    async def watched(base_url: str, show: Callable[[str], None], **kw: Any) -> Any:
        def tee(url: str) -> None:
            show(url)
            loop.call_soon_threadsafe(shown.put_nowait, url)

        return await real_sign_in(base_url, tee, **kw)

    monkeypatch.setattr(sign_in_module, "sign_in", watched)
    run = asyncio.ensure_future(
        asyncio.to_thread(
            main, ["login", "--no-browser", "--base-url", demo_server, "--config", str(config)]
        )
    )
    getter = asyncio.ensure_future(shown.get())
    await asyncio.wait({run, getter}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    assert getter.done(), capsys.readouterr().err
    url = getter.result()
    landing = await _browser()(url)
    assert landing.status_code == 200
    assert await asyncio.wait_for(run, 10) == 0
    out = capsys.readouterr().out
    assert url in out
    assert str(config) in out
    saved = load_config_file(config)
    token = saved["access_token"]
    assert token not in out
    # The Desktop signed in to is kept with its token: a plain command finds it next time.
    assert saved["base_url"] == demo_server
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert (await introspect(demo_server, token)).active


async def test_logout_revokes_and_removes_the_token(
    demo_server: str, demo_state: DemoState, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = demo_state.oauth.approve_connection()
    config = tmp_path / "config.toml"
    save_config_values(config, {"access_token": token, "page_size": 40})
    status = await asyncio.to_thread(
        main, ["logout", "--base-url", demo_server, "--config", str(config)]
    )
    assert status == 0
    assert load_config_file(config) == {"page_size": 40}
    assert not (await introspect(demo_server, token)).active
    assert demo_state.requests_to(r"^/oauth/revoke$")
    assert token not in capsys.readouterr().out
