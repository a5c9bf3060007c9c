/** The audit trail (issue 16): every change by entity, person and time, newest first, each opening its before and after. */
import { ApiError, getJson } from "../api.js";
import { N_, _, formatDateTime } from "../i18n.js";
import { heads, html, label, own } from "../views/common.js";
import { field, refused } from "./form.js";

const ENTITIES = { question: N_("Checklist question"), audit: N_("Audit"), audit_team: N_("Audit team"), attachment: N_("Photo or file"),
  nonconformity: N_("Nonconformity"), report: N_("Report"), unit: N_("Unit"), site: N_("Site"), process: N_("Process"), person: N_("Person"),
  user: N_("Account"), organisation: N_("Organisation"), programme: N_("Audit programme"), programme_entry: N_("Programme entry"),
  sync_batch: N_("Sync from a tablet") };
const ACTIONS = { create: N_("Created"), update: N_("Changed"), delete: N_("Deleted"), retire: N_("Retired"), import: N_("Imported") };
const SIZE = 25;
const empty = () => ({ entity: "", entityId: "", actor: "", from: "", to: "" });
const state = { typed: empty(), shown: empty(), cursors: [null], page: 0, open: null, server: {}, focus: "" };

/** What is wrong with the filters as typed, by field. */
export function filterProblems(f) {
  const problems = {};
  if (f.entityId.length > 64) problems.entityId = _("At most %(count)s characters.", { count: 64 });
  if (f.actor && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(f.actor.trim())) {
    problems.actor = _("A user name has only letters, digits, dots, dashes and underscores.");
  }
  if (f.from && f.to && f.to < f.from) problems.to = _("The last day is before the first.");
  return problems;
}

/** The API's query for the filters: days are the tablet's local days, the last one included. */
export function trailQuery(f, beforeId, size = SIZE) {
  const day = (text, more = 0) => { const d = new Date(`${text}T00:00:00`); d.setDate(d.getDate() + more); return d.toISOString(); };
  const query = { limit: String(size), entity: f.entity, entityId: f.entityId.trim(), actor: f.actor.trim().toLowerCase(),
    since: f.from && day(f.from), until: f.to && day(f.to, 1), beforeId: beforeId ? String(beforeId) : "" };
  return new URLSearchParams(Object.entries(query).filter(([, v]) => v)).toString();
}

const NAMES = { entityId: "entityId", actor: "actor", since: "from", until: "to" };
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;
/** A stored value in words: nothing, a time, a list, texts per language, or what someone wrote (isolated). */
function value(v) {
  if (v === null || v === undefined || v === "") return html`<span class="muted">${_("(empty)")}</span>`;
  if (Array.isArray(v)) return v.length ? html`<ul>${v.map((item) => html`<li>${value(item)}</li>`)}</ul>` : value(null);
  if (typeof v === "object") return html`<dl class="facts">${Object.entries(v).map(([k, item]) => html`<dt>${k}</dt><dd>${value(item)}</dd>`)}</dl>`;
  return typeof v === "string" && ISO.test(v) ? formatDateTime(v) : own(String(v));
}

const changes = (entry) => html`<table><caption>${_("Before and after")}</caption>
  ${heads(_("Field"), _("Before"), _("After"))}<tbody>${Object.entries(entry.changes).map(([name, [before, after]]) => html`
  <tr data-field=${name}><th scope="row"><span class="code">${name}</span></th><td class="was-value">${value(before)}</td><td>${value(after)}</td></tr>`)}
  </tbody></table>`;

