/** Edits and the outbox: a record and its op in one transaction; a batch, once formed, never changes. The
 * sync, per audit under a Web Lock the tabs share: batches (files first), their results, the pull. A failed
 * request, never `navigator.onLine`, means offline. */
import { ApiError, OfflineError, describe, getJson, request, sendJson } from "./api.js";
import { byAudit, deviceId, get, getAll, getMeta, read, setMeta, write } from "./db.js";
import { _, language, localIso } from "./i18n.js";
import { ENTITIES, attachmentsOf, draftReason, entityOfOp, pushOp } from "./ops.js";
import { fromServer, mergeServerRecords, refreshAuditList } from "./packages.js";

export const edits = new EventTarget();
const nowIso = () => new Date().toISOString();
// `change`: what the edit adds to localWork's counts (no recount of every record)
const announce = (auditId, change) => edits.dispatchEvent(new CustomEvent("edit", { detail: { auditId, change } }));
const oldestFirst = (batches) => batches.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
const opCount = (batches) => batches.reduce((sum, b) => sum + b.ops.length, 0);
/** What localWork counts: the records passing each test. */
const WORK = { drafts: (r) => r.draft && !r.deleted, rejected: (r) => r.rejected, locked: (r) => r.locked };

/** `[record, ...requests]`: the record stamped now, and its op unless a draft. */
function putWithOp(tx, entity, record, data, deleted) {
  const stamped = { ...data, clientUpdatedAt: nowIso() };
  const draft = deleted ? null : draftReason(entity, stamped);
  const { auditId, id } = record;
  const put = { ...record, data: stamped, deleted, draft, rejected: null, locked: null, updatedAt: stamped.clientUpdatedAt };
  return [put, tx.objectStore(ENTITIES[entity]).put(put),
    draft || tx.objectStore("outbox").add({ auditId, entity, id, kind: deleted ? "delete" : "upsert", data: stamped })];
}

const inBatch = async (tx, auditId, id) => (await tx.objectStore("batches").index("auditId").getAll(auditId)).some((b) => b.refs.some((r) => r.id === id));

/** A change and its op in one transaction, with its files (`blobs`, prepared before); a deletion the
 * server never saw just removes the record. Requests go out together (each wait queues behind the screen). */
export async function saveRecord(entity, { id, auditId, data, deleted = false }, blobs = []) {
  const store = ENTITIES[entity];
  const change = await write([store, "outbox", ...(deleted ? ["batches"] : []), ...(blobs.length ? ["blobs"] : [])], async (tx) => {
    const [records, outbox] = [tx.objectStore(store), tx.objectStore("outbox")];
    const [existing, queued] = await Promise.all([records.get(id), outbox.index("ref").getAllKeys(id),
      ...blobs.map((blob) => tx.objectStore("blobs").put(blob))]);
    const kept = !deleted || existing?.rev != null || (await inBatch(tx, auditId, id));
    const dropped = queued.map((seq) => outbox.delete(seq));
    const [after, ...writes] = kept ? putWithOp(tx, entity, { ...existing, id, auditId, entity }, data, deleted) : [null, records.delete(id)];
    tx.commit();
    await Promise.all([...dropped, ...writes]);
    const counts = Object.entries(WORK).map(([key, test]) => [key, Boolean(after && test(after)) - Boolean(existing && test(existing))]);
    return { ...Object.fromEntries(counts), pending: (after && !after.draft ? 1 : 0) - queued.length };
  });
  announce(auditId, change);
}

/** `{keep: "theirs"}` adopts the server's copy, else `data` (mine, merged) or `deleted` goes on its rev.
 * A losing record under another id (a second answer to a question) gives way. */
export async function resolveConflict(conflict, { keep, data, deleted = false }) {
  const { entity, server, auditId } = conflict;
  const store = ENTITIES[entity];
  const theirs = fromServer(entity, server);
  await write([store, "outbox", "conflicts"], async (tx) => {
    const [records, outbox] = [tx.objectStore(store), tx.objectStore("outbox")];
    for (const id of new Set([conflict.id, server.id])) for (const seq of await outbox.index("ref").getAllKeys(id)) await outbox.delete(seq);
    await tx.objectStore("conflicts").delete(conflict.id);
    if (conflict.id !== server.id) await records.delete(conflict.id);
    if (keep === "theirs") return server.deleted ? records.delete(server.id) : records.put(theirs);
    await Promise.all(putWithOp(tx, entity, theirs, data || theirs.data, deleted));
  });
  announce(auditId);
}

