/** An auditor's audits in the approved programmes, and a calendar subscription: a secret address shown once, revocable. */
import { describe, getJson, sendJson } from "../api.js";
import { _ } from "../i18n.js";
import { href } from "../router.js";
import { dots, facts, html, localName, named, roleName, standards } from "../views/common.js";
import { act, button, dates, people, problemNote } from "./parts.js";

const state = { link: null };

const link = (ctx, method) => () => act(ctx, state, method, async () => {
  state.link = await sendJson(method, "/api/v1/me/calendar-link");
  state.focus = Boolean(state.link);
  if (!state.link) ctx.notify(_("Your calendar link no longer works."));
});

function calendar(ctx) {
  const copy = () => navigator.clipboard.writeText(state.link.url).then(() => ctx.notify(_("Copied.")), (e) => ctx.notify(describe(e), true));
  return html`<section class="panel" data-testid="calendar"><h2>${_("My calendar")}</h2>
    <p>${_("Subscribe in your calendar app (Outlook, Google Calendar, your phone): changes to your audits reach it by themselves.")}</p>
    ${state.link ? html`<label>${_("Address to add to your calendar app")}<input id="calendar-url" readonly dir="ltr" data-testid="calendar-url"
      .value=${state.link.url} @focus=${(e) => e.target.select()}></label>
      <p class="note warn">${_("Shown only now. Keep it to yourself: anyone with it sees your audits. A new link stops this one.")}</p>` : ""}
    ${problemNote(state.problem, ctx)}<div class="actions">${state.link ? html`<button type="button" data-testid="copy-link" @click=${copy}>${_("Copy")}</button>` : ""}
      ${button(state, "subscribe", link(ctx, "POST"), _("Subscribe in my calendar"), { kind: "primary" })}
      ${button(state, "revoke-link", link(ctx, "DELETE"), _("Revoke my calendar link"), { kind: "danger" })}</div></section>`;
}

function entry(e, persons) {
  const rows = [[_("Dates"), dates(e)], [_("Standards"), standards(e.standards)], [_("My role"), roleName(e)],
    [_("Team"), dots(e.teamIds.map((id) => named(persons, id, "fullName")))], [_("Audit"), e.auditId && html`<a href=${href("plan", { auditId: e.auditId })}>${_("Open it")}</a>`]];
  return html`<article class="card" data-testid="my-entry" data-entry-id=${e.entryId}><h2><span class="code">${e.processCode}</span>
    ${localName(e.processName)}</h2>${facts(rows)}</article>`;
}

export const mine = {
  async load() {
    state.link = null; // shown once: gone when the screen is left or reloaded
    const [entries, persons] = await Promise.all([getJson("/api/v1/me/programme"), people()]);
    return { entries: entries.sort((a, b) => a.start.localeCompare(b.start)), persons };
  },
  view: ({ entries, persons }, ctx) => html`<h1>${_("My programme")}</h1>${calendar(ctx)}${entries.length
    ? html`<div class="cards">${entries.map((e) => entry(e, persons))}</div>` : html`<p class="note" data-testid="my-none">${_("No approved programme names you yet.")}</p>`}`,
  after(root) {
    if (state.focus) root.querySelector("#calendar-url")?.focus();
    state.focus = false;
  },
};
