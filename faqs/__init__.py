"""The FAQ content model: what a FAQ is, the rules it follows, the Rasa files made from it.

Used by the gateway's content tool, the training pipeline, the engine's
evaluation tools and the tests; pure Python plus PyYAML, importable from the
engine's Python 3.10 and the app's 3.11. ``python -m faqs check|render`` is
the developers' command line (:mod:`faqs.cli`).

* :mod:`faqs.model` — ``Faq``, the policy sheet, ``Problem``;
* :mod:`faqs.files` — reading and writing the content files;
* :mod:`faqs.rules` — the wording rules answers follow;
* :mod:`faqs.phrases` — how phrasings are compared;
* :mod:`faqs.render` — the generated Rasa files;
* :mod:`faqs.checks` — every problem in a content folder;
* :mod:`faqs.content` — a FAQ as the content tool stores it (a dict);
* :mod:`faqs.review` — the checks as the content tool and the worker run them.
"""
