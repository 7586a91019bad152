"""The content team's tool in the gateway.

FAQs with versions and four-eyes approval, spreadsheets, the repository
comparison, training and deployment requests, the live-engine follower and
the audit log. Pure modules: `settings`, `faqdata`, `spreadsheet`, `schemas`.
Database modules (async): `store`, `changes`, `sync`, `jobs`, `uploads`,
`audit`, `live`, `runtime`. The FAQ content model and its checks are the
`faqs` package; the training worker (`pipeline.worker`) reads the approved
content and the job rows these modules write, and does the training.
"""
