"""The action server's own tables: verification state and complaint tickets.

They live in the core-banking database, next to the customers they point at,
but on their own metadata (:mod:`actions.store.base`): the ledger
(:mod:`corebank.models`) knows nothing of them. Each store creates its tables
when they are missing, as the action server starts using it.
"""
