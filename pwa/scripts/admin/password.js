/** Changing one's own password (issue 16): forced after an administrator's reset (the shell sends a session whose
 * `mustChangePassword` is set here, and the server opens nothing else to its token), or chosen. */
import { ApiError, sendJson } from "../api.js";
import { setMeta } from "../db.js";
import { _ } from "../i18n.js";
import { syncNow } from "../outbox.js";
import { href } from "../router.js";
import { html } from "../views/common.js";
import { field, refusal, refused } from "./form.js";

const FIELDS = ["currentPassword", "newPassword", "repeat"];

/** What is wrong with the three fields as typed, `{field: message}`. */
export function passwordProblems({ currentPassword, newPassword, repeat }) {
  const found = {};
  if (!currentPassword) found.currentPassword = _("Type the password you signed in with.");
  if (newPassword.length < 8) found.newPassword = _("At least 8 characters.");
  else if (newPassword.length > 256) found.newPassword = _("At most 256 characters.");
  else if (newPassword === currentPassword) found.newPassword = _("The new password must differ from the current one.");
  if (repeat !== newPassword) found.repeat = _("The two new passwords differ: type the same one twice.");
  return found;
}

const state = { values: null, touched: new Set(), server: {}, form: "", busy: false, focus: null };

function problems() {
  const local = passwordProblems(state.values), shown = { ...state.server };
  for (const [name, message] of Object.entries(local)) if (state.touched.has(name) && !shown[name]) shown[name] = message;
  return shown;
}

const edit = (ctx, name) => (event) => {
  state.values[name] = event.target.value;
  state.touched.add(name);
  delete state.server[name];
  if (name === "newPassword") delete state.server.repeat;
  ctx.rerender();
};

/** Home, as the shell sends this role (the same address again is still a new screen). */
function goHome(ctx) {
  const home = href("audits");
  if ((location.hash || "#/") === home) dispatchEvent(new HashChangeEvent("hashchange"));
  else ctx.go(home);
}

async function change(event, ctx) {
  event.preventDefault();
  FIELDS.forEach((name) => state.touched.add(name));
  const shown = problems();
  const first = FIELDS.find((name) => shown[name]);
  if (first) {
    state.focus = `#f-${first}`;
    return ctx.rerender();
  }
  Object.assign(state, { busy: true, form: "" });
  ctx.rerender();
  const { currentPassword, newPassword } = state.values;
  try {
    await sendJson("POST", "/api/v1/me/password", { currentPassword, newPassword });
  } catch (error) {
    const found = refusal(error, FIELDS), local = passwordProblems(state.values);
    if (error instanceof ApiError && error.code === "request.validation_failed") {
      for (const name of Object.keys(found)) if (name !== "form") found[name] = local[name] || error.message;
    }
    const { form = "", ...byField } = found;
    Object.assign(state, { server: byField, form, busy: false });
    const named = FIELDS.find((name) => byField[name]);
    state.focus = named ? `#f-${named}` : null; // a refusal of the whole form is an alert
    return ctx.rerender();
  }
  ctx.session.user.mustChangePassword = false;
  await setMeta("session", ctx.session);
  Object.assign(state, { values: { currentPassword: "", newPassword: "", repeat: "" }, touched: new Set() }); // nothing typed stays
  goHome(ctx);
  syncNow(); // what was held back while the change was due
}

export const password = {
  async load(params, ctx) {
    if (ctx.loadReason !== "language" || !state.values) { // the other language: the same form, what was typed stays
      Object.assign(state, { values: { currentPassword: "", newPassword: "", repeat: "" }, touched: new Set(), server: {}, form: "", busy: false });
    }
    return { forced: Boolean(ctx.session?.user.mustChangePassword), username: ctx.session?.user.username || "" };
  },
  view(d, ctx) {
    const v = state.values, shown = problems();
    const input = (name, text, more) => field(text, name, v[name], { type: "password", required: true, problem: shown[name],
      input: edit(ctx, name), ...more });
    return html`<h1>${_("Choose a new password")}</h1>
      ${d.forced ? html`<p class="note warn" data-testid="password-forced">${_("Your password was reset by an administrator. Choose a new password to go on: until then, nothing else opens.")}</p>` : ""}
      <form novalidate data-testid="password-form" @submit=${(e) => change(e, ctx)}>
        ${input("currentPassword", d.forced ? _("Temporary password") : _("Current password"), { autocomplete: "current-password" })}
        ${input("newPassword", _("New password"), { autocomplete: "new-password", hint: _("At least 8 characters, different from the current one.") })}
        ${input("repeat", _("Repeat the new password"), { autocomplete: "new-password" })}
        ${refused(state.form)}
        <div class="actions"><button class="primary" data-testid="change-password" ?disabled=${state.busy}>${state.busy
          ? _("Changing the password…") : _("Change the password")}</button>
          <button type="button" data-testid="password-sign-out" @click=${() => ctx.signOut()}>${_("Sign out")}</button></div>
      </form>`;
  },
  after(root) {
    if (!state.focus) return;
    root.querySelector(state.focus)?.focus();
    state.focus = null;
  },
};
