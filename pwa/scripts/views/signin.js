/** Sign in, also when a session ends (nothing on the tablet is lost). */
import { _ } from "../i18n.js";
import { href } from "../router.js";
import { html, nothing } from "./common.js";

let error = "";
let busy = false;

export function signInView(ctx) {
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    [busy, error] = [true, ""];
    ctx.rerender();
    try {
      await ctx.signIn(String(form.get("username")).trim(), String(form.get("password")));
    } catch (failure) {
      error = failure.message;
    }
    busy = false;
    ctx.rerender();
  };
  return html`<section class="signin"><h1>${_("Sign in")}</h1>
    ${ctx.expired ? html`<p class="note warn">${_("Your session has ended. Sign in again to send your work: nothing is lost.")}</p>
      <p><a href=${href("device")}>${_("This tablet: export the unsynced work")}</a></p>` : nothing}
    <form @submit=${submit} data-testid="signin-form">
      <label>${_("User name")}<input name="username" autocomplete="username" autocapitalize="none" required .value=${ctx.username || ""}></label>
      <label>${_("Password")}<input name="password" type="password" autocomplete="current-password" required></label>
      ${error ? html`<p class="note error" role="alert" data-testid="signin-error">${error}</p>` : nothing}
      <button class="primary" ?disabled=${busy}>${busy ? _("Signing in…") : _("Sign in")}</button>
    </form></section>`;
}
