// The only IndexedDB user, through idb 8. A transaction's callback awaits nothing but its own requests, or the transaction ends early.
// idb's UMD build, its smallest (3.7 KB; the ES one is 11.6 KB unminified): imported, it sets globalThis.idb
import "/vendor/idb@8.0.4/build/umd.js";

const { openDB } = globalThis.idb;

const STORES = ["meta", "audits", "checklists", "findings", "meetings", "conclusions", "outbox", "batches", "blobs", "conflicts", "ncs"];
let opening = null;

// each step from the version found: what an older version stored stays
function upgrade(db, from) {
  if (from < 1) first(db);
  if (from < 2) db.createObjectStore("ncs"); // nonconformity lists and records as last fetched, by key
}

function first(db) {
  db.createObjectStore("meta");
  db.createObjectStore("audits", { keyPath: "id" });
  db.createObjectStore("checklists", { keyPath: "auditId" }); // apart: audits stay light
  for (const name of ["findings", "meetings", "conclusions", "conflicts", "batches", "blobs"]) {
    db.createObjectStore(name, { keyPath: { batches: "key", blobs: "sha256" }[name] || "id" }).createIndex("auditId", "auditId");
  }
  const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
  outbox.createIndex("auditId", "auditId");
  outbox.createIndex("ref", "id");
}

function connection() {
  opening ??= openDB("tadqiq", 2, {
    upgrade: (db, from) => upgrade(db, from),
    blocking: () => { // a newer app version upgrades
      const was = opening;
      opening = null;
      was?.then((db) => db.close(), () => {});
    },
    terminated: () => { opening = null; }, // the browser closed it
  }).catch((error) => { opening = null; throw error; });
  return opening;
}

// once more on a new connection if the browser closed the one it had
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

// one "strict" transaction, done once committed; if `fn` throws, nothing of it is stored
const transaction = (stores, mode, fn) => retrying(async (db) => {
  const tx = db.transaction(stores, mode, { durability: "strict" });
  tx.done.catch(() => {});
  let result;
  try {
    result = await fn({
      objectStore: (name) => tx.objectStore(name),
      byAudit: (name, auditId) => tx.objectStore(name).index("auditId").getAll(auditId),
      commit: () => tx.commit?.(),
    });
  } catch (error) {
    try { tx.abort(); } catch { /* already over */ }
    throw error;
  }
  await tx.done;
  return result;
});

export const write = (stores, fn) => transaction(stores, "readwrite", fn);
export const read = (stores, fn) => transaction(stores, "readonly", fn);
export const get = (store, key) => read([store], (tx) => tx.objectStore(store).get(key));
export const getAll = (store) => read([store], (tx) => tx.objectStore(store).getAll());
export const byAudit = (store, auditId) => read([store], (tx) => tx.byAudit(store, auditId));
export const getMeta = (key) => get("meta", key);
export const setMeta = (key, value) => write(["meta"], (tx) => tx.objectStore("meta").put(value, key));

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
