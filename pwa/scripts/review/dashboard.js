/** Management review (issue 12): the pack's figures for a period as the signed PDF and the workbook give them (defined in
 * server/review/model.py), and both files. */
import { describe, getJson, request } from "../api.js";
import { N_, _, formatDate, language } from "../i18n.js";
import { VERDICTS, clauseRef, dots, facts, heads, html, label, localName, nothing, own, saveFile } from "../views/common.js";
import { bar, percent, periodProblems } from "./logic.js";

const SEVERITIES = ["major", "minor", "observation", "improvement"];
const ONE = { major: "nc_major", minor: "nc_minor", observation: "observation", improvement: "improvement" };
const MANY = { major: N_("Major nonconformities"), minor: N_("Minor nonconformities"), observation: N_("Observations"),
  improvement: N_("Opportunities for improvement") };
const STATUS = { open: N_("Open"), analysis: N_("Cause analysis"), action_plan: N_("Action plan"), in_progress: N_("Actions in progress"),
  verification: N_("Awaiting verification"), closed: N_("Closed out"), rejected: N_("Rejected") };
const AGES = { "0-30": N_("0 to 30 days"), "31-90": N_("31 to 90 days"), "91-180": N_("91 to 180 days"), ">180": N_("More than 180 days") };
const TYPES = { correction: N_("Correction"), corrective: N_("Corrective action"), preventive: N_("Preventive action") };
const FIGURES = { auditsPlanned: N_("Audits planned"), auditsDone: N_("Audits done"), realisationRate: N_("Realisation rate"),
  findings: N_("Findings"), previousFindings: N_("Findings in the previous period"), nonconformitiesOpened: N_("Nonconformity records opened"),
  nonconformitiesOpen: N_("Nonconformity records not closed"), overdueActions: N_("Overdue actions"), effectivenessRate: N_("Effectiveness rate") };
const SAYS = { backwards: N_("The period ends before it starts."), too_long: N_("A period covers at most three years.") };

const state = { from: "", to: "", shown: {}, pack: null, busy: false, refused: null };
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (all, key) => values[key]); // the server's msgids: {name}
const query = (values) => new URLSearchParams(Object.entries(values).filter(([, v]) => v)).toString();
const sum = (rows, key) => rows.reduce((total, row) => total + row[key], 0);
const span = (p) => `${formatDate(p.start)} – ${formatDate(p.end)}`;
const group = (r) => `${r.key} — ${localName(r.label)}`; // here: a template beside a _() hides it from the extractor

/** A count with its bar against `largest` (`was`: the previous period's colour); the bar is the number drawn, hidden from screen readers. */
const drawn = (value, largest, was) => html`${value}<span class=${was ? "bar was" : "bar"} data-rem=${bar(value, largest)} aria-hidden="true"></span>`;

/** Rows `[key, heading, ...cells]`, a total row `foot`; or what `empty` says when there is no row. */
function table(testid, caption, columns, rows, { foot, note, empty } = {}) {
  const row = ([key, head, ...cells]) => html`<tr data-key=${key}><th scope="row">${head}</th>${cells.map((c) => html`<td>${c}</td>`)}</tr>`;
  if (!rows.length) return html`<p data-testid=${testid}><strong>${caption}</strong><br><span class="muted">${empty}</span></p>`;
  return html`<div class="scroll"><table class="pack" data-testid=${testid}><caption>${caption}${note ? html`<small class="muted">${note}</small>` : ""}</caption>
    ${heads(...columns)}<tbody>${rows.map(row)}</tbody>${foot ? html`<tfoot>${row(foot)}</tfoot>` : ""}</table></div>`;
}

function figures(p) {
  const t = { ...p.totals, effectivenessRate: p.effectiveness.rate };
  return html`<dl class="cards figures" data-testid="figures">${Object.entries(FIGURES).map(([key, text]) => html`<div class="card"
    data-figure=${key}><dt class="muted">${_(text)}</dt><dd>${key.endsWith("Rate") ? percent(t[key], language()) : t[key]}</dd></div>`)}</dl>`;
}

/** Findings of one standard, clause group or process: by severity, and the previous period's total. */
const counts = (testid, caption, first, rows, head, note) => table(testid, caption,
  [first, ...SEVERITIES.map((s) => _(MANY[s])), _("Total"), _("Previous period")],
  rows.map((r) => [r.key, head(r), ...SEVERITIES.map((s) => r[s]), r.total, r.previousTotal]), { note, empty: _("No finding in the period.") });

