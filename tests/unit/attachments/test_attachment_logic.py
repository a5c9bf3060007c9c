from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable
from functools import partial
from io import BytesIO
from typing import Any

import pytest
from PIL import Image, ImageFile
from PIL.PngImagePlugin import PngInfo

from server.attachments.logic import (
    check_upload,
    etag_matches,
    parse_sha256,
    prepare_attachment,
    served_type,
    sniff_type,
    strip_metadata,
    verify_image,
)
from server.lib.errors import AppError, ErrorCode

GPS_IFD = 0x8825
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
MAX_PIXELS = 10_000_000


# ------------------------------------------------------------------ building test files


def photo(mode: str = "RGB", size: tuple[int, int] = (64, 48)) -> Image.Image:
    """A deterministic picture with detail, so a re-encoding would change its pixels."""
    width, height = size
    img = Image.new("RGB", size)
    img.putdata([(x * 4 % 256, y * 5 % 256, (x * y) % 256) for y in range(height) for x in range(width)])
    return img.convert(mode)


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[GPS_IFD] = {1: "N", 2: (32.0, 20.0, 12.5), 3: "W", 4: (6.0, 21.0, 0.0)}
    return exif


def encode(img: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


def jpeg_with_metadata(**options: Any) -> bytes:
    return encode(
        photo(),
        "JPEG",
        exif=gps_exif(),
        comment=b"taken behind the depot",
        xmp=b"<x:xmpmeta>GPS</x:xmpmeta>",
        icc_profile=b"an icc profile",
        **options,
    )


def png_with_metadata() -> bytes:
    info = PngInfo()
    info.add_text("Location", "32.3N 6.3W")
    info.add_text("Comment", "compressed", zip=True)
    info.add_itxt("Auteur", "مدقق")
    return encode(photo(), "PNG", pnginfo=info, exif=gps_exif())


def webp_with_metadata() -> bytes:
    return encode(photo(), "WEBP", lossless=True, exif=gps_exif(), xmp=b"<x:xmpmeta>GPS</x:xmpmeta>")


def opened(data: bytes) -> Image.Image:
    return Image.open(BytesIO(data))


def pixels(data: bytes) -> bytes:
    with opened(data) as img:
        return img.tobytes()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def bomb_png(width: int, height: int) -> bytes:
    """A valid all-black 1-bit PNG, streamed through zlib so the test never holds its pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the packed bits
    compressor = zlib.compressobj(9)
    idat = [compressor.compress(row * 1000) for _ in range(height // 1000)]
    idat.append(compressor.compress(row * (height % 1000)) + compressor.flush())
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", b"".join(idat))
        + png_chunk(b"IEND", b"")
    )


def raises(code: ErrorCode, status: int, call: Callable[[], object]) -> AppError:
    with pytest.raises(AppError) as caught:
        call()
    assert (caught.value.code, caught.value.status) == (code, status)
    return caught.value


# ------------------------------------------------------------------ sniffing and the upload checks


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (encode(photo(), "JPEG"), "image/jpeg"),
        (encode(photo(), "PNG"), "image/png"),
        (encode(photo(), "WEBP"), "image/webp"),
        (PDF, "application/pdf"),
        (encode(photo(), "GIF"), None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"\xff\xd8", None),
        (b"", None),
    ],
)
def test_type_is_sniffed_from_magic_bytes(data: bytes, expected: str | None) -> None:
    assert sniff_type(data) == expected


def test_sha256_address_must_be_64_lowercase_hex() -> None:
    good = "a" * 64
    assert parse_sha256(good) == good
    for bad in ("A" * 64, "a" * 63, "a" * 65, "g" * 64, " " + "a" * 63, "a" * 64 + "\n", ""):
        raises(ErrorCode.ATTACHMENT_BAD_HASH, 400, partial(parse_sha256, bad))


def test_upload_returns_the_declared_type_without_its_parameters() -> None:
    data = encode(photo(), "PNG")
    assert check_upload(sha(data), "Image/PNG; charset=binary", data, max_bytes=len(data)) == "image/png"


def test_upload_over_the_size_limit_is_refused_first() -> None:
    data = b"x" * 11
    error = raises(
        ErrorCode.ATTACHMENT_TOO_LARGE, 413, lambda: check_upload("0" * 64, "text/plain", data, max_bytes=10)
    )
    assert error.params == {"limit": 10}


def test_upload_of_an_unsupported_type_is_refused() -> None:
    data = encode(photo(), "GIF")
    error = raises(
        ErrorCode.ATTACHMENT_UNSUPPORTED_TYPE,
        415,
        lambda: check_upload(sha(data), "image/gif", data, max_bytes=10**6),
    )
    assert error.details == {"declared": "image/gif"}


def test_upload_whose_bytes_do_not_match_the_address_is_refused() -> None:
    data = encode(photo(), "PNG")
    error = raises(
        ErrorCode.ATTACHMENT_HASH_MISMATCH,
        422,
        lambda: check_upload("0" * 64, "image/png", data, max_bytes=10**6),
    )
    assert error.details == {"expected": "0" * 64, "actual": sha(data)}


def test_upload_whose_content_is_not_its_declared_type_is_refused() -> None:
    data = encode(photo(), "PNG")
    error = raises(
        ErrorCode.ATTACHMENT_TYPE_MISMATCH,
        415,
        lambda: check_upload(sha(data), "image/jpeg", data, max_bytes=10**6),
    )
    assert error.params == {"declared": "image/jpeg"}
    assert error.details == {"declared": "image/jpeg", "detected": "image/png"}


def test_upload_with_a_malformed_address_is_refused_before_anything_else() -> None:
    raises(
        ErrorCode.ATTACHMENT_BAD_HASH, 400, lambda: check_upload("XYZ", "text/plain", b"x" * 99, max_bytes=1)
    )


# ------------------------------------------------------------------ metadata removal


def assert_no_metadata(data: bytes) -> None:
    with opened(data) as img:
        exif = img.getexif()
        assert dict(exif) == {}
        assert exif.get_ifd(GPS_IFD) == {}
        assert not {"exif", "xmp", "comment"} & img.info.keys()
    assert b"Exif\x00\x00" not in data


@pytest.mark.parametrize("progressive", [False, True])
def test_gps_is_removed_from_jpeg_without_reencoding(progressive: bool) -> None:
    original = jpeg_with_metadata(progressive=progressive)
    with opened(original) as img:
        assert img.getexif().get_ifd(GPS_IFD)  # the fixture really carries a location

    stripped = strip_metadata(original, "image/jpeg")

    assert_no_metadata(stripped)
    assert pixels(stripped) == pixels(original)
    # The compressed image data, from the first scan on, is the very same bytes.
    assert stripped.endswith(original[original.index(b"\xff\xda") :])
    with opened(stripped) as img:
        assert img.info["icc_profile"] == b"an icc profile"


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def test_jpeg_loses_exactly_its_exif_xmp_iptc_and_comment_segments() -> None:
    clean = encode(photo(), "JPEG", progressive=True)
    app0_end = 4 + int.from_bytes(clean[4:6], "big")
    last_scan = clean.rindex(b"\xff\xda")
    metadata = (
        jpeg_segment(0xE1, b"Exif\x00\x00" + gps_exif().tobytes())
        + jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>")
        + jpeg_segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x00")
        + jpeg_segment(0xFE, b"a comment")
    )
    # Metadata after APP0, and a comment between two scans of the progressive image.
    dirty = (
        clean[:app0_end]
        + metadata
        + clean[app0_end:last_scan]
        + jpeg_segment(0xFE, b"between scans")
        + clean[last_scan:]
    )

    assert strip_metadata(dirty, "image/jpeg") == clean


def test_png_loses_exactly_its_time_chunk() -> None:
    clean = encode(photo(), "PNG")
    ihdr_end = 8 + 25
    dirty = (
        clean[:ihdr_end]
        + png_chunk(b"tIME", struct.pack(">HBBBBB", 2024, 5, 17, 9, 30, 0))
        + clean[ihdr_end:]
    )
    assert strip_metadata(dirty, "image/png") == clean


def test_bytes_after_the_end_of_an_image_are_dropped() -> None:
    for media_type, fmt in (("image/jpeg", "JPEG"), ("image/png", "PNG"), ("image/webp", "WEBP")):
        clean = encode(photo(), fmt)
        assert strip_metadata(clean + b"GPS 32.3N 6.3W", media_type) == clean


def test_mpo_secondary_images_and_their_exif_are_dropped() -> None:
    original = encode(photo(), "MPO", save_all=True, append_images=[photo().rotate(90)], exif=gps_exif())
    with opened(original) as img:
        assert (img.format, getattr(img, "n_frames", 1)) == ("MPO", 2)
        first_frame = img.tobytes()

    stripped = strip_metadata(original, "image/jpeg")

    assert_no_metadata(stripped)
    with opened(stripped) as img:
        assert (img.format, img.tobytes()) == ("JPEG", first_frame)


def test_text_exif_and_time_chunks_are_removed_from_png() -> None:
    original = png_with_metadata()
    stripped = strip_metadata(original, "image/png")

    assert_no_metadata(stripped)
    with opened(stripped) as img:
        assert img.text == {}  # type: ignore[attr-defined]
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
        assert chunk in original
        assert chunk not in stripped
    assert pixels(stripped) == pixels(original)


def test_exif_and_xmp_are_removed_from_webp_and_its_header_fixed() -> None:
    original = webp_with_metadata()
    assert original[20] & 0x0C == 0x0C  # VP8X announces EXIF and XMP

    stripped = strip_metadata(original, "image/webp")

    assert_no_metadata(stripped)
    assert b"XMP " not in stripped
    assert stripped[12:16] == b"VP8X"
    assert stripped[20] & 0x0C == 0
    assert int.from_bytes(stripped[4:8], "little") == len(stripped) - 8
    assert pixels(stripped) == pixels(original)


@pytest.mark.parametrize(
    ("media_type", "data"),
    [
        ("image/jpeg", encode(photo(), "JPEG")),
        ("image/png", encode(photo(), "PNG")),
        ("image/webp", encode(photo(), "WEBP", quality=80)),  # simple format
        ("image/webp", encode(photo("RGBA"), "WEBP", lossless=True)),  # extended format, alpha
        ("application/pdf", PDF),
    ],
)
def test_stripping_a_file_without_metadata_returns_the_same_bytes(media_type: str, data: bytes) -> None:
    assert strip_metadata(data, media_type) == data


@pytest.mark.parametrize(
    ("media_type", "data"),
    [
        ("image/jpeg", b"\xff\xd8\xff\xe1\xff\xff" + b"\x00" * 10),  # segment longer than the file
        ("image/jpeg", encode(photo(), "JPEG")[:-2]),  # no end of image
        ("image/jpeg", b"\xff\xd8garbage"),
        ("image/png", encode(photo(), "PNG")[:-12]),  # no IEND
        ("image/png", b"\x89PNG\r\n\x1a\n\x7f\xff\xff\xffIDAT"),
        ("image/webp", b"RIFF\xff\x00\x00\x00WEBPVP8 "),  # RIFF longer than the file
        ("image/webp", b"RIFF\x0c\x00\x00\x00WEBPVP8 \xff\x00\x00\x00"),  # chunk longer than RIFF
    ],
)
def test_malformed_structure_cannot_be_stripped(media_type: str, data: bytes) -> None:
    raises(ErrorCode.ATTACHMENT_BAD_IMAGE, 422, lambda: strip_metadata(data, media_type))


# ------------------------------------------------------------------ opening safely


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Records the size of every image Pillow decodes (JPEG and PNG go through ImageFile.load)."""
    seen: list[tuple[int, int]] = []
    real_load = ImageFile.ImageFile.load

    def spy(self: ImageFile.ImageFile) -> Any:
        seen.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return seen


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_sound_image_opens_and_gives_its_size(fmt: str) -> None:
    media_type = f"image/{fmt.lower()}"
    assert verify_image(encode(photo(), fmt), media_type, max_pixels=MAX_PIXELS) == (64, 48)


def test_decompression_bomb_is_refused_without_decoding(decodes: list[tuple[int, int]]) -> None:
    bomb = bomb_png(20_000, 20_000)  # 400 megapixels, a few kilobytes on the wire
    assert len(bomb) < 200_000
    raises(
        ErrorCode.ATTACHMENT_BAD_IMAGE, 422, lambda: verify_image(bomb, "image/png", max_pixels=MAX_PIXELS)
    )
    assert decodes == []


def test_image_over_the_pixel_limit_is_refused_before_decoding(decodes: list[tuple[int, int]]) -> None:
    # Well under Pillow's own limit: only our check stands between this and 16 MB of pixels.
    data = bomb_png(4_000, 4_000)
    raises(ErrorCode.ATTACHMENT_BAD_IMAGE, 422, lambda: verify_image(data, "image/png", max_pixels=1_000_000))
    assert decodes == []
    assert verify_image(data, "image/png", max_pixels=16_000_000) == (4_000, 4_000)
    assert decodes == [(4_000, 4_000)]


def test_header_claiming_ten_billion_pixels_is_refused() -> None:
    small = encode(photo("1", (8, 8)), "PNG")
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 1, 0, 0, 0, 0)
    patched = small[:8] + png_chunk(b"IHDR", ihdr) + small[8 + 25 :]
    raises(ErrorCode.ATTACHMENT_BAD_IMAGE, 422, lambda: verify_image(patched, "image/png", max_pixels=10**12))


