/** Strings from the server's catalogs, cached for offline use; Intl dates with Latin digits (Morocco). */
import { getMeta, setMeta } from "./db.js";

export const LANGUAGES = ["ar", "fr"];
let current = "fr";
let messages = {};
const listeners = new Set();

/** The translation of `msgid`, its `%(name)s` placeholders filled from `values`. */
export const _ = (msgid, values) => (values ? format(messages[msgid] || msgid, values) : messages[msgid] || msgid);
/** Marks a string for extraction; it is translated where shown, with `_()`. */
export const N_ = (msgid) => msgid;
/** Fill `%(name)s` placeholders; in Arabic each value is a bidi isolate (a Latin date or name stays whole). */
export const format = (text, values) => text.replace(/%\((\w+)\)s/g, (all, name) => {
  if (!(name in values)) return all;
  return current === "ar" ? `\u2068${values[name]}\u2069` : String(values[name]);
});
export const language = () => current;
const locale = () => (current === "ar" ? "ar-MA-u-nu-latn" : "fr-MA");

/** A date (`YYYY-MM-DD`, an RFC 3339 time or a Date); "" for none. */
export function formatDate(value, options = { dateStyle: "long" }) {
  if (!value) return "";
  const date = new Date(typeof value === "string" && value.length === 10 ? `${value}T12:00:00` : value);
  return new Intl.DateTimeFormat(locale(), options).format(date);
}
export const formatDateTime = (value) => formatDate(value, { dateStyle: "medium", timeStyle: "short" });
export const formatBytes = (bytes) => _("%(size)s MB", {
  size: new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(bytes / 1048576),
});

export const onLanguageChange = (listener) => listeners.add(listener);

async function fetchCatalog(lang) {
  const response = await fetch(`/api/v1/i18n/${lang}`, { signal: AbortSignal.timeout(10000) });
  if (!response.ok) throw new Error(`catalog ${lang}: ${response.status}`);
  const { messages: fresh } = await response.json();
  await setMeta(`catalog:${lang}`, fresh);
  return fresh;
}
/** Both catalogs, so that switching works offline later. */
export const cacheCatalogs = () => Promise.all(LANGUAGES.map(fetchCatalog));

function apply(lang, catalog) {
  current = lang;
  messages = catalog || {};
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === "ar" ? "rtl" : "ltr";
  document.title = _("Tadqiq — internal audits");
  for (const listener of listeners) listener();
}

/** Switch at once from the cached catalog (the network when none is cached), then refresh it. */
export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) lang = "fr";
  await setMeta("language", lang);
  const cached = await getMeta(`catalog:${lang}`);
  if (!cached) return apply(lang, await fetchCatalog(lang).catch(() => ({})));
  apply(lang, cached);
  fetchCatalog(lang).then((fresh) => {
    if (current === lang && JSON.stringify(fresh) !== JSON.stringify(cached)) apply(lang, fresh);
  }, () => {});
}

/** The language chosen on this tablet, else the browser's. */
export const startLanguage = async () => (await getMeta("language"))
  || (navigator.languages.some((tag) => tag.toLowerCase().startsWith("ar")) ? "ar" : "fr");
