/** The organisation's own questions: add, change and retire them (each change names the revision it was read at). */
import { ApiError, describe, getJson, sendJson } from "../api.js";
import { _, formatDate } from "../i18n.js";
import { STANDARDS, clauseRef, dots, heads, html, localName, own } from "../views/common.js";
import { forget, pageButtons, standardsTree } from "./checklist-common.js";
import { field, pageOf, refused } from "./form.js";

const LANGS = ["ar", "fr"], MAX = { text: 1000, guidance: 2000 };
const clause = () => ({ standard: "iso9001", number: "" });
const blank = () => ({ clauses: [clause()], text: { ar: "", fr: "" }, guidance: { ar: "", fr: "" }, touched: new Set(), server: {} });
const state = { form: blank(), page: 1, confirm: null, focus: false };

/** `{standard: [[number, "number — title"]]}`: the clauses a question may name (those without sub-clauses). */
export function leafClauses(standards, name = (c) => c.title.fr) {
  const walk = (clauses) => clauses.flatMap((c) => (c.children.length ? walk(c.children) : [[c.number, `${c.number} — ${name(c)}`]]));
  return Object.fromEntries(standards.map((s) => [s.standard, walk(s.clauses)]));
}

/** What is wrong with a question being written, by field name (`clause-0`, `text-ar`, `guidance-fr`, `clauses`). */
export function questionProblems(form, leaves) {
  const problems = {}, seen = new Set();
  if (!form.clauses.length) problems.clauses = _("Name at least one clause.");
  form.clauses.forEach(({ standard, number }, i) => {
    const ref = `${standard}:${number}`;
    if (!number) problems[`clause-${i}`] = _("Choose the clause.");
    else if (!leaves[standard]?.some(([n]) => n === number)) problems[`clause-${i}`] = _("This standard has no such clause.");
    else if (seen.has(ref)) problems[`clause-${i}`] = _("This clause is already named.");
    seen.add(ref);
  });
  for (const lang of LANGS) {
    if (!form.text[lang].trim()) problems[`text-${lang}`] = _("Write the question in this language.");
    for (const part of ["text", "guidance"]) {
      if (form[part][lang].length > MAX[part]) problems[`${part}-${lang}`] = _("At most %(count)s characters.", { count: MAX[part] });
    }
  }
  return problems;
}

/** The server's refusal on the field it names (`text.ar` → `text-ar`, an unknown clause on its row), else the form's. */
export function serverProblems(error, form) {
  if (!(error instanceof ApiError)) return { form: describe(error) };
  const found = {};
  for (const detail of [error.details].flat().filter(Boolean)) {
    const row = form.clauses.findIndex((c) => detail.ref === `${c.standard}:${c.number}`);
    const name = row >= 0 ? `clause-${row}` : String(detail.field || "").replace(/^(body|\$)\./, "").replace(/\[\d+\]$/, "").replace(".", "-");
    if (row >= 0 || /^(clauses|(text|guidance)-(ar|fr))$/.test(name)) found[name] ??= (!detail.ref && detail.message) || error.message;
  }
  return Object.keys(found).length ? found : { form: error.message };
}

const editing = ({ id, rev, code, clauses, text, guidance, ...kept }) => ({ ...blank(), id, rev, code, kept: { ...kept, en: [text.en, guidance.en] },
  clauses: clauses.map((ref) => ({ standard: ref.split(":")[0], number: ref.split(":")[1] })),
  text: { ar: text.ar, fr: text.fr }, guidance: { ar: guidance.ar, fr: guidance.fr } });

async function save(event, leaves, ctx) {
  event.preventDefault();
  const f = Object.assign(state.form, { tried: true }), { tags = [], processIds = [], en = ["", ""] } = f.kept || {};
  state.focus = true;
  if (f.sending || Object.keys(questionProblems(f, leaves)).length) return ctx.rerender();
  f.sending = true;
  const body = { clauses: f.clauses.map((c) => `${c.standard}:${c.number}`), text: { ...f.text, en: en[0] }, guidance: { ...f.guidance, en: en[1] },
    tags, processIds };
  try {
    const saved = await (f.id ? sendJson("PUT", `/api/v1/org-questions/${f.id}`, { ...body, rev: f.rev }) : sendJson("POST", "/api/v1/org-questions", body));
    state.form = blank();
    forget();
    ctx.notify(_("Question %(code)s saved.", { code: saved.code }));
    return ctx.reload();
  } catch (error) {
    Object.assign(f, { server: serverProblems(error, f), sending: false });
    return ctx.rerender();
  }
}

async function retire(q, ctx) {
  await sendJson("POST", `/api/v1/org-questions/${q.id}/retire`, { rev: q.rev }).then(() => {
    forget();
    ctx.notify(_("Question %(code)s retired: new checklists leave it out, pinned versions keep it.", { code: q.code }));
  }, (error) => ctx.notify(describe(error), true));
  state.confirm = null;
  return ctx.reload();
}

