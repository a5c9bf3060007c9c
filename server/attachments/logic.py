"""Checking an uploaded attachment and removing its metadata: pure functions, no I/O.

A client addresses an attachment by the SHA-256 of the bytes it sends. The server checks that hash,
the size, the declared type against the magic bytes, that an image opens safely, and then removes
the location and other metadata (unless asked to keep it) without re-encoding a single pixel.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Final

from PIL import Image

from server.lib.errors import AppError, ErrorCode

__all__ = [
    "SHA256_PATTERN",
    "SUPPORTED_TYPES",
    "PreparedAttachment",
    "check_upload",
    "etag_matches",
    "parse_sha256",
    "prepare_attachment",
    "served_type",
    "sniff_type",
    "strip_metadata",
    "verify_image",
]

SUPPORTED_TYPES: Final = ("image/jpeg", "image/png", "image/webp", "application/pdf")
SHA256_PATTERN: Final = r"^[0-9a-f]{64}$"
"""An attachment's address, as the OpenAPI schema declares it."""

_SHA256 = re.compile(SHA256_PATTERN)
_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
# Restricting Pillow to the one plugin the magic bytes named keeps every other parser away from
# untrusted bytes. A JPEG with an MPF index opens as "MPO".
_PILLOW_FORMATS: Final[dict[str, tuple[str, ...]]] = {
    "image/jpeg": ("JPEG",),
    "image/png": ("PNG",),
    "image/webp": ("WEBP",),
}
# Readers look for the end-of-file marker within the last 1024 bytes (trailing junk is common).
_PDF_TAIL: Final = 1024


@dataclass(frozen=True)
class PreparedAttachment:
    sha256: str
    """The client's hash of what it sent: the attachment's address."""
    media_type: str
    content: bytes
    """The bytes to store: the upload, minus its metadata unless it was kept."""
    stored_sha256: str
    size: int
    width: int
    height: int
    """Pixels of an image; 0 x 0 for a PDF."""


def _bad_image() -> AppError:
    return AppError(ErrorCode.ATTACHMENT_BAD_IMAGE)


def _unsupported(media_type: str) -> AppError:
    return AppError(ErrorCode.ATTACHMENT_UNSUPPORTED_TYPE, details={"declared": media_type})


# ------------------------------------------------------------------ the upload itself


def parse_sha256(value: str) -> str:
    """Return ``value`` if it is exactly 64 lowercase hexadecimal characters, else raise."""
    if _SHA256.fullmatch(value) is None:
        raise AppError(ErrorCode.ATTACHMENT_BAD_HASH)
    return value


