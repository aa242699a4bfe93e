// The console's only way to the server: the public /v1 API (and signing in and out).
// The session cookie is HttpOnly: this script never sees a key or the cookie, only the
// session's CSRF token, sent with every request that changes state.
import { problemText } from "./zh.js";

let csrf = null;

export class Refusal extends Error {
  constructor(status, problem) {
    super(problemText(problem));
    this.status = status;
    this.problem = problem;
  }
}

async function call(method, path, body, extra = {}) {
  const headers = { Accept: "application/json", ...extra };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const answer = await response.json().catch(() => ({ title: response.statusText }));
  if (!response.ok) throw new Refusal(response.status, answer);
  return answer;
}

export const get = (path) => call("GET", path);
export const post = (path, body = {}, headers = {}) => call("POST", path, body, headers);

export async function signIn(key) {
  const session = await call("POST", "/console/session", { key });
  csrf = session.csrf;
  return session;
}

export async function currentSession() {
  try {
    const session = await call("GET", "/console/session");
    csrf = session.csrf;
    return session;
  } catch (refusal) {
    if (refusal instanceof Refusal && refusal.status === 401) return null;
    throw refusal;
  }
}

export async function signOut() {
  await call("DELETE", "/console/session");
  csrf = null;
}

export function query(params) {
  const kept = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return kept.length ? "?" + new URLSearchParams(kept).toString() : "";
}
