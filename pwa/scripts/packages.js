// The server's data on the tablet, merged without ever overwriting local work.
import { getJson } from "./api.js";
import { get, getMeta, read, setMeta, write } from "./db.js";
import { LANGUAGES, cacheCatalogs, language } from "./i18n.js";
import { ENTITIES } from "./ops.js";

export async function refreshAuditList() {
  const [audits, processes] = await Promise.all([getJson("/api/v1/audits"), getJson("/api/v1/processes").catch(() => null)]);
  await setMeta("auditList", audits);
  if (processes) await setMeta("processes", processes);
  await write(["audits"], async (tx) => {
    for (const audit of audits) {
      const stored = await tx.objectStore("audits").get(audit.id);
      if (stored && stored.audit.rev !== audit.rev) await tx.objectStore("audits").put({ ...stored, audit });
    }
  });
  return audits;
}

// "auditList", "processes" or "standards"
export const cached = async (list) => (await getMeta(list)) || [];

export async function downloadAudit(auditId) {
  const [packages, standards] = await Promise.all([
    Promise.all(LANGUAGES.map((lang) => getJson(`/api/v1/audits/${auditId}/package?lang=${lang}`))), getJson("/api/v1/standards"), cacheCatalogs(),
  ]);
  await setMeta("standards", standards);
  const { findings, meetings = [], conclusion = null, checklist, ...rest } = packages[0];
  const checklists = Object.fromEntries(LANGUAGES.map((lang, i) => [lang, packages[i].checklist]));
  await write(["checklists"], (tx) => tx.objectStore("checklists").put({ auditId, ...checklists }));
  await mergeServerRecords(auditId, { finding: findings, meeting: meetings, conclusion: conclusion ? [conclusion] : [] },
    rest.cursor, { ...rest, id: auditId, savedAt: new Date().toISOString() });
}

// a record holding local work (op, draft, refusal, conflict) is left alone
export function mergeServerRecords(auditId, changes, cursor, auditRecord) {
  return write(["audits", "outbox", "batches", "conflicts", ...Object.values(ENTITIES)], async (tx) => {
    const busy = new Set((await tx.byAudit("outbox", auditId)).map((e) => e.id));
    for (const batch of await tx.byAudit("batches", auditId)) for (const ref of batch.refs) busy.add(ref.id);
    const conflicts = tx.objectStore("conflicts");
    for (const [entity, items] of Object.entries(changes)) {
      const store = tx.objectStore(ENTITIES[entity]);
      for (const item of items) {
        const conflict = await conflicts.get(item.id);
        if (conflict) { // keeps the newest server side
          if (item.rev > conflict.server.rev) await conflicts.put({ ...conflict, server: item });
          continue;
        }
        const local = await store.get(item.id);
        if (busy.has(item.id) || local?.draft || local?.rejected || local?.locked || local?.conflict || local?.rev >= item.rev) continue;
        await (item.deleted ? store.delete(item.id) : store.put(fromServer(entity, item)));
      }
    }
    const audit = auditRecord || (await tx.objectStore("audits").get(auditId));
    if (audit) await tx.objectStore("audits").put({ ...audit, cursor });
  });
}

export const fromServer = (entity, item) => ({
  id: item.id, auditId: item.auditId, entity, rev: item.rev, data: item.data, deleted: false, author: item.author,
  draft: null, rejected: null, locked: null, conflict: false, updatedAt: item.data?.clientUpdatedAt || item.updatedAt,
});

const checklistsRead = new Map(); // auditId → [savedAt, lists]: read once per download

export async function auditRecords(auditId, withChecklist = false) {
  const stores = ["audits", "findings", "meetings", "conclusions", "conflicts"];
  const [pkg, findings, meetings, conclusions, conflicts] = await read(stores, (tx) => Promise.all(stores.map((s, i) => (i
    ? tx.byAudit(s, auditId) : tx.objectStore(s).get(auditId)))));
  let lists = null;
  if (withChecklist && pkg) {
    const [savedAt, cached] = checklistsRead.get(auditId) || [];
    lists = savedAt === pkg.savedAt ? cached : await get("checklists", auditId);
    checklistsRead.set(auditId, [pkg.savedAt, lists]);
  }
  const checklist = lists ? lists[language()] || lists.fr || [] : [];
  return { pkg, findings, meetings, conclusion: conclusions.find((c) => !c.deleted) || null, conflicts, checklist };
}
