/** What the programme's screens share: loading, writes, the list of programmes, a programme's sections. */
import { ApiError, describe, getJson, request } from "../api.js";
import { ENDONYMS, LANGUAGES, N_, _, formatDate, formatDateTime, language } from "../i18n.js";
import { href } from "../router.js";
import { byId, dots, facts, heads, html, label, localName, nothing, saveFile, standards } from "../views/common.js";
import { plans } from "../views/roles.js";
import { MONTHS, auditsPerYear, changeValue, coverageGroups, gridRows, initials, monthNames, teamOf } from "./logic.js";

const STATUS = { draft: N_("Draft"), submitted: N_("Submitted for approval"), approved: N_("Approved"), returned: N_("Returned") };
const LEVELS = { low: N_("Low"), medium: N_("Medium"), high: N_("High") };
const SOLVED = { optimal: N_("Best programme found"), feasible: N_("A programme meeting every rule was found"),
  infeasible: N_("No programme meets every rule"), unknown: N_("No answer within the time limit") };
const KINDS = { added: N_("Added"), removed: N_("Removed"), moved: N_("Moved"), team: N_("Team changed"), override: N_("Override") };
export const RISK = { criticality: N_("Criticality (1–5)"), changes: N_("Significant changes"), complaints: N_("Complaints"),
  openActions: N_("Open actions"), note: N_("Note") };

export const months = (style) => monthNames(language() === "ar" ? "ar-MA-u-nu-latn" : "fr-MA", style);
/** A name by person id, or by user name (who changed a programme), else as given. */
export const person = (org) => (id) => localName((org.people.get(id) || [...org.people.values()].find((x) => x.username === id))?.fullName) || id;
export const blockedOf = (p) => new Map(p.blockedMonths.map((b) => [b.month, localName(b.label)]));
export const dates = (e) => `${formatDate(e.start)} – ${formatDate(e.end)}`;
const by = (org, time, id) => _("%(time)s by %(person)s", { time: formatDateTime(time), person: person(org)(id) });
const busy = (state) => Boolean(state.busy);
export const people = () => getJson("/api/v1/people?includeArchived=true").then(byId);

async function loadProgramme(id) {
  const [programme, persons, units] = await Promise.all([getJson(`/api/v1/programmes/${id}`), people(), getJson("/api/v1/units?includeArchived=true").then(byId)]);
  return { programme, people: persons, units };
}

/** A write at the `rev` read (If-Match and the body's rev): the programme now. */
export async function write(method, path, rev, json, timeout) {
  const response = await request(method, `/api/v1/programmes/${path}`, { json: json && { ...json, rev }, headers: { "If-Match": `"${rev}"` }, timeout });
  return response.status === 204 ? null : response.json();
}

/** `run()` shown busy; a refusal to `state.problem` (412: reload), unless `beside(error)` placed it. */
export async function act(ctx, state, what, run, beside) {
  Object.assign(state, { busy: what, problem: null });
  ctx.rerender();
  try {
    await run();
  } catch (error) {
    if (!beside?.(error)) state.problem = { at: what, reload: error instanceof ApiError && error.status === 412, message: describe(error) };
  }
  state.busy = null;
  ctx.rerender();
}

/** `problem`, if it came from one of `actions` (none: any). */
export const problemNote = (problem, ctx, ...actions) => (problem && (!actions.length || actions.includes(problem.at)) ? html`<div
  class="note error" role="alert" data-testid="problem"><p>${problem.message}</p>${problem.reload ? html`<button type="button" data-testid="reload"
  @click=${() => ctx.reload()}>${_("Reload the programme")}</button>` : ""}</div>` : "");

/** A button `testid` doing `run` while `state` is not busy (`text`, or `working` while it runs `what`). */
export const button = (state, testid, run, text, { kind = "", working, what = testid, type = "button" } = {}) => html`<button type=${type}
  class=${kind || nothing} data-testid=${testid} ?disabled=${busy(state)} @click=${run}>${working && state.busy === what ? working : text}</button>`;

function head(p, org, tab) {
  const tabs = [["grid", _("Programme")], ["risks", _("Risks")], ["coverage", _("Coverage")], ["history", _("History")]];
  const rows = [[_("Status"), html`<span data-testid="programme-status" data-status=${p.status}>${label(STATUS, p.status)}</span>`],
    [_("Version"), String(p.version)], [_("Certification cycle"), p.cycle.join("–")], [_("Planned audits"), String(p.entries.length)],
    [_("Last change"), by(org, p.updatedAt, p.updatedBy)], [_("Manager's comment"), p.history.at(-1)?.comment]];
  return html`<h1>${_("Audit programme %(year)s", { year: p.year })}</h1><section class="panel">${facts(rows)}</section>
    <nav class="tabs" aria-label=${_("Programme sections")}>${tabs.map(([name, text]) => html`<a href=${href("programme", { programmeId: p.id }, { tab: name })}
      aria-current=${name === tab ? "page" : "false"} data-testid=${`tab-${name}`}>${text}</a>`)}</nav>`;
}

