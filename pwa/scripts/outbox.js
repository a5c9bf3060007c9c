// Edits, outbox, sync. A formed batch never changes (same Idempotency-Key); offline means a failed request, not navigator.onLine.
import { ApiError, OfflineError, describe, getJson, request, sendJson } from "./api.js";
import { byAudit, deviceId, get, getAll, getMeta, read, setMeta, write } from "./db.js";
import { _, language, localIso } from "./i18n.js";
import { ENTITIES, attachmentsOf, draftReason, entityOfOp, pushOp } from "./ops.js";
import { fromServer, mergeServerRecords, refreshAuditList } from "./packages.js";

export const edits = new EventTarget();
const RECORDS = Object.values(ENTITIES);
const nowIso = () => new Date().toISOString();
const emit = (target, type, detail) => target.dispatchEvent(new CustomEvent(type, { detail }));
const announce = (auditId, change) => emit(edits, "edit", { auditId, change }); // `change`: added to the counts, no recount
const oldestFirst = (batches) => batches.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
const opCount = (batches) => batches.reduce((sum, b) => sum + b.ops.length, 0);
const mapValues = (object, fn) => Object.fromEntries(Object.entries(object).map(([key, value]) => [key, fn(value, key)]));
const WORK = { drafts: (r) => r.draft && !r.deleted, rejected: (r) => r.rejected, locked: (r) => r.locked };

function putWithOp(tx, entity, record, data, deleted) {
  const stamped = { ...data, clientUpdatedAt: nowIso() };
  const draft = deleted ? null : draftReason(entity, stamped);
  const put = { ...record, data: stamped, deleted, draft, rejected: null, locked: null, updatedAt: stamped.clientUpdatedAt };
  const op = { auditId: record.auditId, entity, id: record.id, kind: deleted ? "delete" : "upsert", data: stamped };
  return [put, tx.objectStore(ENTITIES[entity]).put(put), draft || tx.objectStore("outbox").add(op)];
}

// `blobs` are made before the transaction; its requests go out together (each await queues behind the screen)
export async function saveRecord(entity, { id, auditId, data, deleted = false }, blobs = []) {
  const store = ENTITIES[entity];
  const change = await write([store, "outbox", ...(deleted ? ["batches"] : []), ...(blobs.length ? ["blobs"] : [])], async (tx) => {
    const [records, outbox] = [tx.objectStore(store), tx.objectStore("outbox")];
    const [existing, queued] = await Promise.all([records.get(id), outbox.index("ref").getAllKeys(id),
      ...blobs.map((blob) => tx.objectStore("blobs").put(blob))]);
    // a deletion the server never saw just removes the record
    const kept = !deleted || existing?.rev != null || (await tx.byAudit("batches", auditId)).some((b) => b.refs.some((r) => r.id === id));
    const dropped = queued.map((seq) => outbox.delete(seq));
    const [after, ...writes] = kept ? putWithOp(tx, entity, { ...existing, id, auditId, entity }, data, deleted) : [null, records.delete(id)];
    tx.commit();
    await Promise.all([...dropped, ...writes]);
    const has = (record, test) => Boolean(record && test(record));
    return { ...mapValues(WORK, (test) => has(after, test) - has(existing, test)), pending: (after && !after.draft ? 1 : 0) - queued.length };
  });
  announce(auditId, change);
}

// a loser under another id (a second answer to a question) gives way
export async function resolveConflict(conflict, { keep, data, deleted = false }) {
  const { entity, server, auditId } = conflict;
  const theirs = fromServer(entity, server);
  await write([ENTITIES[entity], "outbox", "conflicts"], async (tx) => {
    const [records, outbox] = [tx.objectStore(ENTITIES[entity]), tx.objectStore("outbox")];
    for (const id of new Set([conflict.id, server.id])) for (const seq of await outbox.index("ref").getAllKeys(id)) await outbox.delete(seq);
    await tx.objectStore("conflicts").delete(conflict.id);
    if (conflict.id !== server.id) await records.delete(conflict.id);
    if (keep === "theirs") return server.deleted ? records.delete(server.id) : records.put(theirs);
    await Promise.all(putWithOp(tx, entity, theirs, data || theirs.data, deleted));
  });
  announce(auditId);
}

