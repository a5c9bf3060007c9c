/** Pure rules of the nonconformity screens. The server decides; these mirror its refusals so a form says what is missing as it is typed. */
export const STATUSES = ["open", "analysis", "action_plan", "in_progress", "verification", "closed", "rejected"];
export const CATEGORIES = ["people", "method", "material", "machine", "environment", "measurement"];
export const AGES = [30, 90, 180, Infinity]; // upper bounds, in days, of the board's age columns
const FINISHED = ["done", "cancelled"];
const DAY = 86400000;

const blank = (text) => !String(text ?? "").trim();

/** What the record waits for: start, analysis, plan, actions, ask, verify, or null once closed or rejected. */
export function nextStep(nc) {
  if (nc.status !== "in_progress") return { open: "start", analysis: "analysis", action_plan: "plan", verification: "verify" }[nc.status] || null;
  return nc.actions.every((a) => FINISHED.includes(a.status)) ? "ask" : "actions";
}

/** Days since opening, now: the server's count plus the days since it was fetched (a copy read offline ages too). */
export const ageNow = (nc, fetchedAt, now) => nc.ageDays + Math.max(0, Math.floor((now - new Date(fetchedAt)) / DAY));
export const ageColumn = (days) => AGES.findIndex((bound) => days <= bound);

/** Counts by status (rows, in workflow order) and age column; `total` per row. */
export function board(ncs, fetchedAt, now) {
  const rows = STATUSES.map((status) => ({ status, counts: AGES.map(() => 0), total: 0 }));
  for (const nc of ncs) {
    const row = rows[STATUSES.indexOf(nc.status)];
    if (!row) continue;
    row.counts[ageColumn(ageNow(nc, fetchedAt, now))] += 1;
    row.total += 1;
  }
  return rows;
}

export const inCell = (nc, status, column, fetchedAt, now) => (!status || nc.status === status)
  && (column === undefined || column === "" || ageColumn(ageNow(nc, fetchedAt, now)) === Number(column));

/** The analysis form of a record: its correction and root cause, five why rows. */
export function analysisForm(nc) {
  const cause = nc.rootCause || { method: "five_whys", cause: "", whys: [], categories: [] };
  return { correction: nc.correction || "", method: cause.method, cause: cause.cause, categories: [...cause.categories],
    whys: [0, 1, 2, 3, 4].map((i) => cause.whys[i] || "") };
}

/** The whys up to the last one answered. */
const whysOf = (form) => form.whys.slice(0, form.whys.findLastIndex((w) => !blank(w)) + 1).map((w) => w.trim());

export const analysisBody = (form) => ({ correction: form.correction.trim(), rootCause: { method: form.method, cause: form.cause.trim(),
  whys: form.method === "five_whys" ? whysOf(form) : [], categories: form.method === "categories" ? form.categories : [] } });

/** Field → refusal code, as the server would refuse the analysis (saved, or `submitting` it). */
export function analysisProblems(form, submitting) {
  const whys = whysOf(form);
  return Object.fromEntries([
    ["correction", submitting && blank(form.correction) && "actions.correction_required"],
    ["cause", blank(form.cause) && "actions.root_cause_required"],
    ["whys", form.method === "five_whys" && (!whys.length || whys.some(blank)) && "actions.whys_invalid"],
    ["categories", form.method === "categories" && !form.categories.length && "actions.categories_required"],
  ].filter(([, code]) => code));
}

export const emptyAction = () => ({ type: "corrective", description: "", ownerId: "", due: "" });

export function actionProblems(action, openedOn) {
  return Object.fromEntries([
    ["description", blank(action.description)], ["owner", !action.ownerId], ["due", !action.due || action.due < openedOn],
  ].filter(([, wrong]) => wrong).map(([field]) => [field, "actions.action_invalid"]));
}

/** The whole plan as PUT, `added` last (an action without id is new), `dropped` left out. */
export const planBody = (nc, added, dropped) => [...nc.actions.filter((a) => a.id !== dropped)
  .map(({ id, type, description, ownerId, due }) => ({ id, type, description, ownerId, due })),
...(added ? [{ ...added, description: added.description.trim() }] : [])];

/** Why the plan cannot start yet, or null. */
export function planProblem(nc) {
  const live = nc.actions.filter((a) => a.status !== "cancelled");
  if (!live.length) return "actions.no_action";
  return nc.severity === "major" && !live.some((a) => a.type === "corrective") ? "actions.corrective_required" : null;
}

export function progressProblems(update) {
  return Object.fromEntries([["evidence", update.status === "done" && !update.evidence.length && "actions.evidence_required"],
    ["reason", update.status === "cancelled" && blank(update.note) && "actions.reason_required"]].filter(([, code]) => code));
}

/** Why verification cannot be asked yet, or null. */
export function askProblem(nc) {
  if (nc.actions.some((a) => !FINISHED.includes(a.status))) return "actions.open_actions";
  return nc.actions.some((a) => a.status === "done") ? null : "actions.no_action";
}

export function verifyProblems(form) {
  return Object.fromEntries([["evidence", form.verdict === "effective" && !form.evidence.length && "actions.evidence_required"],
    ["reason", form.verdict === "ineffective" && blank(form.comment) && "actions.reason_required"],
    ["verdict", !form.verdict && "verdict"]].filter(([, code]) => code));
}

const FIELDS = { "actions.correction_required": "correction", "actions.root_cause_required": "cause", "actions.whys_invalid": "whys",
  "actions.categories_required": "categories", "actions.evidence_required": "evidence", "actions.reason_required": "reason" };
const NAMES = { correction: "correction", cause: "cause", whys: "whys", categories: "categories", description: "description",
  ownerId: "owner", owner: "owner", due: "due", comment: "reason", note: "reason", reason: "reason", evidence: "evidence", verdict: "verdict" };

/** The field a refusal is about (`owner`, `whys`, `reason`…), else null: shown with its step then. */
export function refusedField(code, details) {
  if (FIELDS[code]) return FIELDS[code];
  const named = code === "actions.action_invalid" ? [details?.field] : [details].flat().map((d) => /(\w+)(\[\d+\])?$/.exec(String(d?.field || ""))?.[1]);
  return named.map((field) => Object.hasOwn(NAMES, field ?? "") && NAMES[field]).find(Boolean) || null;
}

export const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
export const EVIDENCE_TYPES = ["image/jpeg", "image/png", "image/webp", "application/pdf"];
