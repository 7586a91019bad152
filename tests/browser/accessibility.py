"""axe-core in the page: WCAG 2.0/2.1/2.2 A and AA rules, any impact, open shadow roots included.

axe-core comes from the npm registry at the version pinned in
tests/browser/axe/package-lock.json; scripts/ensure-axe installs it when it is
missing, as scripts/ensure-chromium does for the browser. It is evaluated
through the DevTools protocol, so the gateway's strict CSP (script-src 'self')
stays on and the page is audited exactly as people get it.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from common.paths import ROOT

AXE_DIR = ROOT / "tests" / "browser" / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
ENSURE_AXE = ROOT / "scripts" / "ensure-axe"
REPORTS = ROOT / "test-artifacts" / "axe"

# Every success criterion of WCAG 2.0, 2.1 and 2.2 at levels A and AA; best practices
# too, since they are what a screen reader user trips over (lists, landmarks, roles).
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")
RULE_TAGS = (*WCAG_TAGS, "best-practice")

_RUN_JS = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: { type: 'tag', values: tags },
    resultTypes: ['violations'],
  });
  return {
    version: axe.version,
    violations: results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, tags: v.tags,
      nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary, html: n.html })),
    })),
  };
}"""


def _pinned_version() -> str:
    lock = json.loads((AXE_DIR / "package-lock.json").read_text())
    return str(lock["packages"]["node_modules/axe-core"]["version"])


def load_axe() -> str:
    """The source of the pinned axe-core, installed first if missing."""
    pinned = _pinned_version()
    if not AXE_SCRIPT.exists() or f"axe v{pinned}" not in AXE_SCRIPT.read_text()[:200]:
        done = subprocess.run([str(ENSURE_AXE)], capture_output=True, text=True, check=False)
        if done.returncode != 0 or not AXE_SCRIPT.exists():
            raise RuntimeError(f"scripts/ensure-axe failed:\n{done.stdout}\n{done.stderr}")
    return AXE_SCRIPT.read_text()


@dataclass(frozen=True)
class Violation:
    """One axe rule broken, with the elements that break it."""

    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        shown = "; ".join(self.targets[:5]) + (" …" if len(self.targets) > 5 else "")
        return f"{self.rule} ({self.impact}): {self.help} — {shown}"


@dataclass(frozen=True)
class Axe:
    """The pinned axe-core, ready to be evaluated in any page."""

    source: str

    def audit(self, page: Page, state: str) -> list[Violation]:
        """Every violation on the page as it is now; the full report goes to test-artifacts/axe."""
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.source + "\n;undefined")
        result: dict[str, Any] = page.evaluate(_RUN_JS, list(RULE_TAGS))
        REPORTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", state.lower()).strip("-")
        (REPORTS / f"{slug}.json").write_text(
            json.dumps({"state": state, "url": page.url, **result}, ensure_ascii=False, indent=1)
        )
        return [
            Violation(
                rule=v["id"],
                impact=v["impact"] or "unknown",
                help=v["help"],
                targets=tuple(" >> ".join(map(str, n["target"])) for n in v["nodes"]),
            )
            for v in result["violations"]
        ]

    def check(self, page: Page, state: str) -> None:
        """Fail on any violation, whatever its impact."""
        violations = self.audit(page, state)
        assert not violations, f"axe, {state}:\n" + "\n".join(f"  {v}" for v in violations)


def report_path(state: str) -> Path:
    """Where `Axe.audit` wrote the report of `state`."""
    return REPORTS / (re.sub(r"[^a-z0-9]+", "-", state.lower()).strip("-") + ".json")
