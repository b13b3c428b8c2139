// The desk API client: bearer token in sessionStorage (gone with the tab), JSON in and out.

const TOKEN_KEY = "g5desk.session";

export class Unauthenticated extends Error {}

export class ApiError extends Error {
  constructor(status, detail, code, retryAfter = null) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter; // seconds, from Retry-After (429)
  }
}

export function session() {
  try {
    return JSON.parse(window.sessionStorage.getItem(TOKEN_KEY) || "null");
  } catch {
    return null;
  }
}

export function forget() {
  window.sessionStorage.removeItem(TOKEN_KEY);
}

// Ends the token on the server too (a copied token stops working), then forgets it here.
export async function logout() {
  const current = session();
  forget();
  if (!current) return;
  await fetch("/api/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${current.token}` } }).catch(
    () => null,
  );
}

export async function login(username, password) {
  const response = await fetch("/api/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username, password }),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const retryAfter = Number.parseInt(response.headers.get("Retry-After") || "", 10);
    throw new ApiError(response.status, data.detail, data.code, Number.isNaN(retryAfter) ? null : retryAfter);
  }
  const current = { token: data.access_token, username: data.username, role: data.role };
  window.sessionStorage.setItem(TOKEN_KEY, JSON.stringify(current));
  return current;
}

async function call(method, path, body) {
  const current = session();
  if (!current) throw new Unauthenticated();
  const headers = { Authorization: `Bearer ${current.token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    forget();
    window.dispatchEvent(new CustomEvent("desk:expired"));
    throw new Unauthenticated();
  }
  return response;
}

export async function request(method, path, body) {
  const response = await call(method, path, body);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = Array.isArray(data.detail) ? data.detail.map((d) => d.msg).join("; ") : data.detail;
    throw new ApiError(response.status, detail, data.code);
  }
  return data;
}

export async function download(path) {
  const response = await call("GET", path);
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw new ApiError(response.status, data.detail, data.code);
  }
  const disposition = response.headers.get("Content-Disposition") || "";
  const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || "export.csv";
  return { blob: await response.blob(), name };
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body ?? {});
export const patch = (path, body) => request("PATCH", path, body);

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "" && value !== false) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
