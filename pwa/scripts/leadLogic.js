/** Pure rules of the audit lead's screens: the server decides, these only guide. */

/** Where a status may go by hand (server/audits/logic.py; "signed" comes with the report). */
export const NEXT = {
  planned: ["prepared", "cancelled"], prepared: ["in_progress", "planned", "cancelled"],
  in_progress: ["reported", "cancelled"], reported: ["in_progress"], signed: ["closed"], closed: [], cancelled: [],
};
export const EDITABLE = ["planned", "prepared"];

/** Audits passing every filter set: a period they overlap (`from`/`to`), words of code or titles. */
export function filterAudits(audits, { status, process, standard, from, to, text } = {}) {
  const words = (text || "").trim().toLocaleLowerCase();
  return audits.filter((a) => (!status || a.status === status) && (!process || a.processId === process)
    && (!standard || a.standards.includes(standard))
    && (!from || (a.plannedEnd || a.plannedStart || "") >= from) && (!to || (a.plannedStart && a.plannedStart <= to))
    && (!words || [a.code, a.title.ar, a.title.fr].some((t) => t.toLocaleLowerCase().includes(words))));
}

export const lines = (text) => text.split("\n").map((line) => line.trim()).filter(Boolean);

export const planProblems = (plan) => [
  !/^[A-Z0-9][A-Z0-9-]{0,23}$/.test(plan.code) && "code",
  !plan.title.ar.trim() && "titleAr", !plan.title.fr.trim() && "titleFr",
  !plan.standards.length && "standards",
  plan.plannedStart && plan.plannedEnd && plan.plannedEnd < plan.plannedStart && "period",
  plan.criteria.some((c) => c.length > 200) && "criteria",
].filter(Boolean);

/** The body of POST/PUT /audits from an audit or a form of the same shape. */
export const planBody = (p) => ({
  code: p.code.trim(), title: { ar: p.title.ar.trim(), fr: p.title.fr.trim() }, standards: p.standards,
  processId: p.processId || null, unitIds: p.unitIds, siteIds: p.siteIds, clauses: p.clauses, criteria: p.criteria,
  objectives: p.objectives, auditeeIds: p.auditeeIds, plannedStart: p.plannedStart || null,
  plannedEnd: p.plannedEnd || null, agenda: p.agenda,
});

/** The units a plan audits: its units and the owner of its process. */
export const auditedUnits = (plan, processes) => [...new Set([...plan.unitIds, processes.get(plan.processId)?.ownerUnitId].filter(Boolean))];

/** Who may be on the team: active and qualified for a standard, or on it already. */
export const candidates = (people, standards, onTeam) => people.filter((p) => onTeam.has(p.id)
  || (!p.archivedAt && p.qualifications?.some((q) => standards.includes(q.standard))));

/** Team members from `{personId: {role, reason}}`; a reason only when written. */
export const teamMembers = (choices) => Object.entries(choices).filter(([, c]) => c.role).map(([personId, c]) => (c.reason?.trim()
  ? { personId, role: c.role, overrideReason: c.reason.trim() } : { personId, role: c.role }));

/** Whom a team refusal is about: `personId`, else the member its `field` names. */
export function refusedPerson(details, members) {
  if (details?.personId) return details.personId;
  const index = /^members\[(\d+)\]/.exec(details?.field || "")?.[1];
  return index === undefined ? null : members[Number(index)]?.personId ?? null;
}

/** Whether `user` may issue the audit's report now (the server's may_issue_report, once reported). */
export const mayIssue = (user, audit) => ["reported", "signed", "closed"].includes(audit.status)
  && (user.roles.includes("audit_lead") || audit.team.some((m) => m.role === "lead" && m.personId === user.personId));
