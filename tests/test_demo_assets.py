"""The demo's avatars: generated PNGs through /v1/assets/download and /v1/assets/serve."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from beeper_tui.demo import DEMO_TOKEN, Dataset, create_demo_app
from beeper_tui.demo.assets import SIZE, colour, initials

AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}


@pytest.fixture
async def client(demo_dataset: Dataset, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_demo_app(demo_dataset, asset_dir=tmp_path / "assets")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=AUTH) as c:
        yield c


def _with_avatar(dataset: Dataset, key: str = "telegram") -> dict[str, str]:
    account = next(a for a in dataset.accounts if a.spec.key == key)
    return next(c for c in account.contacts if c.get("imgURL") and c.get("fullName"))


def test_most_contacts_have_an_avatar_url(demo_dataset: Dataset) -> None:
    telegram = next(a for a in demo_dataset.accounts if a.spec.key == "telegram")
    with_url = [c for c in telegram.contacts if isinstance(c.get("imgURL"), str)]
    assert len(with_url) > 0.8 * len(telegram.contacts)
    assert all(c["imgURL"].startswith("mxc://beeper.com/") for c in with_url)


def test_initials_and_colour() -> None:
    assert initials({"id": "a", "fullName": "Zoë Lindqvist"}) == "ZL"
    assert initials({"id": "a", "fullName": "Łukasz"}) == "L"
    assert initials({"id": "a", "username": "@ansi"}) == "A"
    assert initials({"id": "a", "phoneNumber": "+14155552671"}) == "71"
    assert initials({"id": "a"}) == "?"
    assert colour("@a:beeper.com") == colour("@a:beeper.com")
    assert colour("@a:beeper.com") != colour("@b:beeper.com")


async def test_download_writes_a_png_once(
    client: httpx.AsyncClient, demo_dataset: Dataset, tmp_path: Path
) -> None:
    user = _with_avatar(demo_dataset)
    first = (await client.post("/v1/assets/download", json={"url": user["imgURL"]})).json()
    path = Path(urlsplit(first["srcURL"]).path)
    assert first["srcURL"].startswith("file://")
    assert path.parent == tmp_path / "assets"
    data = path.read_bytes()
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (SIZE, SIZE)
    assert image.getpixel((2, 2)) == colour(user["id"])
    modified = path.stat().st_mtime_ns
    again = (await client.post("/v1/assets/download", json={"url": user["imgURL"]})).json()
    assert again == first
    assert path.stat().st_mtime_ns == modified


async def test_same_seed_gives_the_same_bytes(
    demo_dataset: Dataset, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    user = _with_avatar(demo_dataset, "whatsapp")
    paths = []
    for name in ("one", "two"):
        app = create_demo_app(demo_dataset, asset_dir=tmp_path / name)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=AUTH) as c:
            answer = (await c.post("/v1/assets/download", json={"url": user["imgURL"]})).json()
        paths.append(Path(urlsplit(answer["srcURL"]).path))
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0] != paths[1]


@pytest.mark.parametrize(
    "url", ["mxc://beeper.com/doesnotexist", "mxc://elsewhere.org/x", "https://example.com/a.png"]
)
async def test_unknown_url_answers_an_error(client: httpx.AsyncClient, url: str) -> None:
    response = await client.post("/v1/assets/download", json={"url": url})
    assert response.status_code == 200
    assert set(response.json()) == {"error"}
    served = await client.get("/v1/assets/serve", params={"url": url})
    assert served.status_code == 404


async def test_download_needs_a_url(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/assets/download", json={})
    assert response.status_code == 400
    assert response.json()["details"]["issues"][0]["path"] == ["url"]


async def test_serve_streams_bytes_and_ranges(
    client: httpx.AsyncClient, demo_dataset: Dataset
) -> None:
    url = _with_avatar(demo_dataset)["imgURL"]
    whole = await client.get("/v1/assets/serve", params={"url": url})
    assert whole.status_code == 200
    assert whole.headers["content-type"] == "image/png"
    assert whole.headers["accept-ranges"] == "bytes"
    data = whole.content
    assert data.startswith(b"\x89PNG")
    total = len(data)
    part = await client.get("/v1/assets/serve", params={"url": url}, headers={"Range": "bytes=0-7"})
    assert part.status_code == 206
    assert part.content == data[:8]
    assert part.headers["content-range"] == f"bytes 0-7/{total}"
    tail = await client.get("/v1/assets/serve", params={"url": url}, headers={"Range": "bytes=-10"})
    assert tail.content == data[-10:]
    rest = await client.get(
        "/v1/assets/serve", params={"url": url}, headers={"Range": "bytes=100-"}
    )
    assert rest.content == data[100:]
    beyond = await client.get(
        "/v1/assets/serve", params={"url": url}, headers={"Range": f"bytes={total}-"}
    )
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{total}"
    downloaded = (await client.post("/v1/assets/download", json={"url": url})).json()["srcURL"]
    by_file = await client.get("/v1/assets/serve", params={"url": downloaded})
    assert by_file.content == data


async def test_serve_needs_the_token_and_refuses_other_files(
    client: httpx.AsyncClient, demo_dataset: Dataset
) -> None:
    url = _with_avatar(demo_dataset)["imgURL"]
    anonymous = await client.get(
        "/v1/assets/serve", params={"url": url}, headers={"Authorization": ""}
    )
    assert anonymous.status_code == 401
    other = await client.get("/v1/assets/serve", params={"url": "file:///etc/passwd"})
    assert other.status_code == 404
