"""`python -m bankbot <command>`: see bankbot.cli."""

from bankbot.cli import main

raise SystemExit(main())
