/** A programme's screen: the lead solves, pins, sets risks, submits and revises; the manager approves or returns it. */
import { ApiError } from "../api.js";
import { N_, _ } from "../i18n.js";
import { candidates } from "../leadLogic.js";
import { html, localName, named, nothing, options } from "../views/common.js";
import { plans } from "../views/roles.js";
import { needingOverride, pinBody, pinForm, pinProblems, reasonRequired, refusedField, riskBody } from "./logic.js";
import { RISK, act, blockedOf, button, downloads, months, problemNote, programmeScreen, riskTable, solveNote, write } from "./parts.js";

const MISSING = { month: N_("Choose a month, or a lead auditor, to pin."), overrideReason: N_("Write why they may audit this process all the same.") };
const state = {};

/** `path`'s write, then the programme shown and `done(programme)` said. */
const send = (data, ctx, what, method, path, body, done, timeout) => act(ctx, state, what, async () => {
  data.programme = await write(method, `${data.programme.id}/${path}`, data.programme.rev, body, timeout);
  if (what !== "risk") state.reason = "";
  ctx.notify(done(data.programme));
});

/** [aria-describedby, aria-invalid, note] of a refused field. */
const field = (name) => (state.errors[name] ? [`pin-${name}-error`, "true",
  html`<p class="note error" id=${`pin-${name}-error`} data-testid=${`error-${name}`}>${state.errors[name]}</p>`] : [nothing, nothing, ""]);

function pin(data, ctx, entry, form) {
  state.errors = {};
  return act(ctx, state, "pin", async () => {
    data.programme = await write("PUT", `${data.programme.id}/entries/${entry.id}/pin`, data.programme.rev, pinBody(form));
    ctx.notify(_("The audit is pinned. Re-solve to plan the others around it."));
  }, (error) => { // beside its field, if it names one
    const name = error instanceof ApiError && refusedField(error.code, error.details);
    Object.assign(state, { selected: entry.id, form, errors: name ? { [name]: error.message } : {}, focus: `#${name ? `pin-${name}` : "entry-title"}` });
    return Boolean(name);
  });
}

