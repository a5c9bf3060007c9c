// HTTP to the server: errors in the user's words; no answer is an OfflineError.
import { _, language } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    Object.assign(this, { status, code, details });
  }
}
export class OfflineError extends Error {
  constructor() { super(_("No connection to the server.")); }
}

let token = null;
export const setToken = (value) => { token = value; };

export async function request(method, path, { json, body, headers = {}, timeout = 30000 } = {}) {
  const sent = { "Accept-Language": language(), ...headers };
  if (token) sent.Authorization = `Bearer ${token}`;
  if (json !== undefined) {
    sent["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  const response = await fetch(path, { method, headers: sent, body, cache: "no-store", signal: AbortSignal.timeout(timeout) }).catch(() => {
    throw new OfflineError();
  });
  if (response.ok || response.status === 304) return response;
  const error = await response.json().catch(() => ({}));
  if (!error.message && [502, 503, 504].includes(response.status)) throw new OfflineError(); // a proxy, no server
  throw new ApiError(response.status, error.code || "", error.message
    || _("The server could not answer (HTTP %(status)s). Try again later.", { status: response.status }), error.details);
}

export const getJson = async (path) => (await request("GET", path)).json();
export async function sendJson(method, path, json) {
  const response = await request(method, path, { json });
  return response.status === 204 ? null : response.json();
}

export function describe(error) {
  if (error instanceof ApiError || error instanceof OfflineError) return error.message;
  console.error(error);
  return error?.name === "QuotaExceededError" ? _("This tablet has no storage space left.")
    : _("Something went wrong on this tablet. Your work is kept; try again.");
}
