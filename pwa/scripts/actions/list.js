/** Nonconformity lists: an auditee's unit's, an auditor's "to verify", the board by status and age. Each is kept on the
 * tablet as last fetched, with its records, so it reads offline; writes need the server. */
import { OfflineError, getJson } from "../api.js";
import { get, write } from "../db.js";
import { N_, _, formatDate, formatDateTime } from "../i18n.js";
import { href } from "../router.js";
import { facts, heads, html, label, localName, own } from "../views/common.js";
import { AGES, ageNow, board, inCell } from "./logic.js";

export const STATUS = { open: N_("Open"), analysis: N_("Analysis"), action_plan: N_("Action plan"), in_progress: N_("Actions under way"),
  verification: N_("Verification"), closed: N_("Closed out"), rejected: N_("Rejected") };
export const SEVERITY = { major: N_("Major nonconformity"), minor: N_("Minor nonconformity"), observation: N_("Observation") };
const VIEWS = { mine: N_("My unit's nonconformities"), verify: N_("To verify"), all: N_("Nonconformities") };
const EMPTY = { mine: N_("No nonconformity for your unit."), verify: N_("No nonconformity waits for your verification."),
  all: N_("No nonconformity to show.") };
const COLUMNS = [N_("Up to 30 days"), N_("31 to 90 days"), N_("91 to 180 days"), N_("Over 180 days")];

/** Copies `[key, value]` kept; a full disk only loses the offline copy. */
export const keep = (pairs) => write(["ncs"], async (tx) => { for (const [key, value] of pairs) await tx.objectStore("ncs").put(value, key); })
  .catch(() => {});
export const recordCopy = (nc, fetchedAt) => [`nc:${nc.id}`, { data: nc, fetchedAt }];

/** `{data, fetchedAt}` from the server, kept under `key` (a list's records too); offline, the copy kept, with `offline`. */
export async function fetched(key, path, list) {
  try {
    const copy = { data: await getJson(path), fetchedAt: new Date().toISOString() };
    await keep([[key, copy], ...(list ? copy.data.map((nc) => recordCopy(nc, copy.fetchedAt)) : [])]);
    return copy;
  } catch (error) {
    const kept = error instanceof OfflineError && (await get("ncs", key));
    if (!kept) throw error;
    return { ...kept, offline: true };
  }
}

export const freshness = (copy) => html`<p class=${copy.offline ? "note warn" : "muted"} data-testid="fetched" data-offline=${String(Boolean(copy.offline))}>${
  copy.offline ? _("No connection: shown as fetched on %(time)s. Reading works offline; changes need a connection.", { time: formatDateTime(copy.fetchedAt) })
    : _("Fetched on %(time)s. Changes are sent at once and need a connection.", { time: formatDateTime(copy.fetchedAt) })}</p>`;

export const title = (nc) => `${nc.auditCode} — ${label(SEVERITY, nc.severity)}`;
export const statusTag = (nc) => html`<span class="tag" data-testid="nc-status" data-status=${nc.status}>${label(STATUS, nc.status)}</span>`;
export const lateText = (nc) => nc.late.map((l) => _("%(days)s days late (%(due)s)", { days: l.daysLate, due: formatDate(l.due) })).join(" · ");

function card(nc, copy) {
  const rows = [[_("Status"), statusTag(nc)], [_("Unit"), localName(nc.unitName)], [_("Statement"), own(nc.statement)],
    [_("Opened"), _("%(date)s, %(days)s days ago", { date: formatDate(nc.openedOn), days: ageNow(nc, copy.fetchedAt, Date.now()) })],
    [_("Late"), lateText(nc) && html`<span class="tag warn">${lateText(nc)}</span>`]];
  return html`<article class="card" data-testid="nc-card" data-nc-id=${nc.id} data-status=${nc.status}>
    <h2><a href=${href("nc", { ncId: nc.id })}>${title(nc)}</a></h2>${facts(rows)}</article>`;
}

function boardTable(copy, query) {
  const cell = (status, age, count) => (count ? html`<a href=${href("ncs", {}, { view: "all", status, age })} data-testid="board-cell"
    data-status=${status} data-age=${age}>${count}</a>` : "0");
  const columns = COLUMNS.map((c) => _(c));
  return html`<div class="scroll"><table class="board" data-testid="board"><caption>${_("Nonconformities by status and age")}</caption>
    ${heads(_("Status"), ...columns, _("Total"))}<tbody>${board(copy.data, copy.fetchedAt, Date.now()).map((row) => html`<tr
      data-testid="board-row" data-status=${row.status} aria-current=${row.status === query.status ? "true" : "false"}>
      <th scope="row">${label(STATUS, row.status)}</th>${row.counts.map((n, age) => html`<td>${cell(row.status, String(age), n)}</td>`)}
      <td>${cell(row.status, "", row.total)}</td></tr>`)}</tbody></table></div>`;
}

export const ncList = {
  async load(params, ctx) {
    const view = VIEWS[ctx.query.view] ? ctx.query.view : "all";
    return { view, ...(await fetched(`list:${view}`, `/api/v1/nonconformities?view=${view}`, true)) };
  },
  view(copy, ctx) {
    const { status = "", age = "" } = ctx.query;
    const shown = copy.data.filter((nc) => inCell(nc, status, age, copy.fetchedAt, Date.now()))
      .sort((a, b) => a.openedOn.localeCompare(b.openedOn));
    const filter = [status && label(STATUS, status), AGES[age] && _(COLUMNS[age])].filter(Boolean).join(" · ");
    const filtered = copy.view === "all" && filter && html`<p>${_("Shown: %(filter)s", { filter })}
      <a href=${href("ncs", {}, { view: "all" })} data-testid="board-all">${_("Show all")}</a></p>`;
    return html`<h1>${_(VIEWS[copy.view])}</h1>${freshness(copy)}${copy.view === "all" ? boardTable(copy, ctx.query) : ""}${filtered || ""}
      <div class="cards" aria-live="polite">${shown.map((nc) => card(nc, copy))}</div>
      ${shown.length ? "" : html`<p class="note" data-testid="nc-none">${_(EMPTY[copy.view])}</p>`}`;
  },
};
