"""What the review routes answer: the pack itself (``model.ReviewPack``, camelCase), and the languages
of its files."""

from __future__ import annotations

from typing import Literal

from server.review.model import ReviewPack

__all__ = ["FileLang", "ReviewPackOut"]

ReviewPackOut = ReviewPack
"""The JSON of ``GET /api/v1/review/pack``: the model as it is, so the dashboard reads what the files show."""

FileLang = Literal["ar", "fr"]
