/** One nonconformity and its steps: correction and root cause, the action plan, the actions carried out with their
 * evidence, the verification. Each step a form for whoever may take it; a refusal shows beside its field or step. */
import { ApiError, describe, getJson, request, sendJson } from "../api.js";
import { N_, _, formatDate } from "../i18n.js";
import { preparePhoto } from "../photos.js";
import { clauseRef, dots, facts, heads, html, label, localName, nothing, options, own, saveFile } from "../views/common.js";
import { fetched, freshness, keep, lateText, recordCopy, statusTag, title } from "./list.js";
import * as rules from "./logic.js";

const TYPES = { correction: N_("Correction"), corrective: N_("Corrective action"), preventive: N_("Preventive action") };
const PROGRESS = { planned: N_("Planned"), in_progress: N_("In progress"), done: N_("Done"), cancelled: N_("Cancelled") };
const CAUSES = { people: N_("People"), method: N_("Method"), material: N_("Material"), machine: N_("Machine"),
  environment: N_("Environment"), measurement: N_("Measurement") };
const VERDICTS = { effective: N_("Effective"), ineffective: N_("Ineffective") };
const SAYS = { // the client's words for what the server would refuse
  "actions.correction_required": N_("Write the correction made at once."), "actions.root_cause_required": N_("Write the root cause."),
  "actions.whys_invalid": N_("Answer the whys in order, up to five, leaving none blank between two answers."),
  "actions.categories_required": N_("Choose at least one cause category."), "actions.no_action": N_("Plan at least one action."),
  "actions.corrective_required": N_("A major nonconformity needs a corrective action."),
  "actions.evidence_required": N_("Attach the evidence (a photo or a PDF)."), "actions.reason_required": N_("Say why."),
  "actions.open_actions": N_("Every action must be done or cancelled first."), verdict: N_("Choose a verdict."),
};
const ACTION_SAYS = { description: N_("Describe the action."), owner: N_("Choose who carries it out."),
  due: N_("Choose a due date on or after the opening date.") };
const STEPS = [["analysis", N_("Correction and root cause")], ["plan", N_("Action plan")], ["actions", N_("Actions carried out")],
  ["verify", N_("Verification")]];

const state = { key: null, busy: null, problem: null, tried: new Set() };
let people = null;

/** The forms, from the record, whenever another record or version is shown. */
function reset(nc) {
  Object.assign(state, { key: `${nc.id}:${nc.rev}`, analysis: rules.analysisForm(nc), added: rules.emptyAction(), updates: {},
    verdict: { verdict: "", comment: "", evidence: [] }, reject: { reason: "" }, tried: new Set() });
}
const update = (a) => (state.updates[a.id] ??= { status: a.status === "planned" ? "in_progress" : a.status, note: a.note, evidence: [...a.evidence] });

/** field → message for a step: the server's refusal (beside `fields` it names, else with the step), or the client's
 * check once the step was tried. */
function problems(step, checked, fields, says = SAYS) {
  const refused = state.problem?.step === step && state.problem;
  if (refused) return Object.assign(new Map([[fields.includes(refused.field) ? refused.field : "", refused.message]]), { refused: true });
  return new Map(state.tried.has(step) ? Object.entries(checked).map(([field, code]) => [field, _(says[field] || SAYS[code])]) : []);
}
const note = (found, field, step) => (found.has(field) ? html`<p class="note error" id=${`${step}-${field}-problem`} data-testid="problem"
  data-field=${field || "step"} role=${found.refused ? "alert" : nothing}>${found.get(field)}</p>` : "");
const about = (found, field, step) => (found.has(field) ? `${step}-${field}-problem` : nothing);
const bad = (found, field) => (found.has(field) ? "true" : nothing);

/** A write at the record's rev (`then` may write on); a refusal kept for the step, on its field when named. */
async function act(ctx, step, run) {
  Object.assign(state, { busy: step, problem: null });
  ctx.rerender();
  try {
    const nc = await run((method, path, body, rev) => sendJson(method, `/api/v1/nonconformities/${ctx.params.ncId}${path}`, { ...body, rev }));
    state.written = { data: nc, fetchedAt: new Date().toISOString() }; // shown as answered: a verifier may no longer read a closed record
    await keep([recordCopy(nc, state.written.fetchedAt)]);
    ctx.notify(_("Saved."));
    state.busy = null;
    return ctx.reload();
  } catch (error) {
    const field = error instanceof ApiError ? rules.refusedField(error.code, error.details) : null;
    state.problem = { step, field, message: describe(error), stale: error instanceof ApiError && error.status === 412 };
  }
  state.busy = null;
  ctx.rerender();
}

