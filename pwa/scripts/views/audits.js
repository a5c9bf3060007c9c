/** My audits, their offline copies and what waits to be sent; an audit's plan. */
import { describe } from "../api.js";
import { getAll } from "../db.js";
import { _, format, language } from "../i18n.js";
import { pendingCount } from "../outbox.js";
import { auditRecords, cached, downloadAudit, downloadEvents, downloads, percentOf, refreshAuditList, resumeNow, stagedDownload } from "../packages.js";
import { href } from "../router.js";
import { auditCard, auditView, byId, clauseRef, dots, html, list, localName, named, packageFacts, roleName, title, when } from "./common.js";

export async function load() {
  let audits = await cached("auditList");
  if (!audits.length) audits = await refreshAuditList().catch(() => []);
  const [processes, packages, conflicts, pending, staged] = await Promise.all([cached("processes"), getAll("audits"), getAll("conflicts"),
    pendingCount(audits.map((a) => a.id)), Promise.all(audits.map((a) => stagedDownload(a.id)))]);
  return { audits: audits.map((a, i) => ({ ...a, pending: pending[i], staged: staged[i], conflicts: conflicts.filter((c) => c.auditId === a.id).length })),
    processes: byId(processes), packages: byId(packages) };
}

async function makeAvailable(ctx, { id, code }) {
  downloadEvents.addEventListener("progress", ctx.rerender);
  try {
    await downloadAudit(id);
    ctx.notify(format(await ctx.offlineReady() ? _("%(code)s is ready to work offline.")
      : _("%(code)s is downloaded, but this browser cannot start the app offline yet."), { code }));
  } catch (error) {
    ctx.notify(describe(error), true);
  }
  await ctx.reload();
}

const percent = (n) => new Intl.NumberFormat(language() === "ar" ? "ar-MA-u-nu-latn" : "fr-MA", { style: "percent" }).format(n / 100);
function progress(live, staged) {
  const p = live || { percent: percentOf(staged) }, values = { percent: percent(p.percent) };
  return html`<progress max="100" value=${p.percent}></progress> <span data-testid="download-progress" data-percent=${p.percent}>${!live
    ? _("Download stopped at %(percent)s", values) : live.waiting
      ? _("No connection; the download resumes by itself at %(percent)s", values) : _("Downloading: %(percent)s", values)}</span>`;
}

function card(audit, data, ctx) {
  const [pkg, live, staged] = [data.packages.get(audit.id), downloads.get(audit.id), audit.staged];
  const [busy, resume] = [live && !live.waiting, live ? live.waiting : staged];
  const conflicts = audit.conflicts ? html`<a href=${href("conflicts", { auditId: audit.id })}>${_("Conflicts to resolve: %(count)s", { count: audit.conflicts })}</a>` : "";
  return auditCard(audit, "plan", "audit-card", [[_("Process"), named(data.processes, audit.processId)],
    [_("On this tablet"), html`<span role="status">${live || staged ? progress(live, staged)
      : pkg ? _("Available offline (downloaded %(time)s)", { time: when(pkg.savedAt) }) : _("Not downloaded")}</span>`],
    [_("Sync"), html`${audit.pending ? _("Changes waiting to be sent: %(count)s", { count: audit.pending }) : _("Nothing waiting")} ${conflicts}`],
  ], html`<button data-testid="make-offline" ?disabled=${busy} @click=${() => (live ? resumeNow(audit.id) : makeAvailable(ctx, audit))}>${busy
    ? _("Downloading…") : resume ? _("Resume the download") : pkg ? _("Update the offline copy") : _("Make available offline")}</button>`);
}

export const view = (data, ctx) => html`<h1>${_("My audits")}</h1>${data.audits.length
  ? html`<div class="cards">${data.audits.map((a) => card(a, data, ctx))}</div>`
  : html`<p>${_("No audit to show. Audits appear here once you are on an audit team.")}</p>`}`;

/** An audit's plan, from the offline package. */
export const plan = { load: ({ auditId }) => auditRecords(auditId), view: auditView("plan", ({ pkg }) => title(pkg.audit), ({ pkg }) => html`
  <section class="panel"><h2>${_("Scope")}</h2>${packageFacts(pkg, [[_("Clauses"), pkg.audit.clauses.length
    ? dots(pkg.audit.clauses.map(clauseRef)) : _("Every clause of the standards")]])}
    <h2>${_("Objectives")}</h2><p class="text">${pkg.audit.objectives || _("Not set")}</p><h2>${_("Criteria")}</h2>${list(pkg.audit.criteria)}</section>
  <section class="panel"><h2>${_("Audit team")}</h2>${list(pkg.team.map((m) => html`${localName(m.fullName)} <span class="muted">(${roleName(m)})</span>`))}
    <h2>${_("Auditees")}</h2>${list(pkg.auditees.map((p) => localName(p.fullName)))}</section>
  <section class="panel"><h2>${_("Agenda")}</h2><p class="text">${pkg.audit.agenda || _("Not set")}</p></section>`) };
