"""The demo core-banking database: models, seed, and the repository actions read it through."""
