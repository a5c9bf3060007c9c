/** Pure rules of the programme's screens; the server decides, these only guide. Entries are EntryOut. */
export const MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

export const monthNames = (locale, month = "short") => {
  const format = new Intl.DateTimeFormat(locale, { month, timeZone: "UTC" });
  return MONTHS.map((m) => format.format(new Date(Date.UTC(2001, m - 1, 15))));
};

/** First and last initials; Arabic ones kept apart by a zero-width non-joiner (joined, they read as a word). */
export function initials(name) {
  const words = (name || "").trim().split(/\s+/).filter(Boolean);
  const letters = [words[0], words.length > 1 && words.at(-1)].filter(Boolean).map((w) => [...w][0].toLocaleUpperCase());
  return letters.join(/[\u0600-\u06ff]/.test(letters.join("")) ? "\u200c" : "");
}

export const teamOf = (entry) => [entry.leadId, ...entry.auditorIds].filter(Boolean);

/** A row per process (risk order), its entries by month in `cells` (index 0: January). */
export function gridRows(risks, entries) {
  const rows = new Map(risks.map((r) => [r.processId, { ...r, cells: MONTHS.map(() => []) }]));
  for (const entry of [...entries].sort((a, b) => a.occurrence - b.occurrence)) rows.get(entry.processId)?.cells[entry.month - 1]?.push(entry);
  return [...rows.values()];
}

/** Whether `unitId` is the `audited` unit or above it (a cycle in the data ends the walk). */
export function conflicted(unitId, audited, units) {
  for (let unit = audited, seen = new Set(); unit && !seen.has(unit); unit = units.get(unit)?.parentId) {
    if (unit === unitId) return true;
    seen.add(unit);
  }
  return false;
}

export const needingOverride = (ids, audited, people, units) => ids.filter((id) => people.has(id) && conflicted(people.get(id).unitId, audited, units));

/** The pin form: the entry's month, its team if pinned. */
export const pinForm = (entry) => ({ month: String(entry.month), leadId: entry.pinnedTeam ? entry.leadId : "",
  auditorIds: entry.pinnedTeam ? [...entry.auditorIds] : [], overrideReason: entry.overrideReason || "" });

/** PinIn: a part left empty stays the solver's (null); a team is pinned with its lead. */
export const pinBody = (form) => ({ month: Number(form.month) || null, leadId: form.leadId || null,
  auditorIds: form.leadId ? form.auditorIds.filter((id) => id !== form.leadId) : null, overrideReason: form.overrideReason.trim() });

export const pinProblems = (form, overridden) => [!form.month && !form.leadId && "month",
  form.leadId && overridden.length && !form.overrideReason.trim() && "overrideReason"].filter(Boolean);

/** The pin form's field a refusal names (`$.leadId`, `auditorIds[1]`, an override's code), else null. */
export function refusedField(code, details) {
  if (code === "programme.override_required") return "overrideReason";
  const named = [details].flat().map((d) => /\w+/.exec(String(d?.field || "").replace(/^\$\./, ""))?.[0]);
  return named.find((field) => ["month", "leadId", "auditorIds", "overrideReason"].includes(field)) || null;
}

/** Coverage rows by standard (server order), gaps and uncoverable clauses counted. */
export function coverageGroups(rows) {
  const groups = new Map();
  for (const row of rows) groups.set(row.standard, [...(groups.get(row.standard) || []), row]);
  return [...groups].map(([standard, clauses]) => ({ standard, rows: clauses, gaps: clauses.filter((r) => r.gap).length,
    uncoverable: clauses.filter((r) => r.uncoverable).length }));
}

/** A change's side in words: a month by name, a team (ids, commas) by names, a reason as it is. */
export const changeValue = (kind, value, monthName, personName) => (!value ? ""
  : kind === "team" ? value.split(",").map(personName).join(", ") : kind === "override" ? value : monthName(Number(value)));

export const reasonRequired = (programme) => programme.version > 1;

export const auditsPerYear = (r) => (r.auditsMin === r.auditsMax ? String(r.auditsMin) : `${r.auditsMin}–${r.auditsMax}`);

const bounded = (value, min, max) => Math.min(max, Math.max(min, Math.round(Number(value)) || min));
export const riskBody = (r) => ({ criticality: bounded(r.criticality, 1, 5), changes: bounded(r.changes, 0, 1000),
  complaints: bounded(r.complaints, 0, 1000), openActions: bounded(r.openActions, 0, 1000), note: String(r.note || "").trim() });
