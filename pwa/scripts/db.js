/** The only IndexedDB user. A transaction's callback awaits IndexedDB requests only. */
const RECORD_STORES = ["findings", "meetings", "conclusions"];
const STORES = ["meta", "audits", "checklists", ...RECORD_STORES, "outbox", "batches", "blobs", "conflicts"];
let opening = null;

function upgrade(db) {
  db.createObjectStore("meta");
  db.createObjectStore("audits", { keyPath: "id" });
  db.createObjectStore("checklists", { keyPath: "auditId" }); // apart: audits stay light
  for (const [name, keyPath] of [...RECORD_STORES.map((s) => [s, "id"]), ["conflicts", "id"], ["batches", "key"], ["blobs", "sha256"]]) {
    db.createObjectStore(name, { keyPath }).createIndex("auditId", "auditId");
  }
  const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
  outbox.createIndex("auditId", "auditId");
  outbox.createIndex("ref", "id");
}

const settled = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

/** A store or an index whose requests answer promises: `await store.get(id)`. */
const promising = (target) => new Proxy(target, {
  get(raw, name) {
    const value = raw[name];
    return typeof value !== "function" ? value : (...args) => {
      const out = value.apply(raw, args);
      return out instanceof IDBRequest ? settled(out) : out instanceof IDBIndex ? promising(out) : out;
    };
  },
});

/** `done` once committed (rejected if aborted). */
function transaction(db, stores, mode) {
  const tx = db.transaction(stores, mode, { durability: "strict" });
  const done = new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error || new DOMException("The transaction was aborted.", "AbortError"));
  });
  return { done, objectStore: (name) => promising(tx.objectStore(name)), abort: () => tx.abort(), commit: () => tx.commit?.() };
}

function connection() {
  opening ??= settled(Object.assign(indexedDB.open("tadqiq", 1), { onupgradeneeded: (e) => upgrade(e.target.result) })).then((db) => {
    db.onversionchange = () => { db.close(); opening = null; }; // a newer app version upgrades
    db.onclose = () => { opening = null; }; // closed by the browser
    return db;
  }, (error) => { opening = null; throw error; });
  return opening;
}

/** Again on a new connection if the browser closed the one it had. */
async function retrying(work) {
  for (let attempt = 0; ; attempt += 1) {
    const db = await connection();
    try {
      return await work(db);
    } catch (error) {
      const closed = error?.name === "InvalidStateError" || (error?.name === "AbortError" && !opening);
      if (attempt >= 2 || !closed) throw error;
      opening = null;
    }
  }
}

/** One "strict" transaction, done once committed; if `fn` throws, nothing of it is stored. */
export function write(stores, fn) {
  return retrying(async (db) => {
    const tx = transaction(db, stores, "readwrite");
    tx.done.catch(() => {});
    let result;
    try {
      result = await fn(tx);
    } catch (error) {
      try { tx.abort(); } catch { /* already over */ }
      throw error;
    }
    await tx.done;
    return result;
  });
}

export const read = (stores, fn) => retrying(async (db) => {
  const tx = transaction(db, stores, "readonly");
  const result = await fn(tx);
  await tx.done;
  return result;
});
export const get = (store, key) => read([store], (tx) => tx.objectStore(store).get(key));
export const getAll = (store) => read([store], (tx) => tx.objectStore(store).getAll());
export const byAudit = (store, auditId) => read([store], (tx) => tx.objectStore(store).index("auditId").getAll(auditId));
export const getMeta = (key) => get("meta", key);
export const setMeta = (key, value) => write(["meta"], (tx) => tx.objectStore("meta").put(value, key));

/** Everything but the device's id and language goes. */
export const clearAll = () => write(STORES, async (tx) => {
  const meta = tx.objectStore("meta");
  const kept = [["deviceId", await meta.get("deviceId")], ["language", await meta.get("language")]];
  for (const name of STORES) await tx.objectStore(name).clear();
  for (const [key, value] of kept) if (value !== undefined) await meta.put(value, key);
});

let device = null;
export const deviceId = async () => (device ??= await write(["meta"], async (tx) => {
  const meta = tx.objectStore("meta");
  const id = (await meta.get("deviceId")) || crypto.randomUUID();
  await meta.put(id, "deviceId");
  return id;
}));
