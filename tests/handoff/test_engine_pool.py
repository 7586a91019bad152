"""Several engines behind one gateway: each conversation keeps to one, all are used."""

from __future__ import annotations

import secrets

import pytest

from handoff.core.config import Settings
from handoff.main import build_context
from handoff.services.engine import EngineClient

ENGINES = ["http://127.0.0.1:5005/", "http://127.0.0.1:5006"]


def _client(urls: list[str]) -> EngineClient:
    return EngineClient(urls, "token", connect_timeout=1, read_timeout=1)


async def test_each_conversation_keeps_to_one_engine_and_both_get_some() -> None:
    client = _client(ENGINES)
    try:
        conversations = [secrets.token_hex(16) for _ in range(200)]
        chosen = {c: client.url_for(c) for c in conversations}
        assert all(client.url_for(c) == chosen[c] for c in conversations)
        counts = {url: list(chosen.values()).count(url) for url in set(chosen.values())}
        assert set(counts) == {"http://127.0.0.1:5005", "http://127.0.0.1:5006"}
        assert min(counts.values()) > 50  # spread, not all on one
    finally:
        await client.aclose()


async def test_a_model_swap_sends_every_conversation_to_the_new_engine() -> None:
    client = _client(ENGINES)
    try:
        client.base_url = "http://127.0.0.1:6000/"
        assert client.base_urls == ["http://127.0.0.1:6000"]
        assert client.url_for(secrets.token_hex(16)) == "http://127.0.0.1:6000"
    finally:
        await client.aclose()


def test_engine_urls_come_as_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_URLS", "http://127.0.0.1:5005, http://127.0.0.1:5006")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.engine_urls == ["http://127.0.0.1:5005", "http://127.0.0.1:5006"]
    assert build_context(settings).engine.base_urls == settings.engine_urls


def test_without_engine_urls_the_gateway_uses_engine_url() -> None:
    settings = Settings(_env_file=None, engine_url="http://127.0.0.1:5999")  # type: ignore[call-arg]
    assert build_context(settings).engine.base_urls == ["http://127.0.0.1:5999"]


async def _follow(settings: Settings, engines_pull: bool, live_url: str) -> list[str]:
    """The gateway's engines after it follows a deploy to `live_url`."""
    from handoff.models import ContentLive
    from handoff.services.content.live import LiveEngineFollower

    ctx = build_context(settings)
    try:
        async with ctx.sessions() as session:
            session.add(ContentLive(id=1, engine_url=live_url, model_id="m2", generation=2))
            await session.commit()
        await LiveEngineFollower(ctx, interval_s=60, engines_pull=engines_pull).poll()
        return ctx.engine.base_urls
    finally:
        await ctx.stop()


async def test_engines_that_pull_the_model_stay_the_gateways_set(
    gateway_settings: Settings,
) -> None:
    settings = gateway_settings.model_copy(update={"engine_urls": [u.rstrip("/") for u in ENGINES]})
    urls = await _follow(settings, engines_pull=True, live_url="http://127.0.0.1:7000")
    assert urls == ["http://127.0.0.1:5005", "http://127.0.0.1:5006"]


async def test_a_new_engine_started_for_a_deploy_serves_every_conversation(
    gateway_settings: Settings,
) -> None:
    settings = gateway_settings.model_copy(update={"engine_urls": [u.rstrip("/") for u in ENGINES]})
    urls = await _follow(settings, engines_pull=False, live_url="http://127.0.0.1:7000/")
    assert urls == ["http://127.0.0.1:7000"]
