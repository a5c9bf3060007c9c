/** What the checklist's parts share: the server's checklist and clause trees fetched once, search folding, paging. */
import { getJson } from "../api.js";
import { _, language } from "../i18n.js";
import { html } from "../views/common.js";

const cache = {}; // the composed checklist per language, the clause trees: fetched once, dropped after a change
export const standardsTree = async () => (cache.standards ??= await getJson("/api/v1/standards"));
export const composed = async (lang) => (cache[lang] ??= await getJson(`/api/v1/checklists?lang=${lang}`));
export const forget = () => { delete cache.ar; delete cache.fr; };

/** Accents and Arabic vowel marks left out, lower case: "Délai" finds "delai". */
export const fold = (text) => String(text || "").normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

export const otherLanguage = () => (language() === "ar" ? "fr" : "ar");
export const dirOf = (lang) => (lang === "ar" ? "rtl" : "ltr");

/** Previous / next buttons for a page of `pages` (from pageOf); `go(page)` shows another. */
export const pageButtons = ({ page, pages, total }, go) => (pages > 1 ? html`<nav class="pager" aria-label=${_("Pages")} data-testid="pager">
  <button type="button" class="small" ?disabled=${page <= 1} data-testid="page-previous" @click=${() => go(page - 1)}>${_("Previous page")}</button>
  <span>${_("Page %(page)s of %(pages)s (%(total)s in all)", { page, pages, total })}</span>
  <button type="button" class="small" ?disabled=${page >= pages} data-testid="page-next" @click=${() => go(page + 1)}>${_("Next page")}</button></nav>` : "");

