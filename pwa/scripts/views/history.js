/** A finding's history, from the server: each applied version, and the versions that lost a conflict. */
import { html, nothing } from "/vendor/lit-html@3.3.3/lit-html.js";
import { describe, getJson } from "/scripts/api.js";
import { _, format, formatDateTime } from "/scripts/i18n.js";
import { auditRecords } from "/scripts/packages.js";
import { href } from "/scripts/router.js";
import { VERDICTS, auditTabs, clauseRef, label } from "/scripts/views/common.js";
import { notDownloaded } from "/scripts/views/plan.js";

export async function load({ auditId, findingId }) {
  const records = await auditRecords(auditId);
  try {
    const [versions, lost] = await Promise.all([getJson(`/api/v1/findings/${findingId}/history`),
      getJson(`/api/v1/findings/${findingId}/conflicts`).catch(() => [])]);
    return { ...records, versions, lost };
  } catch (error) {
    return { ...records, error: describe(error) };
  }
}

const row = (name, value) => (value ? html`<dt>${name}</dt><dd class="text">${value}</dd>` : nothing);
const content = (data) => html`<dl class="facts">${row(_("Verdict"), label(VERDICTS, data.verdict))}${row(_("Statement"), data.statement)}
  ${row(_("Objective evidence"), data.evidence)}${row(_("Clauses"), data.clauseRefs?.map(clauseRef).join(" · "))}
  ${row(_("Auditee's response"), data.auditeeResponse)}${row(_("Photos"), data.attachments?.length)}</dl>`;
const by = (author, device, time) => html`<p class="muted">${format(_("By %(author)s on device %(device)s, %(time)s"), { author, device, time: formatDateTime(time) })}</p>`;

export function view(data, ctx) {
  if (!data.pkg) return notDownloaded();
  return html`<h1 tabindex="-1">${_("History of the finding")}</h1>${auditTabs(ctx.params.auditId, "", data.conflicts.length)}
    ${data.error ? html`<p class="note error">${data.error}</p><p>${_("The history is kept on the server: it needs a connection.")}</p>` : html`
    <ol class="history" data-testid="history">${data.versions.map((v) => html`<li class="card">
      <h2>${format(_("Version %(rev)s"), { rev: v.rev })}${v.deleted ? html` — ${_("deleted")}` : nothing}</h2>
      ${by(v.author, v.deviceId, v.recordedAt)}${content(v.data)}</li>`)}</ol>
    ${data.lost.length ? html`<h2>${_("Versions that lost a conflict (kept on the server)")}</h2><ul class="history">${data.lost.map((v) => html`<li class="card">
      ${by(v.username, v.deviceId, v.createdAt)}${v.op?.data ? content(v.op.data) : html`<p>${_("A deletion")}</p>`}</li>`)}</ul>` : nothing}`}
    <p><a class="button" href=${href("checklist", { auditId: ctx.params.auditId })}>${_("Back to the checklist")}</a></p>`;
}
