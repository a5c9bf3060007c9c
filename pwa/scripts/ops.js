// The sync protocol's ops (server/sync/schemas.py), built in this one place.
import { N_ } from "./i18n.js";

export const ENTITIES = { finding: "findings", meeting: "meetings", conclusion: "conclusions" };
export const NEEDS_EVIDENCE = ["nc_major", "nc_minor", "observation"];
export const NONCONFORMITIES = ["nc_major", "nc_minor"];
const trim = (text) => (text || "").trim();

const WIRE = {
  finding: (d) => ({
    verdict: d.verdict, questionId: d.questionId || null, statement: trim(d.statement), evidence: trim(d.evidence),
    clauseRefs: d.clauseRefs || [], auditeeResponse: trim(d.auditeeResponse), attachments: d.attachments || [],
    // attached photos only: a merge may mix two sides
    photosTakenAt: Object.fromEntries(Object.entries(d.photosTakenAt || {}).filter(([s]) => d.attachments?.includes(s))),
  }),
  meeting: (d) => ({
    kind: d.kind, heldAt: d.heldAt, place: trim(d.place), notes: trim(d.notes),
    attendees: (d.attendees || []).filter((a) => trim(a.name))
      .map((a) => ({ ...a, name: trim(a.name), role: trim(a.role), present: a.present !== false })),
  }),
  conclusion: (d) => ({
    summary: trim(d.summary), conclusions: trim(d.conclusions), divergingOpinions: trim(d.divergingOpinions),
    degrees: (d.degrees || []).filter((x) => x.degree), signatures: d.signatures || [], auditeeUnsignedReason: trim(d.auditeeUnsignedReason),
  }),
};

export function pushOp(entry, baseRev) {
  const name = entry.entity[0].toUpperCase() + entry.entity.slice(1);
  if (entry.kind === "delete") return { op: `delete${name}`, id: entry.id, baseRev };
  const data = { ...WIRE[entry.entity](entry.data), clientUpdatedAt: entry.data.clientUpdatedAt };
  return { op: `upsert${name}`, id: entry.id, auditId: entry.auditId, data, ...(baseRev == null ? {} : { baseRev }) };
}

export const entityOfOp = (op) => op.op.replace(/^(upsert|delete)/, "").toLowerCase();

export const attachmentsOf = (entity, data) => (entity === "finding" ? data?.attachments || []
  : entity === "conclusion" ? (data?.signatures || []).map((s) => s.attachment) : []);

export function draftReason(entity, data) {
  if (entity === "finding") {
    if (!data.verdict) return N_("Choose a verdict.");
    if (NEEDS_EVIDENCE.includes(data.verdict) && !trim(data.evidence)) return N_("A nonconformity or an observation needs its evidence.");
    if (!data.questionId && !data.clauseRefs?.length) return N_("Cite at least one clause.");
  }
  if (entity === "meeting" && !data.heldAt) return N_("Give the meeting's date and time.");
  return null;
}
