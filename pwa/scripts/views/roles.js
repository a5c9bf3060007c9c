/** Who sees what, each screen imported on first use. Other roles' screens need the server. */
import { ApiError, OfflineError } from "../api.js";
import { _ } from "../i18n.js";
import { href, parseRoute } from "../router.js";
import { html } from "./common.js";

const has = (session, ...roles) => roles.some((role) => session?.user.roles.includes(role));
export const plans = (session) => has(session, "admin", "audit_lead"); // the server's can_plan
const audits = (session) => has(session, "audit_lead", "auditor");
const reads = (session) => has(session, "admin", "audit_lead", "manager", "auditee");

/** Screen `name` of views/`file`.js (else the module); `allowed`: only those roles, online. */
export function screen(file, name, allowed) {
  let shown = null;
  const module = () => import(`/scripts/views/${file}.js`).then((m) => (name ? m[name] : m));
  return {
    preload() { if (!allowed) module().catch(() => {}); },
    async load(params, ctx) {
      if (allowed && !allowed(ctx.session)) throw new ApiError(403, "auth.forbidden", _("Your role does not open this screen."));
      try {
        shown ??= await module();
        return await shown.load(params, ctx);
      } catch (error) {
        if (!allowed || !(error instanceof OfflineError || (!shown && error instanceof TypeError))) throw error;
        throw Object.assign(new OfflineError(), { message: _("This screen works with the server, and there is no connection now. Nothing on this tablet is lost; try again once connected.") });
      }
    },
    view: (data, ctx) => shown.view(data, ctx),
    after: (root) => shown?.after?.(root),
  };
}

const [audit, plan] = ["lead-audit", "lead-plan"].map((file) => (name) => screen(`../lead/${file}`, name, plans));
const planEditor = plan("planEditor");
const programmes = (s) => plans(s) || has(s, "manager");
const reviews = (s) => has(s, "audit_lead", "manager", "admin"); // the server's can_read_review
export const ROLE_SCREENS = {
  lead: audit("auditList"), leadNew: planEditor, leadPlan: planEditor, leadAudit: audit("overview"), leadTeam: plan("teamEditor"),
  leadProgress: audit("progress"), leadLate: audit("late"), read: screen("reader", "readList", reads), readAudit: screen("reader", "readAudit", Boolean),
  reports: screen("reader", "reports", Boolean), // the server says who reads an audit and its reports
  programmes: screen("../programme/parts", "programmeList", programmes), programme: screen("../programme/grid", "programme", programmes),
  mine: screen("../programme/mine", "mine", Boolean),
  ncs: screen("../actions/list", "ncList", Boolean), nc: screen("../actions/record", "ncRecord", Boolean), // read offline as last fetched
  review: screen("../review/dashboard", "review", reviews),
  admin: screen("../admin/hub", "admin", plans), password: screen("../admin/password", "password", Boolean),
};

export const roleLinks = (session) => [
  audits(session) && ["audits", _("My audits"), "nav-audits"],
  plans(session) && ["lead", _("Audit planning"), "nav-lead"],
  !plans(session) && reads(session) && ["read", _("Audits"), "nav-read"],
  programmes(session) && ["programmes", _("Audit programme"), "nav-programmes"],
  audits(session) && ["mine", _("My programme"), "nav-mine"],
  has(session, "auditee") && ["ncs", _("My unit's nonconformities"), "nav-nc-mine", "mine"],
  has(session, "auditor") && ["ncs", _("To verify"), "nav-nc-verify", "verify"],
  reviews(session) && ["ncs", _("Nonconformities"), "nav-nc-board", "all"],
  reviews(session) && ["review", _("Management review"), "nav-review"],
  plans(session) && ["admin", _("Administration"), "nav-admin"],
].filter(Boolean).map(([to, text, testid, view]) => html`<a href=${href(to, {}, view && { view })} data-testid=${testid}>${text}</a>`);

/** Someone who records no findings starts on what their role reads. */
export const homeFor = (route, session) => (session?.user.mustChangePassword ? parseRoute(href("password"))
  : route.name !== "audits" || !session || audits(session) ? route : parseRoute(href(plans(session) ? "lead" : "read")));
