/** Managers and auditees: the audits their role lets them see (the server decides), and the findings
 * once the audit is reported, most serious first. */
import { html, nothing } from "/vendor/lit-html@3.3.3/lit-html.js";
import { getJson } from "/scripts/api.js";
import { _, format, language } from "/scripts/i18n.js";
import { href } from "/scripts/router.js";
import { STANDARDS, STATUSES, VERDICTS, clauseRef, label, localName, thumbnails } from "/scripts/views/common.js";
import { period } from "/scripts/views/lead-common.js";

const REPORTED = ["reported", "signed", "closed"];
const SEVERITY = ["nc_major", "nc_minor", "observation", "improvement", "conform", "not_applicable"];

export const readList = {
  load: async () => ({ audits: await getJson("/api/v1/audits") }),
  view: ({ audits }) => html`<h1 tabindex="-1">${_("Audits")}</h1>${audits.length ? html`<div class="cards">${audits.map((a) => html`<article
    class="card" data-testid="read-audit" data-code=${a.code}><h2><a href=${href("readAudit", { auditId: a.id })}>${a.code} — ${localName(a.title)}</a></h2>
    <dl class="facts"><dt>${_("Dates")}</dt><dd>${period(a)}</dd><dt>${_("Status")}</dt><dd>${label(STATUSES, a.status)}</dd></dl></article>`)}</div>`
    : html`<p data-testid="read-none">${_("No audit to show. An audit of your unit appears here once its report is out.")}</p>`}`,
};

function finding(item, questions) {
  const { data } = item;
  const row = (name, value) => (value ? html`<dt>${name}</dt><dd class="text">${value}</dd>` : nothing);
  return html`<li class="card" data-testid="finding" data-verdict=${data.verdict}>
    <p><span class=${`verdict v-${data.verdict}`}>${label(VERDICTS, data.verdict)}</span></p>
    <dl class="facts">${row(_("Question"), questions.get(data.questionId)?.text)}${row(_("Statement"), data.statement)}
      ${row(_("Objective evidence"), data.evidence)}${row(_("Clauses"), data.clauseRefs.map(clauseRef).join(" · "))}
      ${row(_("Auditee's response"), data.auditeeResponse)}</dl>${data.attachments.length ? thumbnails(data.attachments) : nothing}</li>`;
}

export const readAudit = {
  load: ({ auditId }) => getJson(`/api/v1/audits/${auditId}/package?lang=${language()}`),
  view(pkg) {
    const { audit } = pkg;
    const live = pkg.findings.filter((f) => !f.deleted && f.data)
      .sort((a, b) => SEVERITY.indexOf(a.data.verdict) - SEVERITY.indexOf(b.data.verdict));
    const counts = SEVERITY.map((v) => [v, live.filter((f) => f.data.verdict === v).length]).filter(([, n]) => n);
    const questions = new Map(pkg.checklist.map((q) => [q.id, q]));
    const names = (items) => items.map((i) => localName(i.name || i.fullName)).join(" · ") || _("Not set");
    return html`<h1 tabindex="-1">${audit.code} — ${localName(audit.title)}</h1>
      <section class="panel"><dl class="facts">
        <dt>${_("Status")}</dt><dd>${label(STATUSES, audit.status)}</dd><dt>${_("Dates")}</dt><dd>${period(audit)}</dd>
        <dt>${_("Process")}</dt><dd>${pkg.process ? localName(pkg.process.name) : _("Not set")}</dd>
        <dt>${_("Standards")}</dt><dd>${audit.standards.map((s) => STANDARDS[s]).join(" · ")}</dd>
        <dt>${_("Units")}</dt><dd>${names(pkg.units)}</dd><dt>${_("Sites")}</dt><dd>${names(pkg.sites)}</dd>
        <dt>${_("Audit team")}</dt><dd>${names(pkg.team)}</dd><dt>${_("Auditees")}</dt><dd>${names(pkg.auditees)}</dd>
      </dl></section>
      <section><h2>${_("Findings")}</h2>${REPORTED.includes(audit.status) ? html`
        <p data-testid="finding-counts">${counts.map(([v, n]) => format(_("%(verdict)s: %(count)s"), { verdict: label(VERDICTS, v), count: n })).join(" · ")
          || _("No finding was recorded.")}</p>
        <ul class="history">${live.map((f) => finding(f, questions))}</ul>`
        : html`<p class="note" data-testid="not-reported">${_("The findings are shown here once the audit is reported.")}</p>`}</section>`;
  },
};
