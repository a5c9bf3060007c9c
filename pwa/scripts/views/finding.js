/** The checklist, a question's answer, findings tied to no question, and a finding's history. */
import { describe, getJson } from "../api.js";
import { clauseList, findingsByQuestion, groupByClause } from "../auditLogic.js";
import { N_, _ } from "../i18n.js";
import { NEEDS_EVIDENCE, NONCONFORMITIES } from "../ops.js";
import { saveRecord } from "../outbox.js";
import { auditRecords, cached } from "../packages.js";
import { blobRecord, preparePhoto } from "../photos.js";
import { href } from "../router.js";
import { STANDARDS, VERDICTS, auditView, clauseRef, editor, html, label, localName, recordNotes, thumbnails, verdictTag, version } from "./common.js";

const FILTERS = [["all", N_("All questions")], ["unanswered", N_("Unanswered")], ["nc", N_("Nonconformities")]];
const MAX_PHOTOS = 50;
const finding = editor("finding");
let confirming = false;
let preparing = false;

const withClauses = (auditId, checklist) => Promise.all([auditRecords(auditId, checklist), cached("standards").then(clauseList)]);
const button = (link, text) => html`<a class="button" href=${link}>${text}</a>`;
const chips = (refs) => refs.map((c) => html`<span class="chip">${clauseRef(c)}</span>`);
const cards = (items, body) => items.map((v) => html`<li class="card">${body(v)}</li>`);

/** One item: text and attribute bindings, no nested template (hundreds render). */
function item(question, answer, auditId, words) {
  const verdict = answer?.data?.verdict;
  const flag = answer?.conflict || answer?.rejected || answer?.locked ? words.attention : answer?.draft ? words.draft : "";
  return html`<li class="question" data-testid="checklist-item" data-question-id=${question.id}><a
    href=${href("question", { auditId, questionId: question.id })}><span class="qtext">${question.text}</span><span
    class="qmeta"><span class="code">${question.id}</span><span class=${question.basis === "good_practice" ? "tag gp" : "gone"}
    >${words.gp}</span><span class=${verdict ? `verdict v-${verdict}` : "verdict none"}>${verdict ? label(VERDICTS, verdict) : words.none}</span><span
    class=${flag ? "tag warn" : "gone"}>${flag}</span></span></a></li>`;
}

export const checklist = {
  async load({ auditId }) {
    const [records, clauses] = await withClauses(auditId, true);
    return { ...records, titles: new Map(clauses.map((c) => [c.ref, c.title])) };
  },
  view: auditView("checklist", ({ pkg }) => `${_("Checklist")} — ${pkg.audit.code}`, ({ pkg, checklist: items, findings, titles }, ctx) => {
    const auditId = pkg.audit.id;
    const filter = ctx.query.filter || "all";
    const answers = findingsByQuestion(findings);
    const groups = groupByClause(items, answers, filter);
    const words = { gp: _("Good practice"), none: _("Not answered"), draft: _("Draft"), attention: _("Needs attention") };
    return html`<p>${_("Answered: %(answered)s of %(total)s", { answered: groups.reduce((n, g) => n + g.answered, 0), total: items.length })}</p>
      <div class="filters" role="group" aria-label=${_("Show")}>${FILTERS.map(([name, text]) => html`<button aria-pressed=${String(filter === name)}
        @click=${() => ctx.go(href("checklist", { auditId }, name === "all" ? {} : { filter: name }))}>${_(text)}</button>`)}</div>
      ${items.length ? "" : html`<p>${_("This audit has no checklist yet: the audit lead pins it when preparing the audit.")}</p>`}
      ${groups.map((g) => (g.items.length ? html`<section class="group"><h2>${g.number} ${localName(titles.get(g.ref))}</h2>
        <p class="progress-line"><progress max=${g.total} .value=${g.answered} aria-label=${_("Clause %(clause)s answered", { clause: g.number })}></progress>
          ${_("%(answered)s of %(total)s answered", g)}${g.nonconformities ? ` · ${_("Nonconformities: %(count)s", { count: g.nonconformities })}` : ""}</p>
        <ul class="questions">${g.items.map((q) => item(q, answers.get(q.id), auditId, words))}</ul></section>` : ""))}`;
  }),
};

function verdictButtons(goodPractice) {
  const { data } = finding.form;
  return html`<fieldset class="verdicts"><legend>${_("Verdict")}</legend>${Object.keys(VERDICTS).filter((v) => !(goodPractice && NONCONFORMITIES.includes(v)))
    .map((v) => html`<button class=${`verdict v-${v}`} data-testid=${`verdict-${v}`} aria-pressed=${String(data.verdict === v)}
      @click=${() => { data.verdict = v; finding.save(); }}>${label(VERDICTS, v)}</button>`)}</fieldset>`;
}