/** Sent only when the client's check passes; the check's problems shown otherwise. */
const checked = (ctx, step, found, run) => () => {
  state.tried.add(step);
  state.problem = null;
  return Object.keys(found).length ? ctx.rerender() : act(ctx, step, run);
};

/** A file picked: a photo made a ≤ 1600 px JPEG, a PDF as it is; sent under its SHA-256, then its hash added to `list`. */
async function attach(ctx, step, input, list) {
  const [file] = input.files;
  input.value = "";
  if (!file) return;
  Object.assign(state, { busy: step, problem: null });
  ctx.rerender();
  try {
    const made = file.type.startsWith("image/") ? await preparePhoto(file)
      : { blob: file, type: file.type, sha256: rules.hex(await crypto.subtle.digest("SHA-256", await file.arrayBuffer())) };
    if (!rules.EVIDENCE_TYPES.includes(made.type)) throw new ApiError(415, "", _("Choose a photo or a PDF."));
    await request("PUT", `/api/v1/nonconformities/${ctx.params.ncId}/evidence/${made.sha256}`,
      { body: made.blob, headers: { "Content-Type": made.type } });
    if (!list.includes(made.sha256)) list.push(made.sha256);
  } catch (error) {
    state.problem = { step, field: "evidence", message: describe(error) };
  }
  state.busy = null;
  ctx.rerender();
}

const open = (ctx, sha) => request("GET", `/api/v1/attachments/${sha}`).then((r) => r.blob())
  .then((blob) => saveFile(blob, `evidence-${sha.slice(0, 12)}.${blob.type === "application/pdf" ? "pdf" : "jpg"}`), (e) => ctx.notify(describe(e), true));
const evidence = (ctx, shas, remove) => (shas.length ? html`<ul class="chips" data-testid="evidence">${shas.map((sha, i) => html`<li>
  <button type="button" class="small" @click=${() => open(ctx, sha)}>${_("Evidence %(number)s", { number: i + 1 })}</button>${remove
    ? html`<button type="button" class="small" @click=${() => remove(i)} aria-label=${_("Remove evidence %(number)s", { number: i + 1 })}>×</button>`
    : ""}</li>`)}</ul>` : "");

function picker(ctx, step, list, found, locked) {
  const pick = (e) => attach(ctx, step, e.target, list);
  return html`<label>${_("Evidence (photo or PDF)")}<input type="file" accept=${rules.EVIDENCE_TYPES.join()} data-testid=${`${step}-file`}
    ?disabled=${locked} aria-invalid=${bad(found, "evidence")} aria-describedby=${about(found, "evidence", step)} @change=${pick}></label>
    ${evidence(ctx, list, !locked && ((i) => { list.splice(i, 1); ctx.rerender(); }))}${note(found, "evidence", step)}`;
}

const button = (testid, text, run, locked, kind) => html`<button type="button" class=${kind || nothing} data-testid=${testid}
  ?disabled=${locked || Boolean(state.busy)} @click=${() => { state.pressed = testid; run(); }}>${state.busy && state.pressed === testid
  ? _("Sending…") : text}</button>`;
const area = (text, value, on, found, field, step, testid) => html`<label>${text}<textarea rows="3" .value=${value} data-testid=${testid}
  aria-invalid=${bad(found, field)} aria-describedby=${about(found, field, step)} @input=${on}></textarea></label>${note(found, field, step)}`;
const typed = (ctx, object, key) => (e) => { object[key] = e.target.value; ctx.rerender(); };

