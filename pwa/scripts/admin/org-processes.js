/** The auditable processes (owner unit, sites, standards, criticality), and a process's form. A process an audit or a
 * finding uses cannot be deleted: the server says so and the row offers to archive it instead. */
import { N_, _ } from "../i18n.js";
import { STANDARDS, byId, dots, facts, html, label, localName, named, standards } from "../views/common.js";
import { CHOOSE, actions, active, archivedTag, binder, bodyOf, choicesOf, both, byCode, coded, formFor, frame, head, lists, shown } from "./org-kit.js";

const CRITICALITY = { low: N_("Low"), medium: N_("Medium"), high: N_("High") };

const card = (ctx, process, units, sites) => html`<li class="card" data-testid="process" data-id=${process.id} data-process-code=${process.code}>
  <h2><span class="code">${process.code}</span> ${both(process.name)}${archivedTag(process)}</h2>
  ${facts([[_("Owner unit"), named(units, process.ownerUnitId)], [_("Standards"), standards(process.standards)],
    [_("Criticality"), label(CRITICALITY, process.criticality)], [_("Sites"), dots(process.siteIds.map((id) => named(sites, id)))]])}
  ${actions(ctx, "processes", process)}</li>`;

const list = ({ processes, units, sites }, ctx) => html`${head(ctx, "processes", _("Processes"),
  _("A process in use cannot be deleted and is archived instead."), _("New process"))}
  <ul class="members">${byCode(shown("processes", processes)).map((p) => card(ctx, p, byId(units), byId(sites)))}</ul>`;

function form({ processes, units, sites }, ctx) {
  const process = processes.find((p) => p.id === ctx.query.edit);
  const f = formFor(`process:${ctx.query.edit}`, () => structuredClone(process
    || { code: "", name: { ar: "", fr: "" }, ownerUnitId: "", standards: [], criticality: "medium", siteIds: [], tags: [] }));
  const { data } = f, mine = coded(data, processes, process?.id), { input, names, picks, code } = binder(ctx, f, mine);
  if (!data.ownerUnitId) mine.ownerUnitId = CHOOSE;
  if (!data.standards.length) mine.standards = N_("Choose at least one standard.");
  const owners = byCode(active(units, process?.ownerUnitId)).map((u) => [u.id, `${u.code} · ${localName(u.name)}`]);
  const usable = byCode(sites.filter((s) => !s.archivedAt || data.siteIds.includes(s.id)));
  return frame(ctx, f, mine, ["processes", process?.id], process ? _("Process %(code)s", { code: process.code }) : _("New process"), html`${code()}${names()}
    ${input(_("Owner unit"), "ownerUnitId", { required: true, choices: [["", _("Choose a unit")], ...owners] })}
    ${picks(_("Standards"), "standards", Object.entries(STANDARDS))}
    ${input(_("Criticality"), "criticality", { choices: choicesOf(CRITICALITY) })}
    ${picks(_("Sites"), "siteIds", usable.map((s) => [s.id, s.code + " · " + localName(s.name)]))}`,
  () => bodyOf(data, "code name ownerUnitId standards criticality siteIds tags")); // tags: kept as they were
}

export const load = () => lists("processes", "units", "sites");
export const view = (data, ctx) => (ctx.query.edit ? form(data, ctx) : list(data, ctx));
