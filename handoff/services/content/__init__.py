"""The content team's tool.

FAQs with versions and four-eyes approval, checks, spreadsheets, training
jobs, the evaluation gate, deployments and the audit log.

Pure modules (no database): `settings`, `faqdata`, `checks`, `spreadsheet`, `build`,
`gate`. Database modules (async, the gateway): `store`, `changes`, `sync`, `jobs`,
`uploads`, `audit`, `live`, `runtime`. The worker (`bankbot.worker`) uses the pure
modules and the same tables through synchronous sessions.
"""
