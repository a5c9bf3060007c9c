"""Nonconformities and corrective actions: their follow-up after an audit report."""
