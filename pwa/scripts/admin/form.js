/** What the admin sections share: fields that show their problem beside them (checked as the user types, then the
 * server's refusal on the field it names), a refusal's message, and paging. Pure helpers are exported for tests. */
import { ApiError, describe } from "../api.js";
import { _ } from "../i18n.js";
import { html, nothing } from "../views/common.js";

/** The last name of a server field path: "body.names.ar" → "ar", "$.roles[1]" → "roles". */
export const fieldName = (path) => /(\w+)(\[\d+\])?$/.exec(String(path || ""))?.[1] || "";

/** `{field: message}` from a refusal's details (`[{field, message}]` or `{field, message}`), and `form` for the rest. */
export function refusal(error, known = []) {
  const found = {};
  if (!(error instanceof ApiError)) return { form: describe(error) };
  for (const detail of [error.details].flat().filter(Boolean)) {
    const name = fieldName(detail.field);
    if (known.includes(name) && !found[name]) found[name] = detail.message || error.message;
  }
  return Object.keys(found).length ? found : { form: error.message };
}

/** A labelled input with its problem beside it (`aria-invalid`, `aria-describedby`); `choices`: a select of `[value, text]`;
 * `autocomplete`: the input's token (e.g. "new-password"). */
export function field(text, name, value, { problem, type = "text", required, choices, lang, testid, input, hint, area, autocomplete } = {}) {
  const id = `f-${name}`, said = problem ? `${id}-problem` : hint ? `${id}-hint` : nothing;
  const common = { id, name, testid: testid || `field-${name}` };
  const control = choices ? html`<select id=${id} name=${name} data-testid=${common.testid} aria-invalid=${problem ? "true" : "false"}
      aria-describedby=${said} ?required=${required} @change=${input}>${choices.map(([v, t]) => html`<option value=${v} ?selected=${v === value}>${t}</option>`)}</select>`
    : area ? html`<textarea id=${id} name=${name} rows="3" lang=${lang || nothing} dir=${lang === "ar" ? "rtl" : nothing} data-testid=${common.testid}
      aria-invalid=${problem ? "true" : "false"} aria-describedby=${said} ?required=${required} .value=${value ?? ""} @input=${input}></textarea>`
    : html`<input id=${id} name=${name} type=${type} autocomplete=${autocomplete || nothing} lang=${lang || nothing} dir=${lang === "ar" ? "rtl" : nothing} data-testid=${common.testid}
      aria-invalid=${problem ? "true" : "false"} aria-describedby=${said} ?required=${required} .value=${value ?? ""} @input=${input}>`;
  return html`<div class="field"><label for=${id}>${text}${required ? html` <span class="req">${_("(required)")}</span>` : ""}</label>${control}
    ${problem ? html`<p class="note error" id=${`${id}-problem`} data-testid=${`${common.testid}-problem`}>${problem}</p>`
      : hint ? html`<p class="muted" id=${`${id}-hint`}>${hint}</p>` : ""}</div>`;
}

/** A form-wide refusal, announced. */
export const refused = (message) => (message ? html`<p class="note error" role="alert" data-testid="refusal">${message}</p>` : "");

/** Page `page` (from 1) of `rows`, `size` a page; `pages` at least 1. */
export const pageOf = (rows, page, size = 25) => {
  const pages = Math.max(1, Math.ceil(rows.length / size)), at = Math.min(Math.max(1, page || 1), pages);
  return { rows: rows.slice((at - 1) * size, at * size), page: at, pages, total: rows.length };
};

/** Previous / next links for a page of `pages`, `to(page)` giving the link. */
export const pager = ({ page, pages, total }, to) => html`<nav class="pager" aria-label=${_("Pages")} data-testid="pager">
  ${page > 1 ? html`<a href=${to(page - 1)} data-testid="page-previous">${_("Previous page")}</a>` : ""}
  <span>${_("Page %(page)s of %(pages)s (%(total)s in all)", { page, pages, total })}</span>
  ${page < pages ? html`<a href=${to(page + 1)} data-testid="page-next">${_("Next page")}</a>` : ""}</nav>`;
