// Who may talk to `nslab serve`: a request carrying the token (in the query or, after the first page load,
// in the nslab_token cookie), from no Origin or our own, addressed to our loopback host (no DNS rebinding).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE_NAME = 'nslab_token';

export const newToken = (): string => randomBytes(24).toString('base64url');

export type Verdict = { ok: true; via: 'query' | 'cookie' } | { ok: false; status: 401 | 403; reason: string };

export interface Origin {
  host: string;
  port: number;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === COOKIE_NAME) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Names the browser may use for us: what we bound and localhost, with our port. */
function hostNames(at: Origin): string[] {
  return [`${at.host}:${at.port}`, `localhost:${at.port}`];
}

export function check(req: IncomingMessage, token: string, at: Origin): Verdict {
  const host = req.headers.host?.toLowerCase();
  if (!host || !hostNames(at).includes(host)) return { ok: false, status: 403, reason: 'foreign Host header' };
  const origin = req.headers.origin;
  if (origin !== undefined && !hostNames(at).map((h) => `http://${h}`).includes(origin.toLowerCase())) {
    return { ok: false, status: 403, reason: 'foreign Origin' };
  }
  // A cross-site page cannot read our token, but it must not even reach us with the cookie.
  if (req.headers['sec-fetch-site'] === 'cross-site') return { ok: false, status: 403, reason: 'cross-site request' };
  const query = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  if (query !== null) return sameSecret(query, token) ? { ok: true, via: 'query' } : { ok: false, status: 401, reason: 'wrong token' };
  const cookie = cookieToken(req.headers.cookie);
  if (cookie !== undefined && sameSecret(cookie, token)) return { ok: true, via: 'cookie' };
  return { ok: false, status: 401, reason: 'token required' };
}

export const tokenCookie = (token: string): string => `${COOKIE_NAME}=${token}; HttpOnly; SameSite=Strict; Path=/`;
