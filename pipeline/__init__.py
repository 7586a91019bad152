"""From approved content to a live model: build, train, judge, deploy.

* :mod:`pipeline.inputs` — the one definition of what a model is made from;
* :mod:`pipeline.rasa` — the one `rasa train` runner, and how an engine is started;
* :mod:`pipeline.checkout` — the checkout's own model (`make train`, `make run`, tests);
* :mod:`pipeline.build` — a training build from the approved FAQs;
* :mod:`pipeline.gate` — the evaluation gate a candidate must pass;
* :mod:`pipeline.registry` — the content tables as the worker sees them, model files;
* :mod:`pipeline.deploy` — engines per model, the live pointer, switches without downtime;
* :mod:`pipeline.processes` — starting, watching and stopping child processes;
* :mod:`pipeline.worker` — ``python -m pipeline.worker``, the process that runs the jobs
  the content pages queue.

The gateway (``handoff/``) owns the tables; this package reads and writes
them, the gateway never imports it. docs/architecture.md shows the flow.
"""
