"""Signed audit reports: the report model, its PDF, its signature and its register."""
