"""Reading a tablet's exported outbox (``tadqiq-outbox/1``): pure, no I/O.

The export is the last resort before a tablet is wiped: its unsynced batches, each with the
``Idempotency-Key`` it was (or would have been) pushed with, and the photos and signatures they cite.
Everything is checked here before anything is stored, so a damaged file is refused whole
(``sync.bad_outbox``, naming what is wrong) and a good one is applied through the push use case.

Only what the import needs is required. ``exportedAt``, ``username`` and the file's own ``deviceId``
describe the file and are kept for the report; the ops themselves are left as raw JSON for the push,
which judges each one on its own exactly as ``POST /sync/push`` does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Annotated, Final

import msgspec

from server.lib.errors import AppError, ErrorCode, Phrase
from server.lib.i18n import N_

__all__ = [
    "OUTBOX_FORMAT",
    "Outbox",
    "OutboxAttachment",
    "OutboxBatch",
    "parse_outbox",
    "push_body",
]

OUTBOX_FORMAT: Final = "tadqiq-outbox/1"
_KEY_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_MAX_BATCHES = 10_000


class _Head(msgspec.Struct):
    format: str | None = None


class _Attachment(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    sha256: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-fA-F]{64}$")]
    content_type: Annotated[str, msgspec.Meta(max_length=200)] = ""
    data: str


class _Batch(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    idempotency_key: Annotated[str, msgspec.Meta(pattern=_KEY_PATTERN)]
    device_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    ops: Annotated[list[msgspec.Raw], msgspec.Meta(max_length=5000)]


class _File(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    format: str
    exported_at: str = ""
    device_id: str = ""
    username: str = ""
    batches: Annotated[list[_Batch], msgspec.Meta(max_length=_MAX_BATCHES)] = []
    attachments: list[_Attachment] = []


@dataclass(frozen=True)
class OutboxBatch:
    key: str
    """The batch's ``Idempotency-Key``, in canonical form (lowercase)."""
    device_id: str
    ops: list[msgspec.Raw]


@dataclass(frozen=True)
class OutboxAttachment:
    sha256: str
    """Lowercase hex, checked against ``content``."""
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Outbox:
    exported_at: str
    device_id: str
    username: str
    batches: list[OutboxBatch]
    """In the file's order (the order the tablet formed them), each key once."""
    attachments: list[OutboxAttachment]
    """Each file once."""


def _refused(problem: Phrase) -> AppError:
    """``sync.bad_outbox``: the message names the problem in the reader's language, the details in
    English (for a log or a support request)."""
    english = problem.msgid.format(**problem.params)
    return AppError(ErrorCode.SYNC_BAD_OUTBOX, params={"problem": problem}, details={"problem": english})


def _decode_base64(data: str) -> bytes | None:
    # A data URL (what FileReader gives) is accepted as well as the bare base64 text.
    text = data.split(",", 1)[1] if data.startswith("data:") and "," in data else data
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _attachments(items: list[_Attachment]) -> list[OutboxAttachment]:
    found: dict[str, OutboxAttachment] = {}
    for item in items:
        sha = item.sha256.lower()
        content = _decode_base64(item.data)
        if content is None:
            raise _refused(Phrase(N_("the data of the file {sha256} is not base64"), {"sha256": sha}))
        if hashlib.sha256(content).hexdigest() != sha:
            raise _refused(
                Phrase(N_("the file {sha256} does not match its SHA-256 (it was damaged)"), {"sha256": sha})
            )
        found.setdefault(sha, OutboxAttachment(sha256=sha, content_type=item.content_type, content=content))
    return list(found.values())


def _batches(items: list[_Batch]) -> list[OutboxBatch]:
    found: dict[str, OutboxBatch] = {}
    for item in items:
        key = str(uuid.UUID(item.idempotency_key))
        batch = OutboxBatch(key=key, device_id=item.device_id, ops=item.ops)
        earlier = found.get(key)
        if earlier is None:
            found[key] = batch
        elif push_body(earlier) != push_body(batch):
            raise _refused(Phrase(N_("two different batches carry the same key {key}"), {"key": key}))
    return list(found.values())


def parse_outbox(raw: bytes) -> Outbox:
    """The outbox in ``raw``, every attachment decoded and checked against its hash; ``sync.bad_outbox``
    (422) naming the first problem found otherwise."""
    try:
        head = msgspec.json.decode(raw, type=_Head)
    except msgspec.ValidationError:
        raise _refused(Phrase(N_("it is not an exported outbox (no format is named)"))) from None
    except msgspec.DecodeError:
        raise _refused(Phrase(N_("it is not JSON, or it was cut short"))) from None
    if head.format != OUTBOX_FORMAT:
        raise _refused(
            Phrase(
                N_("its format is {found}, and this server reads {expected}"),
                {"found": str(head.format or "-")[:60], "expected": OUTBOX_FORMAT},
            )
        )
    try:
        file = msgspec.json.decode(raw, type=_File)
    except msgspec.ValidationError as error:
        problem = Phrase(N_("a part of it does not fit the format ({detail})"), {"detail": str(error)})
        raise _refused(problem) from None
    return Outbox(
        exported_at=file.exported_at,
        device_id=file.device_id,
        username=file.username,
        batches=_batches(file.batches),
        attachments=_attachments(file.attachments),
    )


def push_body(batch: OutboxBatch) -> bytes:
    """The body the tablet sends for ``batch``: ``JSON.stringify({deviceId, ops})``.

    The push refuses a known key with another body (422), and compares bodies by their hash; the export
    writes each op with ``JSON.stringify`` as the push does, so the op's text with the insignificant
    white space removed is the op's text in the push body. A tablet that pushes a batch after it was
    imported is then answered with the stored response, like any retry.
    """
    device = json.dumps(batch.device_id, ensure_ascii=False).encode("utf-8")
    ops = b",".join(msgspec.json.format(bytes(op), indent=-1) for op in batch.ops)
    return b'{"deviceId":' + device + b',"ops":[' + ops + b"]}"
