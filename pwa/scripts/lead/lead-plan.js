/** An audit's plan and team (a refusal beside the person; an impartiality override with a reason). */
import { ApiError } from "../api.js";
import { N_, _ } from "../i18n.js";
import { EDITABLE, auditedUnits, candidates, lines, planBody, planProblems, refusedPerson, teamMembers } from "../leadLogic.js";
import { href } from "../router.js";
import { STANDARDS, STATUSES, html, label, localName, standards, textField, title } from "../views/common.js";
import { auditHead, getAudit, orgLists, problemNote, select, submit, withAudit, writeAudit } from "./lead-audit.js";

const PROBLEMS = {
  code: N_("Code: capital letters, digits and hyphens, at most 24 (for example AI-2026-007)."),
  titleAr: N_("Title in Arabic: required."), titleFr: N_("Title in French: required."),
  standards: N_("Standards: choose at least one."), period: N_("Dates: the audit ends before it starts."),
  criteria: N_("Criteria: one per line, each at most 200 characters."),
};
const FIELDS = {
  code: N_("Code"), title: N_("Title"), standards: N_("Standards"), processId: N_("Process"), unitIds: N_("Audited units"),
  siteIds: N_("Sites"), auditeeIds: N_("Auditees"), criteria: N_("Criteria"), objectives: N_("Objectives"),
  plannedStart: N_("Start"), plannedEnd: N_("End"), agenda: N_("Agenda"),
};
const EMPTY = { code: "", title: { ar: "", fr: "" }, standards: [], unitIds: [], siteIds: [], clauses: [], criteria: [], objectives: "", auditeeIds: [], agenda: "" };
let form = null; // {key, rev, plan, criteria}: typing survives re-renders and language changes
const state = {};
const warn = (text) => html`<p class="note warn">${text}</p>`;

// a `problem` found here shows at once; else `write()` gives the audit's id to open, saying `done`
const send = (ctx, st, problem, write, done, forget, amend) => {
  if (!problem) return submit(ctx, st, async () => ctx.go(href("leadAudit", { auditId: await write() }, { done })), forget, amend);
  st.problem = problem;
  ctx.rerender();
};

function save(ctx, auditId) {
  const plan = { ...form.plan, criteria: lines(form.criteria) };
  const wrong = planProblems(plan);
  send(ctx, state, wrong.length && { message: _("The plan was not saved. Check:"), list: wrong.map((key) => _(PROBLEMS[key])) }, async () => {
    const saved = await writeAudit(auditId ? "PUT" : "POST", `/api/v1/audits${auditId ? `/${auditId}` : ""}`, form.rev, planBody(plan));
    form.key = null; // the next load starts afresh
    return saved.id;
  }, "plan", () => { form = null; }, (error) => { // the fields a refusal names (`$.title.ar`…)
    const fields = [...new Set([error.details].flat().map((d) => /\w+/.exec(d?.field || "")?.[0]))].filter((field) => FIELDS[field]);
    if (error instanceof ApiError && !state.problem.reload && fields.length) state.problem.list = fields.map((field) => _(FIELDS[field]));
  });
}

