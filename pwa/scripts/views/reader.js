/** Managers and auditees: the audits the server lets them see, and findings once reported. */
import { getJson } from "../api.js";
import { _, language } from "../i18n.js";
import { STATUSES, VERDICTS, auditCard, dots, facts, findingRows, html, label, names, nothing, packageFacts, period, thumbnails, title, verdictTag } from "./common.js";

const REPORTED = ["reported", "signed", "closed"];
const SEVERITY = ["nc_major", "nc_minor", "observation", "improvement", "conform", "not_applicable"];

export const readList = {
  load: async () => ({ audits: await getJson("/api/v1/audits") }),
  view: ({ audits }) => html`<h1>${_("Audits")}</h1>${audits.length ? html`<div class="cards">${audits.map((a) => auditCard(a, "readAudit",
    "read-audit", [[_("Dates"), period(a)], [_("Status"), label(STATUSES, a.status)]]))}</div>`
    : html`<p data-testid="read-none">${_("No audit to show. An audit of your unit appears here once its report is out.")}</p>`}`,
};

const finding = ({ data }, questions) => html`<li class="card" data-testid="finding" data-verdict=${data.verdict}>
  <p>${verdictTag(data.verdict)}</p>${facts([[_("Question"), questions.get(data.questionId)?.text], ...findingRows(data)])}${data.attachments.length ? thumbnails(data.attachments, null, data.photosTakenAt) : nothing}</li>`;

export const readAudit = {
  load: ({ auditId }) => getJson(`/api/v1/audits/${auditId}/package?lang=${language()}`),
  view(pkg) {
    const { audit } = pkg;
    const live = pkg.findings.filter((f) => !f.deleted && f.data)
      .sort((a, b) => SEVERITY.indexOf(a.data.verdict) - SEVERITY.indexOf(b.data.verdict));
    const counts = SEVERITY.map((v) => [v, live.filter((f) => f.data.verdict === v).length]).filter(([, n]) => n);
    const questions = new Map(pkg.checklist.map((q) => [q.id, q]));
    const all = (items) => names(items) || _("Not set");
    return html`<h1>${title(audit)}</h1>
      <section class="panel">${packageFacts(pkg, [[_("Audit team"), all(pkg.team)], [_("Auditees"), all(pkg.auditees)]])}</section>
      <section><h2>${_("Findings")}</h2>${REPORTED.includes(audit.status) ? html`
        <p data-testid="finding-counts">${dots(counts.map(([v, n]) => _("%(verdict)s: %(count)s", { verdict: label(VERDICTS, v), count: n })))
          || _("No finding was recorded.")}</p>
        <ul class="history">${live.map((f) => finding(f, questions))}</ul>`
        : html`<p class="note" data-testid="not-reported">${_("The findings are shown here once the audit is reported.")}</p>`}</section>`;
  },
};
