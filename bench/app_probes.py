"""The JavaScript the app benchmark runs in the page (Playwright's ``evaluate`` and init scripts, which the
page's Content-Security-Policy does not apply to). Times are the page's ``performance.now()``; "drawn" is
the end of the frame that shows a change: a ``requestAnimationFrame`` callback, then a task after it."""

from __future__ import annotations

__all__ = [
    "BARE_PUTS",
    "CHECKLIST_TEXTS",
    "GO",
    "OPEN_CHECKLIST",
    "PLAIN_LIST",
    "PLAIN_PAGE_INSTALL",
    "RECORD_OFFLINE",
    "SYNC_PROBE",
    "TAP_PROBE",
    "TWO_FRAMES",
    "VENDOR",
    "WATCH",
]

# Installed before the page's own scripts, ARGS replaced by [selector, count]: the time the selector
# first matches `count` elements (a mutation observer runs right after the change) and when it is drawn.
WATCH = """(() => {
  const [selector, count] = ARGS;
  window.__benchDrawn = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (document.querySelectorAll(selector).length < count) return;
      observer.disconnect();
      const ready = performance.now();
      requestAnimationFrame(() => setTimeout(() => resolve({ ready, drawn: performance.now() }), 0));
    });
    observer.observe(document, { childList: true, subtree: true, attributes: true });
  });
})();"""

GO = "(hash) => { location.hash = hash; }"

TWO_FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"

# The URL of a vendored module as the page's import map names it (a pattern on the key).
VENDOR = """(pattern) => Object.keys(JSON.parse(document.querySelector("script[type=importmap]").textContent)
  .imports).find((url) => new RegExp(pattern).test(url))"""

# The worker's cache of the installed version answers "/" with `body` from now on.
PLAIN_PAGE_INSTALL = """async (body) => {
  const names = await caches.keys();
  const name = names.find((n) => n.startsWith("tadqiq-") && n !== "tadqiq-catalogs");
  const page = new Response(body, { headers: { "Content-Type": "text/html" } });
  await (await caches.open(name)).put("/", page);
}"""

CHECKLIST_TEXTS = """async (auditId) => {
  const { auditRecords } = await import("/scripts/packages.js");
  return (await auditRecords(auditId, true)).checklist.map((question) => question.text);
}"""

OPEN_CHECKLIST = """([hash, count]) => new Promise((resolve) => {
  const start = performance.now();
  const observer = new MutationObserver(() => {
    if (document.querySelectorAll("[data-testid=checklist-item]").length < count) return;
    observer.disconnect();
    const ready = performance.now() - start;
    requestAnimationFrame(() => setTimeout(() => resolve({ ready, drawn: performance.now() - start }), 0));
  });
  observer.observe(document.body, { childList: true, subtree: true });
  location.hash = hash;
})"""

PLAIN_LIST = """async ([lit, texts]) => {
  const { html, render } = await import(lit);
  const host = document.body.appendChild(document.createElement("div"));
  const start = performance.now();
  render(html`<ul>${texts.map((text) => html`<li>${text}</li>`)}</ul>`, host);
  const ready = performance.now() - start;
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const drawn = performance.now() - start;
  host.remove();
  return { ready, drawn };
}"""

# From the click event's time stamp (the input as the browser received it) and from the start of its
# dispatch, to the outbox's "edit" event, which saveRecord sends once its transaction is over (tx.done).
TAP_PROBE = """async () => {
  const { edits } = await import("/scripts/outbox.js");
  const probe = (window.__benchTaps = { click: null, times: [], handled: [] });
  addEventListener("click", (event) => { probe.click = [event.timeStamp, performance.now()]; }, true);
  edits.addEventListener("edit", () => {
    if (!probe.click) return;
    probe.times.push(performance.now() - probe.click[0]);
    probe.handled.push(performance.now() - probe.click[1]);
    probe.click = null;
  });
}"""

BARE_PUTS = """async ([record, count]) => {
  const settled = (request) => new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const opening = indexedDB.open("tadqiq-bench-baseline", 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore("records", { keyPath: "id" });
  const db = await settled(opening);
  const times = [];
  for (let i = 0; i < count; i += 1) {
    const copy = { ...record, id: crypto.randomUUID() };
    const start = performance.now();
    await new Promise((resolve, reject) => {
      const tx = db.transaction("records", "readwrite", { durability: "strict" });
      tx.objectStore("records").put(copy);
      tx.oncomplete = resolve;
      tx.onabort = () => reject(tx.error);
    });
    times.push(performance.now() - start);
  }
  db.close();
  await settled(indexedDB.deleteDatabase("tadqiq-bench-baseline"));
  return times;
}"""

# Through the app's own path: photos by preparePhoto, each finding by saveRecord (its record and its op
# in one transaction, with its photo). Returns the photos' hashes and bytes (base64).
RECORD_OFFLINE = """async ({ auditId, findings, photos }) => {
  const { saveRecord } = await import("/scripts/outbox.js");
  const { blobRecord, preparePhoto } = await import("/scripts/photos.js");
  const prepared = [];
  for (const [i, data] of photos.entries()) {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    prepared.push(await preparePhoto(new File([bytes], `photo-${i + 1}.jpg`, { type: "image/jpeg" })));
  }
  for (const { id, data, photo } of findings) {
    const file = photo === null ? null : prepared[photo];
    const [attachments, blobs] = file ? [[file.sha256], [blobRecord(file, auditId)]] : [[], []];
    await saveRecord("finding", { id, auditId, data: { ...data, attachments } }, blobs);
  }
  const base64 = [];
  for (const { blob } of prepared) {
    const view = new Uint8Array(await blob.arrayBuffer());
    let text = "";
    for (let i = 0; i < view.length; i += 0x8000) {
      text += String.fromCharCode(...view.subarray(i, i + 0x8000));
    }
    base64.push(btoa(text));
  }
  return { hashes: prepared.map((p) => p.sha256), bytes: base64 };
}"""

# From the page's "online" event (captured before the app's own listener) to the sync status that says
# the run is over with nothing waiting, or that it failed.
SYNC_PROBE = """async () => {
  const { syncEvents } = await import("/scripts/outbox.js");
  window.__benchSync = new Promise((resolve) => {
    let online = null;
    addEventListener("online", () => { online = performance.now(); }, { capture: true, once: true });
    syncEvents.addEventListener("status", function over({ detail }) {
      const done = detail.state === "idle" && detail.pending === 0;
      if (online === null || !(done || detail.state === "error" || detail.state === "signin")) return;
      syncEvents.removeEventListener("status", over);
      resolve({ seconds: (performance.now() - online) / 1000, state: detail.state, error: detail.error });
    });
  });
}"""
