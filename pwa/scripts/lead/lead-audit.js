/** The audit lead's screens but the editors, and what they share (writes send If-Match). */
import { ApiError, describe, getJson, request, sendJson } from "../api.js";
import { VERDICT_ORDER } from "../auditLogic.js";
import { N_, _, formatDateTime } from "../i18n.js";
import { NEXT, filterAudits } from "../leadLogic.js";
import { href } from "../router.js";
import { STANDARDS, STATUSES, auditCard, byId, dots, facts, heads, html, label, list, named, noSubmit, nothing, options, own, period, roleName, standards, tabs, title, verdictTag, version } from "../views/common.js";

// archived items too: an older plan may name them
export const orgLists = async (names = ["processes", "units", "sites", "people"]) => Object.fromEntries(await Promise.all(
  names.map(async (name) => [name, byId(await getJson(`/api/v1/${name}?includeArchived=true`))])));
export const getAudit = (auditId) => getJson(`/api/v1/audits/${auditId}`);
export const withAudit = (auditId, other) => Promise.all([getAudit(auditId), other]);
export const writeAudit = async (method, path, rev, json) => (await request(method, path, { json, headers: rev ? { "If-Match": `"${rev}"` } : {} })).json();
export const select = (text, testid, pairs, chosen, change, name) => html`<label>${text}<select aria-label=${name ?? nothing} data-testid=${testid}
  @change=${change}>${options(pairs, chosen)}</select></label>`;

// a refusal to `state.problem` (`amend` may reword it); a 412's reload calls `forget` first
export async function submit(ctx, state, write, forget, amend) {
  Object.assign(state, { busy: true, problem: null });
  ctx.rerender();
  try {
    await write();
  } catch (error) {
    state.problem = error instanceof ApiError && error.status === 412
      ? { reload: () => { state.problem = null; forget?.(); ctx.reload(); },
        message: _("Someone changed this audit meanwhile. Reload it to see their change, then make yours again.") }
      : { message: describe(error), list: error.details?.missing };
    amend?.(error);
  }
  state.busy = false;
  ctx.rerender();
}

export const problemNote = (problem) => (problem ? html`<div class="note error" role="alert" data-testid="problem">
  <p>${problem.message}</p>${problem.list ? html`<ul>${problem.list.map((item) => html`<li data-code=${item.code ?? nothing}>${item.message ?? item}</li>`)}</ul>` : ""}
  ${problem.reload ? html`<button type="button" data-testid="reload-audit" @click=${problem.reload}>${_("Reload the audit")}</button>` : ""}
</div>` : "");

const TABS = [["leadAudit", N_("Overview")], ["leadPlan", N_("Plan")], ["leadTeam", N_("Team")],
  ["leadProgress", N_("Progress")], ["leadLate", N_("Late submissions")], ["reports", N_("Reports")]];
export const auditHead = (audit, tab, heading, sections = TABS) => html`<h1>${heading ? `${heading} — ${audit.code}` : title(audit)}</h1>${tabs(sections, tab, audit.id)}`;

const MOVES = {
  prepared: N_("Mark as prepared"), planned: N_("Back to planning"), in_progress: N_("Start the audit"),
  reported: N_("Mark as reported"), closed: N_("Close the audit"), cancelled: N_("Cancel the audit"),
};
const DONE = { plan: N_("The plan is saved."), team: N_("The team is saved.") };
let state = {};

function lifecycle(audit, ctx) {
  const set = (changes) => { Object.assign(state, changes); ctx.rerender(); };
  const move = (to) => () => submit(ctx, state, async () => {
    const moved = await writeAudit("POST", `/api/v1/audits/${audit.id}/transitions`, audit.rev, { to, reason: to === "cancelled" ? state.reason.trim() : "" });
    Object.assign(state, { cancelling: false, reason: "" });
    ctx.notify(_("%(code)s is now: %(status)s.", { code: moved.code, status: label(STATUSES, moved.status) }));
  }).then(ctx.reload);
  const button = (to) => (to === "cancelled" ? (state.cancelling ? "" : html`<button class="danger" @click=${() => set({ cancelling: true })}>${_(MOVES[to])}</button>`)
    : html`<button class=${to === "prepared" || to === "in_progress" ? "primary" : ""} ?disabled=${state.busy} data-testid=${`move-${to}`}
      @click=${move(to)}>${audit.status === "reported" ? _("Back to in progress") : _(MOVES[to])}</button>`);
  return html`<section class="panel" data-testid="lifecycle"><h2>${_("Status")}</h2><p data-testid="audit-status">${label(STATUSES, audit.status)}</p>
    ${audit.status === "planned" ? html`<p class="muted">${_("Preparing checks the plan and the team again and fixes the checklist the team will use.")}</p>` : ""}
    ${problemNote(state.problem)}<div class="actions">${NEXT[audit.status].map(button)}</div>
    ${state.cancelling ? html`<label>${_("Why is this audit cancelled? (required, kept with the audit)")}<textarea rows="3" .value=${state.reason}
      @input=${(e) => set({ reason: e.target.value })}></textarea></label>
      <div class="actions"><button class="danger" ?disabled=${state.busy || !state.reason.trim()} @click=${move("cancelled")}>${_("Confirm the cancellation")}</button>
      <button @click=${() => set({ cancelling: false })}>${_("Keep the audit")}</button></div>` : ""}
  </section>`;
}

