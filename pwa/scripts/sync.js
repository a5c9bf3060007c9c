/** Sync per audit, under a Web Lock the tabs share: batches (files first), their results, the pull. A
 * failed request, never `navigator.onLine`, means offline. */
import { ApiError, OfflineError, describe, getJson, request, sendJson } from "./api.js";
import { get, getAll, getMeta, setMeta, write } from "./db.js";
import { _, language } from "./i18n.js";
import { ENTITIES } from "./ops.js";
import { batchAttachments, batchesOf, edits, formBatch, localWork } from "./outbox.js";
import { mergeServerRecords, refreshAuditList } from "./packages.js";

export const syncEvents = new EventTarget();
export const CHANGED = "changed";
let status = { state: "idle", pending: 0, lastSync: null, error: null };
let signedIn = false;
let running = null;
let again = false;

export const syncStatus = () => status;
function publish(changes) {
  status = { ...status, ...changes };
  syncEvents.dispatchEvent(new CustomEvent("status", { detail: status }));
}
let editCount = 0;
/** The counts read from every record; again if an edit came meanwhile (it may be missed). */
export async function refreshStatus() {
  const seen = editCount;
  const [work, lastSync] = await Promise.all([localWork(), getMeta("lastSync")]);
  return seen === editCount ? publish({ ...work, lastSync: lastSync || null }) : refreshStatus();
}

export function setSignedIn(value) {
  signedIn = value;
  if (value && status.state === "signin") publish({ state: "idle", error: null });
}

/** A call during a run makes it run once more. */
export function syncNow() {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await syncAll();
    } while (again);
  })().finally(() => { running = null; });
  return running;
}

/** A refusal that no retry changes (401: sign in again). */
const final = (error) => error instanceof ApiError && error.status >= 400 && error.status < 500 && ![401, 408, 409, 425, 429].includes(error.status);
const signInAgain = (error) => !(error instanceof ApiError) || error.status === 401;

async function syncAll() {
  if (!signedIn) return refreshStatus();
  publish({ state: "syncing" });
  const changed = new Set();
  try {
    await sendLanguage();
    await refreshAuditList();
    const ids = new Set([...await getAll("audits"), ...await getAll("outbox"), ...await getAll("batches")].map((x) => x.auditId || x.id));
    let failure = null;
    for (const auditId of ids) {
      try {
        const run = () => syncAudit(auditId, changed);
        await (navigator.locks?.request(`tadqiq-sync-${auditId}`, run) ?? run());
      } catch (error) { // one audit refused (off its team now) must not hold up the others
        if (signInAgain(error)) throw error;
        failure ??= error;
      }
    }
    if (failure) throw failure;
    await setMeta("lastSync", new Date().toISOString());
    publish({ state: "idle", error: null });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signedIn = false;
      publish({ state: "signin", error: _("Your session has ended. Sign in again to send your work: nothing is lost.") });
    } else {
      publish({ state: error instanceof OfflineError ? "offline" : "error", error: describe(error) });
    }
  }
  await refreshStatus();
  if (changed.size) syncEvents.dispatchEvent(new CustomEvent(CHANGED, { detail: { auditIds: [...changed] } }));
}

/** The server words messages in the account's language: keep it the screen's (one call at a time). */
let sendingLanguage = Promise.resolve();
export function sendLanguage() {
  sendingLanguage = sendingLanguage.catch(() => {}).then(async () => {
    const lang = language();
    if ((await getMeta("languageSent")) === lang) return;
    try {
      await sendJson("PATCH", "/api/v1/me", { locale: lang });
      await setMeta("languageSent", lang);
    } catch (error) {
      if (signInAgain(error)) throw error;
    }
  });
  return sendingLanguage;
}

async function syncAudit(auditId, changed) {
  const sent = await batchesOf(auditId);
  for (let batch = sent.shift() || (await formBatch(auditId)); batch; batch = sent.shift() || (await formBatch(auditId))) {
    await sendBatch(batch);
    changed.add(auditId);
  }
  if ((await get("audits", auditId)) && (await pull(auditId))) changed.add(auditId);
}

