/** Accounts (issue 16, admins only): the list searched, filtered and paged by the server; a new account linked to a person;
 * an account opened to change its roles, person or language, to deactivate or reactivate it, to reset its password (the
 * one-time password shown here once) or to lift a throttle. Query: `q`, `role`, `active`, `page`; `new`; `open` (an id). */
import { ApiError, describe, getJson, request, sendJson } from "../api.js";
import { ENDONYMS, N_, _, formatDateTime } from "../i18n.js";
import { href } from "../router.js";
import { facts, heads, html, localName, nothing, options, when } from "../views/common.js";
import { field, pager, refusal, refused } from "./form.js";

export const ROLES = { admin: N_("Administrator"), audit_lead: N_("Audit lead"), auditor: N_("Auditor"), manager: N_("Manager"),
  auditee: N_("Auditee") };
const SIZE = 10, FIELDS = ["username", "personId", "roles", "locale", "password"];
const USERNAME = /^[a-z0-9][a-z0-9._-]*$/;
// As the server's temporary passwords: nothing that reads like another character (i l 1, o 0), lowercase for a tablet.
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** A password of 4 groups of 4 from `ALPHABET` (about 79 bits). */
export const generatedPassword = () => Array.from(crypto.getRandomValues(new Uint32Array(16)),
  (n, i) => (i && i % 4 === 0 ? "-" : "") + ALPHABET[n % ALPHABET.length]).join("");

/** What is wrong with an account's fields as typed, `{field: message}`; the password only when `creating`. */
export function accountProblems(values, creating) {
  const found = {};
  if (creating && !values.username) found.username = _("Give a user name.");
  else if (creating && (values.username.length > 64 || !USERNAME.test(values.username))) {
    found.username = _("Use lowercase letters, digits, dots, hyphens or underscores, starting with a letter or a digit (64 at most).");
  }
  if (!values.roles.length) found.roles = _("Choose at least one role.");
  if (creating && values.password.length < 8) found.password = _("At least 8 characters.");
  else if (creating && values.password.length > 256) found.password = _("At most 256 characters.");
  return found;
}

/** The form being typed, what was touched, the server's refusals by field; for the account `id` shown, the one-time password
 * (`secret`) and what was just done (`done`), both forgotten once another screen is shown. */
const state = { values: null, formOf: null, touched: new Set(), server: {}, form: "", busy: false, secret: null, generated: "", done: null, focus: null };
const link = (query) => href("admin", {}, { view: "accounts", ...Object.fromEntries(Object.entries(query).filter(([, v]) => v)) });
const filtersOf = (q) => ({ q: q.q, role: q.role, active: q.active });
const roleNames = (roles) => roles.map((r) => (ROLES[r] ? _(ROLES[r]) : r)).join(" · ");
const personName = (people, id) => (id ? localName(people.get(id)?.fullName) || id : "");

/** The form of account `id` (null: a new one) afresh, unless only the language changed (what was typed stays). */
function startForm(values, id, why) {
  if (why === "language" && state.values && state.formOf === id) return;
  Object.assign(state, { values, formOf: id, touched: new Set(), server: {}, form: "", busy: false });
  if (state.secret?.id !== id) state.secret = null;
  if (state.done?.id !== id) state.done = null;
}
const said = (id, text) => ({ id, text });

/** Local problems of touched fields, the server's until the field is typed in again. */
function problems(creating) {
  const local = accountProblems(state.values, creating), shown = { ...state.server };
  for (const [name, message] of Object.entries(local)) if (state.touched.has(name) && !shown[name]) shown[name] = message;
  return shown;
}

const edit = (ctx, name) => (event) => {
  state.values[name] = event.target.value;
  state.touched.add(name);
  delete state.server[name];
  ctx.rerender();
};

function toggleRole(ctx, role, on) {
  const roles = state.values.roles.filter((r) => r !== role);
  state.values.roles = on ? [...roles, role] : roles;
  state.touched.add("roles");
  delete state.server.roles;
  ctx.rerender();
}

