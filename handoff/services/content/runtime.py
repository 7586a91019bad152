"""The content tool's per-process parts in the gateway: seeding, the live-engine follower."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from handoff.services.content import store, sync
from handoff.services.content.live import LiveEngineFollower
from handoff.services.content.settings import ContentSettings, get_content_settings
from handoff.services.context import AppContext

log = logging.getLogger(__name__)


class ContentRuntime:
    """Started with the gateway: FAQ store seeded once, repository compared, engine followed."""

    def __init__(self, ctx: AppContext, settings: ContentSettings | None = None) -> None:
        self.ctx = ctx
        self.settings = settings or get_content_settings()
        self.follower = LiveEngineFollower(
            ctx, self.settings.live_poll_s, engines_pull=self.settings.engines_pull
        )

    async def start(self) -> None:
        """Seed once, log differences with the repository, follow the live engine."""
        async with self.ctx.sessions() as session:
            try:
                seeded = await store.seed_from_repository(session, self.settings.content_dir)
            except IntegrityError:  # another gateway starting at the same moment seeded it
                await session.rollback()
                seeded = 0
            if seeded:
                log.info("content: %d FAQs seeded from %s", seeded, self.settings.content_dir)
            differences = await sync.differences(session, self.settings)
        if differences:
            log.warning(
                "content: %d FAQ(s) differ between %s and the approved content (%s); "
                "see the content page's Repository tab",
                len(differences), self.settings.content_dir,
                ", ".join(f"{d['faq_id']}: {d['status']}" for d in differences[:10]),
            )  # fmt: skip
        await self.follower.start()

    async def stop(self) -> None:
        """Stop following the live engine."""
        await self.follower.stop()