async function sendBatch(batch) {
  await uploadFiles(batch);
  try {
    const response = await request("POST", "/api/v1/sync/push", {
      body: batch.body, headers: { "Content-Type": "application/json", "Idempotency-Key": batch.key }, timeout: 120000,
    });
    await applyResults(batch, (await response.json()).results);
  } catch (error) {
    if (!final(error)) throw error;
    await applyResults(batch, batch.ops.map((op, index) => ({ index, status: "rejected", message: error.message })));
  }
}

/** Files by hash: HEAD, then PUT only when the server lacks them. */
async function uploadFiles(batch) {
  for (const sha256 of batchAttachments(batch)) {
    const stored = await get("blobs", sha256);
    if (!stored || stored.uploaded) continue;
    const path = `/api/v1/attachments/${sha256}`;
    try {
      await request("HEAD", path);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      try {
        await request("PUT", path, { body: stored.blob, headers: { "Content-Type": stored.type }, timeout: 120000 });
      } catch (refused) { // the op citing it is then refused with the reason
        if (final(refused)) continue;
        throw refused;
      }
    }
    await write(["blobs"], async (tx) => {
      const current = await tx.objectStore("blobs").get(sha256);
      if (current) await tx.objectStore("blobs").put({ ...current, uploaded: true });
    });
  }
}

/** The answer to a batch applied, and the batch forgotten, in one transaction. */
function applyResults(batch, results) {
  return write(["batches", "conflicts", ...Object.values(ENTITIES)], async (tx) => {
    if (!(await tx.objectStore("batches").get(batch.key))) return; // another tab applied it already
    const conflicts = tx.objectStore("conflicts");
    for (const result of results) {
      const op = batch.ops[result.index];
      const ref = batch.refs[result.index];
      const store = tx.objectStore(ENTITIES[ref.entity]);
      const record = await store.get(ref.id);
      if (!record) continue;
      const deleting = op.op.startsWith("delete");
      if (result.status === "applied" || result.status === "unchanged") {
        await conflicts.delete(ref.id);
        if (deleting && record.deleted) {
          await store.delete(ref.id);
          continue;
        }
        Object.assign(record, { rev: result.rev, rejected: null, locked: null, conflict: false });
      } else if (result.status === "conflict") {
        record.conflict = true;
        await conflicts.put({
          id: ref.id, entity: ref.entity, auditId: batch.auditId, server: result.server,
          mine: { data: deleting ? record.data : op.data, deleted: deleting },
        });
      } else {
        record[result.status === "locked" ? "locked" : "rejected"] = { code: result.code, message: result.message };
      }
      await store.put(record);
    }
    await tx.objectStore("batches").delete(batch.key);
  });
}

/** True when any change arrived. */
async function pull(auditId) {
  let arrived = false;
  for (;;) {
    const { cursor } = await get("audits", auditId);
    const page = await getJson(`/api/v1/sync/pull?since=${encodeURIComponent(cursor || "0")}&auditId=${auditId}&limit=500`);
    const changes = { finding: page.changes, meeting: page.meetings || [], conclusion: page.conclusions || [] };
    arrived ||= Object.values(changes).some((items) => items.length);
    await mergeServerRecords(auditId, changes, page.cursor);
    if (!page.hasMore) return arrived;
  }
}

/** After edits (grouped), on reconnection, on return to the page, every minute. */
export function startSync() {
  let debounce = null;
  edits.addEventListener("edit", ({ detail: { change } }) => {
    editCount += 1;
    if (change) publish(Object.fromEntries(Object.entries(change).map(([key, n]) => [key, (status[key] || 0) + n])));
    else refreshStatus();
    clearTimeout(debounce);
    debounce = setTimeout(syncNow, 1500);
  });
  addEventListener("online", () => syncNow());
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && syncNow());
  setInterval(syncNow, 60000);
}
