/** The checklist by clause, with progress and filters. */
import { clauseList, findingsByQuestion, groupByClause } from "../auditLogic.js";
import { N_, _ } from "../i18n.js";
import { auditRecords, cachedStandards } from "../packages.js";
import { href } from "../router.js";
import { VERDICTS, auditView, html, label, localName, nothing } from "./common.js";

const FILTERS = [["all", N_("All questions")], ["unanswered", N_("Unanswered")], ["nc", N_("Nonconformities")]];

export async function load({ auditId }) {
  const [records, standards] = await Promise.all([auditRecords(auditId, true), cachedStandards()]);
  return { ...records, titles: new Map(clauseList(standards).map((c) => [c.ref, c.title])) };
}

/** One item: text and attribute bindings only, no nested template (hundreds of them render at once). */
function item(question, finding, auditId, words) {
  const verdict = finding?.data?.verdict;
  const flag = finding?.conflict || finding?.rejected || finding?.locked ? words.attention : finding?.draft ? words.draft : "";
  return html`<li class="question" data-testid="checklist-item" data-question-id=${question.id}><a
    href=${href("question", { auditId, questionId: question.id })}><span class="qtext">${question.text}</span><span
    class="qmeta"><span class="code">${question.id}</span><span class=${question.basis === "good_practice" ? "tag gp" : "gone"}
    >${words.gp}</span><span class=${verdict ? `verdict v-${verdict}` : "verdict none"}>${verdict ? label(VERDICTS, verdict) : words.none}</span><span
    class=${flag ? "tag warn" : "gone"}>${flag}</span></span></a></li>`;
}

export const view = auditView("checklist", ({ pkg }) => `${_("Checklist")} — ${pkg.audit.code}`, (data, ctx) => {
  const auditId = data.pkg.audit.id;
  const filter = ctx.query.filter || "all";
  const answers = findingsByQuestion(data.findings);
  const groups = groupByClause(data.checklist, answers, filter);
  const answered = groups.reduce((n, g) => n + g.answered, 0);
  const words = { gp: _("Good practice"), none: _("Not answered"), draft: _("Draft"), attention: _("Needs attention") };
  return html`<p data-testid="checklist-progress">${_("Answered: %(answered)s of %(total)s", { answered, total: data.checklist.length })}</p>
    <div class="filters" role="group" aria-label=${_("Show")}>${FILTERS.map(([name, text]) => html`<button type="button"
      aria-pressed=${String(filter === name)} data-testid=${`filter-${name}`}
      @click=${() => ctx.go(href("checklist", { auditId }, name === "all" ? {} : { filter: name }))}>${_(text)}</button>`)}</div>
    ${data.checklist.length ? nothing : html`<p>${_("This audit has no checklist yet: the audit lead pins it when preparing the audit.")}</p>`}
    ${groups.map((group) => (group.items.length ? html`<section class="group" data-testid="clause-group">
      <h2>${group.number} ${localName(data.titles.get(group.ref))}</h2>
      <p class="progress-line"><progress max=${group.total} .value=${group.answered}
        aria-label=${_("Clause %(clause)s answered", { clause: group.number })}></progress>
        ${_("%(answered)s of %(total)s answered", group)}${group.nonconformities
          ? ` · ${_("Nonconformities: %(count)s", { count: group.nonconformities })}` : nothing}</p>
      <ul class="questions">${group.items.map((q) => item(q, answers.get(q.id), auditId, words))}</ul>
    </section>` : nothing))}`;
});
