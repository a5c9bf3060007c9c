"""Attachments: photos and PDFs addressed by their SHA-256, checked, cleaned of metadata, stored."""
