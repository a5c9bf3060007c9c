/** The checklist (issue 16): the library by standard and clause in either language, the organisation's own questions,
 * the workbook round trip and the version each audit pinned; `?part=` names the part. */
import { N_, _, language } from "../i18n.js";
import { href } from "../router.js";
import { STANDARDS, clauseRef, dots, html, localName, own } from "../views/common.js";
import { composed, dirOf, fold, otherLanguage, pageButtons, standardsTree } from "./checklist-common.js";
import * as files from "./checklist-files.js";
import * as mine from "./checklist-own.js";
import { field, pageOf } from "./form.js";

/** Questions of `standard` (all when empty) under `clause` whose texts hold every word of `query`. */
export function libraryFilter(items, { standard, clause, query }, other = new Map()) {
  const words = fold(query).split(/\s+/).filter(Boolean), under = `${standard}:${clause}`;
  return items.filter((item) => (!standard || item.clauses.some((ref) => (clause ? ref === under || ref.startsWith(`${under}.`)
    : ref.startsWith(under)))) && words.every((word) => fold(`${item.id} ${item.text} ${item.guidance} ${other.get(item.id)?.text || ""}`).includes(word)));
}

/** `{number: count}`: the questions under each clause of `standard`, a question counted once per clause. */
export function clauseCounts(items, standard) {
  const counts = {};
  for (const item of items) {
    const seen = new Set(item.clauses.filter((ref) => ref.startsWith(`${standard}:`))
      .flatMap((ref) => ref.split(":")[1].split(".").map((_n, i, parts) => parts.slice(0, i + 1).join("."))));
    seen.forEach((n) => { counts[n] = (counts[n] || 0) + 1; });
  }
  return counts;
}

const lib = { standard: "iso9001", clause: "", query: "", page: 1, other: false };

const clauseTitle = (c) => (c.descriptive ? `(${localName(c.title)})` : localName(c.title));
function tree(clauses, counts, ctx) {
  const pick = (number) => () => { Object.assign(lib, { clause: number, page: 1 }); ctx.rerender(); };
  const node = (c) => html`<li><button type="button" class="small" data-clause=${c.number} aria-pressed=${String(lib.clause === c.number)}
    @click=${pick(c.number)}>${c.number} ${clauseTitle(c)} (${counts[c.number] || 0})</button>${c.children.length
    ? html`<ul>${c.children.map(node)}</ul>` : ""}</li>`;
  return html`<nav aria-label=${_("Clauses")}><button type="button" class="small" aria-pressed=${String(!lib.clause)}
    @click=${pick("")}>${_("All clauses")}</button><ul>${clauses.map((c) => html`<li><details ?open=${lib.clause.split(".")[0] === c.number}>
    <summary>${c.number} ${clauseTitle(c)} (${counts[c.number] || 0})</summary><ul>${node(c)}</ul></details></li>`)}</ul></nav>`;
}

function question(item, other, lang) {
  const theirs = (text) => text && html`<p lang=${lang} dir=${dirOf(lang)} data-testid="other-text"><bdi>${text}</bdi></p>`;
  return html`<li class="card" data-testid="library-question" data-id=${item.id} data-source=${item.source}>
    <p class="qmeta"><span class="code">${item.id}</span><span class="tag">${item.source === "library" ? _("Library") : _("Our own")}</span>
      ${dots(item.clauses.map(clauseRef))}</p>
    <p data-testid="question-text">${own(item.text)}</p>${theirs(other?.text)}
    ${item.guidance || other?.guidance ? html`<details class="guidance"><summary>${_("Hint for the auditor")}</summary>
      <p>${own(item.guidance)}</p>${theirs(other?.guidance)}</details>` : ""}</li>`;
}

const library = {
  async load() {
    const [standards, checklist, other] = await Promise.all([standardsTree(), composed(language()),
      lib.other ? composed(otherLanguage()) : null]);
    return { standards, items: checklist.items, other: new Map((other?.items || []).map((i) => [i.id, i])) };
  },
  view({ standards, items, other }, ctx) {
    const set = (patch) => { Object.assign(lib, { page: 1 }, patch); ctx.rerender(); };
    const found = libraryFilter(items, lib, other), shown = pageOf(found, lib.page, 20);
    const chosen = standards.find((s) => s.standard === lib.standard);
    const otherLang = otherLanguage();
    return html`<div class="filters">${field(_("Standard"), "standard", lib.standard, { choices: [["", _("All standards")],
      ...Object.entries(STANDARDS)], input: (e) => set({ standard: e.target.value, clause: "" }) })}
      ${field(_("Search the questions"), "query", lib.query, { type: "search", input: (e) => set({ query: e.target.value }) })}
      <label class="choice"><input type="checkbox" data-testid="show-other" .checked=${lib.other}
        @change=${(e) => { lib.other = e.target.checked; ctx.reload(); }}>${otherLang === "ar" ? _("Show the Arabic text too")
        : _("Show the French text too")}</label></div>
    ${chosen ? tree(chosen.clauses, clauseCounts(items, lib.standard), ctx) : ""}
    <p role="status" data-testid="found">${_("Questions found: %(count)s", { count: found.length })}</p>
    <ul class="questions">${shown.rows.map((item) => question(item, lib.other && other.get(item.id), otherLang))}</ul>
    ${pageButtons(shown, (page) => set({ page }))}`;
  },
};

const PARTS = { library: [N_("Library"), library], own: [N_("Our own questions"), mine.part], workbook: [N_("Workbook"), files.workbook],
  versions: [N_("Pinned versions"), files.versions] };
const partOf = (ctx) => (PARTS[ctx.query.part] ? ctx.query.part : "library");

let shown = "library";
export const load = async (ctx) => ({ part: partOf(ctx), data: await PARTS[partOf(ctx)][1].load(ctx) });
export const view = ({ part, data }, ctx) => (shown = part) && html`<h1>${_("Checklist")}: ${_(PARTS[part][0])}</h1>
  <nav class="tabs" aria-label=${_("Checklist parts")}>${Object.entries(PARTS).map(([key, [text]]) => html`<a data-testid=${`checklist-${key}`}
    href=${href("admin", {}, { view: "checklist", part: key })} aria-current=${key === part ? "page" : "false"}>${_(text)}</a>`)}</nav>
  ${PARTS[part][1].view(data, ctx)}`;
export const after = (root) => PARTS[shown][1].after?.(root);