function pinFormView(entry, data, ctx) {
  const { programme: p, people, units } = data;
  const { form } = state;
  const set = (changes) => { Object.assign(form, changes); ctx.rerender(); };
  const blocked = blockedOf(p);
  const all = [...people.values()];
  const who = (x) => `${localName(x.fullName)} — ${units.get(x.unitId)?.code || ""}`;
  const others = candidates(all, entry.standards, new Set(form.auditorIds)).filter((x) => x.id !== form.leadId);
  const audited = p.risks.find((r) => r.processId === entry.processId)?.ownerUnitId;
  const overridden = form.leadId ? needingOverride([form.leadId, ...form.auditorIds], audited, people, units) : [];
  const [month, lead, auditors, reason] = ["month", "leadId", "auditorIds", "overrideReason"].map(field);
  const submit = (e) => {
    e.preventDefault();
    const wrong = pinProblems(form, overridden);
    if (!wrong.length) return pin(data, ctx, entry, form);
    Object.assign(state, { errors: Object.fromEntries(wrong.map((f) => [f, _(MISSING[f])])), focus: `#pin-${wrong[0]}` });
    return ctx.rerender();
  };
  const unpin = () => act(ctx, state, "pin", async () => {
    data.programme = await write("DELETE", `${p.id}/entries/${entry.id}/pin`, p.rev);
    state.form = pinForm(data.programme.entries.find((e) => e.id === entry.id) || entry);
    ctx.notify(_("The audit is no longer pinned: the next solve places it."));
  });
  const monthOption = (name, i) => html`<option value=${i + 1} ?disabled=${blocked.has(i + 1)} ?selected=${form.month === String(i + 1)}>${blocked.has(i + 1)
    ? _("%(month)s (blocked: %(why)s)", { month: name, why: blocked.get(i + 1) }) : name}</option>`;
  const check = (x) => html`<label class="choice"><input type="checkbox" data-testid="pin-auditor" data-person-id=${x.id} .checked=${form.auditorIds.includes(x.id)}
    @change=${(e) => set({ auditorIds: e.target.checked ? [...form.auditorIds, x.id] : form.auditorIds.filter((id) => id !== x.id) })}><span>${who(x)}</span></label>`;
  const conflicts = overridden.map((id) => named(people, id, "fullName")).join(", ");
  return html`<form novalidate @submit=${submit} data-testid="pin-form">
    <label>${_("Month")}<select id="pin-month" data-testid="pin-month" aria-describedby=${month[0]} aria-invalid=${month[1]}
      @change=${(e) => set({ month: e.target.value })}>${options([["", _("Left to the solver")]], form.month)}${months("long").map(monthOption)}</select></label>${month[2]}
    <label>${_("Lead auditor")}<select id="pin-leadId" data-testid="pin-lead" aria-describedby=${lead[0]} aria-invalid=${lead[1]}
      @change=${(e) => set({ leadId: e.target.value })}>${options([["", _("Left to the solver, with the whole team")],
      ...all.filter((x) => x.leadAuditor && (!x.archivedAt || x.id === form.leadId)).map((x) => [x.id, who(x)])], form.leadId)}</select></label>${lead[2]}
    ${form.leadId ? html`<fieldset id="pin-auditorIds" tabindex="-1" aria-describedby=${auditors[0]}><legend>${_("Auditors")}</legend>
      <div class="checks">${others.map(check)}</div></fieldset>${auditors[2]}` : html`<p class="muted">${_("Choose a lead auditor to fix the team by hand.")}</p>`}
    ${conflicts ? html`<p class="note warn">${_("From the audited unit or a unit above it: %(names)s.", { names: conflicts })}</p>` : ""}
    ${conflicts || form.overrideReason || state.errors.overrideReason ? html`<label>${_("Why they may audit this process all the same (shown on every copy of the programme)")}
      <textarea id="pin-overrideReason" rows="3" data-testid="pin-reason" .value=${form.overrideReason} aria-describedby=${reason[0]} aria-invalid=${reason[1]}
      @input=${(e) => { form.overrideReason = e.target.value; }}></textarea></label>${reason[2]}` : ""}
    ${problemNote(state.problem, ctx, "pin")}
    <div class="actions">${button(state, "pin-save", undefined, _("Pin"), { kind: "primary", type: "submit", working: _("Pinning…"), what: "pin" })}
      ${entry.pinnedMonth || entry.pinnedTeam ? button(state, "unpin", unpin, _("Unpin")) : ""}</div></form>`;
}

/** The risk inputs, a row saved at a time. */
function riskEditor(data, ctx) {
  const edits = state.risks;
  const cell = (row, name) => html`<input type=${name === "note" ? "text" : "number"}
    min=${name === "criticality" ? 1 : 0} max=${name === "criticality" ? 5 : nothing} .value=${String((edits[row.processId] || row)[name] ?? "")}
    data-testid=${`risk-${name}`} aria-label=${_("%(field)s: %(process)s", { field: _(RISK[name]), process: row.code })}
    @change=${(e) => { edits[row.processId] = { ...(edits[row.processId] || row), [name]: e.target.value }; ctx.rerender(); }}>`;
  const save = (row) => send(data, ctx, "risk", "PUT", `risks/${row.processId}`, riskBody(edits[row.processId]), (p) => {
    delete edits[row.processId];
    return _("%(process)s: risk saved, score %(score)s.", { process: row.code, score: p.risks.find((r) => r.processId === row.processId)?.score });
  });
  return html`${problemNote(state.problem, ctx, "risk")}${riskTable(data.programme, cell, (row) => html`<button type="button" class="small" data-testid="risk-save"
    ?disabled=${!edits[row.processId] || Boolean(state.busy)} aria-label=${_("Save the risk of %(process)s", { process: row.code })}
    @click=${() => save(row)}>${_("Save")}</button>`)}`;
}

const reasonField = (text, required, id = nothing, testid = "reason", invalid = nothing) => html`<label>${text}${required
  ? html` <span class="req">${_("(required)")}</span>` : ""}<textarea id=${id} rows="3" data-testid=${testid} ?required=${required} .value=${state.reason}
  aria-invalid=${invalid} aria-describedby=${invalid === nothing ? nothing : "comment-error"} @input=${(e) => { state.reason = e.target.value; }}></textarea></label>`;

