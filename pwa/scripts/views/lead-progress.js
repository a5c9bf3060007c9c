/** The team's progress: questions answered, findings by verdict, each tablet's last sync. */
import { getJson } from "../api.js";
import { VERDICT_ORDER } from "../auditLogic.js";
import { _, formatDateTime } from "../i18n.js";
import { html, verdictTag } from "./common.js";
import { getAudit, leadHead } from "./lead-common.js";

export const progress = {
  load: async ({ auditId }) => {
    const [audit, done] = await Promise.all([getAudit(auditId), getJson(`/api/v1/audits/${auditId}/progress`)]);
    return { audit, done };
  },
  view: ({ audit, done }, ctx) => html`${leadHead(audit, "leadProgress", _("Progress"))}
      <section class="panel" data-testid="progress"><h2>${_("Checklist")}</h2>
        ${done.questions ? html`<p class="progress-line"><progress max=${done.questions} .value=${done.answered}
          aria-label=${_("Questions answered")}></progress><span data-testid="answered">${_("Answered: %(answered)s of %(total)s",
          { answered: done.answered, total: done.questions })}</span></p>`
          : html`<p>${_("No checklist is fixed yet: it is fixed when the audit is prepared.")}</p>`}
        <h2>${_("Findings")}</h2>
        <table class="summary counts"><tbody>${VERDICT_ORDER.map((v) => html`<tr><th scope="row">${verdictTag(v)}</th>
          <td data-testid=${`count-${v}`}>${done.byVerdict[v.replace(/_(\w)/g, (all, c) => c.toUpperCase())] ?? 0}</td></tr>`)}
          <tr><th scope="row">${_("Of these, outside the checklist")}</th><td>${done.freeFindings}</td></tr></tbody></table>
      </section>
      <section class="panel"><h2>${_("Last sync of each tablet")}</h2>
        ${done.devices.length ? html`<table data-testid="devices"><thead><tr><th scope="col">${_("Device")}</th><th scope="col">${_("Signed in as")}</th>
          <th scope="col">${_("Last sync")}</th></tr></thead><tbody>${done.devices.map((d) => html`<tr><td><code>${d.deviceId}</code></td>
          <td>${d.username}</td><td>${formatDateTime(d.lastPushAt)}</td></tr>`)}</tbody></table>`
          : html`<p>${_("No tablet has sent work for this audit yet.")}</p>`}
      </section>
      <button type="button" data-testid="refresh" @click=${() => ctx.reload()}>${_("Refresh")}</button>`,
};
