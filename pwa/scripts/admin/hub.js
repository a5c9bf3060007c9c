/** Administration (issue 16): the sections a role may open, each a module of this group loaded on first use.
 * A section is `{ load(ctx), view(data, ctx), after?(root, ctx) }`; `ctx.query` carries its own state (`view`, filters, page). */
import { N_, _ } from "../i18n.js";
import { href } from "../router.js";
import { html } from "../views/common.js";

/** Key, heading, the roles that open it (the server's policies: can_admin_accounts, can_edit_org, can_edit_checklists,
 * can_read_trail), and its module. */
export const SECTIONS = [
  ["accounts", N_("Accounts"), ["admin"], () => import("./accounts.js")],
  ["org", N_("Organisation"), ["admin", "audit_lead"], () => import("./org.js")],
  ["checklist", N_("Checklist"), ["admin", "audit_lead"], () => import("./checklist.js")],
  ["trail", N_("Audit trail"), ["admin", "audit_lead"], () => import("./trail.js")],
];

export const sectionsFor = (session) => SECTIONS.filter(([, , roles]) => roles.some((r) => session?.user.roles.includes(r)));

/** The section named by `?view=`, else the first the role opens. */
const chosen = (ctx) => {
  const open = sectionsFor(ctx.session);
  return open.find(([key]) => key === ctx.query.view) || open[0];
};

let current = null;
export const admin = {
  async load(params, ctx) {
    const [key, , , module] = chosen(ctx);
    const section = (current = await module());
    return { key, section, data: await section.load(ctx) };
  },
  view: ({ key, section, data }, ctx) => html`<nav class="tabs" aria-label=${_("Administration sections")}>${sectionsFor(ctx.session).map(
    ([name, text]) => html`<a href=${href("admin", {}, { view: name })} data-testid=${`admin-${name}`} aria-current=${name === key ? "page" : "false"}>${_(text)}</a>`)}</nav>
    ${section.view(data, ctx)}`,
  after: (root) => current?.after?.(root),
};
