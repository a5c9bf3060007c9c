/** The unit tree (general directorate → directorate → division → service) as nested lists, each unit a heading at its
 * depth; and a unit's form: code, kind, both names, the unit above it. */
import { N_, _ } from "../i18n.js";
import { html, label, localName } from "../views/common.js";
import { actions, archivedTag, binder, bodyOf, choicesOf, both, byCode, coded, formFor, frame, head, link, lists, shown } from "./org-kit.js";

const KINDS = { general_directorate: N_("General directorate"), directorate: N_("Directorate"), division: N_("Division"), service: N_("Service") };
const BELOW = { general_directorate: "directorate", directorate: "division", division: "service", service: "service" };

/** The children of a unit (`null`: the roots) by code; a unit whose parent is not among `units` is a root. */
const childrenOf = (units) => {
  const ids = new Set(units.map((u) => u.id));
  return (parent) => byCode(units.filter((u) => (ids.has(u.parentId) ? u.parentId : null) === parent));
};

/** `[unit, depth]` in tree order. */
export function treeOrder(units) {
  const kids = childrenOf(units), order = [];
  const walk = (parent, depth) => kids(parent).forEach((u) => { order.push([u, depth]); walk(u.id, depth + 1); });
  walk(null, 0);
  return order;
}

function branch(ctx, kids, unit, depth) {
  const under = kids(unit.id);
  const add = unit.archivedAt || unit.kind === "service" ? "" : html`<a class="button small" data-testid="add-sub-unit"
    href=${link({ part: "units", edit: "new", parent: unit.id })}>${_("Add a sub-unit")} <span class="visually-hidden">${unit.code}</span></a>`;
  return html`<li data-testid="unit" data-id=${unit.id} data-unit-code=${unit.code}>
    <div role="heading" aria-level=${Math.min(depth + 2, 6)}><span class="code">${unit.code}</span> ${both(unit.name)}
      <span class="tag">${label(KINDS, unit.kind)}</span>${archivedTag(unit)}</div>
    ${actions(ctx, "units", unit, add)}
    ${under.length ? html`<ul>${under.map((u) => branch(ctx, kids, u, depth + 1))}</ul>` : ""}</li>`;
}

function list(units, ctx) {
  const kids = childrenOf(shown("units", units));
  return html`${head(ctx, "units", _("Units"), _("The council's units, each under the one above it. A unit in use cannot be deleted: archive it instead."),
    _("New top-level unit"))}
    <ul aria-label=${_("Unit tree")} data-testid="unit-tree">${kids(null).map((u) => branch(ctx, kids, u, 0))}</ul>`;
}

function form(units, ctx) {
  const { edit, parent } = ctx.query;
  const unit = units.find((u) => u.id === edit), above = units.find((u) => u.id === parent);
  const f = formFor(`unit:${edit}:${parent}`, () => ({ code: "", kind: above ? BELOW[above.kind] : "directorate", name: { ar: "", fr: "" },
    ...structuredClone(unit), parentId: (unit ? unit.parentId : above?.id) || "" }));
  const { data } = f, mine = coded(data, units, unit?.id), { input, names, code } = binder(ctx, f, mine);
  const parents = treeOrder(units.filter((u) => !u.archivedAt || u.id === unit?.parentId));
  const skip = new Set();
  for (const [u] of parents) if (unit && (u.id === unit.id || skip.has(u.parentId))) skip.add(u.id); // itself and what is under it
  const heading = unit ? _("Unit %(code)s", { code: unit.code }) : above ? _("New unit under %(code)s", { code: above.code }) : _("New unit");
  return frame(ctx, f, mine, ["units", unit?.id], heading, html`${code()}
    ${input(_("Kind"), "kind", { choices: choicesOf(KINDS) })}${names()}
    ${input(_("Unit above it"), "parentId", { choices: [["", _("None: top of the tree")],
      ...parents.filter(([u]) => !skip.has(u.id)).map(([u, depth]) => [u.id, "— ".repeat(depth) + u.code + " · " + localName(u.name)])] })}`,
  () => ({ ...bodyOf(data, "code kind name"), parentId: data.parentId || null }));
}

export const load = () => lists("units");
export const view = ({ units }, ctx) => (ctx.query.edit ? form(units, ctx) : list(units, ctx));