def sniff_type(data: bytes) -> str | None:
    """The media type the magic bytes announce, or None when they match no supported type."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(_PNG_SIGNATURE):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def served_type(content: bytes) -> str:
    """The media type a stored attachment is served with: what its magic bytes announce.

    Every stored blob passed ``check_upload``, which requires the magic bytes to match the declared
    type, and metadata removal keeps the first bytes; so the type needs no record of its own.
    """
    return sniff_type(content) or "application/octet-stream"


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """True when an ``If-None-Match`` header is ``*`` or names ``etag`` (weak comparison, RFC 9110)."""
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def check_upload(sha256: str, declared_type: str, data: bytes, *, max_bytes: int) -> str:
    """Check an upload's address, size, declared type, hash and magic bytes; return its media type.

    The checks run cheapest first, so an oversized body is refused before it is hashed.
    """
    expected = parse_sha256(sha256)
    if len(data) > max_bytes:
        raise AppError(ErrorCode.ATTACHMENT_TOO_LARGE, params={"limit": max_bytes})
    declared = declared_type.split(";", 1)[0].strip().lower()
    if declared not in SUPPORTED_TYPES:
        raise _unsupported(declared)
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise AppError(ErrorCode.ATTACHMENT_HASH_MISMATCH, details={"expected": expected, "actual": actual})
    detected = sniff_type(data)
    if detected != declared:
        raise AppError(
            ErrorCode.ATTACHMENT_TYPE_MISMATCH,
            params={"declared": declared},
            details={"declared": declared, "detected": detected},
        )
    return declared


# ------------------------------------------------------------------ metadata removal

# APP1 carries Exif (with the GPS IFD) and XMP, APP13 IPTC/Photoshop, COM free text.
_JPEG_DROPPED_MARKERS: Final = frozenset({0xE1, 0xED, 0xFE})
# Markers without a length field: TEM and the restart markers.
_JPEG_STANDALONE_MARKERS: Final = frozenset({0x01, *range(0xD0, 0xD8)})
_SOS: Final = 0xDA
_EOI: Final = 0xD9


def _jpeg_scan_end(data: bytes, pos: int) -> int:
    """Index of the first marker after the entropy-coded data starting at ``pos``."""
    while True:
        ff = data.find(b"\xff", pos)
        if ff < 0 or ff + 1 >= len(data):
            raise _bad_image()  # the scan runs off the end: no EOI, Pillow refuses it too
        following = data[ff + 1]
        # FF 00 is a stuffed data byte, FF D0-D7 a restart marker, FF FF a fill byte: all in-scan.
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos = ff + 1 if following == 0xFF else ff + 2
            continue
        return ff


def _strip_jpeg(data: bytes) -> bytes:
    """Drop APP1, APP13 and COM segments, wherever they appear between segments of the image.

    Scan data is copied byte for byte. Everything after the primary image's EOI is dropped, with
    the APP2 "MPF" index that points there: MPO secondary images carry their own Exif (GPS
    included) and "motion photos" append a video there.
    """
    if not data.startswith(b"\xff\xd8"):
        raise _bad_image()
    out = [b"\xff\xd8"]
    pos, end = 2, len(data)
    while True:
        if pos >= end or data[pos] != 0xFF:
            raise _bad_image()
        while pos < end and data[pos] == 0xFF:  # a marker may be preceded by fill bytes
            pos += 1
        if pos >= end:
            raise _bad_image()
        marker = data[pos]
        pos += 1
        if marker == _EOI:
            out.append(b"\xff\xd9")
            return b"".join(out)
        if marker in _JPEG_STANDALONE_MARKERS:
            out.append(bytes((0xFF, marker)))
            continue
        if marker in (0x00, 0xD8) or pos + 2 > end:
            raise _bad_image()
        length = int.from_bytes(data[pos : pos + 2], "big")
        segment_end = pos + length
        if length < 2 or segment_end > end:
            raise _bad_image()
        is_mpf_index = marker == 0xE2 and data[pos + 2 : pos + 6] == b"MPF\x00"
        if marker not in _JPEG_DROPPED_MARKERS and not is_mpf_index:
            out.append(bytes((0xFF, marker)) + data[pos:segment_end])
        pos = segment_end
        if marker == _SOS:
            scan_end = _jpeg_scan_end(data, pos)
            out.append(data[pos:scan_end])
            pos = scan_end


_PNG_DROPPED_CHUNKS: Final = frozenset({b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"})


def _strip_png(data: bytes) -> bytes:
    """Drop the Exif, text and time chunks, and anything after IEND."""
    if not data.startswith(_PNG_SIGNATURE):
        raise _bad_image()
    out = [_PNG_SIGNATURE]
    pos = len(_PNG_SIGNATURE)
    while True:
        if pos + 12 > len(data):
            raise _bad_image()
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk_type = data[pos + 4 : pos + 8]
        chunk_end = pos + 12 + length  # length, type, data, CRC
        if length > 0x7FFFFFFF or chunk_end > len(data):
            raise _bad_image()
        if chunk_type not in _PNG_DROPPED_CHUNKS:
            out.append(data[pos:chunk_end])
        pos = chunk_end
        if chunk_type == b"IEND":
            return b"".join(out)


_WEBP_DROPPED_CHUNKS: Final = frozenset({b"EXIF", b"XMP "})
_VP8X_EXIF_AND_XMP_FLAGS: Final = 0x08 | 0x04


def _strip_webp(data: bytes) -> bytes:
    """Drop the EXIF and XMP chunks of an extended WebP and clear their flags in the VP8X header.

    The simple format (a lone VP8 or VP8L chunk) has no room for metadata and is kept as it is.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise _bad_image()
    riff_end = 8 + int.from_bytes(data[4:8], "little")
    if riff_end > len(data):
        raise _bad_image()
    chunks: list[tuple[bytes, bytes]] = []
    pos = 12
    while pos < riff_end:
        if pos + 8 > riff_end:
            raise _bad_image()
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        chunk_end = pos + 8 + size + (size & 1)  # chunks are padded to an even length
        if chunk_end > riff_end:
            raise _bad_image()
        chunks.append((data[pos : pos + 4], data[pos:chunk_end]))
        pos = chunk_end
    if not chunks:
        raise _bad_image()
    if chunks[0][0] != b"VP8X":
        return data[:riff_end]
    header = bytearray(chunks[0][1])
    if len(header) < 18:
        raise _bad_image()
    header[8] &= ~_VP8X_EXIF_AND_XMP_FLAGS & 0xFF
    body = b"".join(
        [bytes(header)] + [chunk for fourcc, chunk in chunks[1:] if fourcc not in _WEBP_DROPPED_CHUNKS]
    )
    return b"RIFF" + (4 + len(body)).to_bytes(4, "little") + b"WEBP" + body


