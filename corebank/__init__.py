"""The stand-in for the bank's ledger: customers, accounts, cards, transactions.

:mod:`corebank.models` (tables), :mod:`corebank.repository` (the only way the
action server reads and changes them), :mod:`corebank.money` (integer cents,
bank-style text) and :mod:`corebank.db` (engines, schema). The demo bank that
fills it is :mod:`corebank.demo`; the action server's own tables
(verification, complaints) are not the ledger's and live in :mod:`actions.store`.
"""
