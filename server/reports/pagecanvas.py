"""A ReportLab canvas that knows the page count when it draws each page's header and footer ("page X
of Y"): it keeps every page until the document is saved, then draws the furniture on each. Shared by
the signed reports and the programme's PDF."""

from __future__ import annotations

from typing import Any, Protocol

from reportlab.pdfgen.canvas import Canvas

__all__ = ["Furniture", "PageCountingCanvas"]


class Furniture(Protocol):
    def draw(self, canv: Canvas, page: int, pages: int) -> None:
        """Draw the header, footer and anything else on page ``page`` of ``pages``."""


class PageCountingCanvas(Canvas):  # type: ignore[misc]
    """Keeps every page until the document is saved, then draws ``furniture`` with the page count;
    ``pages`` holds the count once saved."""

    def __init__(self, *args: Any, furniture: Furniture, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._kept: list[dict[str, Any]] = []
        self.pages = 0

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._kept.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = len(self._kept)
        for state in self._kept:
            self.__dict__.update(state)
            self._furniture.draw(self, self._pageNumber, pages)
            super().showPage()
        self.pages = pages
        super().save()
