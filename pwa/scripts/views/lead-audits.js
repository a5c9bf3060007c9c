/** The audit lead's audits, with filters. */
import { getJson } from "../api.js";
import { _ } from "../i18n.js";
import { filterAudits } from "../leadLogic.js";
import { href } from "../router.js";
import { STANDARDS, STATUSES, facts, html, label, localName, noSubmit, options, period, standards } from "./common.js";
import { byId, named } from "./lead-common.js";

const NONE = { status: "", process: "", standard: "", from: "", to: "", text: "" };
let filter = { ...NONE };
let open = matchMedia("(min-width: 601px)").matches; // on a phone the filters start folded

export const auditList = {
  async load() {
    const [audits, processes] = await Promise.all([getJson("/api/v1/audits"), getJson("/api/v1/processes?includeArchived=true")]);
    return { audits, processes: byId(processes) };
  },
  view(data, ctx) {
    const set = (key) => (e) => { filter = { ...filter, [key]: e.target.value }; ctx.rerender(); };
    const choose = (key, text, choices) => html`<label>${text}<select data-testid=${`filter-${key}`} @change=${set(key)}>${options(
      [["", _("All")], ...choices], filter[key])}</select></label>`;
    const day = (key, text) => html`<label>${text}<input type="date" .value=${filter[key]} data-testid=${`filter-${key}`} @change=${set(key)}></label>`;
    const shown = filterAudits(data.audits, filter);
    const processes = [...data.processes.values()].filter((p) => data.audits.some((a) => a.processId === p.id))
      .sort((a, b) => a.code.localeCompare(b.code)).map((p) => [p.id, `${p.code} — ${localName(p.name)}`]);
    return html`<h1>${_("Audit planning")}</h1>
      <p><a class="button primary" href=${href("leadNew")} data-testid="new-audit">${_("New audit plan")}</a></p>
      <details class="panel filter-box" ?open=${open} @toggle=${(e) => { open = e.target.open; }}><summary>${_("Filter the audits")}</summary>
      <form class="filters" role="search" aria-label=${_("Filter the audits")} @submit=${noSubmit}>
        <label>${_("Code or title")}<input type="search" .value=${filter.text} data-testid="filter-text" @input=${set("text")}></label>
        ${choose("status", _("Status"), Object.keys(STATUSES).map((s) => [s, label(STATUSES, s)]))}
        ${choose("process", _("Process"), processes)}
        ${choose("standard", _("Standard"), Object.entries(STANDARDS))}
        ${day("from", _("Ending on or after"))}${day("to", _("Starting on or before"))}
        <button type="button" data-testid="clear-filters" @click=${() => { filter = { ...NONE }; ctx.rerender(); }}>${_("Clear the filters")}</button>
      </form></details>
      <p role="status" data-testid="audit-count">${_("Audits shown: %(shown)s of %(total)s", { shown: shown.length, total: data.audits.length })}</p>
      <div class="cards">${shown.map((a) => html`<article class="card" data-testid="lead-audit" data-code=${a.code}>
        <h2><a href=${href("leadAudit", { auditId: a.id })}>${a.code} — ${localName(a.title)}</a></h2>${facts([
          [_("Dates"), period(a)], [_("Process"), named(data.processes, a.processId)],
          [_("Standards"), standards(a.standards)], [_("Status"), label(STATUSES, a.status)]])}</article>`)}</div>`;
  },
};
