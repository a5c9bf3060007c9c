/** Edits and the outbox: a record and its op in one transaction; a batch, once formed, never changes. */
import { byAudit, deviceId, get, getAll, read, write } from "./db.js";
import { localIso } from "./i18n.js";
import { ENTITIES, attachmentsOf, draftReason, entityOfOp, pushOp } from "./ops.js";
import { fromServer } from "./packages.js";

export const edits = new EventTarget();
const nowIso = () => new Date().toISOString();
// `change`: what the edit adds to localWork's counts (no recount of every record)
const changed = (auditId, change) => edits.dispatchEvent(new CustomEvent("edit", { detail: { auditId, change } }));
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
  changed(auditId, change);
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
  changed(auditId);
}

/** Changes not acknowledged yet, queued or in a batch: in all, or for each of `auditIds`. */
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
export async function formBatch(auditId, { predict = false } = {}) {
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

export const batchesOf = async (auditId) => oldestFirst(await byAudit("batches", auditId));
export const batchAttachments = (batch) => [...new Set(batch.ops.flatMap((op) => attachmentsOf(entityOfOp(op), op.data)))];

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
