/** Changes that came after signing: never applied, kept for the audit lead. */
import { getJson } from "../api.js";
import { N_, _ } from "../i18n.js";
import { VERDICTS, byLine, facts, html, label, nothing } from "./common.js";
import { getAudit, leadHead } from "./lead-common.js";

const KINDS = { finding: N_("Finding"), meeting: N_("Meeting"), conclusion: N_("Conclusion"), opening: N_("Opening meeting"), closing: N_("Closing meeting") };

const content = (data) => (data ? facts([[_("Verdict"), data.verdict && label(VERDICTS, data.verdict)], [_("Question"), data.questionId],
  [_("Statement"), data.statement], [_("Objective evidence"), data.evidence], [_("Notes"), data.notes], [_("Conclusions"), data.conclusions]])
  : html`<p>${_("A deletion")}</p>`);

export const late = {
  async load({ auditId }) {
    const [audit, items] = await Promise.all([getAudit(auditId), getJson(`/api/v1/audits/${auditId}/late-submissions`)]);
    return { audit, items };
  },
  view: ({ audit, items }) => html`${leadHead(audit, "leadLate", _("Late submissions"))}
    <p>${_("These changes reached the server after the audit was signed. None was applied: the signed record stays as it was.")}</p>
    ${items.length ? html`<ul class="history" data-testid="late">${items.map((item) => html`<li class="card" data-testid="late-item">
      <h2>${label(KINDS, item.op?.data?.kind || item.entity)} ${item.reviewedAt ? nothing : html`<span class="tag warn">${_("To review")}</span>`}</h2>
      ${byLine(item.username, item.deviceId, item.createdAt)}${content(item.op?.data)}</li>`)}</ul>`
      : html`<p class="note" data-testid="late-none">${_("Nothing arrived after signing.")}</p>`}`,
};
