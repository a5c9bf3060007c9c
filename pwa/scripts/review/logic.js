/** Pure rules of the management-review screen. The server decides; the period's check mirrors its refusal as it is typed. */
export const MAX_DAYS = 3 * 366; // server/review/service.py: the longest period
const day = (text) => Date.parse(`${text}T00:00:00Z`) / 86400000;

/** Field → code, as the server would refuse `from`..`to` (YYYY-MM-DD; an empty end is the server's to choose). */
export function periodProblems(from, to) {
  const days = from && to ? day(to) - day(from) + 1 : 1;
  return days < 1 ? { to: "backwards" } : days > MAX_DAYS ? { to: "too_long" } : {};
}

/** A bar's length, 0 to 10 (rem), against the largest value it is shown beside; any count above zero shows. */
export const bar = (value, largest) => (value > 0 ? Math.max(0.2, Math.round((100 * value) / largest) / 10) : 0);

/** A rate as the PDF writes it: 0.667 → "66,7 %" in French, "66.7%" in Arabic; a dash when nothing was measured. */
export function percent(rate, lang) {
  const n = Math.round(rate * 1000) / 10;
  return rate == null ? "—" : lang === "ar" ? `${n}%` : `${String(n).replace(".", ",")} %`;
}