async function addPhotos(ctx, input) {
  const [files, started, auditId] = [[...input.files], finding.form, ctx.params.auditId];
  input.value = "";
  preparing = true;
  ctx.rerender();
  try {
    const prepared = [];
    for (const file of files) prepared.push(await preparePhoto(file)); // before any transaction opens
    // meanwhile a sync may have renewed the form, or another screen opened
    const form = finding.form?.key === started.key ? finding.form : started;
    const { data } = form;
    const added = prepared.filter((p) => !data.attachments.includes(p.sha256)).slice(0, MAX_PHOTOS - data.attachments.length);
    data.attachments = [...data.attachments, ...added.map((p) => p.sha256)];
    data.photosTakenAt = { ...data.photosTakenAt, ...Object.fromEntries(added.map((p) => [p.sha256, p.capturedAt])) };
    const blobs = prepared.map((p) => blobRecord(p, auditId)); // kept too if the tablet lacked it
    await (form === finding.form ? finding.save(blobs) : saveRecord("finding", { id: form.id, auditId, data: structuredClone(data) }, blobs));
  } catch (error) {
    ctx.notify(error?.name === "QuotaExceededError" ? describe(error) : _("This photo could not be read. Take it again."), true);
  }
  preparing = false;
  ctx.rerender();
}

function form(ctx, record, head, afterDelete) {
  finding.ctx = ctx;
  const { data } = finding.form;
  const remove = (sha) => { data.attachments = data.attachments.filter((s) => s !== sha); delete data.photosTakenAt?.[sha]; finding.save(); };
  const destroy = async () => {
    if (!confirming) { confirming = true; return ctx.rerender(); }
    await finding.save([], true);
    finding.form = null;
    afterDelete();
  };
  return html`<div class="panel">${head}${recordNotes(record)}${finding.field("statement")}
    ${finding.field("evidence", { required: NEEDS_EVIDENCE.includes(data.verdict) })}
    <section class="photos"><h2>${_("Photos")}</h2>${thumbnails(data.attachments, remove, data.photosTakenAt)}
      ${data.attachments.length < MAX_PHOTOS ? html`<label class="button file" data-testid="take-photo">
        ${preparing ? _("Preparing the photo…") : _("Take a photo")}<input type="file" accept="image/*" capture="environment"
        multiple class="visually-hidden" ?disabled=${preparing} @change=${(e) => addPhotos(ctx, e.target)}></label>` : ""}</section>
    ${finding.field("auditeeResponse")}
    ${record?.rev ? html`<p><a href=${href("history", { auditId: ctx.params.auditId, findingId: record.id })}>${_("History of this finding")}</a></p>` : ""}
    ${record && !record.deleted ? html`<button class="danger" @click=${destroy}>
      ${confirming ? _("Tap again to delete this finding") : _("Delete this finding")}</button>` : ""}</div>`;
}

function start(key, record, defaults) {
  if (finding.form?.key !== key) confirming = false;
  finding.edit(key, record, { attachments: [], clauseRefs: [], ...defaults });
}

export const question = {
  async load({ auditId, questionId }) {
    const records = await auditRecords(auditId, true);
    if (!records.pkg) return records;
    const items = records.checklist;
    const index = items.findIndex((q) => q.id === questionId);
    const answers = records.findings.filter((f) => f.data?.questionId === questionId);
    const record = answers.find((f) => !f.deleted) || answers[0];
    start(`q:${questionId}`, record, { questionId });
    return { ...records, item: items[index], prev: items[index - 1], next: items[index + 1], record };
  },
  view: auditView("checklist", ({ item }) => (item ? _("Question %(code)s", { code: item.id }) : _("Question not found")), ({ item, ...data }, ctx) => {
    if (!item) return "";
    const auditId = ctx.params.auditId;
    const gp = item.basis === "good_practice";
    const go = (q) => (q ? button(href("question", { auditId, questionId: q.id }), q.id) : "");
    return html`<section class="panel"><p class="question-text" data-testid="question-text">${item.text}</p><p class="chips">${chips(item.clauses)}</p>
      ${gp ? html`<p class="note" data-testid="good-practice">${_("Good practice: beyond what the clauses require. A gap is an opportunity for improvement, never a nonconformity.")}</p>` : ""}
      ${item.guidance ? html`<details class="guidance"><summary>${_("Guidance on evidence")}</summary><p class="text">${item.guidance}</p></details>` : ""}
      </section>${form(ctx, data.record, verdictButtons(gp), ctx.reload)}
      <nav class="pager" aria-label=${_("Questions")}>${go(data.prev)}
        ${button(href("checklist", { auditId }), _("Back to the checklist"))}${go(data.next)}</nav>`;
  }),
};