/** Solve (a 3-minute wait: the solver's own limit comes first), submit or revise as the status allows. */
function lead(data, ctx) {
  const p = data.programme;
  const run = (what, done, timeout = undefined) => (e) => {
    e.preventDefault();
    send(data, ctx, what, "POST", what, what === "solve" ? {} : { reason: state.reason.trim() }, done, timeout);
  };
  const solved = (now) => (now.lastSolve?.status === "infeasible" ? _("No programme meets every rule: see why below.")
    : _("Solved: %(count)s audits planned.", { count: now.entries.length }));
  const draft = html`<div class="actions"><button class="primary" data-testid="solve" aria-busy=${String(state.busy === "solve")} ?disabled=${Boolean(state.busy)}
      @click=${run("solve", solved, 180000)}>${state.busy === "solve" ? _("Solving… (up to a few minutes)") : p.lastSolve ? _("Re-solve") : _("Solve")}</button></div>
    ${solveNote(p.lastSolve)}<form @submit=${run("submit", () => _("The programme is submitted to the manager."))}>
      ${reasonRequired(p) ? reasonField(_("What this version changes, and why"), true) : reasonField(_("Note for the manager (optional)"), false)}
      ${button(state, "submit", undefined, _("Submit for approval"), { type: "submit" })}</form>`;
  const approved = html`<form @submit=${run("revise", () => _("A new version is open as a draft."))}>${reasonField(_("Why the approved programme is revised"), true)}
    ${button(state, "revise", undefined, _("Revise the programme"), { type: "submit" })}</form>`;
  return html`<section class="panel" aria-label=${_("Actions")}>${p.status === "draft" ? draft : p.status === "approved" ? approved
    : html`<p class="note" data-testid="waiting">${_("Waiting for the manager's decision.")}</p>`}${problemNote(state.problem, ctx, "solve", "submit", "revise")}
    ${downloads(p, ctx)}</section>`;
}

/** The manager's decision: approve, or return it to the lead saying why. */
function manager(data, ctx) {
  const p = data.programme;
  const decide = (what, done) => () => {
    state.missing = what === "return" && !state.reason.trim();
    if (state.missing) { state.focus = "#decision-comment"; return ctx.rerender(); }
    return send(data, ctx, what, "POST", what, { comment: state.reason.trim() }, () => done);
  };
  const decision = p.status !== "submitted" ? html`<p class="note" data-testid="no-decision">${p.status === "approved"
    ? _("Approved: its audits are planned.") : _("Nothing to decide: the audit lead is preparing this programme.")}</p>`
    : html`<form class="panel" novalidate @submit=${(e) => e.preventDefault()} data-testid="decision"><h2>${_("Your decision")}</h2>
    ${reasonField(_("Comment (required to return it)"), false, "decision-comment", "comment", state.missing ? "true" : nothing)}
    ${state.missing ? html`<p class="note error" id="comment-error" data-testid="error-comment">${_("Say why it is returned: the audit lead reads it.")}</p>` : ""}
    ${problemNote(state.problem, ctx)}<div class="actions">${button(state, "approve", decide("approve", _("The programme is approved: its audits are planned.")),
      _("Approve"), { kind: "primary", working: _("Approving…") })}${button(state, "return", decide("return", _("The programme is returned to the audit lead.")),
      _("Return it to the audit lead"), { kind: "danger" })}</div></form>`;
  return html`${decision}${downloads(p, ctx)}`;
}

export const programme = programmeScreen(state, (data, ctx) => (plans(ctx.session) ? lead : manager)(data, ctx), (ctx) => (!plans(ctx.session) ? {} : {
  pick: (entry) => Object.assign(state, { form: pinForm(entry), errors: {} }),
  entry: (entry, data, c) => data.programme.status === "draft" && pinFormView(entry, data, c),
  risks: (data, c) => data.programme.status === "draft" && riskEditor(data, c),
}));
