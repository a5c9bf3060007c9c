/** An audit's plan, from the offline package. */
import { _ } from "../i18n.js";
import { auditRecords } from "../packages.js";
import { auditView, clauseRef, dots, html, list, localName, packageFacts } from "./common.js";

export const load = ({ auditId }) => auditRecords(auditId);

export const view = auditView("plan", ({ pkg }) => `${pkg.audit.code} — ${localName(pkg.audit.title)}`, ({ pkg }) => {
  const { audit } = pkg;
  return html`<section class="panel"><h2>${_("Scope")}</h2>${packageFacts(pkg, [
    [_("Clauses"), audit.clauses.length ? dots(audit.clauses.map(clauseRef)) : _("Every clause of the standards")]])}
      <h2>${_("Objectives")}</h2><p class="text">${audit.objectives || _("Not set")}</p>
      <h2>${_("Criteria")}</h2>${list(audit.criteria)}
    </section>
    <section class="panel"><h2>${_("Audit team")}</h2>
      ${list(pkg.team.map((m) => html`${localName(m.fullName)} <span class="muted">(${m.role === "lead" ? _("Lead auditor") : _("Auditor")})</span>`))}
      <h2>${_("Auditees")}</h2>${list(pkg.auditees.map((p) => localName(p.fullName)))}
    </section>
    <section class="panel"><h2>${_("Agenda")}</h2><p class="text">${audit.agenda || _("Not set")}</p></section>`;
});
