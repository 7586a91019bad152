"""The action server is probed only when the engine's answer may come from a failed action.

A dead action server shows in the engine's answer: nothing at all (the turn's
custom action failed) or the engine's fallback (a new session's
`action_session_start` failed). An answer the engine gave from its domain alone
is relayed as it is, and no turn pays for a probe it does not need.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from common.paths import ROOT
from handoff.services.engine import FALLBACK_MARKERS, EngineClient, EngineUnavailable
from tests.support.scripted_engine import Script, scripted_engine

FALLBACK = {"text": "Sorry, could you describe the question once more? If you'd like a human "
            "agent, just say so."}  # fmt: skip


def _client(url: str) -> tuple[EngineClient, list[str]]:
    probes: list[str] = []
    client = EngineClient(
        [url], "token", connect_timeout=1.0, read_timeout=5.0,
        action_server_url=url + "/webhook",
        timing=lambda kind, ok, seconds: probes.append(kind) if kind == "actions" else None,
    )  # fmt: skip
    return client, probes


def test_the_markers_are_the_engines_fallback_in_both_languages() -> None:
    domain = yaml.safe_load(Path(ROOT / "domain" / "core.yml").read_text(encoding="utf-8"))
    said = [variation["text"] for variation in domain["responses"]["utter_default"]]
    assert all(any(marker in text for text in said) for marker in FALLBACK_MARKERS)
    assert len(said) == len(FALLBACK_MARKERS)


@pytest.fixture
def engine() -> Iterator[tuple[str, Script]]:
    with scripted_engine() as served:
        yield served


@pytest.mark.asyncio
async def test_an_answer_is_relayed_without_a_probe(engine: tuple[str, Script]) -> None:
    url, script = engine
    client, probes = _client(url)
    try:
        script.actions_healthy = False  # the engine answered from its domain alone
        script.answers.append([{"text": "You're welcome."}])
        replies = await client.send("c1", "thank you", {})
        assert [r.text for r in replies] == ["You're welcome."]
        assert probes == []
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_the_fallback_is_checked_against_the_action_server(
    engine: tuple[str, Script],
) -> None:
    url, script = engine
    client, probes = _client(url)
    try:
        script.answers.append([FALLBACK])
        replies = await client.send("c1", "hmm", {})  # a real fallback: the action server is up
        assert replies[0].text == FALLBACK["text"]
        script.actions_healthy = False
        script.answers.append([FALLBACK])
        with pytest.raises(EngineUnavailable):
            await client.send("c2", "hello", {})
        assert probes == ["actions", "actions"]
        script.answers.append([])  # a failed action mid-conversation: no reply at all
        with pytest.raises(EngineUnavailable):
            await client.send("c1", "what are your opening hours", {})
    finally:
        await client.aclose()
