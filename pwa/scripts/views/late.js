/** Changes that reached the server after the audit was signed: never applied, kept for the audit lead. */
import { html, nothing } from "/vendor/lit-html@3.3.3/lit-html.js";
import { getJson } from "/scripts/api.js";
import { N_, _, format, formatDateTime } from "/scripts/i18n.js";
import { VERDICTS, label } from "/scripts/views/common.js";
import { getAudit, leadTabs } from "/scripts/views/lead-common.js";

const ENTITIES = { finding: N_("Finding"), meeting: N_("Meeting"), conclusion: N_("Conclusion") };
const MEETINGS = { opening: N_("Opening meeting"), closing: N_("Closing meeting") };

function content({ op }) {
  const data = op?.data;
  if (!data) return html`<p>${_("A deletion")}</p>`;
  const row = (name, value) => (value ? html`<dt>${name}</dt><dd class="text">${value}</dd>` : nothing);
  return html`<dl class="facts">${row(_("Verdict"), data.verdict && label(VERDICTS, data.verdict))}${row(_("Question"), data.questionId)}
    ${row(_("Statement"), data.statement)}${row(_("Objective evidence"), data.evidence)}
    ${row(_("Notes"), data.notes)}${row(_("Conclusions"), data.conclusions)}</dl>`;
}

export const late = {
  async load({ auditId }) {
    const [audit, items] = await Promise.all([getAudit(auditId), getJson(`/api/v1/audits/${auditId}/late-submissions`)]);
    return { audit, items };
  },
  view({ audit, items }) {
    return html`<h1 tabindex="-1">${_("Late submissions")} — ${audit.code}</h1>${leadTabs(audit.id, "leadLate")}
      <p>${_("These changes reached the server after the audit was signed. None was applied: the signed record stays as it was.")}</p>
      ${items.length ? html`<ul class="history" data-testid="late">${items.map((item) => html`<li class="card" data-testid="late-item">
        <h2>${item.op?.data?.kind ? label(MEETINGS, item.op.data.kind) : label(ENTITIES, item.entity)} ${item.reviewedAt ? nothing : html`<span class="tag warn">${_("To review")}</span>`}</h2>
        <p class="muted">${format(_("By %(author)s on device %(device)s, %(time)s"), { author: item.username, device: item.deviceId, time: formatDateTime(item.createdAt) })}</p>
        ${content(item)}</li>`)}</ul>` : html`<p class="note" data-testid="late-none">${_("Nothing arrived after signing.")}</p>`}`;
  },
};
