"""The action server in one process: `python -m actions.server --port 5055`.

`python -m rasa_sdk` serves through Sanic's process manager: the main process
(which has already imported every action, the core bank and SQLAlchemy), a
manager process, a resource tracker and the worker that answers, about 200 MB
for one worker's work. Here the same application (rasa-sdk's own
`create_app_for_serve`, the same actions, flags and routes) is served by a
single process, about 90 MB. Started by `bankbot/stack.py`.

Importing this module (rasa-sdk imports every module of `actions`) does nothing.
"""

from __future__ import annotations

import logging
import os
from functools import partial

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app_for_serve, create_argument_parser
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic
from sanic.worker.loader import AppLoader


def main() -> None:
    """Parse rasa-sdk's own flags, register the actions, serve in this process."""
    args = create_argument_parser().parse_args()
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    executor = ActionExecutor()
    executor.register_package(args.actions_module or args.actions)
    loader = AppLoader(
        factory=partial(
            create_app_for_serve, executor, cors_origins=args.cors, endpoints=args.endpoints
        )
    )
    app = loader.load()
    # Only the engine calls it: the stack sets SANIC_HOST=127.0.0.1.
    app.prepare(host=os.environ.get("SANIC_HOST", "0.0.0.0"), port=args.port, single_process=True)
    Sanic.serve_single(primary=app)


if __name__ == "__main__":
    main()