export const planEditor = {
  async load({ auditId }) {
    const [org, audit] = await Promise.all([orgLists(), auditId ? getAudit(auditId) : null]);
    const key = auditId || "new";
    if (form?.key !== key || form.rev !== audit?.rev) {
      form = { key, rev: audit?.rev, plan: structuredClone(audit || EMPTY), criteria: (audit?.criteria || []).join("\n") };
      state.problem = null;
    }
    return { org, audit };
  },
  view({ org, audit }, ctx) {
    const { plan } = form;
    const change = (fn) => (e) => { fn(e.target); ctx.rerender(); };
    // typing updates the form only (no re-render under the cursor); leaving a field shows it kept
    const text = (name, testid, [owner, key, clean = (v) => v], opts) => textField(name, owner[key],
      { input: (e) => { owner[key] = clean(e.target.value); }, change: ctx.rerender }, { ...opts, testid: `plan-${testid}` });
    const checks = (list, items, empty) => html`<fieldset><legend>${_(FIELDS[list])}</legend>${items.length
      ? html`<div class="checks">${items.map(([id, name]) => html`<label class="choice"><input type="checkbox" .checked=${plan[list].includes(id)}
        @change=${change((t) => { plan[list] = t.checked ? [...plan[list], id] : plan[list].filter((x) => x !== id); })}><span>${name}</span></label>`)}</div>`
      : html`<p class="muted">${empty}</p>`}</fieldset>`;
    const usable = (items, chosen, name = title) => [...items].filter((i) => !i.archivedAt || chosen.includes(i.id))
      .sort((a, b) => (a.code || "").localeCompare(b.code || "")).map((i) => [i.id, name(i)]);
    const audited = new Set(auditedUnits(plan, org.processes));
    const auditees = usable([...org.people.values()].filter((p) => audited.has(p.unitId) || plan.auditeeIds.includes(p.id)),
      plan.auditeeIds, (p) => `${localName(p.fullName)} — ${org.units.get(p.unitId)?.code || ""}`);
    const pickProcess = ({ value }) => {
      plan.processId = value || null;
      if (!plan.standards.length && value) plan.standards = [...org.processes.get(value).standards];
    };
    const head = audit ? auditHead(audit, "leadPlan", _("Audit plan")) : html`<h1>${_("New audit plan")}</h1>`;
    return html`${head}
      ${audit && !EDITABLE.includes(audit.status) ? warn(_("The plan can only change while the audit is planned or prepared; it is now: %(status)s.",
        { status: label(STATUSES, audit.status) })) : ""}
      <form class="panel" novalidate @submit=${(e) => { e.preventDefault(); save(ctx, audit?.id); }}>
        ${text(_("Code"), "code", [plan, "code", (v) => v.trim().toUpperCase()], { required: true })}
        <div class="pair">${text(_("Title in Arabic"), "title-ar", [plan.title, "ar"], { lang: "ar", required: true })}
          ${text(_("Title in French"), "title-fr", [plan.title, "fr"], { lang: "fr", required: true })}</div>
        ${select(_("Process"), "plan-process", [["", _("No process (audited units only)")], ...usable(org.processes.values(), [plan.processId])],
          plan.processId || "", change(pickProcess))}
        ${checks("standards", Object.entries(STANDARDS))}
        ${checks("unitIds", usable(org.units.values(), plan.unitIds))}
        ${checks("siteIds", usable(org.sites.values(), plan.siteIds))}
        ${checks("auditeeIds", auditees, _("Choose the process or the audited units first: their people are listed here."))}
        <div class="pair">${text(_("Start"), "start", [plan, "plannedStart"], { type: "date" })}
          ${text(_("End"), "end", [plan, "plannedEnd"], { type: "date" })}</div>
        ${text(_("Criteria, one per line"), "criteria", [form, "criteria"], { area: true })}
        ${["objectives", "agenda"].map((key) => text(_(FIELDS[key]), key, [plan, key], { area: true }))}
        ${problemNote(state.problem)}
        <div class="actions"><button class="primary" data-testid="save-plan" ?disabled=${state.busy}>${_("Save the plan")}</button>
          <a class="button" href=${audit ? href("leadAudit", { auditId: audit.id }) : href("lead")}>${_("Back")}</a></div>
      </form>`;
  },
};

let team = null; // {auditId, rev, choices: {personId: {role, reason}}}
let refusals = {}; // personId → {message, impartiality, otherScope}
const teamState = {};
let focusRefusal = false;