_STRIPPERS: Final[dict[str, Callable[[bytes], bytes]]] = {
    "image/jpeg": _strip_jpeg,
    "image/png": _strip_png,
    "image/webp": _strip_webp,
    "application/pdf": lambda data: data,
}


def strip_metadata(data: bytes, media_type: str) -> bytes:
    """Remove Exif (GPS included), XMP, IPTC, comments and text chunks without re-encoding pixels.

    Only container segments are dropped; the compressed image data is copied byte for byte, so the
    decoded pixels are identical. A PDF is returned unchanged. Malformed structure raises
    ``ATTACHMENT_BAD_IMAGE``.
    """
    strip = _STRIPPERS.get(media_type)
    if strip is None:
        raise _unsupported(media_type)
    return strip(data)


# ------------------------------------------------------------------ safe opening


def _check_pdf(data: bytes) -> None:
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-_PDF_TAIL:]:
        raise AppError(ErrorCode.ATTACHMENT_BAD_PDF)


def _decode_image(data: bytes, formats: tuple[str, ...], max_pixels: int) -> tuple[int, int]:
    with Image.open(BytesIO(data), formats=formats) as img:
        width, height = img.size
        # Image.open has only read the header: refuse before a single pixel is decompressed.
        if width < 1 or height < 1 or width * height > max_pixels:
            raise _bad_image()
        img.verify()
    # verify() leaves the image unusable and does not decode (a truncated JPEG passes it), so
    # decode once, now that the pixel count is known to be bounded.
    with Image.open(BytesIO(data), formats=formats) as img:
        if img.format in ("JPEG", "MPO"):
            # libjpeg still reads every scan, but at 1/8 scale: 1/64 of the memory.
            img.draft(None, (max(1, width // 8), max(1, height // 8)))
        img.load()
    return width, height


def verify_image(data: bytes, media_type: str, *, max_pixels: int) -> tuple[int, int]:
    """Open an image safely and return its (width, height); (0, 0) for a PDF.

    The pixel count is checked from the header before anything is decoded. Any failure to parse or
    decode, or too many pixels, raises ``ATTACHMENT_BAD_IMAGE``.
    """
    if media_type == "application/pdf":
        _check_pdf(data)
        return 0, 0
    formats = _PILLOW_FORMATS.get(media_type)
    if formats is None:
        raise _unsupported(media_type)
    try:
        # Pillow only warns between its limit and twice its limit; a warning must refuse too.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _decode_image(data, formats, max_pixels)
    except AppError:
        raise
    except Exception as exc:
        # Untrusted bytes reach a C parser: every failure (OSError, SyntaxError, ValueError,
        # struct.error, DecompressionBombError, MemoryError, ...) means the same to the client.
        raise _bad_image() from exc


def prepare_attachment(
    sha256: str,
    declared_type: str,
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    keep_gps: bool,
) -> PreparedAttachment:
    """Check an upload and return what to store: metadata removed unless ``keep_gps``."""
    media_type = check_upload(sha256, declared_type, data, max_bytes=max_bytes)
    width, height = verify_image(data, media_type, max_pixels=max_pixels)
    content = data if keep_gps or media_type == "application/pdf" else strip_metadata(data, media_type)
    if content != data:
        # The cleaned file is what people will open: it must still be a sound image.
        width, height = verify_image(content, media_type, max_pixels=max_pixels)
    return PreparedAttachment(
        sha256=sha256,
        media_type=media_type,
        content=content,
        stored_sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        width=width,
        height=height,
    )