@pytest.mark.parametrize(
    ("media_type", "data"),
    [
        ("image/jpeg", encode(photo(), "JPEG")[:-300]),
        ("image/png", encode(photo(), "PNG")[:-40]),
        ("image/webp", encode(photo(), "WEBP")[:-40]),
        ("image/jpeg", b"\xff\xd8\xff" + bytes(range(256)) * 4),
        ("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        ("image/webp", b"RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00abcd"),
        ("image/png", encode(photo(), "JPEG")),  # not the declared format
    ],
)
def test_truncated_or_garbage_image_is_refused(media_type: str, data: bytes) -> None:
    raises(ErrorCode.ATTACHMENT_BAD_IMAGE, 422, lambda: verify_image(data, media_type, max_pixels=MAX_PIXELS))


def test_pdf_needs_its_header_and_end_marker() -> None:
    assert verify_image(PDF, "application/pdf", max_pixels=1) == (0, 0)
    assert verify_image(PDF + b"\n" * 100, "application/pdf", max_pixels=1) == (0, 0)
    for bad in (PDF[: PDF.index(b"%%EOF")], b"%PDF-1.7\n" + b" " * 2000 + b"%%EOF\n" + b" " * 2000):
        raises(
            ErrorCode.ATTACHMENT_BAD_PDF,
            422,
            partial(verify_image, bad, "application/pdf", max_pixels=1),
        )


# ------------------------------------------------------------------ the whole preparation


@pytest.mark.parametrize(
    ("media_type", "data"),
    [
        ("image/jpeg", jpeg_with_metadata()),
        ("image/png", png_with_metadata()),
        ("image/webp", webp_with_metadata()),
    ],
)
def test_prepared_photo_is_stored_without_its_location(media_type: str, data: bytes) -> None:
    prepared = prepare_attachment(
        sha(data), media_type, data, max_bytes=10**6, max_pixels=MAX_PIXELS, keep_gps=False
    )

    assert_no_metadata(prepared.content)
    assert pixels(prepared.content) == pixels(data)
    assert prepared.sha256 == sha(data)
    assert prepared.stored_sha256 == sha(prepared.content) != prepared.sha256
    assert (prepared.media_type, prepared.size) == (media_type, len(prepared.content))
    assert (prepared.width, prepared.height) == (64, 48)


def test_keep_gps_stores_the_upload_as_it_came() -> None:
    data = jpeg_with_metadata()
    prepared = prepare_attachment(
        sha(data), "image/jpeg", data, max_bytes=10**6, max_pixels=MAX_PIXELS, keep_gps=True
    )

    assert prepared.content == data
    assert prepared.stored_sha256 == prepared.sha256
    with opened(prepared.content) as img:
        assert img.getexif().get_ifd(GPS_IFD)[1] == "N"


def test_pdf_is_stored_unchanged() -> None:
    prepared = prepare_attachment(
        sha(PDF), "application/pdf", PDF, max_bytes=10**6, max_pixels=MAX_PIXELS, keep_gps=False
    )
    assert (prepared.content, prepared.width, prepared.height) == (PDF, 0, 0)


def test_truncated_photo_is_refused_before_it_is_stored() -> None:
    data = jpeg_with_metadata()[:-300]
    raises(
        ErrorCode.ATTACHMENT_BAD_IMAGE,
        422,
        lambda: prepare_attachment(
            sha(data), "image/jpeg", data, max_bytes=10**6, max_pixels=MAX_PIXELS, keep_gps=False
        ),
    )


# ------------------------------------------------------------------ serving


def test_a_stored_file_is_served_with_the_type_its_magic_bytes_announce() -> None:
    assert served_type(jpeg_with_metadata()) == "image/jpeg"
    assert served_type(PDF) == "application/pdf"
    assert served_type(b"GIF89a") == "application/octet-stream"


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('"%s"', True),
        ('W/"%s"', True),
        ('"other", "%s"', True),
        ("*", True),
        ('"other"', False),
        ("%s", False),
        ("", False),
        (None, False),
    ],
)
def test_if_none_match_names_the_blobs_etag(header: str | None, matches: bool) -> None:
    key = "ab" * 32
    assert etag_matches(header.replace("%s", key) if header else header, f'"{key}"') is matches
