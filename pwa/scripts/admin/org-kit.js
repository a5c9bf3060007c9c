/** What the organisation's parts share: lists, a row's archive / restore / delete (a refused delete explained at the row,
 * with the offer to archive instead), and forms whose field names are the server's paths ("name-ar" for `name.ar`). */
import { ApiError, describe, getJson, request, sendJson } from "../api.js";
import { N_, _ } from "../i18n.js";
import { href } from "../router.js";
import { html, localName, nothing } from "../views/common.js";
import { field, refused } from "./form.js";

/** Kept across renders: the form being typed, filters and toggles per part, a refusal at a row, what to focus next. */
export const kit = { form: null, archived: {}, filters: {}, refusal: null, focus: null, pending: null };

export const link = (query) => href("admin", {}, { view: "org", ...Object.fromEntries(Object.entries(query).filter(([, v]) => v)) });
/** `{name: [items]}`, archived ones included (the toggle filters them here). */
export const lists = async (...names) => Object.fromEntries(await Promise.all(
  names.map(async (name) => [name, await getJson(`/api/v1/${name}?includeArchived=true`)])));
export const byCode = (items) => [...items].sort((a, b) => (a.code || localName(a.fullName)).localeCompare(b.code || localName(b.fullName)));
export const shown = (part, items) => (kit.archived[part] ? items : items.filter((i) => !i.archivedAt));
export const active = (items, keep) => items.filter((i) => !i.archivedAt || i.id === keep);
export const nameOf = (it) => it.code || localName(it.fullName);
/** Both names, each in its own language. */
export const both = (n) => html`<bdi lang="ar" dir="rtl">${n.ar}</bdi> · <bdi lang="fr">${n.fr}</bdi>`;
export const archivedTag = (it) => (it.archivedAt ? html` <span class="tag warn" data-testid="archived">${_("Archived")}</span>` : "");

/** A list's heading, what to know, a button for a new one and the "show archived" toggle. */
export const head = (ctx, part, heading, intro, add) => html`<h1>${heading}</h1>${intro ? html`<p>${intro}</p>` : ""}
  <div class="actions"><a class="button primary" data-testid="new" href=${link({ part, edit: "new" })}>${add}</a>
    <label class="choice"><input type="checkbox" data-testid="show-archived" .checked=${Boolean(kit.archived[part])}
      @change=${(e) => { kit.archived[part] = e.target.checked; ctx.rerender(); }}>${_("Show archived items")}</label></div>`;

const DONE = { archive: N_("%(name)s is archived."), restore: N_("%(name)s is restored."), delete: N_("%(name)s is deleted.") };

async function act(ctx, part, it, action) {
  const name = nameOf(it);
  kit.refusal = null;
  if (action === "delete" && !confirm(_("Delete %(name)s for good?", { name }))) return;
  try {
    await (action === "delete" ? request("DELETE", `/api/v1/${part}/${it.id}`) : sendJson("POST", `/api/v1/${part}/${it.id}/${action}`));
    await ctx.reload();
    ctx.notify(_(DONE[action], { name }));
  } catch (error) {
    const inUse = error instanceof ApiError && error.code === "org.in_use";
    kit.refusal = { id: it.id, message: describe(error), archive: inUse && action === "delete" && error.details?.archive && !it.archivedAt,
      lead: inUse && action === "delete" ? _("%(name)s cannot be deleted.", { name }) : "" };
    kit.focus = `[data-refusal="${it.id}"]`;
    ctx.rerender();
  }
}

/** Edit, archive or restore, delete (`part` is also the API's path); and the server's refusal of the last, in words. */
export function actions(ctx, part, it, more = "") {
  const name = nameOf(it), said = kit.refusal?.id === it.id && kit.refusal;
  const button = (action, text, cls = "small") => html`<button type="button" class=${cls} data-testid=${action}
    @click=${() => act(ctx, part, it, action)}>${text} <span class="visually-hidden">${name}</span></button>`;
  return html`<div class="actions"><a class="button small" data-testid="edit" href=${link({ part, edit: it.id })}>${_("Edit")}
    <span class="visually-hidden">${name}</span></a>${more}
    ${it.archivedAt ? button("restore", _("Restore")) : button("archive", _("Archive"))}${button("delete", _("Delete"), "small danger")}</div>
    ${said ? html`<div class="note error" role="alert" tabindex="-1" data-testid="refusal" data-refusal=${it.id}>
      <p>${said.lead} ${said.message}</p>${said.archive ? html`<button type="button" class="primary" data-testid="archive-instead"
        @click=${() => act(ctx, part, it, "archive")}>${_("Archive %(name)s instead", { name })}</button>` : ""}</div>` : ""}`;
}

// ---------------------------------------------------------------- forms

export const REQUIRED = N_("This field is required.");
export const CHOOSE = N_("Choose one.");
const CODE = N_("Capital letters, digits and hyphens, at most 24 characters (for example DAF-DBC).");
const TAKEN = N_("This code is already used by another item.");
const NOT_ACCEPTED = N_("This value is not accepted.");
const path = (name) => name.split("-");
export const dig = (data, name) => path(name).reduce((at, key) => at?.[key], data);
const put = (data, name, value) => { const keys = path(name), last = keys.pop(); keys.reduce((at, key) => at[key], data)[last] = value; };

/** The form for `key` (a new one when another record is opened); `make()` gives its data. */
export const formFor = (key, make) => (kit.form?.key === key ? kit.form
  : (kit.form = { key, data: make(), touched: new Set(), all: false, server: {}, refused: "", busy: false }));

