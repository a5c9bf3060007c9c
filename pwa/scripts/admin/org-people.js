/** People: a list searched and filtered by unit and qualification, a page at a time; and a person's form with their unit,
 * lead-auditor flag, qualifications per standard (since when, which training) and unavailability periods. */
import { N_, _, formatDate } from "../i18n.js";
import { STANDARDS, byId, dots, facts, html, localName, named } from "../views/common.js";
import { pageOf } from "./form.js";
import { CHOOSE, REQUIRED, actions, active, archivedTag, binder, bodyOf, both, byCode, filled, formFor, frame, head, kit, lists, shown } from "./org-kit.js";

const qualified = (p) => dots((p.qualifications || []).map((q) => _("%(standard)s since %(date)s", { standard: STANDARDS[q.standard], date: formatDate(q.since) })));
const away = (p) => dots((p.availability || []).filter((a) => !a.available).map((a) => `${formatDate(a.start)} – ${formatDate(a.end)}`));
const unitChoices = (units) => byCode(units).map((u) => [u.id, `${u.code} · ${localName(u.name)}`]);

/** The people `filters` keep: `q` in either name, the e-mail or the user name; `unit`; `standard` qualified for. */
export const matching = (people, { q = "", unit = "", standard = "" }) => {
  const words = q.trim().toLowerCase();
  return people.filter((p) => (!unit || p.unitId === unit) && (!standard || p.qualifications?.some((x) => x.standard === standard))
    && (!words || [p.fullName.ar, p.fullName.fr, p.email, p.username].some((t) => t?.toLowerCase().includes(words))));
};

const card = (ctx, person, units) => html`<li class="card" data-testid="person" data-id=${person.id}>
  <h2>${both(person.fullName)}${archivedTag(person)}</h2>
  ${facts([[_("Unit"), named(units, person.unitId)], [_("Job title"), localName(person.jobTitle)], [_("Qualifications"), qualified(person)],
    [_("Lead auditor"), person.leadAuditor && _("Yes")], [_("User name"), person.username], [_("Unavailable"), away(person)]])}
  ${actions(ctx, "people", person)}</li>`;

function list({ people, units }, ctx) {
  const filters = (kit.filters.people ||= { page: 1 });
  const change = (key) => (e) => { Object.assign(filters, { [key]: e.target.value, page: 1 }); ctx.rerender(); };
  const found = pageOf(matching(byCode(shown("people", people)), filters), filters.page, 10);
  const filter = (text, key, testid, all, choices) => html`<label>${text}<select data-testid=${testid} @change=${change(key)}><option value="">${all}</option>
    ${choices.map(([v, t]) => html`<option value=${v} ?selected=${v === filters[key]}>${t}</option>`)}</select></label>`;
  const turn = (page, text, testid) => html`<button type="button" data-testid=${testid}
    @click=${() => { filters.page = page; kit.focus = "[data-testid=people-found]"; ctx.rerender(); }}>${text}</button>`;
  return html`${head(ctx, "people", _("People"), "", _("New person"))}
    <div class="filters" role="search"><label>${_("Search by name, e-mail or user name")}<input type="search" data-testid="people-search"
      .value=${filters.q || ""} @input=${change("q")}></label>${filter(_("Unit"), "unit", "people-unit", _("All units"), unitChoices(units))}
      ${filter(_("Qualified for"), "standard", "people-standard", _("Any standard"), Object.entries(STANDARDS))}</div>
    <p role="status" tabindex="-1" data-testid="people-found">${_("Page %(page)s of %(pages)s (%(total)s in all)", found)}</p>
    <ul class="members">${found.rows.map((p) => card(ctx, p, byId(units)))}</ul>
    <nav class="pager" aria-label=${_("Pages")}>${found.page > 1 ? turn(found.page - 1, _("Previous page"), "page-previous") : ""}
      ${found.page < found.pages ? turn(found.page + 1, _("Next page"), "page-next") : ""}</nav>`;
}