/** Downloads with the session's token (a link has none). */
export function downloads(p, ctx) {
  const get = (path, name, text, lang) => html`<button type="button" data-testid=${`download-${lang || name.split(".")[1]}`}
    @click=${() => request("GET", `/api/v1/programmes/${p.id}/${path}`).then((r) => r.blob()).then((blob) => saveFile(blob, name),
      (error) => ctx.notify(describe(error), true))}><span lang=${lang ?? nothing}>${text}</span></button>`;
  const [sheet, calendar] = [_("Spreadsheet (XLSX)"), _("Calendar (ICS)")];
  return html`<div class="actions" role="group" aria-label=${_("Download the programme")}>${LANGUAGES.map((lang) => get(`programme.pdf?lang=${lang}`,
    `programme-${p.year}-${lang}.pdf`, `PDF · ${ENDONYMS[lang]}`, lang))}${get(`programme.xlsx?lang=${language()}`, `programme-${p.year}.xlsx`,
    sheet)}${get(`calendar.ics?lang=${language()}`, `programme-${p.year}.ics`, calendar)}</div>`;
}

export function solveNote(solve) {
  if (!solve) return html`<p class="note" data-testid="not-solved">${_("Not solved yet: solve it to plan the audits.")}</p>`;
  return html`<div class=${["infeasible", "unknown"].includes(solve.status) ? "note error" : "note"} data-testid="solve-result" data-status=${solve.status}>
    <p><strong>${label(SOLVED, solve.status)}</strong> · ${formatDateTime(solve.solvedAt)}</p>${solve.explanations.length ? html`<ul
    data-testid="explanations">${solve.explanations.map((e) => html`<li data-kind=${e.kind}>${e.message}</li>`)}</ul>` : ""}</div>`;
}

/** Processes × months (mirrored in Arabic), blocked months shaded; an audit is a button with its team's initials. */
function grid(p, org, pick, selected) {
  const [names, blocked] = [months("short"), blockedOf(p)];
  const shade = (m) => (blocked.has(m) ? "blocked" : nothing);
  const entry = (e) => {
    const [team, pinned] = [teamOf(e).map(person(org)), e.pinnedMonth || e.pinnedTeam];
    const words = [team.join(", "), pinned && _("pinned"), e.overrideReason && _("impartiality override"), e.auditId && _("audit planned")];
    return html`<button type="button" class="entry" data-testid="entry" data-entry-id=${e.id} ?data-pinned=${pinned}
      ?data-override=${Boolean(e.overrideReason)} data-audit-id=${e.auditId ?? nothing} aria-pressed=${String(selected === e.id)}
      @click=${() => pick(e)}><span aria-hidden="true">${team.map(initials).join(" ")}${pinned ? " ⚑" : ""}${
      e.overrideReason ? " ⚠" : ""}</span><span class="visually-hidden">${words.filter(Boolean).join("; ")}</span></button>`;
  };
  const row = (r) => html`<tr data-testid="grid-row" data-process-id=${r.processId}><th scope="row"><span class="code">${r.code}</span> ${localName(r.name)}</th>
    ${r.cells.map((cell, i) => html`<td class=${shade(i + 1)} data-month=${i + 1}>${cell.map(entry)}</td>`)}</tr>`;
  return html`<div class="scroll" role="region" tabindex="0" aria-labelledby="grid-caption"><table class="grid" data-testid="grid">
    <caption id="grid-caption">${_("Audits by process and month, with the team's initials (lead first)")}</caption>
    <thead><tr><th scope="col">${_("Process")}</th>${MONTHS.map((m) => html`<th scope="col" class=${shade(m)}>${names[m - 1]}${blocked.has(m)
      ? html`<small>${blocked.get(m)}</small>` : ""}</th>`)}</tr></thead><tbody>${gridRows(p.risks, p.entries).map(row)}</tbody></table></div>
    <p class="muted">${_("⚑ pinned · ⚠ impartiality override")}</p>`;
}

