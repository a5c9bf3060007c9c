/** The audit lead's programme: solve, pin an audit (picked in the grid), risks, submit, revise. */
import { ApiError } from "../api.js";
import { N_, _ } from "../i18n.js";
import { candidates } from "../leadLogic.js";
import { html, localName, named, nothing, options } from "../views/common.js";
import { needingOverride, pinBody, pinForm, pinProblems, reasonRequired, refusedField, riskBody } from "./logic.js";
import { RISK, act, blockedOf, downloads, months, problemNote, programmeScreen, riskTable, solveNote, write } from "./parts.js";

const MISSING = { month: N_("Choose a month, or a lead auditor, to pin."), overrideReason: N_("Write why they may audit this process all the same.") };
const state = {};

const use = (data, ctx, programme) => { data.programme = programme; ctx.rerender(); };

function pin(data, ctx, entry, form) {
  const p = data.programme;
  state.errors = {};
  return act(ctx, state, "pin", async () => {
    use(data, ctx, await write("PUT", `${p.id}/entries/${entry.id}/pin`, p.rev, pinBody(form)));
    ctx.notify(_("The audit is pinned. Re-solve to plan the others around it."));
  }, (error) => { // beside its field, if it names one
    const field = error instanceof ApiError && refusedField(error.code, error.details);
    Object.assign(state, { selected: entry.id, form, errors: field ? { [field]: error.message } : {}, focus: `#${field ? `pin-${field}` : "entry-title"}` });
    return Boolean(field);
  });
}

const unpin = (data, ctx, entry) => act(ctx, state, "pin", async () => {
  use(data, ctx, await write("DELETE", `${data.programme.id}/entries/${entry.id}/pin`, data.programme.rev));
  state.form = pinForm(data.programme.entries.find((e) => e.id === entry.id) || entry);
  ctx.notify(_("The audit is no longer pinned: the next solve places it."));
});

/** [aria-describedby, aria-invalid, note] of a refused field. */
const field = (name) => [state.errors[name] ? `pin-${name}-error` : nothing, state.errors[name] ? "true" : nothing,
  state.errors[name] ? html`<p class="note error" id=${`pin-${name}-error`} data-testid=${`error-${name}`}>${state.errors[name]}</p>` : ""];

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
    <div class="actions"><button class="primary" data-testid="pin-save" ?disabled=${Boolean(state.busy)}>${state.busy === "pin" ? _("Pinning…") : _("Pin")}</button>
      ${entry.pinnedMonth || entry.pinnedTeam ? html`<button type="button" data-testid="unpin" ?disabled=${Boolean(state.busy)}
        @click=${() => unpin(data, ctx, entry)}>${_("Unpin")}</button>` : ""}</div></form>`;
}

/** The risk inputs, a row saved at a time. */
function riskEditor(data, ctx) {
  const p = data.programme;
  const edits = state.risks;
  const cell = (row, name) => html`<input type=${name === "note" ? "text" : "number"}
    min=${name === "criticality" ? 1 : 0} max=${name === "criticality" ? 5 : nothing} .value=${String((edits[row.processId] || row)[name] ?? "")}
    data-testid=${`risk-${name}`} aria-label=${_("%(field)s: %(process)s", { field: _(RISK[name]), process: row.code })}
    @change=${(e) => { edits[row.processId] = { ...(edits[row.processId] || row), [name]: e.target.value }; ctx.rerender(); }}>`;
  const save = (row) => act(ctx, state, "risk", async () => {
    use(data, ctx, await write("PUT", `${p.id}/risks/${row.processId}`, p.rev, riskBody(edits[row.processId])));
    delete edits[row.processId];
    const score = data.programme.risks.find((r) => r.processId === row.processId)?.score;
    ctx.notify(_("%(process)s: risk saved, score %(score)s.", { process: row.code, score }));
  });
  return html`${problemNote(state.problem, ctx, "risk")}${riskTable(p, cell, (row) => html`<button type="button" class="small" data-testid="risk-save"
    ?disabled=${!edits[row.processId] || Boolean(state.busy)} aria-label=${_("Save the risk of %(process)s", { process: row.code })}
    @click=${() => save(row)}>${_("Save")}</button>`)}`;
}

/** Solve (a 3-minute wait: the solver's own limit comes first), submit or revise as the status allows; downloads. */
function actions(data, ctx) {
  const p = data.programme;
  const run = (what, done, body = () => ({ reason: state.reason.trim() }), timeout = undefined) => (e) => {
    e.preventDefault();
    act(ctx, state, what, async () => {
      use(data, ctx, await write("POST", `${p.id}/${what}`, p.rev, body(), timeout));
      state.reason = "";
      ctx.notify(done(data.programme));
    });
  };
  const reason = (text, required) => html`<label>${text}${required ? html` <span class="req">${_("(required)")}</span>` : ""}<textarea rows="3"
    data-testid="reason" ?required=${required} .value=${state.reason} @input=${(e) => { state.reason = e.target.value; }}></textarea></label>`;
  const busy = Boolean(state.busy);
  const solved = (now) => (now.lastSolve?.status === "infeasible" ? _("No programme meets every rule: see why below.")
    : _("Solved: %(count)s audits planned.", { count: now.entries.length }));
  const draft = html`<div class="actions"><button class="primary" data-testid="solve" aria-busy=${String(state.busy === "solve")} ?disabled=${busy}
      @click=${run("solve", solved, () => ({}), 180000)}>${state.busy === "solve" ? _("Solving… (up to a few minutes)") : p.lastSolve ? _("Re-solve") : _("Solve")}</button></div>
    ${solveNote(p.lastSolve)}<form @submit=${run("submit", () => _("The programme is submitted to the manager."))}>
      ${reasonRequired(p) ? reason(_("What this version changes, and why"), true) : reason(_("Note for the manager (optional)"), false)}
      <button data-testid="submit" ?disabled=${busy}>${_("Submit for approval")}</button></form>`;
  const approved = html`<form @submit=${run("revise", () => _("A new version is open as a draft."))}>${reason(_("Why the approved programme is revised"), true)}
    <button data-testid="revise" ?disabled=${busy}>${_("Revise the programme")}</button></form>`;
  return html`<section class="panel" aria-label=${_("Actions")}>${p.status === "draft" ? draft : p.status === "approved" ? approved
    : html`<p class="note" data-testid="waiting">${_("Waiting for the manager's decision.")}</p>`}${problemNote(state.problem, ctx, "solve", "submit", "revise")}
    ${downloads(p, ctx)}</section>`;
}

export const programme = programmeScreen("programme", state, actions, {
  pick: (entry) => Object.assign(state, { form: pinForm(entry), errors: {} }),
  entry: (entry, data, ctx) => data.programme.status === "draft" && pinFormView(entry, data, ctx),
  risks: (data, ctx) => data.programme.status === "draft" && riskEditor(data, ctx),
});
