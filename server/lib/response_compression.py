"""Compressed responses: brotli, or gzip for a client that does not take brotli, through Litestar's own
compression middleware (``COMPRESSION``, given to the app), made correct for caches and validators.

What is compressed: text (JSON, the app's HTML, JavaScript and CSS, the catalogs, the audit package,
iCalendar, SVG) of at least ``MINIMUM_SIZE`` bytes. Not compressed, whatever their size: images, PDFs
(already deflate-compressed inside), XLSX workbooks (zip files) and fonts, told apart by their media
type (a list of what is compressible, so a type added later is sent as is until it is listed); the
attachments' routes (photos and PDFs, and their 304s keep the strong ETag of the file's hash); the sign-in
routes (a few hundred bytes, and a bearer token is no body to give BREACH-style length probes). A
route may opt out with ``opt={"no_compression": True}``.

``MINIMUM_SIZE`` is 1 KB: such a body and its headers travel in one TCP segment (about 1,400 bytes), so
compressing it saves no packet and no round trip at 300 ms of latency, only encoder time.

Caches: every answer that may be compressed carries ``Vary: Accept-Encoding`` - also when this client
asked for no encoding, or the body was too small - so a shared cache never hands one client's encoding to
another. Litestar adds it only to the answers it does compress.

Validators: a strong ``ETag`` names exact bytes, and the brotli and gzip bytes differ from the plain ones.
So the ETag of a compressed answer becomes weak (``W/"…"``), as nginx does; the plain answer keeps its
strong tag. A 304 to a client that negotiated an encoding carries the weak tag too, as its 200 would
have (RFC 9110 §15.4.5). ``If-None-Match`` compares weakly (RFC 9110 §13.1.2,
:func:`server.lib.etag.none_match`), so a tag read under any encoding revalidates. This is simpler than
encoding-specific strong tags (``"…-gzip"``), which every comparison would have to take apart again.

The revision tags of the revisioned items (``"7"``, :func:`server.lib.etag.revision_etag`) stay strong:
a client sends them back in ``If-Match``, which RFC 9110 compares strongly, so those answers (one audit,
programme, profile or question, read online before a write) are sent uncompressed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from litestar.config.compression import CompressionConfig
from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.middleware.compression import CompressionMiddleware

from server.lib.etag import is_revision_etag

if TYPE_CHECKING:
    from litestar.types import HTTPResponseStartEvent, Message, Receive, Scope, Send

__all__ = ["COMPRESSION", "MINIMUM_SIZE", "NegotiatedCompression", "accepted_encoding", "compressible"]

MINIMUM_SIZE: Final = 1024

_TEXT_TYPES: Final = frozenset(
    {"application/json", "application/javascript", "application/xml", "image/svg+xml"}
)


def accepted_encoding(accept_encoding: str) -> str | None:
    """``br`` when the client takes brotli, else ``gzip`` when it takes gzip, else None (``;q=0``
    refuses a coding)."""
    taken: set[str] = set()
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.partition(";")
        quality = params.strip().removeprefix("q=").strip()
        if quality in {"0", "0.", "0.0", "0.00", "0.000"}:
            continue
        taken.add(coding.strip())
    for encoding in ("br", "gzip"):
        if encoding in taken or "*" in taken:
            return encoding
    return None


def compressible(message: HTTPResponseStartEvent) -> bool:
    """Whether an answer may be compressed: text by its media type, or a 304 (its 200 was); never an
    answer with a revision tag, which must stay strong for ``If-Match``."""
    headers = MutableScopeHeaders(message)
    if is_revision_etag(headers.get("etag")):
        return False
    if message["status"] == 304:
        return True
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    return (
        media_type.startswith("text/") or media_type in _TEXT_TYPES or media_type.endswith(("+json", "+xml"))
    )


def _mark(message: HTTPResponseStartEvent, *, negotiated: bool) -> None:
    """``Vary: Accept-Encoding`` (once); a weak ETag on a compressed answer, and on a 304 to a client
    that negotiated an encoding."""
    headers = MutableScopeHeaders(message)
    vary = headers.get("vary")
    if vary is None:
        headers["Vary"] = "Accept-Encoding"
    elif "accept-encoding" not in vary.lower():
        headers["Vary"] = f"{vary}, Accept-Encoding"
    etag = headers.get("etag")
    weakened = "content-encoding" in headers or (negotiated and message["status"] == 304)
    if weakened and etag is not None and not etag.startswith("W/"):
        headers["ETag"] = f"W/{etag}"


def _marking(send: Send, *, negotiated: bool) -> Send:
    async def marked(message: Message) -> None:
        if message["type"] == "http.response.start" and compressible(message):
            _mark(message, negotiated=negotiated)
        await send(message)

    return marked


class NegotiatedCompression(CompressionMiddleware):
    """Litestar's compression, choosing the encoding from ``Accept-Encoding`` with its q-values, sending
    what is not compressible as is, and marking what is (see the module's docstring)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        encoding = accepted_encoding(Headers.from_scope(scope).get("accept-encoding", ""))
        if encoding is None:
            await self.app(scope, receive, _marking(send, negotiated=False))
            return
        await self.app(scope, receive, self.create_compression_send_wrapper(send, encoding, scope))

    def create_compression_send_wrapper(self, send: Send, compression_encoding: str, scope: Scope) -> Send:
        compressing = super().create_compression_send_wrapper(
            _marking(send, negotiated=True), compression_encoding, scope
        )
        as_is = False

        async def choose(message: Message) -> None:
            nonlocal as_is
            if message["type"] == "http.response.start":
                as_is = not compressible(message)
            await (send if as_is else compressing)(message)

        return choose


COMPRESSION: Final = CompressionConfig(
    backend="brotli",
    brotli_gzip_fallback=True,
    brotli_quality=5,  # Litestar's default: a 536 KB package in ~10 ms; higher qualities cost more CPU
    gzip_compress_level=6,  # zlib's default: level 9 is a few % smaller for about twice the time
    minimum_size=MINIMUM_SIZE,
    exclude=[r"^/api/v1/attachments(/|$)", r"^/api/v1/auth/"],
    exclude_opt_key="no_compression",
    middleware_class=NegotiatedCompression,
)
"""The app's ``compression_config``."""