function questionForm(leaves, ctx) {
  const f = state.form, checked = questionProblems(f, leaves);
  const problem = (name) => f.server[name] || ((f.tried || f.touched.has(name)) && checked[name]) || "";
  const typed = (name, write) => (e) => { write(e.target.value); f.touched.add(name); delete f.server[name]; delete f.server.form; ctx.rerender(); };
  const redo = (change) => () => { change(); ctx.rerender(); };
  const texts = (part, label) => LANGS.map((lang) => field(label[lang], `${part}-${lang}`, f[part][lang], { area: true, lang,
    required: part === "text", problem: problem(`${part}-${lang}`), input: typed(`${part}-${lang}`, (v) => { f[part][lang] = v; }) }));
  return html`<form class="panel" novalidate data-testid="question-form" aria-labelledby="question-form-title" @submit=${(e) => save(e, leaves, ctx)}>
    <h2 id="question-form-title">${f.id ? _("Change question %(code)s", { code: f.code }) : _("Add a question")}</h2>
    <fieldset><legend>${_("Clauses")}</legend>${f.clauses.map((c, i) => html`<div class="filters">
    ${field(_("Standard"), `standard-${i}`, c.standard, { choices: Object.entries(STANDARDS), input: typed(`clause-${i}`, (v) => Object.assign(c, { standard: v, number: "" })) })}
    ${field(_("Clause"), `clause-${i}`, c.number, { choices: [["", _("Choose the clause")], ...(leaves[c.standard] || [])],
      problem: problem(`clause-${i}`), input: typed(`clause-${i}`, (v) => { c.number = v; }) })}
    ${f.clauses.length > 1 ? html`<button type="button" class="small" aria-label=${_("Remove clause %(number)s", { number: i + 1 })}
      @click=${redo(() => f.clauses.splice(i, 1))}>${_("Remove")}</button>` : ""}</div>`)}
    ${problem("clauses") ? html`<p class="note error" data-testid="field-clauses-problem">${problem("clauses")}</p>` : ""}
    <button type="button" class="small" @click=${redo(() => f.clauses.push(clause()))}>${_("Name another clause")}</button></fieldset>
    ${texts("text", { ar: _("Question in Arabic"), fr: _("Question in French") })}
    ${texts("guidance", { ar: _("Hint for the auditor in Arabic"), fr: _("Hint for the auditor in French") })}${refused(f.server.form)}
    <div class="actions"><button class="primary" data-testid="save-question" ?disabled=${f.sending}>${f.id ? _("Save the changes") : _("Add the question")}</button>
    ${f.id ? html`<button type="button" @click=${redo(() => { state.form = blank(); })}>${_("Cancel")}</button>` : ""}</div></form>`;
}

function row(q, ctx) {
  const status = q.retiredAt ? _("Retired on %(date)s", { date: formatDate(q.retiredAt) }) : _("In use");
  const act = (patch) => () => { Object.assign(state, { focus: true }, patch); ctx.rerender(); };
  const actions = q.retiredAt ? "" : state.confirm === q.id ? html`<div role="alert" class="note warn">
    <p>${_("Retire question %(code)s? New checklists leave it out; the versions audits pinned keep it.", { code: q.code })}</p>
    <button class="danger small" data-testid="confirm-retire" @click=${() => retire(q, ctx)}>${_("Retire it")}</button>
    <button class="small" @click=${act({ confirm: null, focus: false })}>${_("Keep it")}</button></div>`
    : html`<button class="small" data-testid="edit-question" aria-label=${_("Change question %(code)s", { code: q.code })} @click=${act({ form: editing(q) })}>${_("Change")}</button>
    <button class="small" data-testid="retire-question" aria-label=${_("Retire question %(code)s", { code: q.code })}
      @click=${act({ confirm: q.id })}>${_("Retire")}</button>`;
  return html`<tr data-testid="own-question" data-code=${q.code} data-retired=${String(Boolean(q.retiredAt))}>
    <th scope="row"><span class="code">${q.code}</span></th><td>${dots(q.clauses.map(clauseRef))}</td><td>${own(localName(q.text))}</td>
    <td><span class=${q.retiredAt ? "tag warn" : ""}>${status}</span></td>
    <td>${actions}</td></tr>`;
}

export const part = {
  async load() {
    const [questions, standards] = await Promise.all([getJson("/api/v1/org-questions?includeRetired=true"), standardsTree()]);
    return { questions, leaves: leafClauses(standards, (c) => (c.descriptive ? `(${localName(c.title)})` : localName(c.title))) };
  },
  view({ questions, leaves }, ctx) {
    const shown = pageOf(questions, state.page, 20);
    return html`${questionForm(leaves, ctx)}${questions.length ? html`<div class="scroll"><table>
      <caption>${_("The organisation's questions")}</caption>${heads(_("Code"), _("Clauses"), _("Question"), _("State"), _("Actions"))}
      <tbody>${shown.rows.map((q) => row(q, ctx))}</tbody></table></div>` : html`<p>${_("No question of our own yet.")}</p>`}
      ${pageButtons(shown, (page) => { state.page = page; ctx.rerender(); })}`;
  },
  after(root) { // the retirement to confirm, the first field refused, or the question being changed
    if (!state.focus) return;
    state.focus = false;
    (root.querySelector("[data-testid=confirm-retire], [aria-invalid=true]") || (state.form.id && root.querySelector("#f-text-ar")))?.focus();
  },
};
