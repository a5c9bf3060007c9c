/** The shell, the session and sign-in; screens are `{load(params, ctx), view(data, ctx), after?(root)}`. */
import { html, render } from "/vendor/lit-html@3.3.3/lit-html.js";
import { describe, sendJson, setToken } from "./api.js";
import { clearAll, getMeta, setMeta } from "./db.js";
import { ENDONYMS, LANGUAGES, _, format, language, onLanguageChange, refreshCatalog, setLanguage, startLanguage } from "./i18n.js";
import { href, parseRoute } from "./router.js";
import { CHANGED, localWork, refreshStatus, sendLanguage, setSignedIn, startSync, syncEvents, syncNow, syncStatus } from "./outbox.js";
import * as audits from "./views/audits.js";
import { fillThumbnails, flushSaves, when } from "./views/common.js";
import { ROLE_SCREENS, homeFor, roleLinks, screen } from "./views/roles.js";

const SCREENS = { // the first screen with the page's modules, others when first shown
  audits, device: screen("device"), plan: audits.plan, checklist: screen("finding", "checklist"),
  question: screen("finding", "question"), findings: screen("finding", "findings"), finding: screen("finding", "freeFinding"),
  opening: screen("meetings", "opening"), closing: screen("meetings", "closing"), conflicts: screen("conflicts"),
  history: screen("finding", "history"), ...ROLE_SCREENS,
};
const worker = navigator.serviceWorker;
let session = null, route = parseRoute(location.hash), data = null, loads = 0, toast = null, focusHeading = true;
let signInError = "", signingIn = false, loadReason = "visit";

const ctx = {
  get session() { return session; },
  get params() { return route.params; },
  get query() { return route.query; },
  get loadReason() { return loadReason; },
  rerender: paint,
  reload,
  go(hash) { location.hash = hash; },
  notify(message, error = false) {
    const shown = (toast = { message, error });
    paint();
    setTimeout(() => { if (toast === shown) { toast = null; paint(); } }, 8000);
  },
  offlineReady: () => (!worker || worker.controller ? Promise.resolve(Boolean(worker)) : new Promise((resolve) => {
    setTimeout(() => resolve(false), 15000);
    worker.addEventListener("controllerchange", () => resolve(true), { once: true });
  })),
  offlineReadyNow: () => Boolean(worker?.controller),
  async signOut() {
    await sendJson("POST", "/api/v1/auth/logout").catch(() => {}); // the token goes with the data
    await forget();
  },
  clearData: forget,
};

/** The screen's load again: `why` is "visit" (a new screen), "reload" (its data changed) or "language" (only its words:
 * a form keeps what was typed, `ctx.loadReason`). */
async function reload(why = "reload") {
  const loading = ++loads;
  loadReason = typeof why === "string" ? why : "reload"; // `.then(ctx.reload)` passes a value
  const loaded = await SCREENS[route.name].load(route.params, ctx).catch((error) => ({ failure: describe(error) }));
  if (loading === loads) { data = loaded; paint(); }
}

async function show() {
  await flushSaves();
  route = homeFor(parseRoute(location.hash), session);
  [toast, data, focusHeading] = [null, null, true];
  await (session ? reload("visit") : paint());
}

function statusLine(s) {
  const counted = (count, text) => count && format(text, { count });
  return [s.state === "syncing" && _("Syncing…"), counted(s.pending, _("Changes waiting to be sent: %(count)s")) || _("No change waiting"),
    _("Last successful sync: %(time)s", { time: when(s.lastSync) }), counted(s.conflicts, _("Conflicts to resolve: %(count)s")),
    counted(s.rejected, _("Changes refused by the server: %(count)s")), counted(s.locked, _("Kept for the audit lead's review: %(count)s")),
    counted(s.drafts, _("Drafts not finished: %(count)s"))].filter(Boolean).join(" · ");
}

function header() {
  const status = syncStatus();
  return html`<header class="shell"><a class="brand" href=${href("audits")}>${_("Tadqiq")}</a>
    ${session ? html`<nav aria-label=${_("Main")}>${roleLinks(session)}
      <a href=${href("device")} data-testid="nav-device">${_("This tablet")}</a></nav>` : ""}
    <div class="langs" role="group" aria-label=${_("Language")}>${LANGUAGES.map((lang) => html`<button lang=${lang}
      aria-pressed=${String(language() === lang)} data-testid=${`lang-${lang}`} @click=${() => chooseLanguage(lang)}>${ENDONYMS[lang]}</button>`)}</div>
  </header>
  ${session ? html`<div class=${`syncbar state-${status.state}`} data-testid="sync-bar" data-state=${status.state} data-pending=${status.pending}>
    <p role="status" aria-live="polite">${statusLine(status)}
      ${status.error ? html`<strong class="sync-error" data-testid="sync-error">${status.error}</strong>` : ""}</p>
    <button data-testid="sync-now" ?disabled=${status.state === "syncing"} @click=${() => syncNow()}>${_("Sync now")}</button>
  </div>` : ""}`;
}

