/** Create or change an audit's plan. */
import { ApiError } from "../api.js";
import { N_, _ } from "../i18n.js";
import { EDITABLE, auditedUnits, lines, planBody, planProblems } from "../leadLogic.js";
import { href } from "../router.js";
import { STANDARDS, STATUSES, html, label, localName, nothing, options, textField } from "./common.js";
import { getAudit, leadHead, orgLists, problemNote, problemOf, writeAudit } from "./lead-common.js";

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
const EMPTY = { code: "", title: { ar: "", fr: "" }, standards: [], processId: null, unitIds: [], siteIds: [], clauses: [],
  criteria: [], objectives: "", auditeeIds: [], plannedStart: null, plannedEnd: null, agenda: "" };
let form = null; // {key, rev, plan, criteria}: what is typed survives re-renders and a change of language
let problem = null;
let busy = false;

/** The fields a refusal names (`$.title.ar`, `unitIds`, `members[0]`…) in the screen's words. */
const fieldsOf = (details) => [...new Set([details].flat().map((d) => /\w+/.exec(String(d?.field || "").replace(/^\$\./, ""))?.[0]))]
  .filter((field) => FIELDS[field]).map((field) => _(FIELDS[field]));

async function save(ctx, auditId) {
  const plan = { ...form.plan, criteria: lines(form.criteria) };
  const wrong = planProblems(plan);
  problem = wrong.length ? { message: _("The plan was not saved. Check:"), list: wrong.map((key) => _(PROBLEMS[key])) } : null;
  if (problem) return ctx.rerender();
  busy = true;
  ctx.rerender();
  try {
    const saved = await writeAudit(auditId ? "PUT" : "POST", `/api/v1/audits${auditId ? `/${auditId}` : ""}`, form.rev, planBody(plan));
    [form.key, busy] = [null, false]; // kept for a paint before the next screen: the next load starts afresh
    return ctx.go(href("leadAudit", { auditId: saved.id }, { done: "plan" }));
  } catch (error) {
    problem = problemOf(error, () => { form = problem = null; ctx.reload(); });
    if (error instanceof ApiError && !problem.reload && fieldsOf(error.details).length) problem.list = fieldsOf(error.details);
  }
  busy = false;
  ctx.rerender();
}

export const planEditor = {
  async load({ auditId }) {
    const [org, audit] = await Promise.all([orgLists(), auditId ? getAudit(auditId) : null]);
    const key = auditId || "new";
    if (form?.key !== key || form.rev !== audit?.rev) {
      form = { key, rev: audit?.rev, plan: structuredClone(audit || EMPTY), criteria: (audit?.criteria || []).join("\n") };
      problem = null;
    }
    return { org, audit };
  },
  view({ org, audit }, ctx) {
    const { plan } = form;
    const change = (fn) => (e) => { fn(e.target); ctx.rerender(); };
    // typing only updates the form (no re-render under the cursor); leaving the field shows it as kept
    const text = (name, testid, [owner, key, clean = (v) => v], opts) => textField(name, owner[key],
      { input: (e) => { owner[key] = clean(e.target.value); }, change: ctx.rerender }, { ...opts, testid: `plan-${testid}` });
    const checks = (legend, list, items, empty) => html`<fieldset data-testid=${`plan-${list}`}><legend>${legend}</legend>${items.length
      ? html`<div class="checks">${items.map(([id, name]) => html`<label class="choice"><input type="checkbox" .checked=${plan[list].includes(id)}
        @change=${change((t) => { plan[list] = t.checked ? [...plan[list], id] : plan[list].filter((x) => x !== id); })}><span>${name}</span></label>`)}</div>`
      : html`<p class="muted">${empty}</p>`}</fieldset>`;
    const usable = (map, chosen, name = (i) => `${i.code} — ${localName(i.name)}`) => [...map.values()]
      .filter((i) => !i.archivedAt || chosen.includes(i.id)).sort((a, b) => (a.code || "").localeCompare(b.code || "")).map((i) => [i.id, name(i)]);
    const audited = new Set(auditedUnits(plan, org.processes));
    const auditees = usable(new Map([...org.people].filter(([id, p]) => audited.has(p.unitId) || plan.auditeeIds.includes(id))),
      plan.auditeeIds, (p) => `${localName(p.fullName)} — ${org.units.get(p.unitId)?.code || ""}`);
    const pickProcess = ({ value }) => {
      plan.processId = value || null;
      if (!plan.standards.length && value) plan.standards = [...org.processes.get(value).standards];
    };
    const head = audit ? leadHead(audit, "leadPlan", _("Audit plan")) : html`<h1>${_("New audit plan")}</h1>`;
    return html`${head}
      ${audit && !EDITABLE.includes(audit.status) ? html`<p class="note warn">${_("The plan can only change while the audit is planned or prepared; it is now: %(status)s.",
        { status: label(STATUSES, audit.status) })}</p>` : nothing}
      <form class="panel" novalidate data-testid="plan-form" @submit=${(e) => { e.preventDefault(); save(ctx, audit?.id); }}>
        ${text(_("Code"), "code", [plan, "code", (v) => v.trim().toUpperCase()], { required: true })}
        <div class="pair">${text(_("Title in Arabic"), "title-ar", [plan.title, "ar"], { lang: "ar", required: true })}
          ${text(_("Title in French"), "title-fr", [plan.title, "fr"], { lang: "fr", required: true })}</div>
        <label>${_("Process")}<select data-testid="plan-process" @change=${change(pickProcess)}>${options([["", _("No process (audited units only)")],
          ...usable(org.processes, [plan.processId])], plan.processId || "")}</select></label>
        ${checks(_("Standards"), "standards", Object.entries(STANDARDS))}
        ${checks(_("Audited units"), "unitIds", usable(org.units, plan.unitIds))}
        ${checks(_("Sites"), "siteIds", usable(org.sites, plan.siteIds))}
        ${checks(_("Auditees"), "auditeeIds", auditees, _("Choose the process or the audited units first: their people are listed here."))}
        <div class="pair">${text(_("Start"), "start", [plan, "plannedStart"], { type: "date" })}
          ${text(_("End"), "end", [plan, "plannedEnd"], { type: "date" })}</div>
        ${text(_("Criteria, one per line"), "criteria", [form, "criteria"], { area: true })}
        ${text(_("Objectives"), "objectives", [plan, "objectives"], { area: true })}
        ${text(_("Agenda"), "agenda", [plan, "agenda"], { area: true })}
        ${problemNote(problem)}
        <div class="actions"><button class="primary" data-testid="save-plan" ?disabled=${busy}>${_("Save the plan")}</button>
          <a class="button" href=${audit ? href("leadAudit", { auditId: audit.id }) : href("lead")}>${_("Back")}</a></div>
      </form>`;
  },
};