function saveTeam(ctx) {
  const members = teamMembers(team.choices);
  refusals = {};
  send(ctx, teamState, members.filter((m) => m.role === "lead").length !== 1 && { message: _("Choose exactly one lead auditor.") }, async () => {
    await writeAudit("PUT", `/api/v1/audits/${team.auditId}/team`, team.rev, { members });
    team.rev = null; // the next load starts afresh
    return team.auditId;
  }, "team", () => { team = null; }, (error) => {
    const person = error instanceof ApiError && error.status !== 412 && refusedPerson(error.details, members);
    if (!person) return;
    refusals[person] = { message: error.message, impartiality: error.code === "audit.not_impartial", otherScope: Boolean(error.details.overrideScope) };
    teamState.problem = { message: _("The team was not saved: see the person marked below.") };
    focusRefusal = true;
  });
}

function member(person, units, ctx) {
  const choice = (team.choices[person.id] ||= { role: "", reason: "" });
  const refusal = refusals[person.id];
  const name = localName(person.fullName);
  const roles = [["", _("Not on the team")], ["auditor", _("Auditor")], ...(person.leadAuditor || choice.role === "lead" ? [["lead", _("Lead auditor")]] : [])];
  return html`<li class="card member" data-testid="member" data-person-id=${person.id} ?data-refused=${Boolean(refusal)}>
    <p><strong>${name}</strong><br><span class="muted">${localName(units.get(person.unitId)?.name)} · ${standards((person.qualifications || []).map((q) => q.standard))}</span></p>
    ${select(_("Role"), "member-role", roles, choice.role, (e) => { choice.role = e.target.value; ctx.rerender(); }, _("Role of %(name)s", { name }))}
    ${refusal ? html`<p class="note error" data-testid="refusal">${refusal.message}${refusal.otherScope
      ? ` ${_("The reason on file was written for another scope: confirm it or write a new one.")}` : ""}</p>` : ""}
    ${choice.role && (refusal?.impartiality || choice.reason) ? html`<label>${_("Why %(name)s may audit this scope all the same (kept with the audit)", { name })}
      <textarea rows="3" .value=${choice.reason || ""} data-testid="override-reason" @input=${(e) => { choice.reason = e.target.value; }}></textarea></label>` : ""}
  </li>`;
}

export const teamEditor = {
  async load({ auditId }) {
    const [audit, { people, units }] = await withAudit(auditId, orgLists(["people", "units"]));
    if (team?.auditId !== auditId || team.rev !== audit.rev) {
      team = { auditId, rev: audit.rev, choices: Object.fromEntries(audit.team.map((m) => [m.personId, { role: m.role, reason: m.overrideReason }])) };
      [refusals, teamState.problem] = [{}, null];
    }
    return { audit, people: [...people.values()], units };
  },
  view({ audit, people, units }, ctx) {
    const onTeam = new Set(audit.team.map((m) => m.personId));
    const shown = candidates(people, audit.standards, onTeam)
      .sort((a, b) => onTeam.has(b.id) - onTeam.has(a.id) || localName(a.fullName).localeCompare(localName(b.fullName)));
    return html`${auditHead(audit, "leadTeam", _("Audit team"))}
      ${EDITABLE.includes(audit.status) ? "" : warn(_("The team can only change while the audit is planned or prepared."))}
      <p>${_("People qualified for %(standards)s. Someone from an audited unit, or from a unit above it, is refused unless you write down why.",
        { standards: standards(audit.standards) })}</p>
      <form @submit=${(e) => { e.preventDefault(); saveTeam(ctx); }}>
        <ul class="members">${shown.map((p) => member(p, units, ctx))}</ul>
        ${problemNote(teamState.problem)}
        <div class="actions"><button class="primary" data-testid="save-team" ?disabled=${teamState.busy}>${_("Save the team")}</button></div>
      </form>`;
  },
  after(root) {
    if (!focusRefusal) return;
    focusRefusal = false;
    (root.querySelector("[data-refused] textarea") || root.querySelector("[data-refused] select"))?.focus();
  },
};