function signInView(expired) {
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    [signingIn, signInError] = [true, ""];
    paint();
    try {
      await signIn(String(form.get("username")).trim(), String(form.get("password")));
    } catch (failure) {
      signInError = failure.message;
    }
    signingIn = false;
    paint();
  };
  return html`<section class="signin"><h1>${_("Sign in")}</h1>
    ${expired ? html`<p class="note warn">${_("Your session has ended. Sign in again to send your work: nothing is lost.")}</p>
      <p><a href=${href("device")}>${_("This tablet: export the unsynced work")}</a></p>` : ""}
    <form @submit=${submit} data-testid="signin-form">
      <label>${_("User name")}<input name="username" autocomplete="username" autocapitalize="none" required .value=${session?.user.username || ""}></label>
      <label>${_("Password")}<input name="password" type="password" autocomplete="current-password" required></label>
      ${signInError ? html`<p class="note error" role="alert">${signInError}</p>` : ""}
      <button class="primary" ?disabled=${signingIn}>${signingIn ? _("Signing in…") : _("Sign in")}</button>
    </form></section>`;
}

function main() {
  const expired = syncStatus().state === "signin";
  if (!session || (expired && route.name !== "device")) return signInView(expired);
  if (!data) return html`<p class="muted">${_("Loading…")}</p>`;
  return data.failure ? html`<h1>${_("This screen could not be shown")}</h1><p class="note error">${data.failure}</p>
    <button data-testid="retry" @click=${reload}>${_("Try again")}</button>` : SCREENS[route.name].view(data, ctx);
}

function paint() {
  render(html`${header()}<main>${main()}</main><div class="toast" aria-live="polite">${toast
    ? html`<p class=${toast.error ? "note error" : "note"} role=${toast.error ? "alert" : "status"} data-testid="toast">${toast.message}</p>` : ""}</div>`, document.body);
  document.documentElement.dataset.offline = ctx.offlineReadyNow() ? "ready" : "no";
  const root = document.querySelector("main");
  fillThumbnails(root);
  if (data && session) SCREENS[route.name].after?.(root);
  const heading = root.querySelector("h1");
  if (focusHeading && heading) { // a new screen is announced by its heading
    focusHeading = false;
    heading.tabIndex = -1;
    heading.focus();
  }
}

async function chooseLanguage(lang) {
  await flushSaves();
  await setMeta("languageChosen", true);
  await setLanguage(lang);
  if (session) sendLanguage().catch(() => {});
}

async function signIn(username, password) {
  const previous = (await getMeta("session"))?.user.username;
  const work = await localWork();
  if (previous && previous !== username && (work.pending || work.drafts || work.rejected || work.conflicts)) {
    throw new Error(_("Work of %(user)s is still on this tablet. Sign in as %(user)s to send it, or export it from “This tablet” first.", { user: previous }));
  }
  const { token, user } = await sendJson("POST", "/api/v1/auth/login", { username, password });
  if (previous && previous !== username) await clearAll(); // another person: the last one's copies go
  await setMeta("session", useSession({ token, user }));
  if (LANGUAGES.includes(user.locale) && !(await getMeta("languageChosen"))) {
    await setMeta("languageSent", user.locale);
    if (user.locale !== language()) await setLanguage(user.locale);
  }
  await setMeta("persisted", await navigator.storage?.persist?.().catch(() => false) || false);
  await show();
  syncNow();
}

function useSession(value) {
  setToken(value?.token || null);
  setSignedIn(Boolean(value));
  return (session = value);
}

async function forget() {
  await clearAll();
  useSession(null);
  await refreshStatus();
  location.hash = href("audits");
  await show();
}

async function boot() {
  useSession((await Promise.all([getMeta("session"), startLanguage()]))[0] || null);
  worker?.addEventListener("controllerchange", paint);
  onLanguageChange(() => (session ? reload("language") : paint()));
  syncEvents.addEventListener(CHANGED, ({ detail }) => {
    if (!route.params.auditId || detail.auditIds.includes(route.params.auditId)) reload();
  });
  addEventListener("hashchange", show);
  addEventListener("pagehide", flushSaves);
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && flushSaves());
  startSync();
  await Promise.all([refreshStatus(), show()]); // one paint: the first frame shows the screen
  let frame = 0; // the sync bar at the next frame: never in a tap's handler, once a frame at most
  const repaint = () => { frame ||= requestAnimationFrame(() => { frame = 0; paint(); }); };
  syncEvents.addEventListener("status", repaint);
  repaint();
  document.documentElement.dataset.ready = "true";
  (window.requestIdleCallback || setTimeout)(() => { // once the first screen is up
    if (worker) registerWorker();
    if (session) syncNow();
    refreshCatalog();
    Object.values(SCREENS).forEach((s) => s.preload?.()); // every module now: the next version deletes this one's files from the worker
  });
}

async function registerWorker() {
  try {
    const { version } = await (await fetch("/app-manifest.json", { cache: "no-store" })).json();
    await worker.register(`/sw.js?v=${encodeURIComponent(version)}`, { scope: "/" });
  } catch { /* offline: the installed worker keeps serving */ }
}

boot();
