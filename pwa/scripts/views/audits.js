/** My audits: dates, process, status, offline availability and what waits to be sent. */
import { html, nothing } from "/vendor/lit-html@3.3.3/lit-html.js";
import { describe } from "/scripts/api.js";
import { getAll } from "/scripts/db.js";
import { _, format, formatDate } from "/scripts/i18n.js";
import { pendingCount } from "/scripts/outbox.js";
import { cachedAuditList, cachedProcesses, downloadAudit, refreshAuditList } from "/scripts/packages.js";
import { href } from "/scripts/router.js";
import { STATUSES, label, localName, when } from "/scripts/views/common.js";

const downloading = new Set();

export async function load() {
  let audits = await cachedAuditList();
  if (!audits.length) audits = await refreshAuditList().catch(() => []);
  const [processes, packages, conflicts] = await Promise.all([cachedProcesses(), getAll("audits"), getAll("conflicts")]);
  const pending = Object.fromEntries(await Promise.all(audits.map(async (a) => [a.id, await pendingCount(a.id)])));
  return {
    audits,
    processes: new Map(processes.map((p) => [p.id, p])),
    packages: new Map(packages.map((p) => [p.id, p])),
    conflicts: conflicts.reduce((m, c) => m.set(c.auditId, (m.get(c.auditId) || 0) + 1), new Map()),
    pending,
  };
}

async function makeAvailable(ctx, audit) {
  downloading.add(audit.id);
  ctx.rerender();
  try {
    await downloadAudit(audit.id);
    const ready = await ctx.offlineReady();
    ctx.notify(ready
      ? format(_("%(code)s is ready to work offline."), { code: audit.code })
      : format(_("%(code)s is downloaded, but this browser cannot start the app offline yet."), { code: audit.code }));
  } catch (error) {
    ctx.notify(describe(error), true);
  }
  downloading.delete(audit.id);
  await ctx.reload();
}

function card(audit, data, ctx) {
  const pkg = data.packages.get(audit.id);
  const process = data.processes.get(audit.processId);
  const pending = data.pending[audit.id] || 0;
  const conflicts = data.conflicts.get(audit.id) || 0;
  const busy = downloading.has(audit.id);
  return html`<article class="card" data-testid="audit-card" data-audit-id=${audit.id}>
    <h2><a href=${href("plan", { auditId: audit.id })}>${audit.code} — ${localName(audit.title)}</a></h2>
    <dl class="facts">
      <dt>${_("Dates")}</dt><dd>${formatDate(audit.plannedStart)} – ${formatDate(audit.plannedEnd)}</dd>
      <dt>${_("Process")}</dt><dd>${process ? localName(process.name) : _("Not set")}</dd>
      <dt>${_("Status")}</dt><dd>${label(STATUSES, audit.status)}</dd>
      <dt>${_("On this tablet")}</dt>
      <dd data-testid="offline-state">${pkg ? format(_("Available offline (downloaded %(time)s)"), { time: when(pkg.savedAt) }) : _("Not downloaded")}</dd>
      <dt>${_("Sync")}</dt>
      <dd>${pending ? format(_("Changes waiting to be sent: %(count)s"), { count: pending }) : _("Nothing waiting")}
        ${conflicts ? html`<a href=${href("conflicts", { auditId: audit.id })}>${format(_("Conflicts to resolve: %(count)s"), { count: conflicts })}</a>` : nothing}</dd>
    </dl>
    <button type="button" data-testid="make-offline" ?disabled=${busy} @click=${() => makeAvailable(ctx, audit)}>
      ${busy ? _("Downloading…") : pkg ? _("Update the offline copy") : _("Make available offline")}</button>
  </article>`;
}

export function view(data, ctx) {
  return html`<h1 tabindex="-1">${_("My audits")}</h1>
    ${data.audits.length ? html`<div class="cards">${data.audits.map((a) => card(a, data, ctx))}</div>`
      : html`<p>${_("No audit to show. Audits appear here once you are on an audit team.")}</p>`}`;
}