/** Records by status or age: by severity, the total drawn. */
function records(testid, caption, first, rows, key, names, note) {
  const severities = SEVERITIES.slice(0, 3), largest = Math.max(...rows.map((r) => r.total));
  return table(testid, caption, [first, ...severities.map((s) => _(MANY[s])), _("Total")],
    rows.map((r) => [r[key], label(names, r[key]), ...severities.map((s) => r[s]), drawn(r.total, largest)]),
    { note, foot: ["total", _("Total"), ...severities.map((s) => sum(rows, s)), sum(rows, "total")] });
}

function audits(p) {
  const rows = p.realisation, largest = Math.max(...rows.map((r) => r.planned));
  const keys = ["planned", "done", "inProgress", "notStarted", "cancelled"];
  return table("realisation", _("Programme realisation"), [_("Quarter"), _("Planned"), _("Done"), _("In progress"), _("Not started"), _("Cancelled")],
    sum(rows, "planned") ? rows.map((r) => [`${r.year}-${r.quarter}`, fill(_("Q{quarter} {year}"), r), drawn(r.planned, largest, true),
      drawn(r.done, largest), r.inProgress, r.notStarted, r.cancelled]) : [],
    { foot: ["total", _("Total"), ...keys.map((k) => sum(rows, k))], empty: _("No audit in the period.") });
}

function findings(p) {
  const rows = p.findingsBySeverity, largest = Math.max(...rows.flatMap((r) => [r.current, r.previous]));
  return html`${table("by-severity", _("Findings by severity"), [_("Severity"), _("This period"), _("Previous period")],
    rows.map((r) => [r.severity, label(VERDICTS, ONE[r.severity]), drawn(r.current, largest), drawn(r.previous, largest, true)]),
    { foot: ["total", _("Total"), sum(rows, "current"), sum(rows, "previous")] })}
    ${counts("by-standard", _("Findings by standard"), _("Standard"), p.findingsByStandard, (r) => localName(r.label),
    _("A finding that cites several standards counts once in each."))}
    ${counts("by-clause-group", _("Findings by clause group"), _("Clause group"), p.findingsByClauseGroup, group,
    _("Clauses 4 to 10, shared by the three standards; a finding counts once in each."))}
    ${counts("by-process", _("Findings by process"), _("Process"), p.findingsByProcess, (r) => localName(r.label) || _("No process"))}
    ${table("recurring", _("Recurring clauses"), [_("Clause"), _("Title"), _("Audits"), _("Findings"), _("Audit codes")],
    p.recurringClauses.map((r) => [r.clause, clauseRef(r.clause), localName(r.label), r.audits, r.findings, dots(r.auditCodes)]),
    { note: _("Clauses cited by a nonconformity in two audits or more."), empty: _("No clause recurs.") })}
    ${table("notable", _("Notable findings"), [_("Audit"), _("Severity"), _("Clauses"), _("Statement"), _("Unit and process")],
    p.notable.map((f) => [f.findingId, f.auditCode, label(VERDICTS, ONE[f.severity]), dots(f.clauses.map(clauseRef)), own(f.statement),
      dots([localName(f.unit), localName(f.process)].filter(Boolean))]), { empty: _("No notable finding.") })}`;
}

function nonconformities(p) {
  const e = p.effectiveness;
  return html`${records("nc-status", _("Nonconformities by status"), _("Status"), p.ncStatus, "status", STATUS,
    _("Nonconformity records opened in the period, by their status today."))}
    ${records("nc-ageing", _("Ageing of open nonconformities"), _("Age"), p.ncAgeing, "bucket", AGES,
    fill(_("Records not closed, whenever opened, by their age on {day}."), { day: formatDate(p.asOf) }))}
    ${table("overdue", _("Overdue actions"), [_("Audit"), _("Unit"), _("Owner"), _("Type"), _("Action"), _("Due date"), _("Days late")],
    p.overdueActions.map((a) => [a.actionId, a.auditCode, localName(a.unit), localName(a.owner), label(TYPES, a.type), own(a.description),
      formatDate(a.due), a.daysLate]), { empty: _("No action is overdue.") })}
    ${table("effectiveness", _("Effectiveness of actions"), [_("Figure"), _("Value")], e.verified ? [["effective", _("Effective"), e.effective],
      ["ineffective", _("Ineffective"), e.ineffective], ["rate", _("Effectiveness rate"), percent(e.rate, language())]] : [],
    { empty: _("No verification in the period.") })}`;
}

