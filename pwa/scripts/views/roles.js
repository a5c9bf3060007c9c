/** Who sees what. Other roles' screens need the server and load on first use (never offline). */
import { ApiError, OfflineError } from "../api.js";
import { _ } from "../i18n.js";
import { href, parseRoute } from "../router.js";
import { html } from "./common.js";

const has = (session, ...roles) => roles.some((role) => session?.user.roles.includes(role));
const plans = (session) => has(session, "admin", "audit_lead"); // the server's can_plan
const audits = (session) => has(session, "audit_lead", "auditor");
const reads = (session) => has(session, "admin", "audit_lead", "manager", "auditee");

/** A screen imported on first use, for the roles `allowed` lets in. */
function lazy(file, name, allowed) {
  let screen = null;
  return {
    async load(params, ctx) {
      if (!allowed(ctx.session)) throw new ApiError(403, "auth.forbidden", _("Your role does not open this screen."));
      try {
        screen ??= (await import(`/scripts/views/${file}.js`))[name]; // the import map names the hashed file
        return await screen.load(params, ctx);
      } catch (error) {
        if (!(error instanceof OfflineError || (!screen && error instanceof TypeError))) throw error;
        throw Object.assign(new OfflineError(), { message: _("This screen works with the server, and there is no connection now. Nothing on this tablet is lost; try again once connected.") });
      }
    },
    view: (data, ctx) => screen.view(data, ctx),
    after: (root) => screen?.after?.(root),
  };
}

export const ROLE_SCREENS = {
  lead: lazy("lead-audits", "auditList", plans), leadNew: lazy("lead-plan", "planEditor", plans),
  leadPlan: lazy("lead-plan", "planEditor", plans), leadAudit: lazy("lead-audit", "overview", plans),
  leadTeam: lazy("lead-team", "teamEditor", plans), leadProgress: lazy("lead-progress", "progress", plans),
  leadLate: lazy("late", "late", plans), read: lazy("reader", "readList", reads), readAudit: lazy("reader", "readAudit", reads),
};

/** The shell's links for this person's roles. */
export const roleLinks = (session) => [
  audits(session) && ["audits", _("My audits"), "nav-audits"],
  plans(session) && ["lead", _("Audit planning"), "nav-lead"],
  !plans(session) && reads(session) && ["read", _("Audits"), "nav-read"],
].filter(Boolean).map(([to, text, testid]) => html`<a href=${href(to)} data-testid=${testid}>${text}</a>`);

/** The home screen of someone who records no findings is the one their role reads. */
export const homeFor = (route, session) => (route.name !== "audits" || !session || audits(session) ? route
  : parseRoute(href(plans(session) ? "lead" : "read")));
