"""What the gateway, the engine and the action server agree on, in one small package.

Pure Python with no I/O and no third-party imports, importable from the
engine's Python 3.10 and the app's Python 3.11 alike: repository locations
(:mod:`common.paths`), the protocol between the three processes
(:mod:`common.handoffs`, :mod:`common.payloads`, :mod:`common.codes`), text
helpers both sides of a message need (:mod:`common.text`,
:mod:`common.redaction`), the languages spoken (:mod:`common.languages`) and
the settings rules every service applies (:mod:`common.settings`,
:mod:`common.sqlite`). docs/architecture.md shows where it sits.
"""