/** The server's refusal beside its fields (its generic validation words replaced by ours), the rest above the button. */
function showRefusal(error, creating) {
  const found = refusal(error, FIELDS), local = accountProblems(state.values, creating);
  if (error instanceof ApiError && error.code === "request.validation_failed") {
    for (const name of Object.keys(found)) if (name !== "form") found[name] = local[name] || error.message;
  }
  const { form = "", ...byField } = found;
  Object.assign(state, { server: byField, form, busy: false });
  const first = FIELDS.find((name) => byField[name]);
  state.focus = first === "roles" ? "[name=roles]" : first ? `#f-${first}` : null; // a form-wide refusal is an alert
}

function focusFirstProblem(shown) {
  const first = FIELDS.find((name) => shown[name]);
  state.focus = first === "roles" ? "[name=roles]" : `#f-${first}`;
}

export async function load(ctx) {
  const q = ctx.query, why = ctx.loadReason;
  const people = new Map((await getJson("/api/v1/people?includeArchived=true")).map((p) => [p.id, p]));
  if (q.open) {
    const user = await getJson(`/api/v1/users/${encodeURIComponent(q.open)}`);
    startForm({ roles: [...user.roles], personId: user.personId || "", locale: user.locale || "" }, user.id, why);
    return { mode: "open", user, people };
  }
  startForm({ username: "", personId: "", roles: [], locale: "", password: "", mustChange: true }, null, why);
  if (q.new) return { mode: "new", people };
  const page = Math.max(1, Number.parseInt(q.page, 10) || 1);
  const asked = new URLSearchParams({ ...Object.fromEntries(Object.entries(filtersOf(q)).filter(([, v]) => v)), limit: SIZE, page });
  const response = await request("GET", `/api/v1/users?${asked}`);
  return { mode: "list", users: await response.json(), total: Number(response.headers.get("X-Total-Count")) || 0, page, people };
}

export const view = (data, ctx) => ({ list: listView, new: newView, open: accountView })[data.mode](data, ctx);

export function after(root) {
  if (!state.focus) return;
  root.querySelector(state.focus)?.focus();
  state.focus = null;
}

// ---------------------------------------------------------------- the list

/** Active or not, held back, a password to change: one line (it sits in a `.facts` value, where white space shows). */
function status(user) {
  const held = user.throttled && html` <span class="tag warn" data-testid="throttled">${_("Sign-in held back until %(time)s",
    { time: formatDateTime(user.throttledUntil) })}</span>`;
  return html`${user.active ? _("Active") : html`<span class="tag warn">${_("Deactivated")}</span>`}${held || ""}${user.mustChangePassword
    ? html` <span class="tag">${_("Password to change")}</span>` : ""}`;
}

