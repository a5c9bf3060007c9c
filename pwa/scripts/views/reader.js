/** Managers, auditees: the audits the server shows them, findings once reported; signed reports for all who may read. */
import { describe, getJson, request, sendJson } from "../api.js";
import { verdictCounts } from "../auditLogic.js";
import { ENDONYMS, N_, _, formatDateTime, language } from "../i18n.js";
import { REPORTED, mayIssue } from "../leadLogic.js";
import { VERDICTS, auditCard, byId, dots, facts, findingRows, html, label, names, packageFacts, saveFile, textField, thumbnails, verdictTag } from "./common.js";
import { auditHead, problemNote, select, submit, withAudit } from "../lead/lead-audit.js";
import { plans } from "./roles.js";

const READER_TABS = [["readAudit", N_("Overview")], ["reports", N_("Reports")]];
const SEVERITY = ["nc_major", "nc_minor", "observation", "improvement", "conform", "not_applicable"];

export const readList = {
  load: async () => ({ audits: await getJson("/api/v1/audits") }),
  view: ({ audits }) => html`<h1>${_("Audits")}</h1>${audits.length ? html`<div class="cards">${audits.map((a) => auditCard(a, "readAudit", "read-audit", []))}</div>`
    : html`<p data-testid="read-none">${_("No audit to show. An audit of your unit appears here once its report is out.")}</p>`}`,
};

export const readAudit = {
  load: ({ auditId }) => getJson(`/api/v1/audits/${auditId}/package?lang=${language()}`),
  view(pkg) {
    const { audit } = pkg;
    const counts = verdictCounts(pkg.findings);
    const rank = ({ data }) => SEVERITY.indexOf(data.verdict);
    const questions = byId(pkg.checklist);
    const all = (items) => names(items) || _("Not set");
    return html`${auditHead(audit, "readAudit", "", READER_TABS)}
      <section class="panel">${packageFacts(pkg, [[_("Audit team"), all(pkg.team)], [_("Auditees"), all(pkg.auditees)]])}</section>
      <section><h2>${_("Findings")}</h2>${REPORTED.includes(audit.status) ? html`
        <p>${dots(SEVERITY.filter((v) => counts[v]).map((v) => _("%(verdict)s: %(count)s", { verdict: label(VERDICTS, v), count: counts[v] })))
          || _("No finding was recorded.")}</p>
        <ul class="history">${pkg.findings.filter((f) => !f.deleted && f.data).sort((a, b) => rank(a) - rank(b)).map(({ data }) => html`<li class="card"
          data-testid="finding" data-verdict=${data.verdict}><p>${verdictTag(data.verdict)}</p>${facts([[_("Question"), questions.get(data.questionId)?.text],
          ...findingRows(data)])}${data.attachments.length ? thumbnails(data.attachments, null, data.photosTakenAt) : ""}</li>`)}</ul>`
        : html`<p class="note" data-testid="not-reported">${_("The findings are shown here once the audit is reported.")}</p>`}</section>`;
  },
};

let state = {};

function report(r, ctx) {
  const download = () => request("GET", r.downloadUrl).then((response) => response.blob()) // with the session's token: a link has none
    .then((pdf) => saveFile(pdf, `${r.reference}.pdf`), (error) => ctx.notify(describe(error), true));
  const rows = [
    [_("Language"), html`<span lang=${r.lang}>${ENDONYMS[r.lang]}</span>`], [_("Version"), r.version], [_("Issued"), formatDateTime(r.issuedAt)],
    [_("Reason for this version"), r.reason], [_("SHA-256 of the signed file"), html`<code>${r.sha256.slice(0, 16)}…</code>`],
  ];
  return html`<li class="card" data-testid="report" data-status=${r.status}>
    <h2>${r.reference} <span class="tag">${r.status === "current" ? _("Current") : _("Superseded")}</span> <span class="tag${r.downgraded ? " warn" : ""}"
      data-testid="level">PAdES ${r.level}${r.downgraded ? html` <s>${r.configuredLevel}</s>` : ""}</span></h2>${facts(rows)}<button data-testid="download"
      @click=${download}>${_("Download the PDF")}</button></li>`;
}

function issueForm(audit, again, ctx) {
  const issue = (e) => {
    e.preventDefault();
    submit(ctx, state, async () => {
      const made = await sendJson("POST", `/api/v1/audits/${audit.id}/reports`, { lang: state.lang, reason: state.reason });
      state.reason = "";
      ctx.notify(_("%(reference)s is issued and signed.", { reference: made.reference }));
      await ctx.reload();
    });
  };
  return html`<form class="panel" @submit=${issue}><h2>${_("Issue the report")}</h2>
    ${select(_("Language"), "report-lang", Object.entries(ENDONYMS), state.lang, (e) => { state.lang = e.target.value; ctx.rerender(); })}
    ${again ? textField(_("Say why a new version of the report is issued (what it corrects)."), state.reason,
      { input: (e) => { state.reason = e.target.value; } }, { area: true, required: true, testid: "report-reason" }) : ""}
    ${problemNote(state.problem)}
    <button class="primary" data-testid="issue-report" ?disabled=${state.busy}>${state.busy ? _("Issuing and signing…") : _("Issue and sign")}</button>
  </form>`;
}

export const reports = {
  async load({ auditId }) {
    const [audit, list] = await withAudit(auditId, getJson(`/api/v1/audits/${auditId}/reports`));
    if (state.auditId !== auditId) state = { auditId, lang: language(), reason: "" };
    return { audit, list };
  },
  view: ({ audit, list }, ctx) => html`${auditHead(audit, "reports", _("Reports"), plans(ctx.session) ? undefined : READER_TABS)}
    ${mayIssue(ctx.session.user, audit) ? issueForm(audit, list.some((r) => r.lang === state.lang), ctx) : ""}
    ${list.length ? html`<ul class="history">${list.map((r) => report(r, ctx))}</ul>` : html`<p class="note" data-testid="no-report">${_("No report yet.")}</p>`}`,
};
