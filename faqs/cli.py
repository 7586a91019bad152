"""``python -m faqs render|check``: the developers' FAQ tool.

``render`` writes the generated Rasa files from ``content/faqs``; ``check``
prints every problem in the content and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from common.languages import LANGUAGES
from common.paths import CONTENT_DIR, ROOT
from common.plural import count_of
from faqs.checks import check
from faqs.files import load_faqs
from faqs.model import ContentError
from faqs.render import render
from faqs.rules import DEFAULT_MIN_EXAMPLES, DEFAULT_MIN_TESTS


def main(argv: Sequence[str] | None = None) -> int:
    """``render`` writes the generated files; ``check`` prints problems (exit 1 if any)."""
    parser = argparse.ArgumentParser(
        prog="python -m faqs", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("command", choices=("render", "check"))
    parser.add_argument("--root", default=str(ROOT), help="repository root")
    parser.add_argument("--min-examples", type=int, default=DEFAULT_MIN_EXAMPLES)
    parser.add_argument("--min-tests", type=int, default=DEFAULT_MIN_TESTS)
    args = parser.parse_args(argv)
    root = Path(args.root)
    if args.command == "render":
        try:
            written = render(root)
        except ContentError as exc:
            print(f"cannot render: {exc}", file=sys.stderr)
            return 1
        for path in written:
            print(f"wrote {path.relative_to(root)}")
        return 0
    problems = check(root, min_examples=args.min_examples, min_tests=args.min_tests)
    for problem in problems:
        print(f"- {problem}")
    faqs = load_faqs(root / CONTENT_DIR) if not any(p.kind == "bad_file" for p in problems) else []
    if faqs:
        counts = {
            lang: (sum(len(f.examples[lang]) for f in faqs), sum(len(f.test[lang]) for f in faqs))
            for lang in LANGUAGES
        }
        summary = ", ".join(
            f"{lang}: {ex} examples / {te} test phrasings" for lang, (ex, te) in counts.items()
        )
        print(f"{len(faqs)} FAQs ({summary})")
    print(count_of(len(problems), "problem") if problems else "content OK: no problems")
    return 1 if problems else 0

