/** An audit as the audit lead sees it: the plan and the team at a glance, and its lifecycle
 * (planned → prepared → in progress → reported → signed → closed, or cancelled with a reason). */
import { html, nothing } from "/vendor/lit-html@3.3.3/lit-html.js";
import { N_, _, format } from "/scripts/i18n.js";
import { NEXT } from "/scripts/leadLogic.js";
import { STANDARDS, STATUSES, label, localName } from "/scripts/views/common.js";
import { getAudit, leadTabs, named, orgLists, period, problemNote, problemOf, writeAudit } from "/scripts/views/lead-common.js";

const MOVES = {
  prepared: N_("Mark as prepared"), planned: N_("Back to planning"), in_progress: N_("Start the audit"),
  reported: N_("Mark as reported"), closed: N_("Close the audit"), cancelled: N_("Cancel the audit"),
};
const DONE = { plan: N_("The plan is saved."), team: N_("The team is saved.") };
let state = { auditId: null, cancelling: false, reason: "", problem: null, busy: false };

async function move(ctx, audit, to) {
  Object.assign(state, { busy: true, problem: null });
  ctx.rerender();
  try {
    const moved = await writeAudit("POST", `/api/v1/audits/${audit.id}/transitions`, audit.rev, { to, reason: to === "cancelled" ? state.reason.trim() : "" });
    Object.assign(state, { cancelling: false, reason: "" });
    ctx.notify(format(_("%(code)s is now: %(status)s."), { code: moved.code, status: label(STATUSES, moved.status) }));
  } catch (error) {
    state.problem = problemOf(error, () => { state.problem = null; ctx.reload(); });
  }
  state.busy = false;
  await ctx.reload();
}

const list = (items) => (items.length ? html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` : html`<p>${_("Not set")}</p>`);

function lifecycle(audit, ctx) {
  const moves = NEXT[audit.status].filter((to) => to !== "cancelled");
  const button = (to) => html`<button type="button" class=${to === "prepared" || to === "in_progress" ? "primary" : ""} ?disabled=${state.busy}
    data-testid=${`move-${to}`} @click=${() => move(ctx, audit, to)}>${audit.status === "reported" ? _("Back to in progress") : _(MOVES[to])}</button>`;
  return html`<section class="panel" data-testid="lifecycle"><h2>${_("Status")}</h2>
    <p data-testid="audit-status">${label(STATUSES, audit.status)}</p>
    ${audit.status === "planned" ? html`<p class="muted">${_("Preparing checks the plan and the team again and fixes the checklist the team will use.")}</p>` : nothing}
    ${problemNote(state.problem)}
    <div class="actions">${moves.map(button)}
      ${NEXT[audit.status].includes("cancelled") && !state.cancelling ? html`<button type="button" class="danger" data-testid="move-cancelled"
        @click=${() => { state.cancelling = true; ctx.rerender(); }}>${_(MOVES.cancelled)}</button>` : nothing}</div>
    ${state.cancelling ? html`<label>${_("Why is this audit cancelled? (required, kept with the audit)")}<textarea rows="3" .value=${state.reason}
      data-testid="cancel-reason" @input=${(e) => { state.reason = e.target.value; ctx.rerender(); }}></textarea></label>
      <div class="actions"><button type="button" class="danger" data-testid="confirm-cancel" ?disabled=${state.busy || !state.reason.trim()}
        @click=${() => move(ctx, audit, "cancelled")}>${_("Confirm the cancellation")}</button>
        <button type="button" @click=${() => { state.cancelling = false; ctx.rerender(); }}>${_("Keep the audit")}</button></div>` : nothing}
  </section>`;
}

export const overview = {
  async load({ auditId }) {
    const [audit, org] = await Promise.all([getAudit(auditId), orgLists()]);
    if (state.auditId !== auditId) state = { auditId, cancelling: false, reason: "", problem: null, busy: false };
    return { audit, org };
  },
  view({ audit, org }, ctx) {
    const person = (id) => named(org.people, id, "fullName");
    return html`<h1 tabindex="-1">${audit.code} — ${localName(audit.title)}</h1>${leadTabs(audit.id, "leadAudit")}
      ${DONE[ctx.query.done] ? html`<p class="note" role="status" data-testid="saved">${_(DONE[ctx.query.done])}</p>` : nothing}
      ${lifecycle(audit, ctx)}
      <section class="panel"><h2>${_("Scope")}</h2><dl class="facts">
        <dt>${_("Dates")}</dt><dd>${period(audit)}</dd>
        <dt>${_("Process")}</dt><dd>${named(org.processes, audit.processId)}</dd>
        <dt>${_("Standards")}</dt><dd>${audit.standards.map((s) => STANDARDS[s]).join(" · ")}</dd>
        <dt>${_("Audited units")}</dt><dd>${audit.unitIds.map((id) => named(org.units, id)).join(" · ") || _("Not set")}</dd>
        <dt>${_("Sites")}</dt><dd>${audit.siteIds.map((id) => named(org.sites, id)).join(" · ") || _("Not set")}</dd>
        ${audit.cancelReason ? html`<dt>${_("Reason for cancelling")}</dt><dd class="text">${audit.cancelReason}</dd>` : nothing}
      </dl><h2>${_("Criteria")}</h2>${list(audit.criteria)}</section>
      <section class="panel"><h2>${_("Audit team")}</h2>${list(audit.team.map((m) => html`${person(m.personId)}
        <span class="muted">(${m.role === "lead" ? _("Lead auditor") : _("Auditor")})</span>${m.overrideReason ? html`<br><span data-testid="override-note">${format(
          _("Included despite belonging to an audited unit, because: %(reason)s"), { reason: m.overrideReason })}</span>` : nothing}`))}
        <h2>${_("Auditees")}</h2>${list(audit.auditeeIds.map(person))}</section>`;
  },
};