export const choicesOf = (map) => Object.entries(map).map(([key, text]) => [key, _(text)]);
export const filled = (problems, data, ...names) => names.forEach((n) => { if (!String(dig(data, n) ?? "").trim()) problems[n] ||= REQUIRED; });
/** The problems of a code (unique among `items` but `own`) and both names. */
export function coded(data, items, own) {
  const problems = {}, { code } = data;
  const said = !code ? REQUIRED : !/^[A-Z0-9][A-Z0-9-]{0,23}$/.test(code) ? CODE : items.some((i) => i.code === code && i.id !== own) ? TAKEN : "";
  if (said) problems.code = said;
  filled(problems, data, "name-ar", "name-fr");
  return problems;
}
const trimmed = (v) => (typeof v === "string" ? v.trim() : Array.isArray(v) ? v.map(trimmed)
  : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, trimmed(x)])) : v);
/** The body the server takes (it refuses unknown fields): `keys` of `data`, texts trimmed. */
export const bodyOf = (data, keys) => trimmed(Object.fromEntries(keys.split(" ").map((k) => [k, data[k]])));

/** Field helpers for form `f` whose problems found here are `mine` (`{name: msgid}`). */
export function binder(ctx, f, mine) {
  const problem = (name) => ((f.all || f.touched.has(name)) && mine[name] ? _(mine[name]) : f.server[name] || "");
  const set = (name, value) => { put(f.data, name, value); f.touched.add(name); delete f.server[name]; ctx.rerender(); };
  const input = (text, name, opts = {}) => field(text, name, dig(f.data, name), { ...opts, problem: problem(name), input: (e) => set(name, e.target.value) });
  const tick = (text, name) => html`<label class="choice"><input type="checkbox" data-testid=${"field-" + name} .checked=${Boolean(dig(f.data, name))}
    @change=${(e) => set(name, e.target.checked)}>${text}</label>`;
  /** A group of checkboxes for the list at `name`. */
  const picks = (legend, name, choices) => {
    const chosen = dig(f.data, name), said = problem(name);
    const id = "f-" + name + "-problem";
    return html`<fieldset data-testid=${"field-" + name} ?data-invalid=${Boolean(said)} aria-describedby=${said ? id : nothing}><legend>${legend}</legend>
      ${said ? html`<p class="note error" id=${id} data-testid=${"field-" + name + "-problem"}>${said}</p>` : ""}
      <div class="checks">${choices.map(([value, text]) => html`<label class="choice"><input type="checkbox" value=${value} .checked=${chosen.includes(value)}
        @change=${(e) => set(name, e.target.checked ? [...chosen, value] : chosen.filter((v) => v !== value))}>${text}</label>`)}</div></fieldset>`;
  };
  /** Both names; `name` is the object's name field. */
  const names = (name = "name") => html`<div class="pair">${input(_("Name in Arabic"), name + "-ar", { required: true, lang: "ar" })}
    ${input(_("Name in French"), name + "-fr", { required: true, lang: "fr" })}</div>`;
  const code = () => input(_("Code"), "code", { required: true, hint: _("Capital letters, digits and hyphens.") });
  return { input, tick, picks, names, code };
}

const serverName = (p) => String(p || "").replace(/^(\$|body)\./, "").replace(/\[(\d+)\]/g, ".$1").replace(/\./g, "-").replace(/^(availability-\d+)$/, "$1-end");

/** The server's refusal beside the fields it names that the form shows, else for the whole form. A 400's own words are
 * the decoder's, in English: the field shows ours. */
function fromServer(f, error) {
  f.server = {};
  f.refused = "";
  if (!(error instanceof ApiError)) { f.refused = describe(error); return; }
  for (const detail of [error.details].flat().filter(Boolean)) {
    const name = serverName(detail.field);
    if (name && document.querySelector(`[data-testid="field-${name}"]`)) {
      const ours = name === "code" ? CODE : NOT_ACCEPTED;
      f.server[name] ||= error.status === 400 ? _(ours) : error.message;
    }
  }
  if (!Object.keys(f.server).length) f.refused = error.message;
}

/** Check `f` (every problem shown, the first focused), then send `body()` for the record `id` of `part` (none: a new one); saved,
 * back to the part's list saying so. A 412 reloads what is stored, and says so. */
async function save(ctx, f, mine, part, id, body) {
  const refuse = () => { kit.focus = "[aria-invalid=true], [data-invalid] input, [data-testid=refusal]"; ctx.rerender(); };
  f.all = true;
  if (Object.keys(mine).length) return refuse();
  f.busy = true;
  ctx.rerender();
  try {
    const saved = await sendJson(id ? "PUT" : "POST", "/api/v1/" + part + (id ? "/" + id : ""), body());
    [kit.form, kit.pending] = [null, _("%(name)s is saved.", { name: nameOf(saved) })];
    ctx.go(link({ part }));
  } catch (error) {
    f.busy = false;
    if (error.status !== 412) { fromServer(f, error); return refuse(); }
    [kit.form, kit.pending] = [null, _("Someone changed this meanwhile: it is shown again as now stored. Make your change again.")];
    await ctx.reload();
  }
}

/** The form: heading, fields, a refusal for the whole form, Save and Cancel. */
export const frame = (ctx, f, mine, [part, id], heading, fields, body) => html`<h1>${heading}</h1>
  <form novalidate data-testid="org-form" @submit=${(e) => { e.preventDefault(); save(ctx, f, mine, part, id, body); }}>${fields}${refused(f.refused)}
    <div class="actions"><button class="primary" data-testid="save" ?disabled=${f.busy}>${f.busy ? _("Saving…") : _("Save")}</button>
    <a class="button" href=${link({ part })} data-testid="cancel">${_("Cancel")}</a></div></form>`;

/** After a render: the focus the last action asked for. */
export function after(root) {
  if (!kit.focus) return;
  const target = root.querySelector(kit.focus);
  kit.focus = null;
  target?.focus();
}
