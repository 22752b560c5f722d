"""The demo server over a real loopback socket, and its command line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from starlette.applications import Starlette

from beeper_tui.cli import main as cli_main
from beeper_tui.demo import DEMO_TOKEN, DemoState, FaultRule
from beeper_tui.demo.server import DemoServer

AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}


def test_serves_over_loopback(demo_server: str, demo_state: DemoState) -> None:
    assert demo_server.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=demo_server, headers=AUTH, timeout=10) as client:
        info = client.get("/v1/info").json()
        assert info["server"]["base_url"] == demo_server
        assert info["server"]["port"] == int(demo_server.rsplit(":", 1)[1])
        assert client.get("/v1/accounts").status_code == 200
        assert client.get("/v1/accounts", headers={"Authorization": "Bearer x"}).status_code == 401
        slack = client.get("/v1/accounts").json()[3]["accountID"]
        page = client.get(f"/v1/accounts/{slack}/contacts/list", params={"limit": 3}).json()
        assert len(page["items"]) == 3
    assert [r.path for r in demo_state.requests][:2] == ["/v1/info", "/v1/accounts"]


async def test_async_client_and_faults_over_loopback(
    demo_server: str, demo_state: DemoState
) -> None:
    demo_state.faults.add(FaultRule(path="/v1/accounts$", status=503, retry_after=1, times=1))
    async with httpx.AsyncClient(base_url=demo_server, headers=AUTH, timeout=10) as client:
        first = await client.get("/v1/accounts")
        assert first.status_code == 503
        assert first.headers["retry-after"] == "1"
        assert (await client.get("/v1/accounts")).status_code == 200


def test_stop_and_start_on_the_same_port(demo_app: Starlette) -> None:
    with DemoServer(demo_app) as server:
        url = server.base_url
        with httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
            assert client.get("/v1/info").status_code == 200
            server.stop()
            assert not server.running
            with pytest.raises(httpx.ConnectError):
                client.get("/v1/info")
            server.start()
            assert server.base_url == url
            assert client.get("/v1/info").status_code == 200
    assert not server.running


def main(argv: list[str]) -> int:
    """``beeper-tui demo-server ARGV``."""
    return cli_main(["demo-server", *argv])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_cli_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        assert main(["--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "in use" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--port", "70000"],
        ["--port", "x"],
        ["--latency-ms", "-1"],
        ["--seed", "x"],
        ["--token", ""],
    ],
)
def test_cli_bad_arguments_exit_2(argv: list[str]) -> None:
    assert main(argv) == 2


def test_cli_serves_until_interrupted() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "beeper_tui", "demo-server", "--port", str(port), "--token", "t0k"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first_line
        assert "t0k" in process.stdout.readline()
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/v1/accounts",
                    headers={"Authorization": "Bearer t0k"},
                    timeout=5,
                )
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert response.status_code == 200
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)  # a bound for a loaded machine, not a wait
        assert process.returncode == 0
        assert "Traceback" not in err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_warns_about_non_loopback_host(capsys: pytest.CaptureFixture[str]) -> None:
    # A host that cannot be bound fails fast after the warning, without serving.
    assert main(["--host", "192.0.2.1", "--port", "0"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert "clear" in err[0]
    assert len(err) == 2
