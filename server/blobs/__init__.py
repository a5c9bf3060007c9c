"""Blobs kept in the database: attachments and issued PDFs when ``TADQIQ_BLOB_STORE=database``."""