function entryPanel(entry, data, ctx, close, more = "") {
  const row = data.programme.risks.find((r) => r.processId === entry.processId);
  const pinned = [entry.pinnedMonth && _("the month"), entry.pinnedTeam && _("the team")].filter(Boolean).join(", ") || _("no");
  const audit = entry.auditId && html`<a href=${href(plans(ctx.session) ? "leadAudit" : "readAudit", { auditId: entry.auditId })}
    data-testid="entry-audit">${_("Open the planned audit")}</a>`;
  const heading = _("%(process)s: audit %(number)s of the year", { process: `${row?.code} ${localName(row?.name)}`, number: entry.occurrence + 1 });
  const rows = [[_("Dates"), dates(entry)], [_("Standards"), standards(entry.standards)], [_("Team"), dots(teamOf(entry).map(person(data)))],
    [_("Pinned"), pinned], [_("Override reason"), entry.overrideReason], [_("Audit"), audit]];
  return html`<section class="panel" data-testid="entry-panel" aria-labelledby="entry-title"><h2 id="entry-title" tabindex="-1">${heading}</h2>
    ${facts(rows)}${more}
    <button type="button" data-testid="close-entry" @click=${close}>${_("Close")}</button></section>`;
}

/** The risk table; `cell(row, field)` and `save(row)` for the lead's inputs. */
export function riskTable(p, cell = (row, field) => row[field], save) {
  return html`<div class="scroll" role="region" tabindex="0" aria-labelledby="risk-caption"><table class="risks" data-testid="risks">
    <caption id="risk-caption">${_("Risk of each process")}</caption>
    ${heads(_("Process"), ...Object.values(RISK).map((t) => _(t)), _("Nonconformities (major / minor)"), _("Months since the last audit"), _("Score"),
      _("Risk"), _("Audits this year"), ...(save ? [_("Save")] : []))}<tbody>${p.risks.map((r) => html`<tr data-testid="risk-row" data-process-id=${r.processId}>
      <th scope="row"><span class="code">${r.code}</span> ${localName(r.name)}</th>${Object.keys(RISK).map((field) => html`<td>${cell(r, field)}</td>`)}
      <td>${r.ncMajor} / ${r.ncMinor}</td><td>${r.monthsSinceLastAudit ?? _("never audited")}</td><td data-testid="risk-score">${r.score}</td>
      <td><span class=${`tag level-${r.level}`} data-level=${r.level}>${label(LEVELS, r.level)}</span></td><td>${auditsPerYear(r)}</td>${save
      ? html`<td>${save(r)}</td>` : ""}</tr>`)}</tbody></table></div>`;
}

/** Clauses × months by standard, gaps highlighted. */
function coverage(p) {
  const mark = (on, word) => (on ? html`<span aria-hidden="true">●</span><span class="visually-hidden">${word}</span>` : "");
  const words = (r) => (r.uncoverable ? _("No process covers it") : r.gap ? _("Gap") : _("Covered"));
  return coverageGroups(p.coverage).map((g) => html`<section data-testid="coverage" data-standard=${g.standard}><h2>${standards([g.standard])}</h2>
    <p>${_("Gaps: %(gaps)s · clauses no process covers: %(uncoverable)s", { gaps: g.gaps, uncoverable: g.uncoverable })}</p>
    <div class="scroll tall" role="region" tabindex="0" aria-label=${_("Coverage of %(standard)s", { standard: standards([g.standard]) })}>
    <table class="coverage">${heads(_("Clause"), _("Earlier in the cycle"), ...months("short"), _("This cycle"))}<tbody>${g.rows.map((r) => html`<tr
      class=${r.uncoverable ? "uncoverable" : r.gap ? "gap" : nothing} data-testid="clause" data-clause=${r.clause} ?data-gap=${r.gap}><th scope="row">${
      r.clause.split(":").at(-1)} ${localName(r.title)}</th><td>${mark(r.coveredBefore, _("Covered earlier"))}</td>${MONTHS.map((m) => html`<td>${mark(
      r.months.includes(m), _("Planned"))}</td>`)}<td>${words(r)}</td></tr>`)}</tbody></table></div></section>`);
}

const diffs = new Map(); // "id@version@rev": changes, or a failure in words

