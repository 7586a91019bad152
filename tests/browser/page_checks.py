"""What axe cannot see, measured in the page: contrast of every text (disabled ones too),
content cut off when zoomed, a visible focus ring, animations under reduced motion.

Every check walks the document and every open shadow root (the widget's), so the same
functions serve the widget, the console, the content pages and the SMS outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Page

if TYPE_CHECKING:
    from tests.browser.conftest import Browsing

_SOURCE = (Path(__file__).parent / "page_checks.js").read_text(encoding="utf-8")


def _run(page: Page, check: str, arg: Any = None) -> Any:
    return page.evaluate(f"(arg) => ({_SOURCE}).{check}(arg)", arg)


def contrast_failures(page: Page, minimum: float = 4.5) -> list[str]:
    """Every shown text (and placeholder, field value, chosen option) below `minimum`:1."""
    result: list[str] = _run(page, "contrast", minimum)
    return result


def assert_contrast(page: Page, state: str) -> None:
    failures = contrast_failures(page)
    assert not failures, f"text contrast below 4.5:1, {state}:\n  " + "\n  ".join(failures)


def cut_off(page: Page) -> list[str]:
    """Content that cannot be seen at this size: clipped, sticking out, or out of reach."""
    result: list[str] = _run(page, "cutOff")
    return result


def assert_nothing_cut_off(page: Page, state: str) -> None:
    problems = cut_off(page)
    assert not problems, f"cut off, {state}:\n  " + "\n  ".join(problems)


def focus_ring(page: Page) -> dict[str, Any] | None:
    """The focused element (inside shadow roots too) and how its focus is drawn."""
    result: dict[str, Any] | None = _run(page, "focusRing")
    return result


def assert_focus_visible(page: Page, where: str = "") -> dict[str, Any]:
    """Something has the keyboard focus and shows it: a solid ring of 2 px or more, 3:1."""
    ring = focus_ring(page)
    assert ring is not None, f"nothing has the focus {where}"
    assert ring["focusVisible"], ring
    assert ring["outline"] != "none" and ring["width"] >= 2, ring
    assert ring["contrast"] >= 3, ring
    return ring


def running_animations(page: Page) -> int:
    """Animations running now in the page and its shadow roots."""
    result: int = _run(page, "animations")
    return result


def zoomed(browsing: Callable[..., Browsing], zoom: int, **options: Any) -> Browsing:
    """A browser context as a 1280x800 window zoomed to `zoom` times: fewer CSS pixels."""
    return browsing(
        viewport={"width": 1280 // zoom, "height": 800 // zoom},
        device_scale_factor=zoom,
        **options,
    )
