/** Conflicts: mine beside the server's, keep one or merge (the other stays in history). */
import { describe } from "../api.js";
import { differs, mergeFields } from "../auditLogic.js";
import { _, formatDateTime } from "../i18n.js";
import { resolveConflict } from "../outbox.js";
import { auditRecords } from "../packages.js";
import { DEGREES, FIELDS, STANDARDS, VERDICTS, auditView, clauseRef, dots, heads, html, label } from "./common.js";

const SHOWN = {
  verdict: (v) => label(VERDICTS, v), heldAt: formatDateTime, clauseRefs: (v) => dots(v.map(clauseRef)),
  attachments: (v) => _("Photos: %(count)s", { count: v.length }), attendees: (v) => dots(v.map((a) => a.name)),
  degrees: (v) => dots(v.map((d) => `${STANDARDS[d.standard]}: ${label(DEGREES, d.degree)}`)), signatures: (v) => dots(v.map((s) => s.signerName)),
};
const choices = new Map();
const shown = (field, value) => (value == null || value.length === 0 ? _("(empty)") : (SHOWN[field] || String)(value));

export const load = ({ auditId }) => auditRecords(auditId);

function subject({ entity, mine, server }) {
  const data = mine.data || server.data || {};
  if (entity === "meeting") return data.kind === "opening" ? _("Opening meeting") : _("Closing meeting");
  if (entity === "conclusion") return _("Conclusions");
  return data.questionId ? _("Question %(code)s", { code: data.questionId }) : _("Finding tied to no question");
}

function card(conflict, ctx) {
  const { id, entity, server } = conflict;
  const fields = Object.keys(FIELDS[entity]);
  const mine = conflict.mine.deleted ? null : conflict.mine.data;
  const theirs = server.deleted ? null : server.data;
  const picked = choices.get(id) || {};
  const resolve = async (resolution) => {
    try {
      await resolveConflict(conflict, resolution);
      choices.delete(id);
      ctx.notify(_("Conflict resolved. Your choice goes to the server with the next sync."));
    } catch (error) {
      ctx.notify(describe(error), true);
    }
    ctx.reload();
  };
  return html`<article class="card" data-testid="conflict"><h2>${subject(conflict)}</h2>
    <p class="muted">${_("Server version by %(author)s, %(time)s", { author: server.author, time: formatDateTime(server.updatedAt) })}</p>
    ${mine ? "" : html`<p class="note">${_("You deleted it on this tablet.")}</p>`}
    ${theirs ? "" : html`<p class="note">${_("It was deleted on the server.")}</p>`}
    <table>${heads(_("Field"), _("Mine"), _("On the server"))}<tbody>${fields.filter((f) => differs(mine?.[f], theirs?.[f])).map((field) => html`<tr>
      <th scope="row">${_(FIELDS[entity][field])}</th>${[["mine", mine], ["theirs", theirs]].map(([side, data]) => html`<td><label class="choice"><input
        type="radio" name=${`${id}-${field}`} .checked=${(picked[field] || "mine") === side} ?disabled=${!mine || !theirs}
        @change=${() => choices.set(id, { ...choices.get(id), [field]: side })}><span>${shown(field, data?.[field])}</span></label></td>`)}</tr>`)}
    </tbody></table>
    <div class="actions"><button data-testid="keep-mine" @click=${() => resolve(mine ? { data: mine } : { deleted: true })}>${_("Keep mine")}</button>
      <button data-testid="keep-theirs" @click=${() => resolve({ keep: "theirs" })}>${_("Keep the server's")}</button>
      ${mine && theirs ? html`<button class="primary" data-testid="merge"
        @click=${() => resolve({ data: mergeFields(mine, theirs, fields, choices.get(id) || {}) })}>${_("Merge as chosen")}</button>` : ""}</div></article>`;
}

export const view = auditView("conflicts", () => _("Conflicts"), (data, ctx) => (data.conflicts.length
  ? html`<p>${_("These changes of yours met a newer version on the server. Choose what to keep: the other version stays in the server's history.")}</p>
    ${data.conflicts.map((c) => card(c, ctx))}` : html`<p data-testid="no-conflicts">${_("No conflict to resolve.")}</p>`));
