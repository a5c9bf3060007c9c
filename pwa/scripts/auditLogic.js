import { NONCONFORMITIES } from "./ops.js";

export const VERDICT_ORDER = ["conform", "nc_major", "nc_minor", "observation", "improvement", "not_applicable"];

/** Order of clause numbers: "4.10" after "4.9". */
export function compareClauses(a, b) {
  const [x, y] = [a, b].map((n) => n.split(".").map(Number));
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) - (y[i] ?? -1);
  return 0;
}

/** Every clause of the standards, in order, with its `ref` ("iso9001:4.1") and `depth`. */
export function clauseList(standards) {
  const out = [];
  const walk = (standard, clauses, depth) => clauses.forEach((c) => {
    out.push({ ref: `${standard}:${c.number}`, standard, number: c.number, title: c.title, depth });
    walk(standard, c.children || [], depth + 1);
  });
  for (const s of standards) walk(s.standard, s.clauses, 0);
  return out;
}

export const findingsByQuestion = (findings) => new Map(findings.filter((f) => !f.deleted && f.data?.questionId).map((f) => [f.data.questionId, f]));

const isNc = (finding) => NONCONFORMITIES.includes(finding?.data?.verdict);
const answered = (finding) => Boolean(finding?.data?.verdict);

/** The items passing a filter: "all", "unanswered" or "nc" (nonconformities). */
export function filterItems(items, filter, answers) {
  if (filter === "unanswered") return items.filter((item) => !answered(answers.get(item.id)));
  return filter === "nc" ? items.filter((item) => isNc(answers.get(item.id))) : items;
}

/** Items by their first clause to two levels ("7.1"), in order; counts over the whole group. */
export function groupByClause(items, answers, filter = "all") {
  const groups = new Map();
  for (const item of items) {
    const [standard, number = ""] = (item.clauses[0] || ":").split(":");
    const key = number.split(".").slice(0, 2).join(".");
    if (!groups.has(key)) groups.set(key, { number: key, ref: `${standard}:${key}`, all: [] });
    groups.get(key).all.push(item);
  }
  return [...groups.values()].sort((a, b) => compareClauses(a.number, b.number)).map(({ all, ...group }) => ({
    ...group,
    items: filterItems(all, filter, answers),
    total: all.length,
    answered: all.filter((item) => answered(answers.get(item.id))).length,
    nonconformities: all.filter((item) => isNc(answers.get(item.id))).length,
  }));
}

export function verdictCounts(findings) {
  const counts = Object.fromEntries(VERDICT_ORDER.map((v) => [v, 0]));
  for (const f of findings) if (!f.deleted && f.data?.verdict) counts[f.data.verdict] += 1;
  return counts;
}

/** Field by field: `choices[field]` is "mine" (the default) or "theirs". */
export function mergeFields(mine, theirs, fields, choices) {
  const merged = { ...theirs, ...mine };
  for (const field of fields) merged[field] = (choices[field] === "theirs" ? theirs : mine)?.[field];
  return merged;
}

export const differs = (a, b) => JSON.stringify(a ?? null) !== JSON.stringify(b ?? null);