// an issued report's observations become records
const promoting = {};
const promote = (f, ctx) => html`${own(f.data.statement)}${problemNote(promoting.id === f.id && promoting.problem)}<br><button data-testid="promote"
  @click=${() => submit(ctx, Object.assign(promoting, { id: f.id }), async () => ctx.go(href("nc", {
    ncId: (await sendJson("POST", `/api/v1/findings/${f.id}/nonconformity`)).id })))}>${_("Open a nonconformity record")}</button>`;

export const overview = {
  async load({ auditId }) {
    const [audit, org] = await withAudit(auditId, orgLists());
    if (state.auditId !== auditId) state = { auditId, reason: "" };
    const issued = ["signed", "closed"].includes(audit.status) ? (await getJson(`/api/v1/audits/${auditId}/package`)).findings : [];
    return { audit, org, found: issued.filter((f) => !f.deleted && f.data?.verdict === "observation") };
  },
  view({ audit, org, found }, ctx) {
    const person = (id) => named(org.people, id, "fullName");
    const all = (map, ids) => dots(ids.map((id) => named(map, id))) || _("Not set");
    return html`${auditHead(audit, "leadAudit")}
      ${DONE[ctx.query.done] ? html`<p class="note" role="status" data-testid="saved">${_(DONE[ctx.query.done])}</p>` : ""}
      ${lifecycle(audit, ctx)}
      <section class="panel"><h2>${_("Scope")}</h2>${facts([[_("Dates"), period(audit)], [_("Process"), named(org.processes, audit.processId)],
        [_("Standards"), standards(audit.standards)], [_("Audited units"), all(org.units, audit.unitIds)], [_("Sites"), all(org.sites, audit.siteIds)],
        [_("Reason for cancelling"), audit.cancelReason]])}
      <h2>${_("Criteria")}</h2>${list(audit.criteria)}</section>
      <section class="panel"><h2>${_("Audit team")}</h2>${list(audit.team.map((m) => html`${person(m.personId)}
        <span class="muted">(${roleName(m)})</span>${m.overrideReason ? html`<br><span data-testid="override-note">${_(
          "Included despite belonging to an audited unit, because: %(reason)s", { reason: m.overrideReason })}</span>` : ""}`))}
      <h2>${_("Auditees")}</h2>${list(audit.auditeeIds.map(person))}</section>
      ${found.length ? html`<section class="panel"><h2>${_("Observations")}</h2>${list(found.map((f) => promote(f, ctx)))}</section>` : ""}`;
  },
};

const NONE = { status: "", process: "", standard: "", from: "", to: "", text: "" };
let filter = { ...NONE };
let open = matchMedia("(min-width: 601px)").matches; // folded on a phone

