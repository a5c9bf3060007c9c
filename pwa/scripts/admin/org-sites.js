/** Sites grouped by province (in the organisation's order), and a site's form. */
import { getJson } from "../api.js";
import { N_, _ } from "../i18n.js";
import { html, label, localName } from "../views/common.js";
import { CHOOSE, actions, archivedTag, binder, bodyOf, choicesOf, both, byCode, coded, formFor, frame, head, lists, shown } from "./org-kit.js";

const KINDS = { head_office: N_("Head office"), annex: N_("Annex"), provincial_office: N_("Provincial office"), works_site: N_("Works site"), facility: N_("Facility") };

/** `[code, name, sites]` in the organisation's order, then provinces it does not list; none without sites. */
export function byProvince(sites, provinces) {
  const named = new Map(provinces.map((p) => [p.code, localName(p.name)]));
  const codes = [...named.keys(), ...[...new Set(sites.map((s) => s.province))].filter((c) => !named.has(c)).sort()];
  return codes.map((code) => [code, named.get(code) || code, byCode(sites.filter((s) => s.province === code))]).filter(([, , found]) => found.length);
}

const card = (ctx, site) => html`<li class="card" data-testid="site" data-id=${site.id}>
  <h3><span class="code">${site.code}</span> ${both(site.name)}${archivedTag(site)}</h3>
  <p class="muted">${label(KINDS, site.kind)}${site.address ? html` · <bdi>${site.address}</bdi>` : ""}</p>${actions(ctx, "sites", site)}</li>`;

const list = ({ sites, profile }, ctx) => html`${head(ctx, "sites", _("Sites"),
  _("The council's sites by province. A site in use cannot be deleted: archive it instead."), _("New site"))}
  ${byProvince(shown("sites", sites), profile.provinces).map(([code, name, found]) => html`<section data-testid="province" data-province=${code}>
    <h2>${name} <span class="muted">(${found.length})</span></h2><ul class="members">${found.map((site) => card(ctx, site))}</ul></section>`)}`;

function form({ sites, profile }, ctx) {
  const site = sites.find((s) => s.id === ctx.query.edit);
  const f = formFor(`site:${ctx.query.edit}`, () => structuredClone(site || { code: "", kind: "head_office", province: "", name: { ar: "", fr: "" }, address: "" }));
  const { data } = f, mine = coded(data, sites, site?.id), { input, names, code } = binder(ctx, f, mine);
  if (!data.province) mine.province = CHOOSE;
  const provinces = profile.provinces.map((p) => [p.code, localName(p.name)]);
  return frame(ctx, f, mine, ["sites", site?.id], site ? _("Site %(code)s", { code: site.code }) : _("New site"), html`${code()}
    ${input(_("Kind"), "kind", { choices: choicesOf(KINDS) })}
    ${input(_("Province"), "province", { required: true, choices: provinces.length ? [["", _("Choose a province")], ...provinces] : undefined })}
    ${names()}${input(_("Address"), "address")}`,
  () => bodyOf(data, "code kind province name address"));
}

export const load = async () => ({ ...(await lists("sites")), profile: await getJson("/api/v1/organisation") });
export const view = (data, ctx) => (ctx.query.edit ? form(data, ctx) : list(data, ctx));
