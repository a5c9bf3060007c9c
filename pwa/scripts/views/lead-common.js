/** What the audit lead's screens share: the organisation's lists, an audit's tabs, and writes that name
 * the revision they were made on (If-Match), so that nobody overwrites a change they have not seen. */
import { html, nothing } from "/vendor/lit-html@3.3.3/lit-html.js";
import { ApiError, describe, getJson, request } from "/scripts/api.js";
import { N_, _, formatDate } from "/scripts/i18n.js";
import { href } from "/scripts/router.js";
import { localName } from "/scripts/views/common.js";

/** Processes, units, sites and people, each a Map by id (archived ones too: an older plan may name them). */
export async function orgLists() {
  const lists = await Promise.all(["processes", "units", "sites", "people"].map((name) => getJson(`/api/v1/${name}?includeArchived=true`)));
  const [processes, units, sites, people] = lists.map((items) => new Map(items.map((item) => [item.id, item])));
  return { processes, units, sites, people };
}
export const getAudit = (auditId) => getJson(`/api/v1/audits/${auditId}`);

/** A write on an audit read at `rev`; the server refuses it (412) if the audit changed since. */
export const writeAudit = async (method, path, rev, json) =>
  (await request(method, path, { json, headers: rev ? { "If-Match": `"${rev}"` } : {} })).json();

/** A refusal in words, with a way out when the audit changed meanwhile. */
export const problemOf = (error, reload) => (error instanceof ApiError && error.status === 412
  ? { reload, message: _("Someone changed this audit meanwhile. Reload it to see their change, then make yours again.") }
  : { message: describe(error) });

export const problemNote = (problem) => (problem ? html`<div class="note error" role="alert" data-testid="problem">
  <p>${problem.message}</p>${problem.list ? html`<ul>${problem.list.map((item) => html`<li>${item}</li>`)}</ul>` : nothing}
  ${problem.reload ? html`<button type="button" data-testid="reload-audit" @click=${problem.reload}>${_("Reload the audit")}</button>` : nothing}
</div>` : nothing);

export const named = (map, id, field = "name") => (map.get(id) ? localName(map.get(id)[field]) : _("Not set"));
export const period = (audit) => (audit.plannedStart ? `${formatDate(audit.plannedStart)} – ${formatDate(audit.plannedEnd)}` : _("Not set"));

const TABS = [["leadAudit", N_("Overview")], ["leadPlan", N_("Plan")], ["leadTeam", N_("Team")],
  ["leadProgress", N_("Progress")], ["leadLate", N_("Late submissions")]];
export const leadTabs = (auditId, active) => html`<nav class="tabs" aria-label=${_("Audit sections")}>${TABS.map(([name, text]) => html`<a
  href=${href(name, { auditId })} aria-current=${name === active ? "page" : "false"} data-testid=${`tab-${name}`}>${_(text)}</a>`)}</nav>`;