export const pendingCount = (auditIds) => read(["outbox", "batches"], (tx) => {
  const count = async (id) => (await tx.objectStore("outbox").index("auditId").count(id)) + opCount(await tx.byAudit("batches", id));
  return auditIds ? Promise.all(auditIds.map(count)) : count();
});

// what sign-out and clearing must not lose
export async function localWork() {
  const [pending, conflicts, ...records] = await Promise.all([pendingCount(), getAll("conflicts"), ...RECORDS.map(getAll)]);
  return { ...mapValues(WORK, (test) => records.flat().filter(test).length), pending, conflicts: conflicts.length };
}

// an op whose record is in an unanswered batch waits, unless `predict` (export) assumes that batch applied
async function formBatch(auditId, predict = false) {
  const device = await deviceId();
  return write(["outbox", "batches", ...RECORDS], async (tx) => {
    const outbox = tx.objectStore("outbox");
    const entries = (await tx.byAudit("outbox", auditId)).sort((a, b) => a.seq - b.seq);
    const earlier = new Map((await tx.byAudit("batches", auditId)).flatMap((b) => b.ops.map((op, i) => [b.refs[i].id, op])));
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

const batchAttachments = (batch) => [...new Set(batch.ops.flatMap((op) => attachmentsOf(entityOfOp(op), op.data)))];

async function base64(blob) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

// queued ops frozen into batches first: a later sync sends the same keys, so the server applies each once
export async function exportOutbox(username) {
  for (const auditId of new Set((await getAll("outbox")).map((e) => e.auditId))) while (await formBatch(auditId, true));
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
let signedIn = false, running = null, again = false, editCount = 0;
export const syncStatus = () => status;
const publish = (changes) => emit(syncEvents, "status", (status = { ...status, ...changes }));

// again if an edit came meanwhile (its change may be missed)
export async function refreshStatus() {
  const seen = editCount;
  const [work, lastSync] = await Promise.all([localWork(), getMeta("lastSync")]);
  return seen === editCount ? publish({ ...work, lastSync: lastSync || null }) : refreshStatus();
}

export function setSignedIn(value) {
  signedIn = value;
  if (value && status.state === "signin") publish({ state: "idle", error: null });
}

export function syncNow() {
  if (running) again = true;
  return (running ??= (async () => {
    do { again = false; await syncAll(); } while (again);
  })().finally(() => { running = null; }));
}

const httpStatus = (error) => error instanceof ApiError && error.status;
// a refusal no retry changes (401: sign in again; a password change due: once it is made)
const final = (error) => httpStatus(error) >= 400 && error.status < 500 && ![401, 408, 409, 425, 429].includes(error.status)
  && error.code !== "auth.password_change_required";
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
      const run = () => syncAudit(auditId, changed);
      await (navigator.locks?.request(`tadqiq-sync-${auditId}`, run) ?? run()).catch((error) => {
        if (signInAgain(error)) throw error;
        failure ??= error; // one audit refused (off its team now) holds up no other
      });
    }
    if (failure) throw failure;
    await setMeta("lastSync", nowIso());
    publish({ state: "idle", error: null });
  } catch (error) {
    if (httpStatus(error) === 401) {
      signedIn = false;
      publish({ state: "signin", error: _("Your session has ended. Sign in again to send your work: nothing is lost.") });
    } else if (error instanceof ApiError && error.code === "auth.password_change_required") {
      publish({ state: "idle", error: null }); // held until the change: its screen says so, in the screen's language
    } else publish({ state: error instanceof OfflineError ? "offline" : "error", error: describe(error) });
  }
  await refreshStatus();
  if (changed.size) emit(syncEvents, CHANGED, { auditIds: [...changed] });
}

// the account's language words the server's messages (one call at a time)
let sendingLanguage = Promise.resolve();
export const sendLanguage = () => (sendingLanguage = sendingLanguage.catch(() => {}).then(async () => {
  const lang = language();
  if ((await getMeta("languageSent")) === lang) return;
  try {
    await sendJson("PATCH", "/api/v1/me", { locale: lang });
    await setMeta("languageSent", lang);
  } catch (error) {
    if (signInAgain(error)) throw error;
  }
}));

async function syncAudit(auditId, changed) {
  const sent = oldestFirst(await byAudit("batches", auditId));
  const next = async () => sent.shift() || formBatch(auditId);
  for (let batch = await next(); batch; batch = await next()) {
    await sendBatch(batch);
    changed.add(auditId);
  }
  if ((await get("audits", auditId)) && (await pull(auditId))) changed.add(auditId);
}

// gzip until refused (415, an older server), then plain; one key: the server hashes the inflated body
let gzipPush = typeof CompressionStream === "function";
async function push({ key, body }) {
  const send = (body, more) => request("POST", "/api/v1/sync/push", { body, timeout: 120000,
    headers: { "Content-Type": "application/json", "Idempotency-Key": key, ...more } });
  if (gzipPush) {
    try {
      return await send(await new Response(new Blob([body]).stream().pipeThrough(new CompressionStream("gzip"))).blob(), { "Content-Encoding": "gzip" });
    } catch (error) {
      if (httpStatus(error) !== 415 && error.code !== "request.malformed_json") throw error;
      gzipPush = false;
    }
  }
  return send(body);
}

async function sendBatch(batch) {
  await uploadFiles(batch);
  try {
    const response = await push(batch);
    await applyResults(batch, (await response.json()).results);
  } catch (error) {
    if (!final(error)) throw error;
    await applyResults(batch, batch.ops.map((op, index) => ({ index, status: "rejected", message: error.message })));
  }
}

async function uploadFiles(batch) {
  for (const sha256 of batchAttachments(batch)) {
    const stored = await get("blobs", sha256);
    if (!stored || stored.uploaded) continue;
    const path = `/api/v1/attachments/${sha256}`;
    try {
      await request("HEAD", path);
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
      try {
        await request("PUT", path, { body: stored.blob, headers: { "Content-Type": stored.type }, timeout: 120000 });
      } catch (refused) { // the op citing it is then refused with the reason
        if (final(refused)) continue;
        throw refused;
      }
    }
    await write(["blobs"], async (tx) => {
      const blobs = tx.objectStore("blobs");
      const current = await blobs.get(sha256);
      if (current) await blobs.put({ ...current, uploaded: true });
    });
  }
}

function applyResults(batch, results) {
  return write(["batches", "conflicts", ...RECORDS], async (tx) => {
    if (!(await tx.objectStore("batches").get(batch.key))) return; // another tab applied it already
    const conflicts = tx.objectStore("conflicts");
    for (const result of results) {
      const [op, ref] = [batch.ops[result.index], batch.refs[result.index]];
      const store = tx.objectStore(ENTITIES[ref.entity]);
      const record = await store.get(ref.id);
      if (!record) continue;
      const deleting = op.op.startsWith("delete");
      if (result.status === "applied" || result.status === "unchanged") {
        await conflicts.delete(ref.id);
        if (deleting && record.deleted) { await store.delete(ref.id); continue; }
        Object.assign(record, { rev: result.rev, rejected: null, locked: null, conflict: false });
      } else if (result.status === "conflict") {
        record.conflict = true;
        const mine = { data: deleting ? record.data : op.data, deleted: deleting };
        await conflicts.put({ id: ref.id, entity: ref.entity, auditId: batch.auditId, server: result.server, mine });
      } else record[result.status === "locked" ? "locked" : "rejected"] = { code: result.code, message: result.message };
      await store.put(record);
    }
    await tx.objectStore("batches").delete(batch.key);
  });
}

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

export function startSync() {
  let debounce;
  edits.addEventListener("edit", ({ detail: { change } }) => {
    editCount += 1;
    if (change) publish(mapValues(change, (n, key) => (status[key] || 0) + n));
    else refreshStatus();
    clearTimeout(debounce);
    debounce = setTimeout(syncNow, 1500);
  });
  addEventListener("online", () => syncNow());
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && syncNow());
  setInterval(syncNow, 60000);
}
