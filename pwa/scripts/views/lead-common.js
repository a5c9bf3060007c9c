/** What the audit lead's screens share; writes name the revision they were made on (If-Match). */
import { ApiError, describe, getJson, request } from "../api.js";
import { N_, _ } from "../i18n.js";
import { html, localName, nothing, tabs } from "./common.js";

export const byId = (items) => new Map(items.map((item) => [item.id, item]));
/** The organisation's lists, Maps by id, archived items too (an older plan may name them). */
export async function orgLists(names = ["processes", "units", "sites", "people"]) {
  const lists = await Promise.all(names.map((name) => getJson(`/api/v1/${name}?includeArchived=true`)));
  return Object.fromEntries(names.map((name, i) => [name, byId(lists[i])]));
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

export const named = (map, id, field = "name") => localName(map.get(id)?.[field]) || _("Not set");

const TABS = [["leadAudit", N_("Overview")], ["leadPlan", N_("Plan")], ["leadTeam", N_("Team")],
  ["leadProgress", N_("Progress")], ["leadLate", N_("Late submissions")]];
/** An audit's heading (`title — code`, else `code — its title`) and its tabs. */
export const leadHead = (audit, tab, title) => html`<h1>${title ? `${title} — ${audit.code}`
  : `${audit.code} — ${localName(audit.title)}`}</h1>${tabs(TABS, tab, audit.id)}`;