export const findings = {
  load: ({ auditId }) => auditRecords(auditId),
  view: auditView("findings", () => _("Other findings"), (data, ctx) => {
    const auditId = ctx.params.auditId;
    return html`<p>${_("Findings tied to no checklist question, each citing the clauses it concerns.")}</p>
      <button class="primary" data-testid="new-finding"
        @click=${() => ctx.go(href("finding", { auditId, findingId: crypto.randomUUID() }))}>${_("New finding")}</button>
      <ul class="questions">${data.findings.filter((f) => !f.data?.questionId && !f.deleted).map(({ id, data: d, draft }) => html`<li class="question">
        <a href=${href("finding", { auditId, findingId: id })}><span class="qtext">${d.statement || d.evidence || _("No statement yet")}</span>
        <span class="qmeta">${chips(d.clauseRefs)}${d.verdict ? verdictTag(d.verdict) : ""}
          ${draft ? html`<span class="tag">${_("Draft")}</span>` : ""}</span></a></li>`)}</ul>`;
  }),
};

function clausePicker(clauses) {
  const { data } = finding.form;
  const change = (refs) => { data.clauseRefs = refs; finding.save(); };
  const add = (e) => {
    const ref = e.target.parentElement.querySelector("select").value;
    if (ref && !data.clauseRefs.includes(ref)) change([...data.clauseRefs, ref]);
  };
  return html`<fieldset><legend>${_("Clauses concerned")} <span class="req">${_("(required)")}</span></legend>
    <ul class="chips">${data.clauseRefs.map((ref) => html`<li class="chip">${clauseRef(ref)}<button class="small"
      aria-label=${_("Remove %(clause)s", { clause: clauseRef(ref) })} @click=${() => change(data.clauseRefs.filter((r) => r !== ref))}>×</button></li>`)}</ul>
    <label>${_("Clause")}<select data-testid="clause-select">${clauses.map((c) => html`<option value=${c.ref}>
      ${"\u2003".repeat(c.depth)}${STANDARDS[c.standard]} ${c.number} ${localName(c.title)}</option>`)}</select></label>
    <button data-testid="add-clause" @click=${add}>${_("Add the clause")}</button></fieldset>${verdictButtons(false)}`;
}

export const freeFinding = {
  async load({ auditId, findingId }) {
    const [records, clauses] = await withClauses(auditId);
    if (!records.pkg) return records;
    const record = records.findings.find((f) => f.id === findingId);
    start(`f:${findingId}`, record || { id: findingId }, {});
    return { ...records, record, clauses: clauses.filter((c) => records.pkg.audit.standards.includes(c.standard)) };
  },
  view: auditView("findings", () => _("Finding tied to no question"), (data, ctx) => {
    const back = href("findings", { auditId: ctx.params.auditId });
    return html`${form(ctx, data.record, clausePicker(data.clauses), () => ctx.go(back))}<p>${button(back, _("Back to the other findings"))}</p>`;
  }),
};

/** A finding's versions on the server, and those that lost a conflict. */
export const history = {
  async load({ auditId, findingId }) {
    const [records, path] = [await auditRecords(auditId), `/api/v1/findings/${findingId}`];
    try {
      const [versions, lost] = await Promise.all([getJson(`${path}/history`), getJson(`${path}/conflicts`).catch(() => [])]);
      return { ...records, versions, lost };
    } catch (error) {
      return { ...records, error: describe(error) };
    }
  },
  view: auditView("", () => _("History of the finding"), ({ error, versions, lost }, ctx) => html`${error
    ? html`<p class="note error">${error}</p><p>${_("The history is kept on the server: it needs a connection.")}</p>`
    : html`<ol class="history" data-testid="history">${cards(versions, (v) => html`<h2>${_("Version %(rev)s", { rev: v.rev })}${v.deleted
      ? html` — ${_("deleted")}` : ""}</h2>${version(v.author, v.deviceId, v.recordedAt, v.data)}`)}</ol>
    ${lost.length ? html`<h2>${_("Versions that lost a conflict (kept on the server)")}</h2>
      <ul class="history">${cards(lost, (v) => version(v.username, v.deviceId, v.createdAt, v.op?.data))}</ul>` : ""}`}
    <p>${button(href("checklist", { auditId: ctx.params.auditId }), _("Back to the checklist"))}</p>`),
};
