/** What the screens share. */
import { html, nothing } from "/vendor/lit-html@3.3.3/lit-html.js";
import { describe, request } from "../api.js";
import { get } from "../db.js";
import { N_, _, formatDate, formatDateTime, language } from "../i18n.js";
import { saveRecord } from "../outbox.js";
import { href } from "../router.js";

export { html, nothing };

export const VERDICTS = {
  conform: N_("Conform"), nc_major: N_("Major nonconformity"), nc_minor: N_("Minor nonconformity"),
  observation: N_("Observation"), improvement: N_("Opportunity for improvement"), not_applicable: N_("Not applicable"),
};
export const STATUSES = {
  planned: N_("Planned"), prepared: N_("Prepared"), in_progress: N_("In progress"), reported: N_("Reported"),
  signed: N_("Signed"), closed: N_("Closed"), cancelled: N_("Cancelled"),
};
export const FIELDS = {
  finding: { verdict: N_("Verdict"), statement: N_("Statement"), evidence: N_("Objective evidence"), clauseRefs: N_("Clauses"),
    auditeeResponse: N_("Auditee's response"), attachments: N_("Photos") },
  meeting: { heldAt: N_("Date and time"), place: N_("Place"), attendees: N_("Attendance"), notes: N_("Notes") },
  conclusion: { summary: N_("Findings summary"), conclusions: N_("The lead auditor's conclusions"), degrees: N_("Degrees"),
    divergingOpinions: N_("Diverging opinions"), signatures: N_("Signatures"), auditeeUnsignedReason: N_("Why the auditee's representative did not sign") },
};
export const DEGREES = { fully: N_("Fully met"), largely: N_("Largely met"), partially: N_("Partially met"), not_met: N_("Not met") };
export const STANDARDS = { iso9001: "ISO 9001", iso14001: "ISO 14001", iso45001: "ISO 45001" };
const orUnset = (text) => text || _("Not set");
export const label = (map, key) => (map[key] ? _(map[key]) : key),
  localName = (texts) => (texts ? texts[language()] || texts.fr || texts.en || "" : ""),
  dots = (items) => items.join(" · "),
  standards = (codes) => dots(codes.map((s) => STANDARDS[s] || s)),
  names = (items) => dots(items.map((i) => localName(i.name || i.fullName))),
  clauseRef = (ref) => `${standards([ref.split(":")[0]])} § ${ref.split(":")[1]}`,
  when = (value) => (value ? formatDateTime(value) : _("never")),
  period = (a) => (a.plannedStart ? `${formatDate(a.plannedStart)} – ${formatDate(a.plannedEnd)}` : orUnset()),
  noSubmit = (e) => e.preventDefault(),
  options = (pairs, chosen) => pairs.map(([value, text]) => html`<option value=${value} ?selected=${value === chosen}>${text}</option>`),
  verdictTag = (v) => html`<span class=${`verdict v-${v}`}>${label(VERDICTS, v)}</span>`,
  byId = (items) => new Map(items.map((item) => [item.id, item])),
  named = (map, id, field = "name") => orUnset(localName(map.get(id)?.[field])),
  title = (item) => `${item.code} — ${localName(item.title || item.name)}`,
  roleName = (member) => (member.role === "lead" ? _("Lead auditor") : _("Auditor"));

/** `[term, value]` rows bar empty values; data, not templates, so callers' _() are extracted. */
/** Text a person wrote, in either language: isolated so its own direction holds inside the page's. */
export const own = (text) => text && html`<bdi>${text}</bdi>`;
export const facts = (rows) => html`<dl class="facts">${rows.map(([term, value]) => (value ? html`<dt>${term}</dt><dd>${value}</dd>` : ""))}</dl>`;
export const packageFacts = ({ audit, process, units, sites }, more) => facts([[_("Status"), label(STATUSES, audit.status)], [_("Dates"), period(audit)],
  [_("Process"), orUnset(localName(process?.name))], [_("Standards"), standards(audit.standards)],
  [_("Units"), orUnset(names(units))], [_("Sites"), orUnset(names(sites))], ...more]);
export const auditCard = (a, route, testid, rows, more = "") => html`<article class="card" data-testid=${testid} data-audit-id=${a.id}
  data-code=${a.code}><h2><a href=${href(route, { auditId: a.id })}>${title(a)}</a></h2>${facts([[_("Dates"), period(a)], [_("Status"), label(STATUSES, a.status)], ...rows])}${more}</article>`;
export const findingRows = (data) => [[_("Statement"), own(data.statement)], [_("Objective evidence"), own(data.evidence)],
  [_("Clauses"), data.clauseRefs && dots(data.clauseRefs.map(clauseRef))], [_("Auditee's response"), own(data.auditeeResponse)]];