/** The list at `name` of the form, a panel per item with its `fields(i)`, a Remove button each and one to add `make(items)`. */
function rows(ctx, f, name, [legend, intro, empty, addText], make, fields) {
  const items = f.data[name];
  const added = "[data-testid=add-" + name + "]", next = "#f-" + name + "-" + items.length + (name === "qualifications" ? "-standard" : "-start");
  const change = (focus, fn) => () => { fn(); f.server = {}; kit.focus = focus; ctx.rerender(); };
  return html`<fieldset data-testid=${"field-" + name}><legend>${legend}</legend><p class="muted">${items.length ? intro : empty}</p>
    ${items.map((item, i) => html`<div class="panel" data-testid=${name}>${fields(i)}<button type="button" class="small danger" data-testid="remove"
      @click=${change(added, () => items.splice(i, 1))}>${_("Remove")} <span class="visually-hidden">${legend} ${i + 1}</span></button></div>`)}
    <button type="button" data-testid=${"add-" + name} ?disabled=${name === "qualifications" && items.length >= 3}
      @click=${change(next, () => items.push(make(items)))}>${addText}</button></fieldset>`;
}

function check(data) {
  const mine = {};
  filled(mine, data, "fullName-ar", "fullName-fr");
  if (!data.unitId) mine.unitId = CHOOSE;
  if (data.email.trim() && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(data.email.trim())) mine.email = N_("An e-mail address such as name@example.ma, or nothing.");
  data.qualifications.forEach((q, i) => {
    if (!q.since) mine[`qualifications-${i}-since`] = REQUIRED;
    if (data.qualifications.findIndex((o) => o.standard === q.standard) < i) mine[`qualifications-${i}-standard`] = N_("A standard can appear only once in a person's qualifications.");
  });
  data.availability.forEach((a, i) => {
    filled(mine, data, `availability-${i}-start`, `availability-${i}-end`);
    if (a.start && a.end && a.end < a.start) mine[`availability-${i}-end`] = N_("A period must end on or after the day it starts.");
  });
  return mine;
}

function form({ people, units }, ctx) {
  const person = people.find((p) => p.id === ctx.query.edit);
  const f = formFor(`person:${ctx.query.edit}`, () => ({ fullName: { ar: "", fr: "" }, unitId: "", jobTitle: { ar: "", fr: "" }, leadAuditor: false,
    ...structuredClone(person), email: person?.email || "", qualifications: structuredClone(person?.qualifications || []),
    availability: structuredClone(person?.availability || []) }));
  const mine = check(f.data), { input, tick, names } = binder(ctx, f, mine), choices = Object.entries(STANDARDS);
  const qualification = (i, at = (key) => "qualifications-" + i + "-" + key) => html`<div class="pair">${input(_("Standard"), at("standard"), { choices })}
    ${input(_("Qualified since"), at("since"), { type: "date", required: true })}${input(_("Training"), at("training"))}</div>`;
  const period = (i, at = (key) => "availability-" + i + "-" + key) => html`<div class="pair">${input(_("From"), at("start"), { type: "date", required: true })}
    ${input(_("To"), at("end"), { type: "date", required: true })}${input(_("Reason"), at("note"))}</div>
    ${tick(_("Available in this period (a declared availability, not an absence)"), at("available"))}`;
  return frame(ctx, f, mine, ["people", person?.id], person ? localName(person.fullName) : _("New person"), html`${names("fullName")}
    ${input(_("Unit"), "unitId", { required: true, choices: [["", _("Choose a unit")], ...unitChoices(active(units, person?.unitId))] })}
    ${input(_("E-mail"), "email", { type: "email" })}
    <div class="pair">${input(_("Job title in Arabic"), "jobTitle-ar", { lang: "ar" })}${input(_("Job title in French"), "jobTitle-fr", { lang: "fr" })}</div>
    ${tick(_("Lead auditor: may lead an audit team"), "leadAuditor")}
    ${rows(ctx, f, "qualifications", [_("Qualifications"), _("One per standard: the person may audit for it from that date."), _("No qualification yet."),
      _("Add a qualification")], (items) => ({ standard: choices.find(([k]) => !items.some((q) => q.standard === k))[0], since: "", training: "" }), qualification)}
    ${rows(ctx, f, "availability", [_("Unavailability periods"), _("Leave, missions or training: the programme plans no audit for the person then."),
      _("No period recorded."), _("Add a period")], () => ({ start: "", end: "", available: false, note: "" }), period)}`,
  () => bodyOf(f.data, "fullName unitId email jobTitle leadAuditor qualifications availability"));
}

export const load = () => lists("people", "units");
export const view = (data, ctx) => (ctx.query.edit ? form(data, ctx) : list(data, ctx));
