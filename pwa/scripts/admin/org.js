/** Organisation (issue 16), for admins and the audit lead: the unit tree, sites by province, processes and people, each a
 * part loaded on first use (`{load(ctx), view(data, ctx)}`), its list or, with `?edit=<id>|new`, its form. */
import { N_, _ } from "../i18n.js";
import { html } from "../views/common.js";
import { kit, link } from "./org-kit.js";

export { after } from "./org-kit.js";

const PARTS = [
  ["units", N_("Units"), () => import("./org-units.js")],
  ["sites", N_("Sites"), () => import("./org-sites.js")],
  ["processes", N_("Processes"), () => import("./org-processes.js")],
  ["people", N_("People"), () => import("./org-people.js")],
];

export async function load(ctx) {
  const [key, , module] = PARTS.find(([name]) => name === ctx.query.part) || PARTS[0];
  if (!ctx.query.edit) kit.form = null;
  kit.refusal = null;
  const part = await module();
  const data = await part.load(ctx);
  if (kit.pending) { // said once the screen is up (a new screen clears the last message)
    const message = kit.pending;
    kit.pending = null;
    setTimeout(() => ctx.notify(message));
  }
  return { key, part, data };
}

export const view = ({ key, part, data }, ctx) => html`<nav class="tabs" aria-label=${_("Parts of the organisation")}>${PARTS.map(([name, text]) => html`<a
  href=${link({ part: name })} data-testid=${"org-" + name} aria-current=${name === key ? "page" : "false"}>${_(text)}</a>`)}</nav>
  ${part.view(data, ctx)}`;
