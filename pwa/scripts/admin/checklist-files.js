/** The workbook round trip (download; upload with its per-row report) and the checklist version each audit pinned. */
import { ApiError, describe, getJson, request } from "../api.js";
import { N_, _, language } from "../i18n.js";
import { href } from "../router.js";
import { STATUSES, clauseRef, dots, heads, html, label, localName, own, saveFile, title } from "../views/common.js";
import { forget, pageButtons } from "./checklist-common.js";
import { field, pageOf, refused } from "./form.js";

const ACTIONS = { added: N_("Added"), changed: N_("Changed"), unchanged: N_("Unchanged"), refused: N_("Refused") };
const upload = { file: null, problem: "", sending: false, report: null, refusal: "" };
const pages = { questions: 1, audits: 1 };

/** Why a chosen file cannot be the workbook, or "". */
export const fileProblem = (file) => (!file ? _("Choose the workbook to import.")
  : !/\.xlsx$/i.test(file.name) ? _("Choose an Excel workbook (.xlsx), as downloaded here.")
  : file.size > 10485760 ? _("The workbook is larger than 10 MB.") : "");

const download = (ctx) => request("GET", `/api/v1/checklists/export.xlsx?lang=${language()}`, { timeout: 120000 })
  .then((r) => r.blob()).then((blob) => saveFile(blob, `tadqiq-checklist-${language()}.xlsx`), (error) => ctx.notify(describe(error), true));

async function send(event, ctx) {
  event.preventDefault();
  if ((upload.problem = fileProblem(upload.file))) return ctx.rerender();
  Object.assign(upload, { sending: true, report: null, refusal: "" });
  ctx.rerender();
  try {
    const headers = { "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" };
    upload.report = await (await request("POST", "/api/v1/checklists/import", { body: upload.file, headers, timeout: 120000 })).json();
    forget();
  } catch (error) { // all rows or none: a refused row comes with the whole report
    if (error instanceof ApiError && error.details?.rows) Object.assign(upload, { report: error.details, refusal: error.message });
    else upload.problem = describe(error);
  }
  upload.sending = false;
  return ctx.rerender();
}

const report = (r) => html`<section class="panel" data-testid="import-report" data-applied=${String(r.applied)} aria-labelledby="report-title">
  <h2 id="report-title">${r.applied ? _("The workbook was imported") : _("The workbook was refused: nothing was imported")}</h2>${refused(upload.refusal)}
  <p role="status">${_("Added: %(added)s · changed: %(changed)s · unchanged: %(unchanged)s · refused: %(refused)s", r)}</p>
  <div class="scroll"><table><caption>${_("Row by row")}</caption>${heads(_("Sheet"), _("Row"), _("Question"), _("Result"), _("Problem"))}
  <tbody>${r.rows.map((row) => html`<tr data-testid="import-row" data-row=${row.row} data-action=${row.action} class=${row.action === "refused" ? "gap" : ""}>
  <th scope="row">${row.sheet}</th><td>${row.row}</td><td class="code">${row.code || "—"}</td><td>${label(ACTIONS, row.action)}</td>
  <td>${row.reasons.join(" ; ")}</td></tr>`)}</tbody></table></div></section>`;

export const workbook = {
  load: () => ({}),
  view: (_data, ctx) => html`<section class="panel" aria-labelledby="download-title"><h2 id="download-title">${_("Download the workbook")}</h2>
    <p>${_("One sheet per standard, in the language of this screen. Edit or add the organisation's questions, then import it below.")}</p>
    <button type="button" data-testid="download-xlsx" @click=${() => download(ctx)}>${_("Download the workbook")}</button></section>
    <form class="panel" novalidate aria-labelledby="import-title" @submit=${(e) => send(e, ctx)}>
    <h2 id="import-title">${_("Import a workbook")}</h2><p>${_("All rows or none: if one row is refused, nothing changes and the report names that row.")}</p>
    ${field(_("Workbook (.xlsx)"), "workbook", undefined, { type: "file", required: true, problem: upload.problem,
      input: (e) => { upload.file = e.target.files[0] || null; upload.problem = fileProblem(upload.file); ctx.rerender(); } })}
    <button class="primary" data-testid="import-xlsx" ?disabled=${upload.sending}>${upload.sending ? _("Importing…") : _("Import")}</button>
    </form>${upload.report ? report(upload.report) : ""}`,
};

/** A pinned version's questions, the organisation's first, a page at a time. */
function snapshot(version, s, ctx) {
  const shown = pageOf([...s.organisationQuestions.map((q) => ({ ...q, id: q.code })), ...s.questions], pages.questions, 25);
  return html`<section aria-labelledby="version-title" data-testid="version" data-version=${version}>
    <h2 id="version-title">${_("Version %(version)s", { version: version.slice(0, 12) })}</h2>
    <p><span class="code">${version}</span> · ${_("Library version")} ${s.libraryVersion}</p>
    <div class="scroll"><table data-testid="version-questions"><caption>${_("Library questions")}: ${s.questions.length} ·
    ${_("The organisation's questions")}: ${s.organisationQuestions.length}</caption>${heads(_("Code"), _("Clauses"), _("Question"))}
    <tbody>${shown.rows.map((q) => html`<tr><th scope="row"><span class="code">${q.id}</span></th><td>${dots(q.clauses.map(clauseRef))}</td>
    <td>${own(localName(q.text))}</td></tr>`)}</tbody></table></div>${pageButtons(shown, (page) => { pages.questions = page; ctx.rerender(); })}</section>`;
}

export const versions = {
  async load(ctx) {
    const version = /^[0-9a-f]{64}$/.test(ctx.query.version || "") ? ctx.query.version : "";
    pages.questions = 1;
    return { version, audits: await getJson("/api/v1/audits"), pinned: version && await getJson(`/api/v1/checklists/versions/${version}`) };
  },
  view({ audits, version, pinned }, ctx) {
    const shown = pageOf(audits, pages.audits, 20);
    const link = (v) => html`<a href=${href("admin", {}, { view: "checklist", part: "versions", version: v })} data-testid="version-link"><span
      class="code">${v.slice(0, 12)}</span></a>`;
    return html`<p>${_("An audit keeps the checklist version it pinned when it was prepared: later changes never alter it.")}</p>
      <div class="scroll"><table data-testid="pinned-versions"><caption>${_("The version each audit pinned")}</caption>
      ${heads(_("Audit"), _("Status"), _("Checklist version"))}<tbody>${shown.rows.map((a) => html`<tr data-testid="pinned" data-code=${a.code}>
      <th scope="row">${own(title(a))}</th><td>${label(STATUSES, a.status)}</td><td>${a.checklistVersion ? link(a.checklistVersion)
        : _("Not pinned yet")}</td></tr>`)}</tbody></table></div>${pageButtons(shown, (page) => { pages.audits = page; ctx.rerender(); })}
      ${pinned ? snapshot(version, pinned, ctx) : ""}`;
  },
};