export const auditList = {
  load: () => Promise.all([getJson("/api/v1/audits"), orgLists(["processes"])]).then(([audits, { processes }]) => ({ audits, processes })),
  view({ audits, processes }, ctx) {
    const set = (key) => (e) => { filter = { ...filter, [key]: e.target.value }; ctx.rerender(); };
    const choose = (key, text, choices) => select(text, `filter-${key}`, [["", _("All")], ...choices], filter[key], set(key));
    const day = (key, text) => html`<label>${text}<input type="date" .value=${filter[key]} data-testid=${`filter-${key}`} @change=${set(key)}></label>`;
    const shown = filterAudits(audits, filter);
    const used = [...processes.values()].filter((p) => audits.some((a) => a.processId === p.id)).sort((a, b) => a.code.localeCompare(b.code));
    return html`<h1>${_("Audit planning")}</h1>
      <p><a class="button primary" href=${href("leadNew")} data-testid="new-audit">${_("New audit plan")}</a></p>
      <details class="panel filter-box" ?open=${open} @toggle=${(e) => { open = e.target.open; }}><summary>${_("Filter the audits")}</summary>
      <form class="filters" role="search" aria-label=${_("Filter the audits")} @submit=${noSubmit}>
        <label>${_("Code or title")}<input type="search" .value=${filter.text} data-testid="filter-text" @input=${set("text")}></label>
        ${choose("status", _("Status"), Object.keys(STATUSES).map((s) => [s, label(STATUSES, s)]))}
        ${choose("process", _("Process"), used.map((p) => [p.id, title(p)]))}${choose("standard", _("Standard"), Object.entries(STANDARDS))}
        ${day("from", _("Ending on or after"))}${day("to", _("Starting on or before"))}
        <button type="button" data-testid="clear-filters" @click=${() => { filter = { ...NONE }; ctx.rerender(); }}>${_("Clear the filters")}</button>
      </form></details>
      <p role="status">${_("Audits shown: %(shown)s of %(total)s", { shown: shown.length, total: audits.length })}</p>
      <div class="cards">${shown.map((a) => auditCard(a, "leadAudit", "lead-audit", [
        [_("Process"), named(processes, a.processId)], [_("Standards"), standards(a.standards)]]))}</div>`;
  },
};

const serverView = (path, key) => async ({ auditId }) => {
  const [audit, found] = await withAudit(auditId, getJson(`/api/v1/audits/${auditId}/${path}`));
  return { audit, [key]: found };
};

export const progress = {
  load: serverView("progress", "done"),
  view: ({ audit, done }, ctx) => html`${auditHead(audit, "leadProgress", _("Progress"))}
    <section class="panel" data-testid="progress"><h2>${_("Checklist")}</h2>
    ${done.questions ? html`<p class="progress-line"><progress max=${done.questions} .value=${done.answered} aria-label=${_("Questions answered")}></progress><span
      data-testid="answered">${_("Answered: %(answered)s of %(total)s", { answered: done.answered, total: done.questions })}</span></p>`
      : html`<p>${_("No checklist is fixed yet: it is fixed when the audit is prepared.")}</p>`}
    <h2>${_("Findings")}</h2><table class="summary counts"><tbody>${VERDICT_ORDER.map((v) => html`<tr><th scope="row">${verdictTag(v)}</th>
      <td data-testid=${`count-${v}`}>${done.byVerdict[v.replace(/_(\w)/g, (all, c) => c.toUpperCase())] ?? 0}</td></tr>`)}
      <tr><th scope="row">${_("Of these, outside the checklist")}</th><td>${done.freeFindings}</td></tr></tbody></table></section>
    <section class="panel"><h2>${_("Last sync of each tablet")}</h2>
    ${done.devices.length ? html`<table data-testid="devices">${heads(_("Device"), _("Signed in as"), _("Last sync"))}<tbody>${done.devices.map((d) => html`<tr>
      <td><code>${d.deviceId}</code></td><td>${d.username}</td><td>${formatDateTime(d.lastPushAt)}</td></tr>`)}</tbody></table>`
      : html`<p>${_("No tablet has sent work for this audit yet.")}</p>`}</section>
    <button data-testid="refresh" @click=${() => ctx.reload()}>${_("Refresh")}</button>`,
};

const KINDS = { finding: N_("Finding"), meeting: N_("Meeting"), conclusion: N_("Conclusion"), opening: N_("Opening meeting"), closing: N_("Closing meeting") };

export const late = {
  load: serverView("late-submissions", "items"),
  view: ({ audit, items }) => html`${auditHead(audit, "leadLate", _("Late submissions"))}
    <p>${_("These changes reached the server after the audit was signed. None was applied: the signed record stays as it was.")}</p>
    ${items.length ? html`<ul class="history" data-testid="late">${items.map((item) => html`<li class="card">
      <h2>${label(KINDS, item.op?.data?.kind || item.entity)} ${item.reviewedAt ? "" : html`<span class="tag warn">${_("To review")}</span>`}</h2>
      ${version(item.username, item.deviceId, item.createdAt, item.op?.data)}</li>`)}</ul>`
      : html`<p class="note">${_("Nothing arrived after signing.")}</p>`}`,
};