/** A record's version; no `data`: a deletion. */
export function version(author, device, time, data) {
  const rows = data && [[_("Verdict"), data.verdict && label(VERDICTS, data.verdict)], [_("Question"), data.questionId],
    ...findingRows(data), [_("Photos"), data.attachments?.length], [_("Notes"), data.notes], [_("Conclusions"), data.conclusions]];
  return html`<p class="muted">${_("By %(author)s on device %(device)s, %(time)s", { author, device, time: formatDateTime(time) })}</p>
    ${rows ? facts(rows) : html`<p>${_("A deletion")}</p>`}`;
}
export const heads = (...titles) => html`<thead><tr>${titles.map((t) => html`<th scope="col">${t}</th>`)}</tr></thead>`;
export const list = (items) => (items.length ? html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` : html`<p>${orUnset()}</p>`);
export const textField = (text, value, on, { area, required, type = "text", lang, testid } = {}) => html`<label>${text}${required
  ? html` <span class="req">${_("(required)")}</span>` : ""}${area
  ? html`<textarea rows="4" .value=${value || ""} data-testid=${testid} @input=${on.input} @change=${on.change}></textarea>`
  : html`<input type=${type} .value=${value || ""} lang=${lang || nothing} dir=${lang === "ar" ? "rtl" : nothing} ?required=${required}
    data-testid=${testid} @input=${on.input} @change=${on.change}>`}</label>`;
export function saveFile(blob, name) {
  const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}

export const tabs = (sections, active, auditId, badges = {}) => html`<nav class="tabs" aria-label=${_("Audit sections")}>${sections.map(
  ([name, text]) => html`<a href=${href(name, { auditId })} aria-current=${name === active ? "page" : "false"}
    data-testid=${`tab-${name}`}>${_(text)}${badges[name] ? html` <span class="badge">${badges[name]}</span>` : ""}</a>`)}</nav>`;

const AUDIT_TABS = [["plan", N_("Plan")], ["checklist", N_("Checklist")], ["findings", N_("Other findings")],
  ["opening", N_("Opening meeting")], ["closing", N_("Closing meeting")], ["conflicts", N_("Conflicts")], ["reports", N_("Reports")]];

export const auditView = (tab, title, body) => (data, ctx) => (data.pkg ? html`<h1>${title(data, ctx)}</h1>
  ${tabs(AUDIT_TABS, tab, data.pkg.audit.id, { conflicts: data.conflicts.length })}${body(data, ctx)}` : html`<h1>${_("Audit not on this tablet")}</h1>
  <p>${_("Download this audit first: in My audits, choose “Make available offline”.")}</p><p><a href=${href("audits")}>${_("My audits")}</a></p>`);

export function recordNotes(record) {
  const note = (kind, text) => html`<p class=${`note ${kind}`}>${text}</p>`;
  return record ? [
    record.conflict && note("warn", _("Someone changed this on the server too: resolve the conflict.")),
    record.rejected && note("error", _("Refused by the server: %(reason)s", { reason: record.rejected.message })),
    record.locked && note("warn", _("Not applied: %(reason)s It is kept for the audit lead's review.", { reason: record.locked.message })),
    record.draft && note("", _("Kept on this tablet, not sent yet: %(reason)s", { reason: _(record.draft) })),
  ].filter(Boolean) : "";
}

const waiting = new Set(); // saves held while typing, flushed before leaving
export const flushSaves = () => Promise.all([...waiting].map((run) => run()));

/** The record a screen edits, kept here: what is typed survives re-renders. */
export function editor(entity) {
  const self = { form: null, ctx: null };
  let timer = null;
  const cancel = () => { clearTimeout(timer); waiting.delete(run); };
  const run = () => { cancel(); return self.form && self.save(); };
  self.edit = (key, record, defaults) => {
    const form = self.form;
    // another record, or a newer server version of it (unless typing waits to be saved)
    if (form?.key !== key || (record && (form.id !== record.id || (form.rev !== record.rev && !waiting.has(run))))) {
      self.form = { key, id: record?.id || crypto.randomUUID(), rev: record?.rev, data: structuredClone({ ...defaults, ...(record?.deleted ? {} : record?.data) }) };
    }
    return self.form.data;
  };
  self.save = (blobs = [], deleted = false) => {
    cancel();
    const { ctx, form } = self;
    return saveRecord(entity, { id: form.id, auditId: ctx.params.auditId, data: structuredClone(form.data), deleted }, blobs)
      .then(() => ctx.reload(), (error) => ctx.notify(describe(error), true));
  };
  self.later = () => { cancel(); waiting.add(run); timer = setTimeout(run, 500); };
  self.now = () => (waiting.has(run) ? run() : undefined);
  self.field = (field, opts) => { // a text area unless `opts` says otherwise
    const { data } = self.form;
    const input = (e) => { data[field] = e.target.value; self.later(); };
    return textField(_(FIELDS[entity][field]), data[field], { input, change: self.now }, { area: true, ...opts, testid: `${entity}-${field}` });
  };
  return self;
}

const files = new Map();
const misses = new Map(); // asked again after 30 s, not at every render
/** The tablet's copy of a file, else the server's: `{url, time}`. */
async function file(sha256) {
  if (!files.has(sha256) && !(Date.now() - misses.get(sha256) < 30000)) {
    const stored = await get("blobs", sha256);
    const blob = stored?.blob || (await request("GET", `/api/v1/attachments/${sha256}`).then((r) => r.blob(), () => null));
    if (blob) files.set(sha256, { url: URL.createObjectURL(blob), time: stored?.capturedAt });
    else misses.set(sha256, Date.now());
  }
  return files.get(sha256) || null;
}

export const thumbnails = (shas, remove, taken = {}) => html`<ul class="thumbs">${shas.map((sha, i) => html`<li>
  <img alt=${_("Photo %(number)s", { number: i + 1 })} data-sha=${sha} data-taken=${taken[sha] ?? nothing} src=${files.get(sha)?.url ?? nothing}>
  ${remove ? html`<button class="small" @click=${() => remove(sha)}
    aria-label=${_("Remove photo %(number)s", { number: i + 1 })}>${_("Remove")}</button>` : ""}</li>`)}</ul>`;

/** After a render: thumbnails' files, captions (CSS shows an attribute lit does not bind). */
export async function fillThumbnails(root) {
  for (const img of root.querySelectorAll("img[data-sha]")) {
    const found = await file(img.dataset.sha);
    if (found && !img.src) img.src = found.url;
    const time = img.dataset.taken || found?.time; // the server's copy has no capture time of its own
    const caption = found ? time && formatDateTime(time) : _("Kept on the server: shown with a connection");
    if (caption) img.parentElement.dataset.caption = caption;
  }
}
