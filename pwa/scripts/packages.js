// The server's data on the tablet, merged without ever overwriting local work.
// A download survives a drop: the plan part (checklists, `changeCount`), then pull pages, each merged with its cursor in
// one transaction (meta `download:<id>`) to resume from; offered offline once `changeCount` records came.
import { ApiError, OfflineError, getJson } from "./api.js";
import { get, getMeta, read, setMeta, write } from "./db.js";
import { LANGUAGES, _, cacheCatalogs, language } from "./i18n.js";
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

export const downloads = new Map(); // auditId → { percent, waiting } while this tab downloads it
export const downloadEvents = new EventTarget();
const wakers = new Map();
const stagedKey = (auditId) => `download:${auditId}`;
export const stagedDownload = (auditId) => getMeta(stagedKey(auditId));
export const percentOf = (s) => Math.min(99, Math.floor((100 * s.received) / (s.total || 1)));
const report = (auditId, state, waiting = false) => {
  downloads.set(auditId, { percent: percentOf(state), waiting });
  downloadEvents.dispatchEvent(new Event("progress"));
};
export const resumeNow = (auditId) => wakers.get(auditId)?.();

// never navigator.onLine: again after 1, 2, 4… 30 s, sooner on "online" or the resume button
async function patiently(auditId, state, fetching) {
  for (let wait = 1000; ; wait = Math.min(2 * wait, 30000)) {
    try {
      return await fetching();
    } catch (error) {
      if (!(error instanceof OfflineError || error.status >= 500 || [408, 429].includes(error.status))) throw error;
      report(auditId, state, true);
      await new Promise((resolve) => { wakers.set(auditId, resolve); setTimeout(resolve, wait); addEventListener("online", resolve, { once: true }); });
      report(auditId, state);
    }
  }
}

async function begin(auditId) {
  const [packages, standards] = await patiently(auditId, { received: 0 }, () => Promise.all([Promise.all(LANGUAGES.map((lang) => getJson(
    `/api/v1/audits/${auditId}/package?lang=${lang}&parts=plan`))), getJson("/api/v1/standards"), cacheCatalogs()]));
  await setMeta("standards", standards);
  const { findings, meetings, conclusion, checklist, changeCount, ...pkg } = packages[0];
  const state = { since: "0", received: 0, total: changeCount, pkg: { ...pkg, id: auditId } };
  const checklists = Object.fromEntries(LANGUAGES.map((lang, i) => [lang, packages[i].checklist]));
  await write(["checklists", "meta"], (tx) => Promise.all([tx.objectStore("checklists").put({ auditId, ...checklists }),
    tx.objectStore("meta").put(state, stagedKey(auditId))]));
  return state;
}

export async function downloadAudit(auditId) {
  report(auditId, { received: 0 });
  try {
    let state = (await stagedDownload(auditId)) || (await begin(auditId));
    while (!state.done) {
      const page = await patiently(auditId, state, () => getJson(`/api/v1/sync/pull?since=${state.since}&auditId=${auditId}&limit=100`));
      const changes = { finding: page.changes, meeting: page.meetings, conclusion: page.conclusions };
      state = { ...state, since: page.cursor, done: !page.hasMore, received: state.received + Object.values(changes).flat().length };
      await mergeServerRecords(auditId, changes, page.cursor, state);
      report(auditId, state);
    }
    const complete = state.received >= state.total;
    await write(["audits", "meta"], (tx) => Promise.all([tx.objectStore("meta").delete(stagedKey(auditId)),
      complete && tx.objectStore("audits").put({ ...state.pkg, cursor: state.since, savedAt: new Date().toISOString() })]));
    if (!complete) throw new ApiError(0, "", _("The download was incomplete. Download the audit again."));
  } finally {
    downloads.delete(auditId);
  }
}

// a record holding local work (op, draft, refusal, conflict) is left alone; a download's page moves its own cursor
export function mergeServerRecords(auditId, changes, cursor, staged) {
  return write(["audits", "meta", "outbox", "batches", "conflicts", ...Object.values(ENTITIES)], async (tx) => {
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
    if (staged) return tx.objectStore("meta").put(staged, stagedKey(auditId));
    const audit = await tx.objectStore("audits").get(auditId);
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
