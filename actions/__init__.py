"""The action server's package: rasa-sdk loads every module in it.

With `LOG_FORMAT=json` its log lines are JSON objects (common/logjson.py),
set here because rasa-sdk configures its own logging before loading us.
"""

import os

from common import logjson

if logjson.wanted(os.environ.get("LOG_FORMAT")):
    logjson.install()