function listView(d, ctx) {
  const q = ctx.query, filters = filtersOf(q), pages = Math.max(1, Math.ceil(d.total / SIZE));
  const apply = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    ctx.go(link({ q: String(form.get("q")).trim(), role: form.get("role"), active: form.get("active") }));
  };
  const row = (u) => html`<tr data-testid="account-row" data-username=${u.username}>
    <th scope="row"><a href=${link({ open: u.id })} data-testid="open-account">${u.username}</a></th>
    <td>${personName(d.people, u.personId) || html`<span class="muted">${_("No linked person")}</span>`}</td>
    <td>${roleNames(u.roles)}</td><td>${status(u)}</td><td>${when(u.lastSignInAt)}</td></tr>`;
  return html`<h1>${_("Accounts")}</h1>
    <p><a class="button primary" href=${link({ new: "1" })} data-testid="new-account">${_("New account")}</a></p>
    <form class="filters" role="search" aria-label=${_("Find accounts")} data-testid="account-filters" @submit=${apply}>
      <label>${_("Search by user name or person")}<input type="search" name="q" maxlength="100" .value=${q.q || ""} data-testid="filter-q"></label>
      <label>${_("Role")}<select name="role" data-testid="filter-role">${options([["", _("Every role")],
        ...Object.entries(ROLES).map(([role, text]) => [role, _(text)])], q.role || "")}</select></label>
      <label>${_("Status")}<select name="active" data-testid="filter-active">${options([["", _("Active or deactivated")],
        ["true", _("Active")], ["false", _("Deactivated")]], q.active || "")}</select></label>
      <button type="submit" data-testid="apply-filters">${_("Search")}</button>
      ${Object.values(filters).some(Boolean) ? html`<a class="button" href=${link({})} data-testid="clear-filters">${_("Clear the filters")}</a>` : ""}
    </form>
    <p role="status" data-testid="account-count">${_("Accounts found: %(count)s", { count: d.total })}</p>
    ${d.users.length ? html`<div class="scroll" tabindex="0" role="region" aria-label=${_("Accounts")}><table data-testid="accounts">
      <caption class="visually-hidden">${_("Accounts")}</caption>
      ${heads(_("User name"), _("Person"), _("Roles"), _("Status"), _("Last sign-in"))}<tbody>${d.users.map(row)}</tbody></table></div>`
      : html`<p data-testid="no-account">${_("No account matches.")}</p>`}
    ${pages > 1 ? pager({ page: d.page, pages, total: d.total }, (page) => link({ ...filters, page })) : ""}`;
}

// ---------------------------------------------------------------- forms

const personChoices = (people, keep, optional) => [...(optional ? [["", _("No linked person")]] : []),
  ...[...people.values()].filter((p) => !p.archivedAt || p.id === keep)
    .map((p) => [p.id, p.username && p.id !== keep ? _("%(name)s (has the account %(user)s)", { name: localName(p.fullName), user: p.username })
      : localName(p.fullName)]).sort((a, b) => a[1].localeCompare(b[1]))];
const languageChoices = (optional) => [...(optional ? [["", _("Not set")]] : []), ["ar", ENDONYMS.ar], ["fr", ENDONYMS.fr]];

function rolesField(ctx, problem) {
  return html`<fieldset data-testid="field-roles" aria-describedby=${problem ? "f-roles-problem" : nothing}>
    <legend>${_("Roles")} <span class="req">${_("(required)")}</span></legend>
    <div class="checks">${Object.entries(ROLES).map(([role, text]) => html`<label class="choice"><input type="checkbox" name="roles"
      value=${role} data-testid=${`role-${role}`} .checked=${state.values.roles.includes(role)}
      @change=${(e) => toggleRole(ctx, role, e.target.checked)}><span>${_(text)}</span></label>`)}</div>
    ${problem ? html`<p class="note error" id="f-roles-problem" data-testid="field-roles-problem">${problem}</p>` : ""}</fieldset>`;
}

const back = () => html`<p><a href=${link({})} data-testid="back-to-accounts">${_("All accounts")}</a></p>`;

async function create(event, ctx) {
  event.preventDefault();
  ["username", "roles", "password"].forEach((name) => state.touched.add(name));
  const shown = problems(true);
  if (Object.keys(shown).length) {
    focusFirstProblem(shown);
    return ctx.rerender();
  }
  Object.assign(state, { busy: true, form: "" });
  ctx.rerender();
  const v = state.values;
  try {
    const user = await sendJson("POST", "/api/v1/users", { username: v.username, password: v.password, roles: v.roles,
      mustChangePassword: v.mustChange, ...(v.personId && { personId: v.personId }), ...(v.locale && { locale: v.locale }) });
    state.secret = v.password === state.generated ? { id: user.id, password: v.password, kind: "created" } : null;
    state.done = said(user.id, _("The account %(name)s is created.", { name: user.username }));
    ctx.go(link({ open: user.id }));
  } catch (error) {
    showRefusal(error, true);
    ctx.rerender();
  }
}