function analysisForm(ctx, nc, locked) {
  const form = state.analysis;
  const found = problems("analysis", rules.analysisProblems(form, true), ["correction", "cause", "whys", "categories"]);
  const method = (value, text) => html`<label class="choice"><input type="radio" name="method" .checked=${form.method === value}
    data-testid=${`method-${value}`} @change=${() => { form.method = value; ctx.rerender(); }}><span>${text}</span></label>`;
  const whys = html`<fieldset aria-describedby=${about(found, "whys", "analysis")}>
    <legend>${_("Why? (up to five, each answering the one before)")}</legend>
    ${form.whys.map((why, i) => html`<label>${_("Why %(number)s", { number: i + 1 })}<input .value=${why} data-testid=${`why-${i + 1}`}
      @input=${(e) => { form.whys[i] = e.target.value; ctx.rerender(); }}></label>`)}${note(found, "whys", "analysis")}</fieldset>`;
  const toggle = (c) => (e) => {
    form.categories = rules.CATEGORIES.filter((k) => (k === c ? e.target.checked : form.categories.includes(k)));
    ctx.rerender();
  };
  const categories = html`<fieldset><legend>${_("Cause categories")}</legend><div class="checks">${rules.CATEGORIES.map((c) => html`<label
    class="choice"><input type="checkbox" .checked=${form.categories.includes(c)} data-testid=${`category-${c}`} @change=${toggle(c)}>
    <span>${label(CAUSES, c)}</span></label>`)}</div>${note(found, "categories", "analysis")}</fieldset>`;
  const save = (submit) => checked(ctx, "analysis", rules.analysisProblems(form, submit), async (call) => {
    const saved = await call("PUT", "/analysis", rules.analysisBody(form), nc.rev);
    return submit ? call("POST", "/analysis/submit", {}, saved.rev) : saved;
  });
  return html`${area(_("Correction made at once"), form.correction, typed(ctx, form, "correction"), found, "correction", "analysis", "correction")}
    <fieldset><legend>${_("How the root cause was found")}</legend>${method("five_whys", _("Five whys"))}
      ${method("categories", _("Cause categories"))}</fieldset>
    ${form.method === "five_whys" ? whys : categories}
    ${area(_("Root cause"), form.cause, typed(ctx, form, "cause"), found, "cause", "analysis", "root-cause")}${note(found, "", "analysis")}
    <div class="actions">${button("analysis-save", _("Save"), save(false), locked)}
      ${button("analysis-submit", _("Submit the analysis"), save(true), locked, "primary")}</div>`;
}

function analysis(ctx, nc, locked) {
  if (nc.status === "open") {
    return nc.may.answer ? html`<div class="actions">${button("analysis-start", _("Start the analysis"), () => act(ctx, "analysis",
      (call) => call("POST", "/analysis/start", {}, nc.rev)), locked, "primary")}</div>${note(problems("analysis", {}, []), "", "analysis")}`
      : html`<p class="muted">${_("Not started.")}</p>`;
  }
  if (nc.status === "analysis" && nc.may.answer) return analysisForm(ctx, nc, locked);
  const cause = nc.rootCause;
  return facts([[_("Correction made at once"), nc.correction], [_("Why?"), cause?.whys.length && html`<ol>${cause.whys.map((w) => html`<li>${w}</li>`)}</ol>`],
    [_("Cause categories"), cause?.categories.map((c) => label(CAUSES, c)).join(" · ")], [_("Root cause"), cause?.cause]]);
}

function actionsTable(ctx, nc, remove) {
  return nc.actions.length ? html`<div class="scroll"><table data-testid="actions">
    ${heads(_("Type"), _("Action"), _("Owner"), _("Due"), _("Status"), _("Evidence"))}<tbody>${nc.actions.map((a) => html`<tr data-testid="action"
      data-status=${a.status}><td>${label(TYPES, a.type)}</td><td class="text">${a.description}${a.note
      ? html`<br><span class="muted">${a.note}</span>` : ""}</td><td>${localName(a.ownerName)}</td><td>${formatDate(a.due)}</td>
      <td>${label(PROGRESS, a.status)}</td><td>${evidence(ctx, a.evidence)}${remove && a.status === "planned" ? button(`plan-remove-${a.id}`, _("Remove"),
      () => remove(a), remove.locked, "small") : ""}</td></tr>`)}</tbody></table></div>` : html`<p class="muted">${_("No action planned yet.")}</p>`;
}

function addAction(ctx, nc, locked) {
  const form = state.added, found = problems("plan", rules.actionProblems(form, nc.openedOn), ["description", "owner", "due"], ACTION_SAYS);
  const choices = [["", _("Choose…")], ...[...(people || new Map()).values()].map((p) => [p.id, localName(p.fullName)])
    .sort((a, b) => a[1].localeCompare(b[1]))];
  const types = Object.entries(TYPES).map(([k, v]) => [k, _(v)]);
  const add = checked(ctx, "plan", rules.actionProblems(form, nc.openedOn), (call) => call("PUT", "/plan", { actions: rules.planBody(nc, form) }, nc.rev));
  return html`<fieldset data-testid="add-action"><legend>${_("Add an action")}</legend>
    <label>${_("Type")}<select data-testid="action-type" @change=${typed(ctx, form, "type")}>${options(types, form.type)}</select></label>
    ${area(_("What will be done"), form.description, typed(ctx, form, "description"), found, "description", "plan", "action-description")}
    <div class="pair"><label>${_("Owner")}<select data-testid="action-owner" aria-invalid=${bad(found, "owner")}
      aria-describedby=${about(found, "owner", "plan")} @change=${typed(ctx, form, "ownerId")}>${options(choices, form.ownerId)}</select>
      ${note(found, "owner", "plan")}</label>
    <label>${_("Due")}<input type="date" min=${nc.openedOn} .value=${form.due} data-testid="action-due" aria-invalid=${bad(found, "due")}
      aria-describedby=${about(found, "due", "plan")} @input=${typed(ctx, form, "due")}>${note(found, "due", "plan")}</label></div>
    ${note(found, "", "plan")}<div class="actions">${button("plan-add", _("Add the action"), add, locked)}</div></fieldset>`;
}

