"""``python -m faqs render|check``: see :mod:`faqs.cli`."""

from faqs.cli import main

raise SystemExit(main())
