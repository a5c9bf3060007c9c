/** A finding's versions on the server, and those that lost a conflict. */
import { describe, getJson } from "../api.js";
import { _ } from "../i18n.js";
import { auditRecords } from "../packages.js";
import { href } from "../router.js";
import { VERDICTS, auditView, byLine, clauseRef, dots, facts, html, label, nothing } from "./common.js";

export async function load({ auditId, findingId }) {
  const records = await auditRecords(auditId);
  const path = `/api/v1/findings/${findingId}`;
  try {
    const [versions, lost] = await Promise.all([getJson(`${path}/history`), getJson(`${path}/conflicts`).catch(() => [])]);
    return { ...records, versions, lost };
  } catch (error) {
    return { ...records, error: describe(error) };
  }
}

const content = (data) => facts([[_("Verdict"), label(VERDICTS, data.verdict)], [_("Statement"), data.statement],
  [_("Objective evidence"), data.evidence], [_("Clauses"), data.clauseRefs && dots(data.clauseRefs.map(clauseRef))],
  [_("Auditee's response"), data.auditeeResponse], [_("Photos"), data.attachments?.length]]);

export const view = auditView("", () => _("History of the finding"), (data, ctx) => html`${data.error
  ? html`<p class="note error">${data.error}</p><p>${_("The history is kept on the server: it needs a connection.")}</p>` : html`
    <ol class="history" data-testid="history">${data.versions.map((v) => html`<li class="card">
      <h2>${_("Version %(rev)s", { rev: v.rev })}${v.deleted ? html` — ${_("deleted")}` : nothing}</h2>
      ${byLine(v.author, v.deviceId, v.recordedAt)}${content(v.data)}</li>`)}</ol>
    ${data.lost.length ? html`<h2>${_("Versions that lost a conflict (kept on the server)")}</h2><ul class="history">${data.lost.map((v) => html`<li class="card">
      ${byLine(v.username, v.deviceId, v.createdAt)}${v.op?.data ? content(v.op.data) : html`<p>${_("A deletion")}</p>`}</li>`)}</ul>` : nothing}`}
  <p><a class="button" href=${href("checklist", { auditId: ctx.params.auditId })}>${_("Back to the checklist")}</a></p>`);