/** The period asked for, if the check passes; a refusal is said beside the field it names (the server's words). */
async function ask(event, ctx) {
  event.preventDefault();
  if (Object.keys(periodProblems(state.from, state.to)).length) return;
  Object.assign(state, { busy: true, refused: null });
  ctx.rerender();
  const asked = { from: state.from, to: state.to };
  try {
    state.pack = await getJson(`/api/v1/review/pack?${query(asked)}`);
    state.shown = asked;
  } catch (error) {
    const said = error.details?.[0];
    state.refused = { field: said?.field, message: error.code === "review.period_invalid" ? said.message : describe(error) };
    if (!["from", "to"].includes(said?.field)) ctx.notify(state.refused.message, true); // offline, or no field named
  }
  state.busy = false;
  ctx.rerender();
}

function periodForm(ctx) {
  const problems = periodProblems(state.from, state.to);
  const field = (name, text) => {
    const refused = state.refused?.field === name && state.refused.message, said = problems[name] ? _(SAYS[problems[name]]) : refused;
    const input = (e) => { Object.assign(state, { [name]: e.target.value, refused: null }); ctx.rerender(); };
    return html`<div><label>${text}<input type="date" .value=${state[name]} data-testid=${`review-${name}`} aria-invalid=${said ? "true" : nothing}
      aria-describedby=${said ? `review-${name}-problem` : nothing} @input=${input}></label>${said ? html`<p class="note error"
      id=${`review-${name}-problem`} data-testid="problem" data-field=${name} role=${refused ? "alert" : nothing}>${said}</p>` : ""}</div>`;
  };
  return html`<form class="period" aria-label=${_("Period")} @submit=${(e) => ask(e, ctx)}><div class="pair">${field("from", _("First day"))}
    ${field("to", _("Last day"))}</div><button class="primary" data-testid="review-show" ?disabled=${state.busy}>${_("Show")}</button></form>`;
}

/** Files with the session's token (a link has none), for the period shown, in the screen's language. */
function downloads(p, ctx) {
  const names = { pdf: _("Download the PDF"), xlsx: _("Spreadsheet (XLSX)") };
  const get = (kind) => () => request("GET", `/api/v1/review/pack.${kind}?${query({ from: p.period.start, to: p.period.end, lang: language() })}`)
    .then((r) => r.blob()).then((blob) => saveFile(blob, `review-${p.period.start}-${p.period.end}-${language()}.${kind}`),
      (error) => ctx.notify(describe(error), true));
  return html`<div class="actions" role="group" aria-label=${_("Management review pack")}>${Object.entries(names).map(([kind, text]) => html`<button
    type="button" data-testid=${`download-${kind}`} @click=${get(kind)}>${text}</button>`)}</div>`;
}

export const review = {
  async load() {
    state.pack = await getJson(`/api/v1/review/pack?${query(state.shown)}`);
    if (!state.from && !state.to) Object.assign(state, { from: state.pack.period.start, to: state.pack.period.end });
    return state.pack;
  },
  view(loaded, ctx) {
    const p = state.pack;
    return html`<h1>${_("Management review")}</h1>
      <section class="panel" data-testid="review-period">${facts([[_("Period"), span(p.period)], [_("Previous period"), span(p.previous)],
        [_("Figures as of"), formatDate(p.asOf)]])}${periodForm(ctx)}${downloads(p, ctx)}</section>
      <h2>${_("Key figures")}</h2>${figures(p)}<h2>${_("Audits")}</h2>${audits(p)}
      <h2>${_("Findings")}</h2>${findings(p)}<h2>${_("Nonconformities")}</h2>${nonconformities(p)}`;
  },
  after(root) { // the bars' lengths through the CSSOM: the page's CSP refuses style attributes
    for (const drawnBar of root.querySelectorAll(".bar[data-rem]")) drawnBar.style.inlineSize = `${drawnBar.dataset.rem}rem`;
  },
};
