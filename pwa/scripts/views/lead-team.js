/** An audit's team: a refusal is shown beside the person; impartiality can be overridden with a reason. */
import { ApiError } from "../api.js";
import { _ } from "../i18n.js";
import { EDITABLE, candidates, refusedPerson, teamMembers } from "../leadLogic.js";
import { href } from "../router.js";
import { html, localName, nothing, options, standards } from "./common.js";
import { getAudit, leadHead, orgLists, problemNote, problemOf, writeAudit } from "./lead-common.js";

let team = null; // {auditId, rev, choices: {personId: {role, reason}}}
let refusals = {}; // personId → {message, impartiality, otherScope}
let problem = null;
let busy = false;
let focusRefusal = false;

async function save(ctx) {
  const members = teamMembers(team.choices);
  [refusals, problem] = [{}, null];
  if (members.filter((m) => m.role === "lead").length !== 1) problem = { message: _("Choose exactly one lead auditor.") };
  if (problem) return ctx.rerender();
  busy = true;
  ctx.rerender();
  try {
    await writeAudit("PUT", `/api/v1/audits/${team.auditId}/team`, team.rev, { members });
    [team.rev, busy] = [null, false]; // kept for a paint before the next screen: the next load starts afresh
    return ctx.go(href("leadAudit", { auditId: team.auditId }, { done: "team" }));
  } catch (error) {
    const person = error instanceof ApiError && error.status !== 412 && refusedPerson(error.details, members);
    if (person) {
      refusals[person] = { message: error.message, impartiality: error.code === "audit.not_impartial", otherScope: Boolean(error.details.overrideScope) };
      problem = { message: _("The team was not saved: see the person marked below.") };
      focusRefusal = true;
    } else problem = problemOf(error, () => { team = problem = null; ctx.reload(); });
  }
  busy = false;
  ctx.rerender();
}

function member(person, units, ctx) {
  const choice = team.choices[person.id] || { role: "", reason: "" };
  const refusal = refusals[person.id];
  const name = localName(person.fullName);
  const set = (field, value) => { team.choices[person.id] = { ...(team.choices[person.id] || choice), [field]: value }; };
  const roles = [["", _("Not on the team")], ["auditor", _("Auditor")], ...(person.leadAuditor || choice.role === "lead" ? [["lead", _("Lead auditor")]] : [])];
  return html`<li class="card member" data-testid="member" data-person-id=${person.id} ?data-refused=${Boolean(refusal)}>
    <p><strong>${name}</strong><br><span class="muted">${localName(units.get(person.unitId)?.name)} · ${standards((person.qualifications || []).map((q) => q.standard))}</span></p>
    <label>${_("Role")}<select aria-label=${_("Role of %(name)s", { name })} data-testid="member-role"
      @change=${(e) => { set("role", e.target.value); ctx.rerender(); }}>${options(roles, choice.role)}</select></label>
    ${refusal ? html`<p class="note error" data-testid="refusal">${refusal.message}${refusal.otherScope
      ? ` ${_("The reason on file was written for another scope: confirm it or write a new one.")}` : nothing}</p>` : nothing}
    ${choice.role && (refusal?.impartiality || choice.reason) ? html`<label>${_("Why %(name)s may audit this scope all the same (kept with the audit)", { name })}
      <textarea rows="3" .value=${choice.reason || ""} data-testid="override-reason" @input=${(e) => set("reason", e.target.value)}></textarea></label>` : nothing}
  </li>`;
}

export const teamEditor = {
  async load({ auditId }) {
    const [audit, { people, units }] = await Promise.all([getAudit(auditId), orgLists(["people", "units"])]);
    if (team?.auditId !== auditId || team.rev !== audit.rev) {
      team = { auditId, rev: audit.rev, choices: Object.fromEntries(audit.team.map((m) => [m.personId, { role: m.role, reason: m.overrideReason }])) };
      [refusals, problem] = [{}, null];
    }
    return { audit, people: [...people.values()], units };
  },
  view({ audit, people, units }, ctx) {
    const onTeam = new Set(audit.team.map((m) => m.personId));
    const shown = candidates(people, audit.standards, onTeam)
      .sort((a, b) => onTeam.has(b.id) - onTeam.has(a.id) || localName(a.fullName).localeCompare(localName(b.fullName)));
    return html`${leadHead(audit, "leadTeam", _("Audit team"))}
      ${EDITABLE.includes(audit.status) ? nothing : html`<p class="note warn">${_("The team can only change while the audit is planned or prepared.")}</p>`}
      <p>${_("People qualified for %(standards)s. Someone from an audited unit, or from a unit above it, is refused unless you write down why.",
        { standards: standards(audit.standards) })}</p>
      <form @submit=${(e) => { e.preventDefault(); save(ctx); }} data-testid="team-form">
        <ul class="members">${shown.map((p) => member(p, units, ctx))}</ul>
        ${problemNote(problem)}
        <div class="actions"><button class="primary" data-testid="save-team" ?disabled=${busy}>${_("Save the team")}</button></div>
      </form>`;
  },
  after(root) {
    if (!focusRefusal) return;
    focusRefusal = false;
    (root.querySelector("[data-refused] textarea") || root.querySelector("[data-refused] select"))?.focus();
  },
};