function plan(ctx, nc, locked) {
  const editing = nc.may.answer && ["action_plan", "in_progress"].includes(nc.status);
  const remove = editing && nc.status === "action_plan" && Object.assign((a) => act(ctx, "plan",
    (call) => call("PUT", "/plan", { actions: rules.planBody(nc, null, a.id) }, nc.rev)), { locked });
  const ready = rules.planProblem(nc) ? { "": rules.planProblem(nc) } : {}, found = problems("start", ready, []);
  const start = checked(ctx, "start", ready, (call) => call("POST", "/plan/start", {}, nc.rev));
  return html`${actionsTable(ctx, nc, remove)}${editing ? addAction(ctx, nc, locked) : ""}${editing && nc.status === "action_plan" ? html`
    ${note(found, "", "start")}<div class="actions">${button("plan-start", _("Start the plan"), start, locked, "primary")}</div>` : ""}`;
}

function progressForm(ctx, nc, a, locked) {
  const step = `action-${a.id}`, form = update(a), found = problems(step, rules.progressProblems(form), ["reason", "evidence"]);
  const statuses = ["in_progress", "done", "cancelled"].map((s) => [s, label(PROGRESS, s)]);
  const save = checked(ctx, step, rules.progressProblems(form), (call) => call("PUT", `/actions/${a.id}`, form, nc.rev));
  return html`<fieldset data-testid="progress" data-action-id=${a.id}><legend>${a.description}</legend>
    <label>${_("Status")}<select data-testid="progress-status" @change=${typed(ctx, form, "status")}>${options(statuses, form.status)}</select></label>
    ${area(_("Note (what was done, or why it was cancelled)"), form.note, typed(ctx, form, "note"), found, "reason", step, "progress-note")}
    ${picker(ctx, step, form.evidence, found, locked)}${note(found, "", step)}
    <div class="actions">${button(step + "-save", _("Save the action"), save, locked)}</div></fieldset>`;
}

function progress(ctx, nc, locked) {
  const mine = (a) => nc.may.answer || a.ownerId === ctx.session.user.personId;
  const open = nc.status === "in_progress" ? nc.actions.filter((a) => ["planned", "in_progress"].includes(a.status) && mine(a)) : [];
  const ready = rules.askProblem(nc) ? { "": rules.askProblem(nc) } : {}, found = problems("ask", ready, []);
  const ask = checked(ctx, "ask", ready, (call) => call("POST", "/verification/ask", {}, nc.rev));
  const asking = nc.status === "in_progress" && nc.may.answer;
  return html`${open.map((a) => progressForm(ctx, nc, a, locked))}${asking ? html`${note(found, "", "ask")}
    <div class="actions">${button("ask", _("Ask for verification"), ask, locked, "primary")}</div>` : ""}${asking || open.length
    ? "" : html`<p class="muted">${_("Nothing to do at this step now.")}</p>`}`;
}

