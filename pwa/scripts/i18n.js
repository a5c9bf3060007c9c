// The server's catalogs, cached offline; dates with Latin digits (as in Morocco).
import { getMeta, setMeta } from "./db.js";

export const LANGUAGES = ["ar", "fr"];
export const ENDONYMS = { ar: "العربية", fr: "Français" }; // never translated
let current = "fr", messages = {};
const listeners = new Set();

export const _ = (msgid, values) => (values ? format(messages[msgid] || msgid, values) : messages[msgid] || msgid);
export const N_ = (msgid) => msgid;
// in Arabic each value is a bidi isolate: a Latin date or name stays whole
export const format = (text, values) => text.replace(/%\((\w+)\)s/g, (all, name) => (!(name in values) ? all
  : current === "ar" ? `\u2068${values[name]}\u2069` : String(values[name])));
export const language = () => current;
const locale = () => (current === "ar" ? "ar-MA-u-nu-latn" : "fr-MA");

const formats = {}; // once per locale: the first costs 50–150 ms on a tablet
const made = (Format, options) => (formats[Format.name + locale() + JSON.stringify(options)] ??= new Format(locale(), options));

export const formatDate = (value, time) => (value ? made(Intl.DateTimeFormat, time ? { dateStyle: "medium", timeStyle: "short" }
  : { dateStyle: "long" }).format(new Date(value.length === 10 ? `${value}T12:00:00` : value)) : "");
export const formatDateTime = (value) => formatDate(value, true);
export const formatBytes = (bytes) => _("%(size)s MB", { size: made(Intl.NumberFormat, { maximumFractionDigits: 1 }).format(bytes / 1048576) });

export const onLanguageChange = (listener) => listeners.add(listener);
// no zone: `2026-12-03T09:58:12.000`
export const localIso = (date) => new Date(date - date.getTimezoneOffset() * 60000).toISOString().slice(0, -1);

// stored unless the same as `cached` (then null)
async function fetchCatalog(lang, cached) {
  const response = await fetch(`/api/v1/i18n/${lang}`, { signal: AbortSignal.timeout(10000) });
  if (!response.ok) throw new Error(`catalog ${lang}: ${response.status}`);
  const { messages: fresh } = await response.json();
  if (JSON.stringify(fresh) === JSON.stringify(cached)) return null;
  await setMeta(`catalog:${lang}`, fresh);
  return fresh;
}
// both: switching works offline later
export const cacheCatalogs = () => Promise.all(LANGUAGES.map((lang) => fetchCatalog(lang)));

function apply(lang, catalog) {
  current = lang;
  messages = catalog || {};
  Object.assign(document.documentElement, { lang, dir: lang === "ar" ? "rtl" : "ltr" });
  document.title = _("Tadqiq — internal audits");
  for (const listener of listeners) listener();
}

// refreshed after unless `kept` (at start the screen comes first)
export async function setLanguage(lang, kept) {
  if (!LANGUAGES.includes(lang)) lang = "fr";
  if (lang !== kept) await setMeta("language", lang);
  const cached = await getMeta(`catalog:${lang}`);
  apply(lang, cached || (await fetchCatalog(lang).catch(() => ({}))));
  if (cached && lang !== kept) refreshCatalog();
}

export async function refreshCatalog(lang = current) {
  const fresh = await fetchCatalog(lang, messages).catch(() => null);
  if (fresh && current === lang) apply(lang, fresh);
}

export async function startLanguage() {
  const kept = await getMeta("language");
  await setLanguage(kept || (navigator.languages.some((tag) => tag.toLowerCase().startsWith("ar")) ? "ar" : "fr"), kept);
}
