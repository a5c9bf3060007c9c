/** Pure rules of the audit lead's screens: the server decides, these only guide. */

// as server/audits/logic.py but "signed", which comes with the report
export const NEXT = {
  planned: ["prepared", "cancelled"], prepared: ["in_progress", "planned", "cancelled"],
  in_progress: ["reported", "cancelled"], reported: ["in_progress"], signed: ["closed"], closed: [], cancelled: [],
};
export const EDITABLE = ["planned", "prepared"];

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

// only what the server takes: it refuses unknown fields
export const planBody = (p) => Object.fromEntries([["code", p.code.trim()], ["title", { ar: p.title.ar.trim(), fr: p.title.fr.trim() }],
  ..."standards unitIds siteIds clauses criteria objectives auditeeIds agenda".split(" ").map((key) => [key, p[key]]),
  ..."processId plannedStart plannedEnd".split(" ").map((key) => [key, p[key] || null])]);

export const auditedUnits = (plan, processes) => [...new Set([...plan.unitIds, processes.get(plan.processId)?.ownerUnitId].filter(Boolean))];

export const candidates = (people, standards, onTeam) => people.filter((p) => onTeam.has(p.id)
  || (!p.archivedAt && p.qualifications?.some((q) => standards.includes(q.standard))));

export const teamMembers = (choices) => Object.entries(choices).filter(([, c]) => c.role)
  .map(([personId, { role, reason }]) => ({ personId, role, ...(reason?.trim() && { overrideReason: reason.trim() }) }));

// `personId`, else the member its `field` names (`members[1].personId`)
export const refusedPerson = (details, members) => details?.personId || members[/^members\[(\d+)\]/.exec(details?.field || "")?.[1]]?.personId || null;

export const REPORTED = ["reported", "signed", "closed"];
// the server's may_issue_report
export const mayIssue = (user, audit) => REPORTED.includes(audit.status)
  && (user.roles.includes("audit_lead") || audit.team.some((m) => m.role === "lead" && m.personId === user.personId));