function newView(d, ctx) {
  const v = state.values, shown = problems(true);
  const generate = () => {
    state.values.password = state.generated = generatedPassword();
    state.touched.add("password");
    delete state.server.password;
    ctx.rerender();
  };
  return html`${back()}<h1>${_("New account")}</h1>
    <form novalidate data-testid="account-form" @submit=${(e) => create(e, ctx)}>
      ${field(_("User name"), "username", v.username, { required: true, problem: shown.username, input: edit(ctx, "username"),
        autocomplete: "off", hint: _("Lowercase letters, digits, dots, hyphens or underscores.") })}
      ${field(_("Linked person"), "personId", v.personId, { choices: personChoices(d.people, "", true), problem: shown.personId,
        input: edit(ctx, "personId") })}
      ${rolesField(ctx, shown.roles)}
      ${field(_("Language"), "locale", v.locale, { choices: languageChoices(true), problem: shown.locale, input: edit(ctx, "locale") })}
      ${field(_("Initial password"), "password", v.password, { required: true, problem: shown.password, input: edit(ctx, "password"),
        autocomplete: "new-password", hint: _("At least 8 characters. Type one, or generate one.") })}
      <div class="actions"><button type="button" data-testid="generate-password" @click=${generate}>${_("Generate a password")}</button></div>
      <label class="choice"><input type="checkbox" data-testid="must-change" .checked=${v.mustChange}
        @change=${(e) => { v.mustChange = e.target.checked; }}><span>${_("A new password must be chosen at first sign-in")}</span></label>
      ${refused(state.form)}
      <div class="actions"><button class="primary" data-testid="create-account" ?disabled=${state.busy}>${_("Create the account")}</button>
        <a class="button" href=${link({})}>${_("Cancel")}</a></div>
    </form>`;
}

// ---------------------------------------------------------------- one account

const SAID = {
  deactivate: N_("Deactivate %(name)s? Their sessions end at once on every device, and they can no longer sign in."),
  reactivate: N_("Reactivate %(name)s? They can sign in again with their password."),
  reset: N_("Reset the password of %(name)s? Their sessions end at once, and they must choose a new password at their next sign-in."),
};
const DONE = {
  deactivate: N_("%(name)s is deactivated: their sessions are ended."), reactivate: N_("%(name)s is reactivated."),
  reset: N_("The password of %(name)s is reset: their sessions are ended."), lift: N_("%(name)s can sign in again."),
};

async function act(ctx, user, kind) {
  const name = user.username;
  if (SAID[kind] && !confirm(_(SAID[kind], { name }))) return;
  Object.assign(state, { done: null, form: "" });
  try {
    if (kind === "reset") {
      const answer = await sendJson("POST", `/api/v1/users/${user.id}/password-reset`);
      state.secret = { id: user.id, password: answer.temporaryPassword, kind };
    } else if (kind === "lift") await request("DELETE", `/api/v1/users/${user.id}/throttle`);
    else await sendJson("PATCH", `/api/v1/users/${user.id}`, { active: kind === "reactivate" });
  } catch (error) {
    state.form = describe(error); // said at once (role=alert), the account as it was
    return ctx.rerender();
  }
  Object.assign(state, { done: said(user.id, _(DONE[kind], { name })), focus: kind === "reset" ? "#secret-title" : "[data-testid=account-result]" });
  await ctx.reload();
}

async function copySecret(ctx) {
  try {
    await navigator.clipboard.writeText(state.secret.password);
  } catch { // no clipboard outside a secure context: copy the selected text
    document.getElementById("secret-value")?.select();
    document.execCommand("copy");
  }
  state.secret.copied = true;
  ctx.rerender();
}

