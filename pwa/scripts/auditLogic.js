/** The checklist's pure logic: clauses in order, groups, filters, counts and merges. */
import { NONCONFORMITIES } from "./ops.js";

export const VERDICT_ORDER = ["conform", "nc_major", "nc_minor", "observation", "improvement", "not_applicable"];

const walk = (standard, clauses, depth) => clauses.flatMap((c) => [
  { ref: `${standard}:${c.number}`, standard, number: c.number, title: c.title, depth }, ...walk(standard, c.children || [], depth + 1)]);
/** Every clause of the standards, in order, with its `ref` ("iso9001:4.1") and `depth`. */
export const clauseList = (standards) => standards.flatMap((s) => walk(s.standard, s.clauses, 0));

export const findingsByQuestion = (findings) => new Map(findings.filter((f) => !f.deleted && f.data?.questionId).map((f) => [f.data.questionId, f]));

const TESTS = { unanswered: (verdict) => !verdict, nc: (verdict) => NONCONFORMITIES.includes(verdict) };
const by = (test, answers) => (item) => test(answers.get(item.id)?.data?.verdict);

/** The items passing a filter: "all", "unanswered" or "nc" (nonconformities). */
export const filterItems = (items, filter, answers) => (TESTS[filter] ? items.filter(by(TESTS[filter], answers)) : items);

/** Items by first clause to two levels ("7.1"), in clause order ("4.10" after "4.9"); counts over the group. */
export function groupByClause(items, answers, filter = "all") {
  const groups = new Map();
  for (const item of items) {
    const [standard, number = ""] = (item.clauses[0] || ":").split(":");
    const key = number.split(".").slice(0, 2).join(".");
    if (!groups.has(key)) groups.set(key, { number: key, ref: `${standard}:${key}`, all: [] });
    groups.get(key).all.push(item);
  }
  return [...groups.values()].sort((a, b) => a.number.localeCompare(b.number, "en", { numeric: true })).map(({ all, ...group }) => ({
    ...group, items: filterItems(all, filter, answers), total: all.length,
    answered: all.filter(by(Boolean, answers)).length, nonconformities: all.filter(by(TESTS.nc, answers)).length,
  }));
}

export const verdictCounts = (findings) => Object.fromEntries(VERDICT_ORDER.map((v) => [v,
  findings.filter((f) => !f.deleted && f.data?.verdict === v).length]));

/** Field by field: `choices[field]` is "mine" (the default) or "theirs". */
export const mergeFields = (mine, theirs, fields, choices) => ({ ...theirs, ...mine,
  ...Object.fromEntries(fields.map((field) => [field, (choices[field] === "theirs" ? theirs : mine)?.[field]])) });

export const differs = (a, b) => JSON.stringify(a ?? null) !== JSON.stringify(b ?? null);
