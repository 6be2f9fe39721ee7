// Same-origin calls to the admin API with the console session cookie; changes carry the CSRF token.

/** A refused or failed request, with words fit to show (the server's problem detail when it sent one). */
export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

let csrf = null;
let unauthorized = () => {};

export function setCsrf(token) {
  csrf = token;
}

/** Called when any API call answers 401: the session is gone (expired, signed out elsewhere, server restarted). */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

function sentence(text) {
  const t = String(text || '').trim();
  if (!t) return '';
  const s = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : s + '.';
}

const FALLBACK = {
  400: 'The server did not accept the request.',
  401: 'You are not signed in.',
  403: 'You may not do that.',
  404: 'Not found.',
  409: 'That conflicts with the current state.',
  413: 'The request is too large.',
  422: 'Some input is not valid.',
  429: 'Too many requests; wait a moment and try again.',
  503: 'The server is busy; try again shortly.',
};

/**
 * request('POST', '/api/v1/broadcast', {text}) → parsed JSON (null for 204).
 * Throws ApiError; status 0 means the server could not be reached.
 */
export async function request(method, path, body, { quiet401 = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf || '';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'Network error', 'Cannot reach the server. Check that it is running, then try again.');
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  if (!res.ok) {
    const detail = sentence(data && data.detail) || FALLBACK[res.status] || `The server answered ${res.status}.`;
    const err = new ApiError(res.status, (data && data.title) || res.statusText, detail);
    if (res.status === 401 && !quiet401) unauthorized(err);
    throw err;
  }
  return data;
}

/** Words for an error caught around a request. */
export function describe(err) {
  if (err instanceof ApiError) {
    if (err.status === 403 && /operator/i.test(err.detail || '')) return 'This action needs the operator role.';
    return err.detail || err.title;
  }
  return `Something went wrong: ${err && err.message ? err.message : err}`;
}
