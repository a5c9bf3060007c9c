/** An audit's plan: scope, criteria, objectives, team, auditees and agenda, from the offline package. */
import { html } from "/vendor/lit-html@3.3.3/lit-html.js";
import { N_, _, formatDate } from "/scripts/i18n.js";
import { auditRecords } from "/scripts/packages.js";
import { href } from "/scripts/router.js";
import { STANDARDS, STATUSES, auditTabs, clauseRef, label, localName } from "/scripts/views/common.js";

const ROLES = { lead: N_("Lead auditor"), auditor: N_("Auditor") };

export const load = ({ auditId }) => auditRecords(auditId);

/** The message for an audit not downloaded yet (shared by the audit's screens). */
export const notDownloaded = () => html`<h1 tabindex="-1">${_("Audit not on this tablet")}</h1>
  <p>${_("Download this audit first: in My audits, choose “Make available offline”.")}</p>
  <p><a href=${href("audits")}>${_("My audits")}</a></p>`;

const list = (items, empty) => (items.length ? html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` : html`<p>${empty}</p>`);

export function view(data) {
  const { pkg } = data;
  if (!pkg) return notDownloaded();
  const { audit } = pkg;
  return html`<h1 tabindex="-1">${audit.code} — ${localName(audit.title)}</h1>
    ${auditTabs(audit.id, "plan", data.conflicts.length)}
    <section class="panel">
      <h2>${_("Scope")}</h2>
      <dl class="facts">
        <dt>${_("Status")}</dt><dd>${label(STATUSES, audit.status)}</dd>
        <dt>${_("Dates")}</dt><dd>${formatDate(audit.plannedStart)} – ${formatDate(audit.plannedEnd)}</dd>
        <dt>${_("Process")}</dt><dd>${pkg.process ? localName(pkg.process.name) : _("Not set")}</dd>
        <dt>${_("Standards")}</dt><dd>${audit.standards.map((s) => STANDARDS[s] || s).join(" · ")}</dd>
        <dt>${_("Units")}</dt><dd>${pkg.units.map((u) => localName(u.name)).join(" · ") || _("Not set")}</dd>
        <dt>${_("Sites")}</dt><dd>${pkg.sites.map((s) => localName(s.name)).join(" · ") || _("Not set")}</dd>
        <dt>${_("Clauses")}</dt><dd>${audit.clauses.length ? audit.clauses.map(clauseRef).join(" · ") : _("Every clause of the standards")}</dd>
      </dl>
      <h2>${_("Objectives")}</h2><p class="text">${audit.objectives || _("Not set")}</p>
      <h2>${_("Criteria")}</h2>${list(audit.criteria, _("Not set"))}
    </section>
    <section class="panel">
      <h2>${_("Audit team")}</h2>
      ${list(pkg.team.map((m) => html`${localName(m.fullName)} <span class="muted">(${label(ROLES, m.role)})</span>`), _("Not set"))}
      <h2>${_("Auditees")}</h2>${list(pkg.auditees.map((p) => localName(p.fullName)), _("Not set"))}
    </section>
    <section class="panel">
      <h2>${_("Agenda")}</h2><p class="text">${audit.agenda || _("Not set")}</p>
    </section>`;
}
