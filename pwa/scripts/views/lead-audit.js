/** An audit as the audit lead sees it: plan and team at a glance, and its lifecycle. */
import { N_, _ } from "../i18n.js";
import { NEXT } from "../leadLogic.js";
import { STATUSES, dots, facts, html, label, list, nothing, period, standards } from "./common.js";
import { getAudit, leadHead, named, orgLists, problemNote, problemOf, writeAudit } from "./lead-common.js";

const MOVES = {
  prepared: N_("Mark as prepared"), planned: N_("Back to planning"), in_progress: N_("Start the audit"),
  reported: N_("Mark as reported"), closed: N_("Close the audit"), cancelled: N_("Cancel the audit"),
};
const DONE = { plan: N_("The plan is saved."), team: N_("The team is saved.") };
let state = {};

async function move(ctx, audit, to) {
  Object.assign(state, { busy: true, problem: null });
  ctx.rerender();
  try {
    const moved = await writeAudit("POST", `/api/v1/audits/${audit.id}/transitions`, audit.rev, { to, reason: to === "cancelled" ? state.reason.trim() : "" });
    Object.assign(state, { cancelling: false, reason: "" });
    ctx.notify(_("%(code)s is now: %(status)s.", { code: moved.code, status: label(STATUSES, moved.status) }));
  } catch (error) {
    state.problem = problemOf(error, () => { state.problem = null; ctx.reload(); });
  }
  state.busy = false;
  await ctx.reload();
}

function lifecycle(audit, ctx) {
  const next = NEXT[audit.status];
  const set = (changes) => { Object.assign(state, changes); ctx.rerender(); };
  const button = (to) => html`<button type="button" class=${to === "prepared" || to === "in_progress" ? "primary" : ""} ?disabled=${state.busy}
    data-testid=${`move-${to}`} @click=${() => move(ctx, audit, to)}>${audit.status === "reported" ? _("Back to in progress") : _(MOVES[to])}</button>`;
  return html`<section class="panel" data-testid="lifecycle"><h2>${_("Status")}</h2>
    <p data-testid="audit-status">${label(STATUSES, audit.status)}</p>
    ${audit.status === "planned" ? html`<p class="muted">${_("Preparing checks the plan and the team again and fixes the checklist the team will use.")}</p>` : nothing}
    ${problemNote(state.problem)}
    <div class="actions">${next.filter((to) => to !== "cancelled").map(button)}
      ${next.includes("cancelled") && !state.cancelling ? html`<button type="button" class="danger" data-testid="move-cancelled"
        @click=${() => set({ cancelling: true })}>${_(MOVES.cancelled)}</button>` : nothing}</div>
    ${state.cancelling ? html`<label>${_("Why is this audit cancelled? (required, kept with the audit)")}<textarea rows="3" .value=${state.reason}
      data-testid="cancel-reason" @input=${(e) => set({ reason: e.target.value })}></textarea></label>
      <div class="actions"><button type="button" class="danger" data-testid="confirm-cancel" ?disabled=${state.busy || !state.reason.trim()}
        @click=${() => move(ctx, audit, "cancelled")}>${_("Confirm the cancellation")}</button>
        <button type="button" @click=${() => set({ cancelling: false })}>${_("Keep the audit")}</button></div>` : nothing}
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
    const all = (map, ids) => dots(ids.map((id) => named(map, id))) || _("Not set");
    return html`${leadHead(audit, "leadAudit")}
      ${DONE[ctx.query.done] ? html`<p class="note" role="status" data-testid="saved">${_(DONE[ctx.query.done])}</p>` : nothing}
      ${lifecycle(audit, ctx)}
      <section class="panel"><h2>${_("Scope")}</h2>${facts([
        [_("Dates"), period(audit)], [_("Process"), named(org.processes, audit.processId)], [_("Standards"), standards(audit.standards)],
        [_("Audited units"), all(org.units, audit.unitIds)], [_("Sites"), all(org.sites, audit.siteIds)],
        [_("Reason for cancelling"), audit.cancelReason]])}
      <h2>${_("Criteria")}</h2>${list(audit.criteria)}</section>
      <section class="panel"><h2>${_("Audit team")}</h2>${list(audit.team.map((m) => html`${person(m.personId)}
        <span class="muted">(${m.role === "lead" ? _("Lead auditor") : _("Auditor")})</span>${m.overrideReason ? html`<br><span data-testid="override-note">${_(
          "Included despite belonging to an audited unit, because: %(reason)s", { reason: m.overrideReason })}</span>` : nothing}`))}
        <h2>${_("Auditees")}</h2>${list(audit.auditeeIds.map(person))}</section>`;
  },
};