/** The versions, reasons and decisions, each compared with now on demand. */
function history(p, org, ctx) {
  const key = (v) => `${p.id}@${v.number}@${p.rev}`;
  const compare = async (v) => {
    diffs.set(key(v), await getJson(`/api/v1/programmes/${p.id}/diff?from=${v.number}`).catch(describe));
    ctx.rerender();
  };
  const codes = new Map(p.risks.map((r) => [r.processId, r.code]));
  const value = (c, side) => changeValue(c.kind, c[side], (m) => months("long")[m - 1], person(org));
  const changes = (found) => (typeof found === "string" ? html`<p class="note error">${found}</p>` : found.length
    ? html`<table data-testid="diff">${heads(_("Process"), _("Change"), _("Before"), _("After"))}<tbody>${found.map((c) => html`<tr data-kind=${c.kind}>
      <th scope="row">${codes.get(c.processId)} · ${c.occurrence + 1}</th><td>${label(KINDS, c.kind)}</td><td>${value(c, "before")}</td>
      <td>${value(c, "after")}</td></tr>`)}</tbody></table>` : html`<p data-testid="no-diff">${_("No difference from the programme now.")}</p>`);
  const version = (v) => html`<li class="card" data-testid="version" data-number=${v.number} data-status=${v.status}>
    <h2>${_("Version %(number)s", { number: v.number })} <span class="tag">${label(STATUS, v.status)}</span></h2>
    ${facts([[_("Reason"), v.reason], [_("Submitted"), by(org, v.submittedAt, v.submittedBy)], [_("Decided"), v.decidedAt && by(org, v.decidedAt, v.decidedBy)],
      [_("Comment"), v.comment]])}${diffs.has(key(v)) ? changes(diffs.get(key(v)))
      : html`<button type="button" data-testid="compare" @click=${() => compare(v)}>${_("Compare with the programme now")}</button>`}</li>`;
  return p.history.length ? html`<ul class="history">${[...p.history].reverse().map(version)}</ul>` : html`<p class="note">${_("No version was submitted yet.")}</p>`;
}

/** A programme's screen, `state` kept while it shows the same one: `top(data, ctx)` under the heading; the lead's
 * `edit` adds `pick(entry)`, `entry(entry, data, ctx)` (its form) and `risks(data, ctx)` (the inputs). */
export const programmeScreen = (state, top, edit) => ({
  async load({ programmeId }) {
    const data = await loadProgramme(programmeId);
    if (state.id !== programmeId) Object.assign(state, { id: programmeId, busy: null, problem: null, selected: null, focus: null, reason: "", risks: {} });
    return data;
  },
  view(data, ctx) {
    const p = data.programme;
    const tab = ctx.query.tab || "grid";
    const hooks = edit(ctx);
    const entry = p.entries.find((e) => e.id === state.selected);
    const show = (selected, focus) => { Object.assign(state, { selected, focus }); ctx.rerender(); };
    const pick = (e) => { hooks.pick?.(e); show(e.id, "#entry-title"); };
    const sections = {
      grid: () => html`${grid(p, data, pick, state.selected)}${entry ? entryPanel(entry, data, ctx,
        () => show(null, `button[data-entry-id="${entry.id}"]`), hooks.entry?.(entry, data, ctx)) : ""}`,
      risks: () => hooks.risks?.(data, ctx) || riskTable(p),
      coverage: () => coverage(p),
      history: () => history(p, data, ctx),
    };
    return html`${head(p, data, tab)}${top(data, ctx)}${(sections[tab] || sections.grid)()}`;
  },
  after(root) {
    if (state.focus) root.querySelector(state.focus)?.focus();
    state.focus = null;
  },
});

/** Newest first; a planner creates one (next year's by default). */
const created = { year: "" };
export const programmeList = {
  async load() {
    created.year ||= String(new Date().getFullYear() + 1);
    return { list: (await getJson("/api/v1/programmes")).sort((a, b) => b.year - a.year) };
  },
  view({ list }, ctx) {
    const create = (e) => {
      e.preventDefault();
      act(ctx, created, "create", async () => {
        const made = await request("POST", "/api/v1/programmes", { json: { year: Number(created.year) } }).then((r) => r.json());
        ctx.go(href("programme", { programmeId: made.id }));
      });
    };
    const card = (s) => html`<article class="card" data-testid="programme-card" data-year=${s.year} data-status=${s.status}>
      <h2><a href=${href("programme", { programmeId: s.id })}>${_("Audit programme %(year)s", { year: s.year })}</a></h2>
      ${facts([[_("Status"), label(STATUS, s.status)], [_("Version"), String(s.version)], [_("Planned audits"), String(s.entries)],
        [_("Last change"), formatDateTime(s.updatedAt)]])}</article>`;
    return html`<h1>${_("Audit programme")}</h1>${plans(ctx.session) ? html`<form class="panel" @submit=${create}><h2>${_("New programme")}</h2>
      <label>${_("Year")}<input type="number" min="2000" max="2100" required .value=${created.year} data-testid="programme-year"
        @input=${(e) => { created.year = e.target.value; }}></label>${problemNote(created.problem, ctx)}
      ${button(created, "create-programme", undefined, _("Create the programme"), { kind: "primary", type: "submit" })}</form>` : ""}
      ${list.length ? html`<div class="cards">${list.map(card)}</div>` : html`<p class="note" data-testid="no-programme">${_("No programme yet.")}</p>`}`;
  },
};