function entryRows(entry, ctx) {
  const open = state.open === entry.id, count = Object.keys(entry.changes).length;
  const toggle = () => { state.open = open ? null : entry.id; ctx.rerender(); };
  return html`<tr data-testid="trail-entry" data-id=${entry.id} data-entity=${entry.entity} data-entity-id=${entry.entityId} data-action=${entry.action}>
    <td>${formatDateTime(entry.at)}</td><td><bdi>${entry.actorUsername}</bdi></td><td>${label(ACTIONS, entry.action)}</td>
    <td>${label(ENTITIES, entry.entity)} <span class="code">${entry.entityId}</span></td>
    <td><button type="button" class="small" data-testid="open-entry" aria-expanded=${String(open)} aria-controls=${`entry-${entry.id}`}
      ?disabled=${!count} @click=${toggle}>${_("Fields changed: %(count)s", { count })}</button></td></tr>
    ${open ? html`<tr id=${`entry-${entry.id}`} data-testid="entry-detail"><td colspan="5">${changes(entry)}</td></tr>` : ""}`;
}

function filters(ctx) {
  const f = state.typed, checked = filterProblems(f);
  const typed = (name) => (e) => { f[name] = e.target.value; delete state.server[name]; ctx.rerender(); };
  const one = (text, name, opts = {}) => field(text, name, f[name], { problem: state.server[name] || checked[name], input: typed(name), ...opts });
  const show = (event) => {
    event.preventDefault();
    if (Object.keys(checked).length) return;
    Object.assign(state, { shown: { ...f }, cursors: [null], page: 0, open: null, server: {} });
    ctx.reload();
  };
  const kinds = Object.entries(ENTITIES).map(([key, text]) => [key, _(text)]).sort((a, b) => a[1].localeCompare(b[1]));
  return html`<form class="panel" novalidate data-testid="trail-filters" aria-label=${_("Filters")} @submit=${show}><div class="filters">
    ${one(_("Kind of record"), "entity", { choices: [["", _("Every kind")], ...kinds] })}
    ${one(_("Record id or code"), "entityId")}${one(_("Person (user name)"), "actor")}
    ${one(_("From (day)"), "from", { type: "date" })}${one(_("To (day, included)"), "to", { type: "date" })}</div>
    ${refused(state.server.form)}
    <div class="actions"><button class="primary" data-testid="trail-show">${_("Show")}</button>
      <button type="button" data-testid="trail-clear" @click=${() => { Object.assign(state, { typed: empty(), shown: empty(), cursors: [null], page: 0, server: {} }); ctx.reload(); }}>
        ${_("Clear the filters")}</button></div></form>`;
}

export async function load() {
  try {
    return await getJson(`/api/v1/audit-trail?${trailQuery(state.shown, state.cursors[state.page])}`);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    state.server = {};
    for (const detail of [error.details].flat().filter(Boolean)) state.server[NAMES[detail.field] || "form"] = detail.message || error.message;
    state.server.form ??= error.message;
    return { items: [], nextBeforeId: null };
  }
}

export function view(data, ctx) {
  state.cursors[state.page + 1] = data.nextBeforeId;
  const go = (page) => () => { Object.assign(state, { page, open: null, focus: "trail-results" }); ctx.reload(); };
  return html`<h1>${_("Audit trail")}</h1>${filters(ctx)}
    <section aria-labelledby="trail-results">
      <h2 id="trail-results" tabindex="-1">${_("Changes, newest first: page %(page)s", { page: state.page + 1 })}</h2>
      ${data.items.length ? html`<div class="scroll"><table>
        ${heads(_("When"), _("Who"), _("What was done"), _("To what"), _("Before and after"))}
        <tbody>${data.items.map((entry) => entryRows(entry, ctx))}</tbody></table></div>`
        : html`<p data-testid="trail-empty">${_("No change matches these filters.")}</p>`}
      <nav class="pager" aria-label=${_("Pages")}>
        <button type="button" class="small" data-testid="page-previous" ?disabled=${!state.page} @click=${go(state.page - 1)}>${_("Newer changes")}</button>
        <button type="button" class="small" data-testid="page-next" ?disabled=${!data.nextBeforeId} @click=${go(state.page + 1)}>${_("Older changes")}</button>
      </nav></section>`;
}

export function after(root) {
  if (state.focus) root.querySelector(`#${state.focus}`)?.focus();
  state.focus = "";
}
