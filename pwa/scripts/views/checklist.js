/** The audit's checklist grouped by clause, with progress per clause and filters. */
import { html, nothing } from "/vendor/lit-html@3.3.3/lit-html.js";
import { clauseList, findingsByQuestion, groupByClause } from "/scripts/auditLogic.js";
import { N_, _, format, language } from "/scripts/i18n.js";
import { auditRecords, cachedStandards } from "/scripts/packages.js";
import { href } from "/scripts/router.js";
import { VERDICTS, auditTabs, label, localName } from "/scripts/views/common.js";
import { notDownloaded } from "/scripts/views/plan.js";

const FILTERS = [["all", N_("All questions")], ["unanswered", N_("Unanswered")], ["nc", N_("Nonconformities")]];

/** The checklist of a package in the screen's language. */
export const checklistOf = (pkg) => pkg.checklists[language()] || Object.values(pkg.checklists)[0] || [];

export async function load({ auditId }) {
  const [records, standards] = await Promise.all([auditRecords(auditId), cachedStandards()]);
  const titles = new Map(clauseList(standards).map((c) => [c.ref, c.title]));
  return { ...records, titles };
}

function item(question, finding, auditId) {
  const verdict = finding?.data?.verdict;
  const flagged = finding && (finding.conflict || finding.rejected || finding.locked);
  return html`<li class="question" data-testid="checklist-item" data-question-id=${question.id}>
    <a href=${href("question", { auditId, questionId: question.id })}>
      <span class="qtext">${question.text}</span>
      <span class="qmeta">
        <span class="code">${question.id}</span>
        ${question.basis === "good_practice" ? html`<span class="tag gp">${_("Good practice")}</span>` : nothing}
        ${verdict ? html`<span class=${`verdict v-${verdict}`}>${label(VERDICTS, verdict)}</span>`
          : html`<span class="verdict none">${_("Not answered")}</span>`}
        ${finding?.draft ? html`<span class="tag">${_("Draft")}</span>` : nothing}
        ${flagged ? html`<span class="tag warn">${_("Needs attention")}</span>` : nothing}
      </span>
    </a>
  </li>`;
}

export function view(data, ctx) {
  const { pkg } = data;
  if (!pkg) return notDownloaded();
  const filter = ctx.query.filter || "all";
  const answers = findingsByQuestion(data.findings);
  const items = checklistOf(pkg);
  const groups = groupByClause(items, answers, filter);
  const answered = groups.reduce((n, g) => n + g.answered, 0);
  return html`<h1 tabindex="-1">${_("Checklist")} — ${pkg.audit.code}</h1>
    ${auditTabs(pkg.audit.id, "checklist", data.conflicts.length)}
    <p data-testid="checklist-progress">${format(_("Answered: %(answered)s of %(total)s"), { answered, total: items.length })}</p>
    <div class="filters" role="group" aria-label=${_("Show")}>
      ${FILTERS.map(([name, text]) => html`<button type="button" aria-pressed=${filter === name ? "true" : "false"}
        data-testid=${`filter-${name}`}
        @click=${() => ctx.go(href("checklist", { auditId: pkg.audit.id }, name === "all" ? {} : { filter: name }))}
        >${_(text)}</button>`)}
    </div>
    ${items.length ? nothing : html`<p>${_("This audit has no checklist yet: the audit lead pins it when preparing the audit.")}</p>`}
    ${groups.map((group) => (group.items.length ? html`<section class="group" data-testid="clause-group">
      <h2>${group.number} ${localName(data.titles.get(group.ref))}</h2>
      <p class="progress-line">
        <progress max=${group.total} .value=${group.answered}
          aria-label=${format(_("Clause %(clause)s answered"), { clause: group.number })}></progress>
        ${format(_("%(answered)s of %(total)s answered"), group)}
        ${group.nonconformities ? html` · ${format(_("Nonconformities: %(count)s"), { count: group.nonconformities })}` : nothing}
      </p>
      <ul class="questions">${group.items.map((q) => item(q, answers.get(q.id), pkg.audit.id))}</ul>
    </section>` : nothing))}`;
}
