/** The audit lead's audits, filtered by status, process, standard, period and words of the code or title. */
import { html } from "/vendor/lit-html@3.3.3/lit-html.js";
import { getJson } from "/scripts/api.js";
import { _, format } from "/scripts/i18n.js";
import { filterAudits } from "/scripts/leadLogic.js";
import { href } from "/scripts/router.js";
import { STANDARDS, STATUSES, label, localName } from "/scripts/views/common.js";
import { named, period } from "/scripts/views/lead-common.js";

const NONE = { status: "", process: "", standard: "", from: "", to: "", text: "" };
let filter = { ...NONE };
let open = matchMedia("(min-width: 601px)").matches; // on a phone the filters start folded

export const auditList = {
  async load() {
    const [audits, processes] = await Promise.all([getJson("/api/v1/audits"), getJson("/api/v1/processes?includeArchived=true")]);
    return { audits, processes: new Map(processes.map((p) => [p.id, p])) };
  },
  view(data, ctx) {
    const set = (key) => (e) => { filter = { ...filter, [key]: e.target.value }; ctx.rerender(); };
    const choose = (key, text, options) => html`<label>${text}<select data-testid=${`filter-${key}`} @change=${set(key)}>
      <option value="" ?selected=${!filter[key]}>${_("All")}</option>${options.map(([value, name]) => html`<option value=${value}
      ?selected=${filter[key] === value}>${name}</option>`)}</select></label>`;
    const day = (key, text) => html`<label>${text}<input type="date" .value=${filter[key]} data-testid=${`filter-${key}`} @change=${set(key)}></label>`;
    const shown = filterAudits(data.audits, filter);
    const processes = [...data.processes.values()].filter((p) => data.audits.some((a) => a.processId === p.id))
      .sort((a, b) => a.code.localeCompare(b.code)).map((p) => [p.id, `${p.code} — ${localName(p.name)}`]);
    return html`<h1 tabindex="-1">${_("Audit planning")}</h1>
      <p><a class="button primary" href=${href("leadNew")} data-testid="new-audit">${_("New audit plan")}</a></p>
      <details class="panel filter-box" ?open=${open} @toggle=${(e) => { open = e.target.open; }}><summary>${_("Filter the audits")}</summary>
      <form class="filters" role="search" aria-label=${_("Filter the audits")} @submit=${(e) => e.preventDefault()}>
        <label>${_("Code or title")}<input type="search" .value=${filter.text} data-testid="filter-text" @input=${set("text")}></label>
        ${choose("status", _("Status"), Object.keys(STATUSES).map((s) => [s, label(STATUSES, s)]))}
        ${choose("process", _("Process"), processes)}
        ${choose("standard", _("Standard"), Object.entries(STANDARDS))}
        ${day("from", _("Ending on or after"))}${day("to", _("Starting on or before"))}
        <button type="button" data-testid="clear-filters" @click=${() => { filter = { ...NONE }; ctx.rerender(); }}>${_("Clear the filters")}</button>
      </form></details>
      <p role="status" data-testid="audit-count">${format(_("Audits shown: %(shown)s of %(total)s"), { shown: shown.length, total: data.audits.length })}</p>
      <div class="cards">${shown.map((a) => html`<article class="card" data-testid="lead-audit" data-code=${a.code}>
        <h2><a href=${href("leadAudit", { auditId: a.id })}>${a.code} — ${localName(a.title)}</a></h2>
        <dl class="facts"><dt>${_("Dates")}</dt><dd>${period(a)}</dd>
          <dt>${_("Process")}</dt><dd>${named(data.processes, a.processId)}</dd>
          <dt>${_("Standards")}</dt><dd>${a.standards.map((s) => STANDARDS[s]).join(" · ")}</dd>
          <dt>${_("Status")}</dt><dd>${label(STATUSES, a.status)}</dd></dl></article>`)}</div>`;
  },
};
