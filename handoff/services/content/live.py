"""The gateway follows the live engine the worker chose, and "try it" asks the engines.

Every second each gateway reads the one-row `content_live` table; when the
generation changed it points its EngineClient at the new URL (requests already
on their way finish on the old engine, which the worker stops only after every
gateway has acknowledged and the longest request could have finished). The
acknowledgement is an upsert into `content_gateways`.

Without a `content_live` row (no worker has run) the gateway keeps the engine
of its settings.

When engines pull their model (`CONTENT_ENGINES_PULL`), the gateway keeps the
engine of its settings whatever the pointer says: a deploy changes the model,
not the engine. It then also reports which model its engine serves, so the
worker knows when a deploy has reached every engine.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import ContentGateway, ContentLive
from handoff.services.background import stop_task
from handoff.services.clock import clock
from handoff.services.content import model_server
from handoff.services.context import AppContext

log = logging.getLogger(__name__)


class LiveEngineFollower:
    """Polls the live engine pointer and switches this gateway's EngineClient."""

    def __init__(self, ctx: AppContext, interval_s: float, engines_pull: bool = False) -> None:
        self.ctx = ctx
        self.interval_s = interval_s
        self.engines_pull = engines_pull
        self.gateway_id = f"gw-{secrets.token_hex(6)}"
        self.generation = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Take the pointer once now, then poll in the background."""
        await self.poll()
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """Stop polling."""
        await stop_task(self._task)
        self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.poll()
            except Exception:  # noqa: BLE001 - a failed poll must not end the loop
                log.exception("content: polling the live engine failed")

    async def poll(self) -> None:
        """One look at the pointer; switch and acknowledge."""
        served = await self._served_model() if self.engines_pull else None
        async with self.ctx.sessions() as session:
            live = await session.get(ContentLive, 1)
            if live is None:
                return
            url = self.ctx.engine.base_url if self.engines_pull else live.engine_url.rstrip("/")
            if live.generation != self.generation or self.ctx.engine.base_url != url:
                if self.ctx.engine.base_url != url:
                    log.info("content: customers now go to %s (%s)", url, live.model_id)
                    # Only a new engine replaces them all: engines that pull the
                    # model keep the gateway's own set (ENGINE_URLS).
                    self.ctx.engine.base_url = url
                self.generation = live.generation
            ack = await session.get(ContentGateway, self.gateway_id)
            if ack is None:
                ack = ContentGateway(id=self.gateway_id, generation=0, engine_url=url)
                session.add(ack)
            ack.generation, ack.engine_url, ack.seen_at = self.generation, url, clock.now()
            ack.engine_model = served
            await session.commit()

    async def _served_model(self) -> str | None:
        """The model id this gateway's engine reports serving (None when it does not answer)."""
        token = self.ctx.settings.engine_token.get_secret_value()
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                response = await client.get(
                    f"{self.ctx.engine.base_url}/status", params={"token": token}
                )
            model_file = response.json().get("model_file") if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None
        return model_server.model_id_of(str(model_file)) if model_file else None


def _pick(parsed: dict[str, Any], questions: dict[str, dict[str, str]]) -> dict[str, Any]:
    """What a model would do with a message: the FAQ (or intent) and its confidence."""
    intent = parsed.get("intent") or {}
    selector = (parsed.get("response_selector") or {}).get("faq") or {}
    ranking = []
    for item in selector.get("ranking") or []:
        key = str(item.get("intent_response_key") or "")
        if key.startswith("faq/"):
            faq_id = key[4:]
            ranking.append(
                {
                    "faq_id": faq_id,
                    "question": questions.get(faq_id, {}),
                    "confidence": round(float(item.get("confidence") or 0.0), 4),
                }
            )
    return {
        "intent": intent.get("name"),
        "intent_confidence": round(float(intent.get("confidence") or 0.0), 4),
        "faq": ranking[0] if intent.get("name") == "faq" and ranking else None,
        "ranking": ranking[:3],
    }


async def try_text(
    ctx: AppContext,
    session: AsyncSession,
    text: str,
    candidate: tuple[str, str] | None,
    questions: dict[str, dict[str, str]],
) -> dict[str, Any]:
    """Ask the live engine and the candidate engine (if one runs) what they pick."""
    live = await session.get(ContentLive, 1)
    token = ctx.settings.engine_token.get_secret_value()
    targets = {"live": (live.model_id if live else None, ctx.engine.base_url)}
    if candidate is not None:
        targets["candidate"] = candidate
    out: dict[str, Any] = {"text": text, "live": None, "candidate": None}
    async with httpx.AsyncClient(timeout=10) as client:

        async def ask(name: str, model_id: str | None, url: str) -> None:
            try:
                response = await client.post(
                    f"{url}/model/parse", params={"token": token}, json={"text": text}
                )
                response.raise_for_status()
                out[name] = {"model": model_id, **_pick(response.json(), questions)}
            except (httpx.HTTPError, ValueError):
                out[name] = {"model": model_id, "error": "this engine is not answering"}

        await asyncio.gather(*(ask(n, m, u) for n, (m, u) in targets.items()))
    return out
