"""Stable error codes, their localized messages, and the one JSON error shape.

Every 4xx/5xx leaves the server as ``{"status", "code", "message", "details", "requestId"}``: ``code``
is stable (clients branch on it), ``message`` is for a person, in their language, and ``requestId`` finds
the request's log line (it came later: clients that do not know it ignore it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import msgspec

from server.lib.i18n import N_, Locale, translate

__all__ = [
    "AppError",
    "ErrorBody",
    "ErrorCode",
    "FieldError",
    "Phrase",
    "error_body",
    "message_for",
    "status_of",
]


class ErrorCode(StrEnum):
    MALFORMED_JSON = "request.malformed_json"
    VALIDATION_FAILED = "request.validation_failed"
    BODY_TOO_LARGE = "request.body_too_large"
    ROUTE_NOT_FOUND = "request.not_found"
    METHOD_NOT_ALLOWED = "request.method_not_allowed"
    UNSUPPORTED_ENCODING = "request.unsupported_encoding"
    BAD_ENCODING = "request.bad_encoding"
    BAD_REQUEST = "request.bad_request"
    PRECONDITION_FAILED = "request.precondition_failed"
    INTERNAL = "server.internal_error"
    DATABASE_BUSY = "server.database_busy"
    UNAUTHENTICATED = "auth.unauthenticated"
    INVALID_TOKEN = "auth.invalid_token"  # noqa: S105 - an error code
    INVALID_CREDENTIALS = "auth.invalid_credentials"
    TOO_MANY_ATTEMPTS = "auth.too_many_attempts"
    FORBIDDEN = "auth.forbidden"
    USERNAME_TAKEN = "auth.username_taken"
    PASSWORD_CHANGE_REQUIRED = "auth.password_change_required"  # noqa: S105 - an error code
    WRONG_CURRENT_PASSWORD = "auth.wrong_current_password"  # noqa: S105 - an error code
    SAME_PASSWORD = "auth.same_password"  # noqa: S105 - an error code
    OWN_ACCOUNT = "auth.own_account"
    NOT_FOUND = "resource.not_found"
    CODE_TAKEN = "org.code_taken"
    UNKNOWN_REFERENCE = "org.unknown_reference"
    UNIT_CYCLE = "org.unit_cycle"
    IN_USE = "org.in_use"
    INVALID_PERIOD = "org.invalid_period"
    DUPLICATE_QUALIFICATION = "org.duplicate_qualification"
    UNKNOWN_FACT = "org.unknown_fact"
    UNKNOWN_PROVINCE = "org.unknown_province"
    DUPLICATE_PROVINCE = "org.duplicate_province"
    UNKNOWN_LOCALE = "i18n.unknown_locale"
    CHECKLIST_UNKNOWN_CLAUSE = "checklists.unknown_clause"
    CHECKLIST_UNKNOWN_STANDARD = "checklists.unknown_standard"
    CHECKLIST_QUESTION_RETIRED = "checklists.question_retired"
    CHECKLIST_IMPORT_REFUSED = "checklists.import_refused"
    CHECKLIST_BAD_WORKBOOK = "checklists.bad_workbook"
    ATTACHMENT_BAD_HASH = "attachment.bad_hash"
    ATTACHMENT_HASH_MISMATCH = "attachment.hash_mismatch"
    ATTACHMENT_UNSUPPORTED_TYPE = "attachment.unsupported_type"
    ATTACHMENT_TYPE_MISMATCH = "attachment.type_mismatch"
    ATTACHMENT_TOO_LARGE = "attachment.too_large"
    ATTACHMENT_BAD_IMAGE = "attachment.bad_image"
    ATTACHMENT_BAD_PDF = "attachment.bad_pdf"
    AUDIT_ILLEGAL_TRANSITION = "audit.illegal_transition"
    AUDIT_NOT_IMPARTIAL = "audit.not_impartial"
    AUDIT_AUDITOR_NOT_QUALIFIED = "audit.auditor_not_qualified"
    AUDIT_LOCKED = "audit.locked"
    AUDIT_NOT_OPEN = "audit.not_open"
    AUDIT_NOT_EDITABLE = "audit.not_editable"
    SYNC_UNKNOWN_OP = "sync.unknown_op"
    SYNC_INVALID_OP = "sync.invalid_op"
    FINDING_AUDIT_MISMATCH = "finding.audit_mismatch"
    FINDING_NOT_FOUND = "finding.not_found"
    FINDING_EVIDENCE_REQUIRED = "finding.evidence_required"
    FINDING_CLAUSES_REQUIRED = "finding.clauses_required"
    SYNC_IDEMPOTENCY_KEY_MISSING = "sync.idempotency_key_missing"
    SYNC_IDEMPOTENCY_KEY_REUSED = "sync.idempotency_key_reused"
    SYNC_BATCH_IN_PROGRESS = "sync.batch_in_progress"
    SYNC_BAD_CURSOR = "sync.bad_cursor"
    SYNC_BAD_OUTBOX = "sync.bad_outbox"
    PRECONDITION_REQUIRED = "request.precondition_required"
    AUTH_BUSY = "auth.busy"
    ARCHIVED = "org.archived"
    FINDING_UNKNOWN_QUESTION = "finding.unknown_question"
    FINDING_CLAUSE_OUT_OF_SCOPE = "finding.clause_out_of_scope"
    FINDING_UNKNOWN_REFERENCE = "finding.unknown_reference"
    FINDING_ATTACHMENT_MISSING = "finding.attachment_missing"
    FINDING_GOOD_PRACTICE_NOT_NC = "finding.good_practice_not_nonconformity"
    FINDING_PHOTO_TIME_UNATTACHED = "finding.photo_time_unattached"
    MEETING_NOT_FOUND = "meeting.not_found"
    MEETING_AUDIT_MISMATCH = "meeting.audit_mismatch"
    MEETING_UNKNOWN_REFERENCE = "meeting.unknown_reference"
    MEETING_ATTENDEE_ORGANISATION = "meeting.attendee_organisation"
    CONCLUSION_AUDIT_MISMATCH = "conclusion.audit_mismatch"
    CONCLUSION_STANDARD_OUT_OF_SCOPE = "conclusion.standard_out_of_scope"
    CONCLUSION_DUPLICATE_STANDARD = "conclusion.duplicate_standard"
    CONCLUSION_DUPLICATE_SIGNATURE = "conclusion.duplicate_signature"
    CONCLUSION_SIGNATURE_MISSING = "conclusion.signature_missing"
    CONCLUSION_SIGNATURE_NOT_PNG = "conclusion.signature_not_png"
    REPORT_INCOMPLETE = "report.incomplete"
    REPORT_AUDIT_NOT_READY = "report.audit_not_ready"
    REPORT_VERSION_TAKEN = "report.version_taken"
    REPORT_SIGNING_UNAVAILABLE = "report.signing_unavailable"
    REPORT_SIGNATURE_LEVEL_UNAVAILABLE = "report.signature_level_unavailable"
    REPORT_NOT_PDF = "report.not_pdf"
    PROGRAMME_YEAR_TAKEN = "programme.year_taken"
    PROGRAMME_NOT_DRAFT = "programme.not_draft"
    PROGRAMME_NOT_SUBMITTED = "programme.not_submitted"
    PROGRAMME_NOT_APPROVED = "programme.not_approved"
    PROGRAMME_NOT_SOLVED = "programme.not_solved"
    PROGRAMME_REASON_REQUIRED = "programme.reason_required"
    PROGRAMME_OVERRIDE_REQUIRED = "programme.override_required"
    PROGRAMME_PIN_INVALID = "programme.pin_invalid"
    PROGRAMME_POLICY_INVALID = "programme.policy_invalid"
    PROGRAMME_NO_PERSON = "programme.no_person"
    ACTIONS_OTHER_UNIT = "actions.other_unit"
    ACTIONS_NOT_VERIFIER = "actions.not_verifier"
    ACTIONS_NOT_IMPARTIAL = "actions.not_impartial"
    ACTIONS_NOT_LEAD = "actions.not_lead"
    ACTIONS_WRONG_STATUS = "actions.wrong_status"
    ACTIONS_ROOT_CAUSE_REQUIRED = "actions.root_cause_required"
    ACTIONS_WHYS_INVALID = "actions.whys_invalid"
    ACTIONS_CATEGORIES_REQUIRED = "actions.categories_required"
    ACTIONS_CORRECTION_REQUIRED = "actions.correction_required"
    ACTIONS_ACTION_INVALID = "actions.action_invalid"
    ACTIONS_ACTION_KEPT = "actions.action_kept"
    ACTIONS_NO_ACTION = "actions.no_action"
    ACTIONS_CORRECTIVE_REQUIRED = "actions.corrective_required"
    ACTIONS_UNKNOWN_ACTION = "actions.unknown_action"
    ACTIONS_EVIDENCE_REQUIRED = "actions.evidence_required"
    ACTIONS_REASON_REQUIRED = "actions.reason_required"
    ACTIONS_OPEN_ACTIONS = "actions.open_actions"
    ACTIONS_NOT_PROMOTABLE = "actions.not_promotable"
    ACTIONS_POLICY_INVALID = "actions.policy_invalid"
    ACTIONS_UNKNOWN_PERSON = "actions.unknown_person"
    ACTIONS_EVIDENCE_UNKNOWN = "actions.evidence_unknown"
    REVIEW_PERIOD_INVALID = "review.period_invalid"


_MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.MALFORMED_JSON: N_("The request body is not valid JSON."),
    ErrorCode.VALIDATION_FAILED: N_("Some fields are missing or invalid; see the details for each field."),
    ErrorCode.BODY_TOO_LARGE: N_("The request body is too large (at most {limit} bytes)."),
    ErrorCode.ROUTE_NOT_FOUND: N_("There is nothing at this address."),
    ErrorCode.METHOD_NOT_ALLOWED: N_("This address does not accept this method."),
    ErrorCode.UNSUPPORTED_ENCODING: N_(
        "The request body is compressed in a way this server does not read ({encoding}): send it plain "
        "or with gzip."
    ),
    ErrorCode.BAD_ENCODING: N_("The request body is not valid gzip (damaged or cut short): send it again."),
    ErrorCode.BAD_REQUEST: N_("The request cannot be understood."),
    ErrorCode.PRECONDITION_FAILED: N_(
        "Someone changed this item since you read it. Reload it, check the change, then try again."
    ),
    ErrorCode.PRECONDITION_REQUIRED: N_(
        "Send the revision you read (an If-Match header or a rev field), "
        "so that a newer change is never overwritten."
    ),
    ErrorCode.AUTH_BUSY: N_(
        "Too many sign-ins are being checked right now. Please try again in a few seconds."
    ),
    ErrorCode.ARCHIVED: N_("This item is archived. Restore it before using it again."),
    ErrorCode.FINDING_UNKNOWN_QUESTION: N_("This question is not in the checklist pinned for this audit."),
    ErrorCode.FINDING_CLAUSE_OUT_OF_SCOPE: N_("A cited clause is not part of this audit's standards."),
    ErrorCode.FINDING_PHOTO_TIME_UNATTACHED: N_(
        "A photo's capture time names a file that is not attached to this finding."
    ),
    ErrorCode.FINDING_GOOD_PRACTICE_NOT_NC: N_(
        "This question checks good practice that goes beyond the standard's requirements: record a gap "
        "as an opportunity for improvement, not as a nonconformity."
    ),
    ErrorCode.FINDING_UNKNOWN_REFERENCE: N_("A referenced process, unit or site does not exist: {field}."),
    ErrorCode.MEETING_NOT_FOUND: N_("This meeting does not exist on the server."),
    ErrorCode.MEETING_AUDIT_MISMATCH: N_("This meeting belongs to another audit."),
    ErrorCode.MEETING_UNKNOWN_REFERENCE: N_(
        "An attendee names a person or a unit that does not exist: {field}."
    ),
    ErrorCode.MEETING_ATTENDEE_ORGANISATION: N_(
        "An attendee comes either from a unit of the organisation or from an outside organisation, "
        "not both: {field}."
    ),
    ErrorCode.CONCLUSION_AUDIT_MISMATCH: N_("This conclusion belongs to another audit."),
    ErrorCode.CONCLUSION_STANDARD_OUT_OF_SCOPE: N_("{standard} is not one of this audit's standards."),
    ErrorCode.CONCLUSION_DUPLICATE_STANDARD: N_("The degree for {standard} is given more than once."),
    ErrorCode.CONCLUSION_DUPLICATE_SIGNATURE: N_(
        "Each role signs once: this conclusion carries two signatures for the same role."
    ),
    ErrorCode.CONCLUSION_SIGNATURE_MISSING: N_(
        "A signature has not reached the server yet. Upload it, then send the conclusion again."
    ),
    ErrorCode.CONCLUSION_SIGNATURE_NOT_PNG: N_("A signature must be a PNG image drawn on the tablet."),
    ErrorCode.FINDING_ATTACHMENT_MISSING: N_(
        "An attached file has not reached the server yet. Upload it, then send the finding again."
    ),
    ErrorCode.INTERNAL: N_("An unexpected error occurred. Nothing was changed; please try again."),
    ErrorCode.DATABASE_BUSY: N_("The database is busy. Nothing was changed; please try again shortly."),
    ErrorCode.UNAUTHENTICATED: N_("Please sign in to continue."),
    ErrorCode.INVALID_TOKEN: N_("Your session has expired or was closed. Please sign in again."),
    ErrorCode.INVALID_CREDENTIALS: N_("Wrong username or password."),
    ErrorCode.TOO_MANY_ATTEMPTS: N_(
        "Too many failed sign-in attempts. Please wait {seconds} seconds before trying again."
    ),
    ErrorCode.FORBIDDEN: N_("Your role does not allow this action."),
    ErrorCode.USERNAME_TAKEN: N_("This username is already in use."),
    ErrorCode.PASSWORD_CHANGE_REQUIRED: N_(
        "Your password was reset by an administrator. Choose a new password before doing anything else."
    ),
    ErrorCode.WRONG_CURRENT_PASSWORD: N_(
        "The current password is wrong. Type the password you signed in with (after a reset: the "
        "temporary one)."
    ),
    ErrorCode.SAME_PASSWORD: N_("The new password must differ from the current one."),
    ErrorCode.OWN_ACCOUNT: N_(
        "You cannot deactivate your own account, take away your own administrator role or reset your own "
        "password: another administrator must do it."
    ),
    ErrorCode.NOT_FOUND: N_("The requested item does not exist or is not visible to you."),
    ErrorCode.CODE_TAKEN: N_("This code is already used by another item."),
    ErrorCode.UNKNOWN_REFERENCE: N_("A referenced item does not exist: {field}."),
    ErrorCode.UNIT_CYCLE: N_("A unit cannot be placed under itself or under one of its own sub-units."),
    ErrorCode.IN_USE: N_("This item is still in use: {reason}."),
    ErrorCode.INVALID_PERIOD: N_("A period must end on or after the day it starts."),
    ErrorCode.DUPLICATE_QUALIFICATION: N_("A standard can appear only once in a person's qualifications."),
    ErrorCode.UNKNOWN_FACT: N_(
        "The checklists have no place for an organisation fact named {name}; the known ones are: {allowed}."
    ),
    ErrorCode.UNKNOWN_PROVINCE: N_(
        "{province} is not one of the organisation's provinces ({allowed}). Add it to the organisation's "
        "profile first, or choose one of them."
    ),
    ErrorCode.DUPLICATE_PROVINCE: N_("The province code {province} is given more than once."),
    ErrorCode.UNKNOWN_LOCALE: N_("Unknown language; use ar, fr or en."),
    ErrorCode.CHECKLIST_UNKNOWN_CLAUSE: N_("Unknown clause reference: {ref}."),
    ErrorCode.CHECKLIST_UNKNOWN_STANDARD: N_("Unknown standard: {standard}."),
    ErrorCode.CHECKLIST_QUESTION_RETIRED: N_("This question is retired and can no longer be edited."),
    ErrorCode.CHECKLIST_IMPORT_REFUSED: N_(
        "The workbook was not imported: {count} row(s) have errors. Nothing was changed."
    ),
    ErrorCode.CHECKLIST_BAD_WORKBOOK: N_("The file is not a readable Tadqiq checklist workbook."),
    ErrorCode.ATTACHMENT_BAD_HASH: N_(
        "The attachment address must be a SHA-256 in 64 lowercase hexadecimal characters."
    ),
    ErrorCode.ATTACHMENT_HASH_MISMATCH: N_(
        "The file does not match its SHA-256; it was damaged in transit. Send it again."
    ),
    ErrorCode.ATTACHMENT_UNSUPPORTED_TYPE: N_(
        "Only JPEG, PNG and WebP photos and PDF documents can be attached."
    ),
    ErrorCode.ATTACHMENT_TYPE_MISMATCH: N_("The file content does not match its declared type {declared}."),
    ErrorCode.ATTACHMENT_TOO_LARGE: N_("The file is too large (at most {limit} bytes)."),
    ErrorCode.ATTACHMENT_BAD_IMAGE: N_("The image cannot be read safely (damaged, or too many pixels)."),
    ErrorCode.ATTACHMENT_BAD_PDF: N_(
        "This file is not a complete PDF (damaged or cut short): save it again as PDF, then send it."
    ),
    ErrorCode.AUDIT_ILLEGAL_TRANSITION: N_("This audit cannot move from {current} to {target}: {reason}."),
    ErrorCode.AUDIT_NOT_IMPARTIAL: N_(
        "This auditor belongs to an audited unit or a unit above it; a written reason is needed to override."
    ),
    ErrorCode.AUDIT_AUDITOR_NOT_QUALIFIED: N_("This auditor is not qualified for {standard}."),
    ErrorCode.AUDIT_LOCKED: N_("This audit is signed; changes are kept for the audit lead's review."),
    ErrorCode.AUDIT_NOT_OPEN: N_(
        "Findings can be recorded only once the audit is prepared and until it is reported."
    ),
    ErrorCode.AUDIT_NOT_EDITABLE: N_(
        "The audit plan can only be changed while the audit is planned or prepared."
    ),
    ErrorCode.SYNC_UNKNOWN_OP: N_("Unknown operation type; this version of the server does not know it."),
    ErrorCode.SYNC_INVALID_OP: N_("This operation is invalid: {problem}"),
    ErrorCode.FINDING_AUDIT_MISMATCH: N_("This finding belongs to another audit."),
    ErrorCode.FINDING_NOT_FOUND: N_("This finding does not exist on the server."),
    ErrorCode.FINDING_EVIDENCE_REQUIRED: N_(
        "A nonconformity or an observation must state its objective evidence."
    ),
    ErrorCode.FINDING_CLAUSES_REQUIRED: N_(
        "A finding not tied to a checklist question must cite at least one clause."
    ),
    ErrorCode.SYNC_IDEMPOTENCY_KEY_MISSING: N_("The Idempotency-Key header (a UUID) is required."),
    ErrorCode.SYNC_IDEMPOTENCY_KEY_REUSED: N_("This Idempotency-Key was already used for a different batch."),
    ErrorCode.SYNC_BATCH_IN_PROGRESS: N_("This batch is already being processed; retry in a moment."),
    ErrorCode.SYNC_BAD_CURSOR: N_("The sync cursor is not valid."),
    ErrorCode.SYNC_BAD_OUTBOX: N_(
        "This file cannot be imported as a tablet's exported work: {problem}. Nothing was imported."
    ),
    ErrorCode.REPORT_INCOMPLETE: N_(
        "The report cannot be issued yet: what an audit report needs is missing (each item is listed). "
        "Complete it and issue the report again."
    ),
    ErrorCode.REPORT_AUDIT_NOT_READY: N_(
        "A report is issued once the audit is reported (its findings complete); this audit is {status}."
    ),
    ErrorCode.REPORT_VERSION_TAKEN: N_(
        "Version {version} of this report was issued by someone else at the same moment. Reload the "
        "list of reports before issuing again."
    ),
    ErrorCode.REPORT_SIGNING_UNAVAILABLE: N_(
        "Reports cannot be signed on this server: {problem}. Ask the administrator to set up the "
        "signing key (tadqiq keys init for a demonstration key)."
    ),
    ErrorCode.REPORT_SIGNATURE_LEVEL_UNAVAILABLE: N_(
        "Reports cannot be signed at the level this server is set for ({level}) right now: {problems}. "
        "Try again later, or ask the administrator (tadqiq doctor)."
    ),
    ErrorCode.REPORT_NOT_PDF: N_("This file is not a PDF document, so it cannot be checked."),
    ErrorCode.PROGRAMME_YEAR_TAKEN: N_("The programme of {year} already exists: open it instead."),
    ErrorCode.PROGRAMME_NOT_DRAFT: N_(
        "This programme is {status}: only a draft can be changed. Revise the approved programme (with a "
        "reason) or wait for the manager's decision."
    ),
    ErrorCode.PROGRAMME_NOT_SUBMITTED: N_(
        "Only a submitted programme can be approved or returned; this one is {status}."
    ),
    ErrorCode.PROGRAMME_NOT_APPROVED: N_("Only an approved programme can be revised; this one is {status}."),
    ErrorCode.PROGRAMME_NOT_SOLVED: N_(
        "The programme changed since it was last solved, or no programme satisfying every rule was "
        "found. Solve it again before submitting it."
    ),
    ErrorCode.PROGRAMME_REASON_REQUIRED: N_(
        "Write the reason: {what} needs one, and it is kept in the history."
    ),
    ErrorCode.PROGRAMME_OVERRIDE_REQUIRED: N_(
        "{name} belongs to the audited unit or a unit above it. Choose someone else, or write why they "
        "may audit it (the reason is shown on every copy of the programme)."
    ),
    ErrorCode.PROGRAMME_PIN_INVALID: N_("This cannot be pinned: {problem}."),
    ErrorCode.PROGRAMME_POLICY_INVALID: N_("The programme policy is not valid: {problem}."),
    ErrorCode.PROGRAMME_NO_PERSON: N_(
        "Your account is not linked to a person of the organisation, so it has no audits to show. Ask "
        "the administrator to link it."
    ),
    ErrorCode.ACTIONS_OTHER_UNIT: N_(
        "This nonconformity belongs to another unit: only that unit's people and the audit lead can "
        "answer it."
    ),
    ErrorCode.ACTIONS_NOT_VERIFIER: N_(
        "Only an auditor or the audit lead can verify the actions taken on a nonconformity."
    ),
    ErrorCode.ACTIONS_NOT_IMPARTIAL: N_(
        "You answer for the audited unit, so you cannot verify its actions: an auditor from another "
        "unit must do it."
    ),
    ErrorCode.ACTIONS_NOT_LEAD: N_("Only the audit lead can reject a nonconformity record."),
    ErrorCode.ACTIONS_WRONG_STATUS: N_(
        'This step is not possible while the nonconformity is at "{status}"; it needs "{expected}". '
        "Reload it to see where it stands."
    ),
    ErrorCode.ACTIONS_ROOT_CAUSE_REQUIRED: N_("Write the root cause you found, in a sentence."),
    ErrorCode.ACTIONS_WHYS_INVALID: N_(
        'Answer the successive "why?" questions: from 1 to {most} answers, none of them empty.'
    ),
    ErrorCode.ACTIONS_CATEGORIES_REQUIRED: N_("Choose at least one cause category."),
    ErrorCode.ACTIONS_CORRECTION_REQUIRED: N_(
        "Write the correction: what was done at once about the nonconformity itself."
    ),
    ErrorCode.ACTIONS_ACTION_INVALID: N_("Action {number}: {field}."),
    ErrorCode.ACTIONS_ACTION_KEPT: N_(
        "Action {number} has started or is finished, so it stays in the plan: cancel it with a reason "
        "instead."
    ),
    ErrorCode.ACTIONS_NO_ACTION: N_(
        "The plan needs at least one action that is not cancelled, and one done before verification."
    ),
    ErrorCode.ACTIONS_CORRECTIVE_REQUIRED: N_(
        "A major nonconformity needs at least one corrective action, one that removes its cause."
    ),
    ErrorCode.ACTIONS_UNKNOWN_ACTION: N_("This action is no longer in the plan: reload the nonconformity."),
    ErrorCode.ACTIONS_EVIDENCE_REQUIRED: N_("Attach evidence (a photo or a document) that shows it."),
    ErrorCode.ACTIONS_REASON_REQUIRED: N_("Say why, in a few words."),
    ErrorCode.ACTIONS_OPEN_ACTIONS: N_(
        "{count} action(s) not finished yet: finish each one, or cancel it with a reason, before asking "
        "for verification."
    ),
    ErrorCode.ACTIONS_NOT_PROMOTABLE: N_(
        "Only an observation of an audit whose report has been issued can become a nonconformity record."
    ),
    ErrorCode.ACTIONS_POLICY_INVALID: N_(
        "Give whole numbers of days from 1 to 730 for each severity, with the plan due before the closure."
    ),
    ErrorCode.ACTIONS_UNKNOWN_PERSON: N_("Action {number}: its owner is not a person of the organisation."),
    ErrorCode.ACTIONS_EVIDENCE_UNKNOWN: N_(
        "The evidence file {sha256} has not been uploaded: upload it first, then save again."
    ),
    ErrorCode.REVIEW_PERIOD_INVALID: N_("This period cannot be used: {problem}"),
}


# The HTTP status belongs to the code: a client that knows the code knows the status.
_STATUS: dict[ErrorCode, int] = {
    ErrorCode.MALFORMED_JSON: 400,
    ErrorCode.VALIDATION_FAILED: 400,
    ErrorCode.BODY_TOO_LARGE: 413,
    ErrorCode.ROUTE_NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.UNSUPPORTED_ENCODING: 415,
    ErrorCode.BAD_ENCODING: 400,
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.PRECONDITION_FAILED: 412,
    ErrorCode.INTERNAL: 500,
    ErrorCode.DATABASE_BUSY: 503,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.INVALID_TOKEN: 401,
    ErrorCode.INVALID_CREDENTIALS: 401,
    ErrorCode.TOO_MANY_ATTEMPTS: 429,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.USERNAME_TAKEN: 409,
    ErrorCode.PASSWORD_CHANGE_REQUIRED: 403,
    ErrorCode.WRONG_CURRENT_PASSWORD: 422,
    ErrorCode.SAME_PASSWORD: 422,
    ErrorCode.OWN_ACCOUNT: 409,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CODE_TAKEN: 409,
    ErrorCode.UNKNOWN_REFERENCE: 422,
    ErrorCode.UNIT_CYCLE: 409,
    ErrorCode.IN_USE: 409,
    ErrorCode.INVALID_PERIOD: 422,
    ErrorCode.DUPLICATE_QUALIFICATION: 422,
    ErrorCode.UNKNOWN_FACT: 422,
    ErrorCode.UNKNOWN_PROVINCE: 422,
    ErrorCode.DUPLICATE_PROVINCE: 422,
    ErrorCode.UNKNOWN_LOCALE: 400,
    ErrorCode.CHECKLIST_UNKNOWN_CLAUSE: 422,
    ErrorCode.CHECKLIST_UNKNOWN_STANDARD: 400,
    ErrorCode.CHECKLIST_QUESTION_RETIRED: 409,
    ErrorCode.CHECKLIST_IMPORT_REFUSED: 422,
    ErrorCode.CHECKLIST_BAD_WORKBOOK: 422,
    ErrorCode.ATTACHMENT_BAD_HASH: 400,
    ErrorCode.ATTACHMENT_HASH_MISMATCH: 422,
    ErrorCode.ATTACHMENT_UNSUPPORTED_TYPE: 415,
    ErrorCode.ATTACHMENT_TYPE_MISMATCH: 415,
    ErrorCode.ATTACHMENT_TOO_LARGE: 413,
    ErrorCode.ATTACHMENT_BAD_IMAGE: 422,
    ErrorCode.ATTACHMENT_BAD_PDF: 422,
    ErrorCode.AUDIT_ILLEGAL_TRANSITION: 409,
    ErrorCode.AUDIT_NOT_IMPARTIAL: 409,
    ErrorCode.AUDIT_AUDITOR_NOT_QUALIFIED: 422,
    ErrorCode.AUDIT_LOCKED: 423,
    ErrorCode.AUDIT_NOT_OPEN: 409,
    ErrorCode.AUDIT_NOT_EDITABLE: 409,
    ErrorCode.SYNC_UNKNOWN_OP: 400,
    ErrorCode.SYNC_INVALID_OP: 400,
    ErrorCode.FINDING_AUDIT_MISMATCH: 409,
    ErrorCode.FINDING_NOT_FOUND: 404,
    ErrorCode.FINDING_EVIDENCE_REQUIRED: 422,
    ErrorCode.FINDING_CLAUSES_REQUIRED: 422,
    ErrorCode.SYNC_IDEMPOTENCY_KEY_MISSING: 400,
    ErrorCode.SYNC_IDEMPOTENCY_KEY_REUSED: 422,
    ErrorCode.SYNC_BATCH_IN_PROGRESS: 409,
    ErrorCode.SYNC_BAD_CURSOR: 400,
    ErrorCode.SYNC_BAD_OUTBOX: 422,
    ErrorCode.PRECONDITION_REQUIRED: 428,
    ErrorCode.AUTH_BUSY: 503,
    ErrorCode.ARCHIVED: 409,
    ErrorCode.FINDING_UNKNOWN_QUESTION: 422,
    ErrorCode.FINDING_CLAUSE_OUT_OF_SCOPE: 422,
    ErrorCode.FINDING_GOOD_PRACTICE_NOT_NC: 422,
    ErrorCode.FINDING_PHOTO_TIME_UNATTACHED: 422,
    ErrorCode.FINDING_UNKNOWN_REFERENCE: 422,
    ErrorCode.FINDING_ATTACHMENT_MISSING: 422,
    ErrorCode.MEETING_NOT_FOUND: 404,
    ErrorCode.MEETING_AUDIT_MISMATCH: 409,
    ErrorCode.MEETING_UNKNOWN_REFERENCE: 422,
    ErrorCode.MEETING_ATTENDEE_ORGANISATION: 422,
    ErrorCode.REPORT_INCOMPLETE: 422,
    ErrorCode.REPORT_AUDIT_NOT_READY: 409,
    ErrorCode.REPORT_VERSION_TAKEN: 409,
    ErrorCode.REPORT_SIGNING_UNAVAILABLE: 503,
    ErrorCode.REPORT_SIGNATURE_LEVEL_UNAVAILABLE: 503,
    ErrorCode.REPORT_NOT_PDF: 415,
    ErrorCode.PROGRAMME_YEAR_TAKEN: 409,
    ErrorCode.PROGRAMME_NOT_DRAFT: 409,
    ErrorCode.PROGRAMME_NOT_SUBMITTED: 409,
    ErrorCode.PROGRAMME_NOT_APPROVED: 409,
    ErrorCode.PROGRAMME_NOT_SOLVED: 409,
    ErrorCode.PROGRAMME_REASON_REQUIRED: 422,
    ErrorCode.PROGRAMME_OVERRIDE_REQUIRED: 422,
    ErrorCode.PROGRAMME_PIN_INVALID: 422,
    ErrorCode.PROGRAMME_POLICY_INVALID: 422,
    ErrorCode.PROGRAMME_NO_PERSON: 409,
    ErrorCode.CONCLUSION_AUDIT_MISMATCH: 409,
    ErrorCode.CONCLUSION_STANDARD_OUT_OF_SCOPE: 422,
    ErrorCode.CONCLUSION_DUPLICATE_STANDARD: 422,
    ErrorCode.CONCLUSION_DUPLICATE_SIGNATURE: 422,
    ErrorCode.CONCLUSION_SIGNATURE_MISSING: 422,
    ErrorCode.CONCLUSION_SIGNATURE_NOT_PNG: 422,
    ErrorCode.ACTIONS_OTHER_UNIT: 403,
    ErrorCode.ACTIONS_NOT_VERIFIER: 403,
    ErrorCode.ACTIONS_NOT_IMPARTIAL: 403,
    ErrorCode.ACTIONS_NOT_LEAD: 403,
    ErrorCode.ACTIONS_WRONG_STATUS: 409,
    ErrorCode.ACTIONS_ROOT_CAUSE_REQUIRED: 422,
    ErrorCode.ACTIONS_WHYS_INVALID: 422,
    ErrorCode.ACTIONS_CATEGORIES_REQUIRED: 422,
    ErrorCode.ACTIONS_CORRECTION_REQUIRED: 422,
    ErrorCode.ACTIONS_ACTION_INVALID: 422,
    ErrorCode.ACTIONS_ACTION_KEPT: 422,
    ErrorCode.ACTIONS_NO_ACTION: 422,
    ErrorCode.ACTIONS_CORRECTIVE_REQUIRED: 422,
    ErrorCode.ACTIONS_UNKNOWN_ACTION: 422,
    ErrorCode.ACTIONS_EVIDENCE_REQUIRED: 422,
    ErrorCode.ACTIONS_REASON_REQUIRED: 422,
    ErrorCode.ACTIONS_OPEN_ACTIONS: 422,
    ErrorCode.ACTIONS_NOT_PROMOTABLE: 422,
    ErrorCode.ACTIONS_POLICY_INVALID: 422,
    ErrorCode.ACTIONS_UNKNOWN_PERSON: 422,
    ErrorCode.ACTIONS_EVIDENCE_UNKNOWN: 422,
    ErrorCode.REVIEW_PERIOD_INVALID: 422,
}


def status_of(code: ErrorCode) -> int:
    """The HTTP status that goes with ``code`` (also the ``httpStatus`` of a rejected sync op)."""
    return _STATUS[code]


@dataclass(frozen=True)
class Phrase:
    """A message parameter that is a message itself: ``msgid`` translated, then filled with ``params``
    (localized the same way). A list of phrases in a parameter reads as one text joined by "; "."""

    msgid: str
    params: dict[str, object] = field(default_factory=dict)


def _localized(locale: Locale, value: object) -> object:
    if isinstance(value, str):
        return translate(locale, value)
    if isinstance(value, Phrase):
        return translate(locale, value.msgid, **{k: _localized(locale, v) for k, v in value.params.items()})
    if isinstance(value, list):
        return "; ".join(str(_localized(locale, part)) for part in value)
    return value


def message_for(code: ErrorCode, locale: Locale, **params: object) -> str:
    # Word-like parameters (e.g. what still uses an item) are msgids themselves; codes pass through.
    return translate(locale, _MESSAGES[code], **{k: _localized(locale, v) for k, v in params.items()})


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


class ErrorBody(msgspec.Struct, frozen=True):
    status: int
    code: str
    message: str
    details: Any = None
    request_id: str | None = msgspec.field(default=None, name="requestId")
    """The ``X-Request-Id`` of the request, also in its log line; None outside a request."""


class AppError(Exception):
    """A failure a client can act on. Raised from handlers and stores, rendered by the app."""

    def __init__(
        self,
        code: ErrorCode,
        *,
        details: Any = None,
        params: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(code.value)
        self.code = code
        self.status = _STATUS[code]
        self.details = details
        self.params = params or {}
        self.headers = headers or {}


def error_body(error: AppError, locale: Locale, request_id: str | None = None) -> ErrorBody:
    return ErrorBody(
        status=error.status,
        code=error.code.value,
        message=message_for(error.code, locale, **error.params),
        details=error.details,
        request_id=request_id,
    )