function verification(ctx, nc, locked) {
  const done = nc.verifications.map((v) => html`<article class="card" data-testid="verification" data-verdict=${v.verdict}>${facts([
    [_("Verdict"), label(VERDICTS, v.verdict)], [_("By"), localName(v.verifierName)], [_("On"), formatDate(v.on)], [_("Comment"), v.comment],
    [_("Evidence"), evidence(ctx, v.evidence)]])}</article>`);
  if (!nc.may.verify) return html`${done}${nc.status === "verification" ? html`<p class="muted">${_("Waiting for an auditor from another unit.")}</p>` : ""}`;
  const form = state.verdict, found = problems("verify", rules.verifyProblems(form), ["verdict", "reason", "evidence"]);
  const verdict = (value) => html`<label class="choice"><input type="radio" name="verdict" .checked=${form.verdict === value}
    data-testid=${`verdict-${value}`} @change=${() => { form.verdict = value; ctx.rerender(); }}><span>${label(VERDICTS, value)}</span></label>`;
  const send = checked(ctx, "verify", rules.verifyProblems(form), (call) => call("POST", "/verify", form, nc.rev));
  return html`${done}<fieldset aria-describedby=${about(found, "verdict", "verify")}><legend>${_("Were the actions effective?")}</legend>
    ${verdict("effective")}${verdict("ineffective")}${note(found, "verdict", "verify")}</fieldset>
    ${area(_("Comment (why, if ineffective)"), form.comment, typed(ctx, form, "comment"), found, "reason", "verify", "verify-comment")}
    ${picker(ctx, "verify", form.evidence, found, locked)}${note(found, "", "verify")}
    <div class="actions">${button("verify-send", _("Record the verdict"), send, locked, "primary")}</div>`;
}

/** The audit lead closes a record raised in error (a duplicate, a misread finding), saying why. */
function rejection(ctx, nc, locked) {
  if (!nc.may.reject) return "";
  const form = state.reject, missing = form.reason.trim() ? {} : { reason: "actions.reason_required" };
  const found = problems("reject", missing, ["reason"]);
  const send = checked(ctx, "reject", missing, (call) => call("POST", "/reject", { reason: form.reason }, nc.rev));
  return html`<details class="panel" data-testid="reject"><summary>${_("Reject this record (raised in error)")}</summary>
    ${area(_("Reason for rejection"), form.reason, typed(ctx, form, "reason"), found, "reason", "reject", "reject-reason")}
    ${note(found, "", "reject")}<div class="actions">${button("reject-send", _("Reject the record"), send, locked)}</div></details>`;
}

const BODIES = { analysis, plan, actions: progress, verify: verification };

function steps(ctx, nc, locked) {
  const next = rules.nextStep(nc), at = { start: "analysis", ask: "actions" }[next] || next;
  const order = STEPS.map(([key]) => key);
  return html`<ol class="steps">${STEPS.map(([key, text], i) => html`<li class="panel" data-testid=${`step-${key}`}
    data-state=${key === at ? "current" : order.indexOf(at) > i || !at ? "done" : "later"} aria-current=${key === at ? "step" : nothing}>
    <h2>${_(text)}</h2>${BODIES[key](ctx, nc, locked)}</li>`)}</ol>`;
}

export const ncRecord = {
  async load({ ncId }, ctx) {
    const copy = state.written?.data.id === ncId ? state.written : await fetched(`nc:${ncId}`, `/api/v1/nonconformities/${ncId}`);
    state.written = null;
    if (!copy.offline && copy.data.may.answer && !people) {
      people = await getJson("/api/v1/people").then((list) => new Map(list.map((p) => [p.id, p])), () => null);
    }
    if (state.key !== `${copy.data.id}:${copy.data.rev}`) reset(copy.data);
    if (!state.added.ownerId && people?.has(ctx.session.user.personId)) state.added.ownerId = ctx.session.user.personId;
    return copy;
  },
  view(copy, ctx) {
    const nc = copy.data, locked = Boolean(copy.offline) || !navigator.onLine;
    const rows = [[_("Status"), statusTag(nc)], [_("Unit"), localName(nc.unitName)], [_("Process"), localName(nc.processName)],
      [_("Clauses"), dots(nc.clauses.map(clauseRef))], [_("Statement"), own(nc.statement)], [_("Objective evidence"), own(nc.evidence)],
      [_("Opened"), formatDate(nc.openedOn)], [_("Plan due"), formatDate(nc.planDue)], [_("Closure due"), formatDate(nc.closeDue)],
      [_("Late"), lateText(nc)], [_("Reason for rejection"), nc.rejectedReason]];
    const current = () => { state.problem = null; ctx.reload(); };
    const stale = state.problem?.stale && html`<button type="button" data-testid="reload" @click=${current}>${_("Show the current version")}</button>`;
    const offline = _("Changes need a connection: the buttons come back when it does.");
    return html`<h1>${title(nc)}</h1>${freshness(copy)}${locked ? html`<p class="note warn" data-testid="writes-offline">${offline}</p>` : ""}
      <section class="panel">${facts(rows)}</section>${stale || ""}${steps(ctx, nc, locked)}${rejection(ctx, nc, locked)}`;
  },
};
