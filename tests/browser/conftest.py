"""Browser tests: Debian's Chromium driven by Playwright against real gateway processes.

Most tests need only the gateway: with the engine down it still answers (an
apology and a "转人工客服" button), which is all the widget's UI needs. The
FAQ tests use the full stack of the integration tests (their fixtures are
imported below, so the model is trained once and cached by content hash).

Chromium is never downloaded: a missing /usr/bin/chromium fails the tests
(`make test` installs Debian's package first with scripts/ensure-chromium).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)

from bankbot.local_stack import LOOPBACK_LOAD_LIMITS
from bankbot.stack import APP_PYTHON
from common.paths import ROOT
from handoff.migrate import upgrade
from pipeline.processes import Service, ServiceFailed, free_port, wait_ready
from tests.browser.accessibility import Axe, load_axe

CHROMIUM = Path(os.environ.get("BANKBOT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DEAD_ENGINE = "http://127.0.0.1:9"  # nothing listens: the gateway apologises and offers a human


# ---- gateway processes --------------------------------------------------------------


@dataclass
class GatewayProcess:
    """One real gateway (uvicorn) on its own port and SQLite database."""

    service: Service
    url: str
    database_url: str
    engine_token: str  # the action server's credential (it posts to the dev SMS outbox)

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        self.service.kill()

    def start(self) -> None:
        """Start (again) on the same port and database and wait until healthy."""
        self.service.start()
        try:
            wait_ready([self.service], timeout_s=60, say=lambda _: None)
        except ServiceFailed:
            self.service.stop()
            raise

    def stop(self) -> None:
        self.service.stop()


def start_gateway(
    workdir: Path,
    *,
    allowed_origins: tuple[str, ...] = (),
    engine_url: str = DEAD_ENGINE,
    extra_env: dict[str, str] | None = None,
) -> GatewayProcess:
    """A fresh gateway process, migrated database, engine down unless `engine_url` is given."""
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{workdir}/gateway.db"
    upgrade(database_url)
    port = free_port()
    engine_token = secrets.token_urlsafe(32)
    env = {
        **LOOPBACK_LOAD_LIMITS,
        "BANKBOT_ENV": "development",
        "DATABASE_URL": database_url,
        "ENGINE_URL": engine_url,
        "ENGINE_TOKEN": engine_token,
        "SESSION_SECRET": secrets.token_urlsafe(32),
        "OTP_DIGEST_KEY": secrets.token_urlsafe(32),
        "ALLOWED_ORIGINS": ",".join(allowed_origins),
        "REDIS_URL": "",  # in-process fan-out, whatever the developer's .env says
        "AGENT_HOURS": "00:00-23:59:59",  # the desk is open whenever the tests run
        **(extra_env or {}),
    }
    service = Service(
        name="gateway",
        argv=[str(APP_PYTHON), "-m", "uvicorn", "--factory", "handoff.main:app",
              "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
        health_url=f"http://127.0.0.1:{port}/health",
        log_path=workdir / "gateway.log",
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    gateway = GatewayProcess(service, f"http://127.0.0.1:{port}", database_url, engine_token)
    gateway.start()
    return gateway


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    """A gateway shared by a module's tests (each test has its own conversation)."""
    process = start_gateway(tmp_path_factory.mktemp("gateway"))
    yield process
    process.stop()


@pytest.fixture
def own_gateway(tmp_path: Path) -> Iterator[GatewayProcess]:
    """A gateway for one test, which may kill and restart it."""
    process = start_gateway(tmp_path / "gateway")
    yield process
    process.stop()


# ---- the browser ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; its absence is a failure, never a skip."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run scripts/ensure-chromium "
            "(apt-get install chromium). Browsers are never downloaded.",
            pytrace=False,
        )
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def axe() -> Axe:
    """The pinned axe-core (installed by scripts/ensure-axe when missing); never a skip."""
    try:
        return Axe(load_axe())
    except (OSError, RuntimeError) as error:
        pytest.fail(f"axe-core is not available: {error}", pytrace=False)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium_path: str) -> Iterator[Browser]:
    instance = playwright.chromium.launch(
        executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
    )
    yield instance
    instance.close()


@dataclass
class PageWatch:
    """What the pages of one browser context reported: CSP violations, errors, dialogs."""

    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m]

    def attach(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            # Code the test evaluates in the page (axe-core's audits, which copy the shadow
            # root's styles) has no script URL: what it trips over is not the page's doing.
            from_the_test = "Content Security Policy" in message.text and not message.location.get(
                "url"
            )
            if message.type in ("error", "warning") and not from_the_test:
                self.console.append(message.text)

        def on_dialog(dialog: object) -> None:
            self.dialogs.append(getattr(dialog, "message", ""))
            dialog.dismiss()  # type: ignore[attr-defined]

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("dialog", on_dialog)


@dataclass
class Browsing:
    """A browser context whose pages are watched; `clean()` asserts nothing went wrong."""

    context: BrowserContext
    watch: PageWatch

    def new_page(self) -> Page:
        page = self.context.new_page()
        return page

    def assert_clean(self) -> None:
        assert self.watch.csp_violations == [], self.watch.csp_violations
        assert self.watch.page_errors == [], self.watch.page_errors
        assert self.watch.dialogs == [], self.watch.dialogs


@pytest.fixture
def browsing(browser: Browser) -> Iterator[Callable[..., Browsing]]:
    """Factory of watched browser contexts (a context = a fresh sessionStorage)."""
    opened: list[BrowserContext] = []

    def make(**options: object) -> Browsing:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("locale", "zh-CN")
        context = browser.new_context(**options)  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        watch = PageWatch()
        context.on("page", watch.attach)
        opened.append(context)
        return Browsing(context, watch)

    yield make
    for context in opened:
        context.close()


Shoot = Callable[[Page, str], Path]


@pytest.fixture
def shoot() -> Shoot:
    """Save a screenshot of a main state into test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return take
