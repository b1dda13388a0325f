/// <reference lib="dom" />
/**
 * The page's door to the HTTP API (/v1 on the same origin). When the server has a token, the
 * page asks for it once and keeps it in sessionStorage (this tab only); every call sends it as
 * `Authorization: Bearer <token>`, the way the server checks it.
 */
const KEY = 'mixcast-api-token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const getToken = (): string | null => sessionStorage.getItem(KEY);
export const setToken = (t: string): void => sessionStorage.setItem(KEY, t.trim());

/** GET (no body) or POST a JSON body; the parsed JSON answer, or an ApiError with the server's message. */
export async function api<T>(path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(path, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(r.status, 'BAD_RESPONSE', `${path} answered ${r.status} with something that is not JSON`);
  }
  if (!r.ok) {
    const e = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(r.status, e?.code ?? 'HTTP', e?.message ?? `${path} answered ${r.status}`);
  }
  return json as T;
}
