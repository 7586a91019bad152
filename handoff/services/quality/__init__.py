"""Service-quality figures for supervisors and the content team's learning loop."""
