/** The manager's programme: read it, then approve it, or return it to the audit lead saying why. */
import { _ } from "../i18n.js";
import { html, nothing } from "../views/common.js";
import { act, downloads, problemNote, programmeScreen, write } from "./parts.js";

const state = {};

function decision(data, ctx) {
  const p = data.programme;
  const decide = (what, done) => () => {
    state.missing = what === "return" && !state.reason.trim();
    if (state.missing) { state.focus = "#decision-comment"; return ctx.rerender(); }
    return act(ctx, state, what, async () => {
      data.programme = await write("POST", `${p.id}/${what}`, p.rev, { comment: state.reason.trim() });
      state.reason = "";
      ctx.notify(done);
    });
  };
  if (p.status !== "submitted") {
    return html`<p class="note" data-testid="no-decision">${p.status === "approved" ? _("Approved: its audits are planned.")
      : _("Nothing to decide: the audit lead is preparing this programme.")}</p>`;
  }
  return html`<form class="panel" novalidate @submit=${(e) => e.preventDefault()} data-testid="decision"><h2>${_("Your decision")}</h2>
    <label>${_("Comment (required to return it)")}<textarea id="decision-comment" rows="3" data-testid="comment" .value=${state.reason}
      aria-invalid=${state.missing ? "true" : nothing} aria-describedby=${state.missing ? "comment-error" : nothing}
      @input=${(e) => { state.reason = e.target.value; }}></textarea></label>
    ${state.missing ? html`<p class="note error" id="comment-error" data-testid="error-comment">${_("Say why it is returned: the audit lead reads it.")}</p>` : ""}
    ${problemNote(state.problem, ctx)}
    <div class="actions"><button type="button" class="primary" data-testid="approve" ?disabled=${Boolean(state.busy)}
      @click=${decide("approve", _("The programme is approved: its audits are planned."))}>${state.busy === "approve" ? _("Approving…") : _("Approve")}</button>
      <button type="button" class="danger" data-testid="return" ?disabled=${Boolean(state.busy)}
      @click=${decide("return", _("The programme is returned to the audit lead."))}>${_("Return it to the audit lead")}</button></div></form>`;
}

export const decide = programmeScreen("decide", state, (data, ctx) => html`${decision(data, ctx)}${downloads(data.programme, ctx)}`);
