"""The report's photos and drawn signatures for ReportLab, by SHA-256: each read once per document, and
JPEGs copied into the PDF as they are."""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, Any

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfutils import readJPEGInfo

if TYPE_CHECKING:
    from collections.abc import Mapping

    from reportlab.pdfgen.canvas import Canvas

__all__ = ["ImageStore"]


class _JpegPassThrough(ImageReader):  # type: ignore[misc]
    """A JPEG put in the PDF as it is (DCTDecode): only its header is read, its pixels are never decoded.

    ReportLab's ``drawImage`` names an image after a digest of ``getRGBData()`` and reads a JPEG's bytes
    through ``jpeg_fh()``; giving the SHA-256 as that identity keeps one image object per distinct photo
    without decoding megapixels just to name them."""

    def __init__(self, data: bytes, sha256: str) -> None:  # no super().__init__(): it decodes with PIL
        self.fileName = f"sha256:{sha256}"
        self._ident = None
        self.fp = BytesIO(data)
        info = readJPEGInfo(self.fp)  # (width, height, components, dpi); raises on what PDF cannot take
        self._width, self._height = int(info[0]), int(info[1])
        self._identity = sha256.encode()
        self._image = self._data = self._dataA = self._transparent = None

    def jpeg_fh(self) -> BytesIO:
        self.fp.seek(0)
        return self.fp

    def getSize(self) -> tuple[int, int]:  # noqa: N802 - ReportLab's name
        return self._width, self._height

    def getRGBData(self) -> bytes:  # noqa: N802 - ReportLab's name
        return self._identity


def _image_reader(data: bytes, sha256: str) -> Any:
    if data[:3] == b"\xff\xd8\xff":
        try:
            return _JpegPassThrough(data, sha256)
        except Exception:  # noqa: S110 - a JPEG flavour PDF cannot embed as is (arithmetic, 12-bit): decode it
            pass
    return ImageReader(BytesIO(data))


class ImageStore:
    """The report's images by SHA-256, each read once per document however often it is drawn."""

    def __init__(self, images: Mapping[str, bytes]) -> None:
        self._images = images
        self._readers: dict[str, Any] = {}

    def reader(self, sha256: str) -> tuple[Any, float, float]:
        """An image reader for ``canvas.drawImage`` and its size in pixels."""
        reader = self._readers.get(sha256)
        if reader is None:
            data = self._images.get(sha256)
            if data is None:
                raise KeyError(f"the report names image {sha256} but its bytes were not given")
            reader = self._readers[sha256] = _image_reader(data, sha256)
        width, height = reader.getSize()
        return reader, float(width), float(height)

    def fitted_height(self, sha256: str, box_w: float, box_h: float) -> float:
        """The height the image takes once fitted in the box."""
        _, width, height = self.reader(sha256)
        return height * min(box_w / width, box_h / height)

    def draw(self, canv: Canvas, sha256: str, x: float, y: float, box_w: float, box_h: float) -> float:
        """Draw the image fitted in the box (aspect kept, centred across, at the top); its drawn height."""
        reader, width, height = self.reader(sha256)
        scale = min(box_w / width, box_h / height)
        drawn_w, drawn_h = width * scale, height * scale
        canv.drawImage(reader, x + (box_w - drawn_w) / 2, y + box_h - drawn_h, drawn_w, drawn_h, mask="auto")
        return drawn_h
