// Hash routes: the server serves one page.
const [AUDIT, LEAD] = ["/audit/:auditId", "/lead/:auditId"];
const ROUTES = {
  audits: "/", device: "/device", plan: AUDIT, checklist: `${AUDIT}/checklist`, question: `${AUDIT}/question/:questionId`,
  findings: `${AUDIT}/findings`, finding: `${AUDIT}/finding/:findingId`, opening: `${AUDIT}/opening`, closing: `${AUDIT}/closing`,
  conflicts: `${AUDIT}/conflicts`, history: `${AUDIT}/history/:findingId`, lead: "/lead", leadNew: "/lead/new", leadAudit: LEAD,
  leadPlan: `${LEAD}/plan`, leadTeam: `${LEAD}/team`, leadProgress: `${LEAD}/progress`, leadLate: `${LEAD}/late`,
  read: "/read", readAudit: "/read/:auditId", reports: `${AUDIT}/reports`, programmes: "/programmes", programme: "/programmes/:programmeId",
  mine: "/my-programme", ncs: "/nc", nc: "/nc/:ncId", review: "/review",
  admin: "/admin", password: "/password",
};

export function parseRoute(hash) {
  const [path, search = ""] = (hash.replace(/^#/, "") || "/").split("?");
  const segments = path.split("/").filter(Boolean);
  for (const [name, pattern] of Object.entries(ROUTES)) {
    const wanted = pattern.split("/").filter(Boolean);
    const params = {};
    if (wanted.length === segments.length && wanted.every((part, i) => (part.startsWith(":")
      ? (params[part.slice(1)] = decodeURIComponent(segments[i])) : part === segments[i]))) {
      return { name, params, query: Object.fromEntries(new URLSearchParams(search)) };
    }
  }
  return { name: "audits", params: {}, query: {} };
}

export function href(name, params = {}, query = {}) {
  const search = new URLSearchParams(query).toString();
  return `#${ROUTES[name].replace(/:(\w+)/g, (all, key) => encodeURIComponent(params[key]))}${search ? `?${search}` : ""}`;
}
