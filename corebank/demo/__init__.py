"""The demo bank: thousands of synthetic customers and the two named ones, seeded once.

``python -m bankbot seed`` (and the first ``make run``) calls :func:`corebank.demo.seed.seed`;
the rows come from :class:`corebank.demo.generator.Generator`, one module per
kind of row (customers, accounts, cards, profiles, events, statements) over the
word lists of :mod:`corebank.demo.words`. Nothing here is used by the running
services: they read the ledger through :mod:`corebank.repository`.
"""