function secretPanel(ctx, user) {
  const s = state.secret;
  if (s?.id !== user.id) return "";
  const name = user.username;
  return html`<section class="note warn" data-testid="one-time-password" aria-labelledby="secret-title">
    <h2 id="secret-title" tabindex="-1">${s.kind === "reset" ? _("Temporary password") : _("Initial password")}</h2>
    <p><strong>${_("It is shown only this once: copy it or write it down now. Once you leave this page it cannot be shown again.")}</strong></p>
    <div class="field"><label for="secret-value">${_("Password of %(name)s", { name })}</label>
      <input id="secret-value" readonly dir="ltr" class="code" .value=${s.password} data-testid="secret-value"></div>
    <div class="actions"><button type="button" data-testid="copy-secret" @click=${() => copySecret(ctx)}>${_("Copy the password")}</button>
      <span role="status">${s.copied ? _("Copied.") : ""}</span></div>
    <p>${s.kind === "reset" ? _("Give it to %(name)s in person: at their next sign-in they must choose a new password.", { name })
      : _("Give it to %(name)s in person: they sign in with it.", { name })}</p></section>`;
}

async function save(event, ctx, user) {
  event.preventDefault();
  state.touched.add("roles");
  const shown = problems(false);
  if (Object.keys(shown).length) {
    focusFirstProblem(shown);
    return ctx.rerender();
  }
  const v = state.values, changes = {};
  if ([...v.roles].sort().join() !== user.roles.join()) changes.roles = v.roles;
  if (v.personId && v.personId !== user.personId) changes.personId = v.personId;
  if (v.locale && v.locale !== user.locale) changes.locale = v.locale;
  Object.assign(state, { busy: true, form: "", done: null });
  ctx.rerender();
  try {
    if (Object.keys(changes).length) await sendJson("PATCH", `/api/v1/users/${user.id}`, changes);
    Object.assign(state, { done: said(user.id, _("The changes are saved.")), focus: "[data-testid=account-result]" });
    await ctx.reload();
  } catch (error) {
    showRefusal(error, false);
    ctx.rerender();
  }
}

function accountView(d, ctx) {
  const u = d.user, v = state.values, shown = problems(false), own = u.id === ctx.session?.user.id;
  const button = (kind, text, cls = "") => html`<button type="button" class=${cls} data-testid=${kind} @click=${() => act(ctx, u, kind)}>${text}</button>`;
  return html`${back()}<h1>${_("Account %(name)s", { name: u.username })}</h1>
    <p role="status" tabindex="-1" data-testid="account-result">${state.done?.text || ""}</p>
    ${secretPanel(ctx, u)}
    ${facts([[_("Person"), personName(d.people, u.personId) || _("No linked person")], [_("Roles"), roleNames(u.roles)],
      [_("Language"), ENDONYMS[u.locale] || _("Not set")], [_("Status"), status(u)], [_("Created"), formatDateTime(u.createdAt)],
      [_("Last sign-in"), when(u.lastSignInAt)]])}
    <section aria-labelledby="account-actions"><h2 id="account-actions">${_("Sign-in and sessions")}</h2>
      <div class="actions">${u.throttled ? button("lift", _("Lift the throttle"), "primary") : ""}
        ${own ? "" : button("reset", _("Reset the password"))}
        ${own ? "" : u.active ? button("deactivate", _("Deactivate"), "danger") : button("reactivate", _("Reactivate"))}</div>
      ${own ? html`<p class="note" data-testid="own-account">${_("This is your own account: another administrator must deactivate it or reset its password.")}</p>` : ""}
      <p class="muted">${_("Deactivating or reactivating the account, or resetting its password, ends its sessions on every device.")}</p>
    </section>
    ${refused(state.form)}
    <section aria-labelledby="account-edit"><h2 id="account-edit">${_("Roles, person and language")}</h2>
      <form novalidate data-testid="account-form" @submit=${(e) => save(e, ctx, u)}>
        ${rolesField(ctx, shown.roles)}
        ${field(_("Linked person"), "personId", v.personId, { choices: personChoices(d.people, u.personId, !u.personId),
          problem: shown.personId, input: edit(ctx, "personId") })}
        ${field(_("Language"), "locale", v.locale, { choices: languageChoices(!u.locale), problem: shown.locale, input: edit(ctx, "locale") })}
        <div class="actions"><button class="primary" data-testid="save-account" ?disabled=${state.busy}>${_("Save the changes")}</button></div>
      </form></section>`;
}