/** Changes not acknowledged yet, queued or in a batch: in all, or per `auditIds`. */
export const pendingCount = (auditIds) => read(["outbox", "batches"], (tx) => {
  const count = async (id) => {
    const [queued, sent] = await Promise.all([tx.objectStore("outbox").index("auditId").count(id), tx.objectStore("batches").index("auditId").getAll(id)]);
    return queued + opCount(sent);
  };
  return auditIds ? Promise.all(auditIds.map(count)) : count();
});

/** Work the server does not hold: what sign-out and clearing must not lose. */
export async function localWork() {
  const [pending, conflicts, ...records] = await Promise.all([pendingCount(), getAll("conflicts"), ...Object.values(ENTITIES).map(getAll)]);
  const counts = Object.entries(WORK).map(([key, test]) => [key, records.flat().filter(test).length]);
  return { ...Object.fromEntries(counts), pending, conflicts: conflicts.length };
}

/** Queued ops (500 at most) frozen into a batch with its Idempotency-Key, each on its record's server
 * rev; an op whose record is in an unanswered batch waits, unless `predict` (export) assumes it applied. */
async function formBatch(auditId, { predict = false } = {}) {
  const device = await deviceId();
  return write(["outbox", "batches", ...Object.values(ENTITIES)], async (tx) => {
    const outbox = tx.objectStore("outbox");
    const entries = (await outbox.index("auditId").getAll(auditId)).sort((a, b) => a.seq - b.seq);
    const earlier = new Map();
    for (const batch of await tx.objectStore("batches").index("auditId").getAll(auditId)) {
      batch.ops.forEach((op, i) => earlier.set(batch.refs[i].id, op));
    }
    const [ops, refs] = [[], []];
    for (const entry of entries.slice(0, 500)) {
      const before = earlier.get(entry.id);
      if (before && !predict) continue;
      const store = tx.objectStore(ENTITIES[entry.entity]);
      const record = await store.get(entry.id);
      const baseRev = before ? (before.baseRev ?? 0) + 1 : record?.rev ?? null;
      await outbox.delete(entry.seq);
      if (entry.kind === "delete" && baseRev == null) { // never reached the server: nothing to delete
        if (record?.deleted) await store.delete(entry.id);
        continue;
      }
      ops.push(pushOp(entry, baseRev));
      refs.push({ entity: entry.entity, id: entry.id });
    }
    if (!ops.length) return null;
    const batch = { key: crypto.randomUUID(), auditId, deviceId: device, ops, refs, body: JSON.stringify({ deviceId: device, ops }), createdAt: nowIso() };
    await tx.objectStore("batches").put(batch);
    return batch;
  });
}

const batchesOf = async (auditId) => oldestFirst(await byAudit("batches", auditId));
const batchAttachments = (batch) => [...new Set(batch.ops.flatMap((op) => attachmentsOf(entityOfOp(op), op.data)))];

async function base64(blob) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The unacknowledged work as a `tadqiq-outbox/1` file; queued ops frozen into batches first, so that a
 * later sync sends the same keys: the server applies each once. */
export async function exportOutbox(username) {
  for (const auditId of new Set((await getAll("outbox")).map((e) => e.auditId))) {
    while (await formBatch(auditId, { predict: true }));
  }
  const device = await deviceId();
  const batches = oldestFirst(await getAll("batches"));
  const attachments = [];
  for (const sha256 of new Set(batches.flatMap(batchAttachments))) {
    const stored = await get("blobs", sha256);
    if (stored) attachments.push({ sha256, contentType: stored.type, data: await base64(stored.blob) });
  }
  const file = {
    format: "tadqiq-outbox/1", exportedAt: nowIso(), deviceId: device, username, attachments,
    batches: batches.map((b) => ({ idempotencyKey: b.key, deviceId: b.deviceId, ops: b.ops })),
  };
  const stamp = localIso(new Date()).slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
  return { blob: new Blob([JSON.stringify(file)], { type: "application/json" }), filename: `tadqiq-outbox-${device}-${stamp}.json`, count: opCount(batches) };
}

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
/** The counts from every record; again if an edit came meanwhile (it may be missed). */
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
      } catch (error) { // one audit refused (off its team now) holds up no other
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
