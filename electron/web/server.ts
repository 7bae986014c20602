// `nslab serve`: the built renderer over HTTP and the helper relay over a WebSocket, on loopback only,
// behind a random token (like Jupyter). Only electron/shared is imported: the helper connection is handed in.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { NslabError } from '../shared/errors.js';
import type { MessagePipe } from '../shared/transport/index.js';
import { MAX_MESSAGE_BYTES } from '../shared/rpc.js';
import { check, newToken, tokenCookie, type Origin } from './auth.js';
import { NOT_BUILT_PAGE, staticFileSync } from './static.js';
import { relayWebSocket } from './ws-relay.js';

export const RPC_PATH = '/rpc';

export interface WebServerOptions {
  /** Built renderer (index.html + assets). */
  rendererDir: string;
  /** A fresh helper connection per WebSocket client. */
  connect(): Promise<MessagePipe>;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  allow?: ReadonlySet<string>;
  /** Refused requests and similar, one line each (stderr in the CLI). */
  log?(line: string): void;
}

export interface WebServer {
  url: string;
  host: string;
  port: number;
  token: string;
  clients(): number;
  close(): Promise<void>;
}

/** Loopback IPv4 only: browser mode must never be reachable from another machine. */
export function loopbackHost(host: string): string {
  if (host === 'localhost') return '127.0.0.1';
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) {
    throw new NslabError('invalid-params', `--host must be a loopback address such as 127.0.0.1, not '${host}'`, { field: 'host' });
  }
  return host;
}

const csp = (at: Origin): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    // Vue and chart libraries set inline style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ws://${at.host}:${at.port} ws://localhost:${at.port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

function baseHeaders(at: Origin): Record<string, string> {
  return {
    'Content-Security-Policy': csp(at),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // The token is in the page URL: never let it leak through Referer.
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

function refuse(res: ServerResponse, status: number, reason: string, at: Origin): void {
  res.writeHead(status, { ...baseHeaders(at), 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Refused'}: ${reason}\n`);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const text = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status] ?? 'Refused';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason) + 1}\r\nConnection: close\r\n\r\n${reason}\n`);
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = loopbackHost(opts.host ?? '127.0.0.1');
  const token = opts.token ?? newToken();
  const log = opts.log ?? (() => undefined);
  const at: Origin = { host, port: 0 };
  // Frames a little over the limit still get a typed answer; far larger ones close the socket (1009).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_MESSAGE_BYTES, perMessageDeflate: false });

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      log(`error serving ${req.url}: ${(err as Error).message}`);
      if (!res.headersSent) refuse(res, 500, 'internal error', at);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = check(req, token, at);
    if (!verdict.ok) {
      log(`refused ${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}: ${verdict.reason}`);
      return refuse(res, verdict.status, verdict.reason, at);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...baseHeaders(at), Allow: 'GET, HEAD' });
      return void res.end();
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === RPC_PATH) return refuse(res, 426, 'use a WebSocket for /rpc', at);
    const headers: Record<string, string> = baseHeaders(at);
    // Asset requests carry no query: the first page load with ?token= leaves the cookie for them.
    if (verdict.via === 'query') headers['Set-Cookie'] = tokenCookie(token);
    const file = staticFileSync(opts.rendererDir, path);
    if (!file && path === '/favicon.ico') {
      // Browsers ask for it unprompted; a 404 would show up as a console error in every tab.
      res.writeHead(204, headers);
      return void res.end();
    }
    if (!file) {
      const isPage = path === '/' || path === '/index.html';
      res.writeHead(isPage ? 503 : 404, { ...headers, 'Content-Type': isPage ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8' });
      return void res.end(req.method === 'HEAD' ? undefined : isPage ? NOT_BUILT_PAGE : 'Not found\n');
    }
    res.writeHead(200, { ...headers, 'Cache-Control': file.cacheControl, 'Content-Type': file.type, 'Content-Length': String(file.body.length) });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== RPC_PATH) return refuseUpgrade(socket, 404, 'no WebSocket here');
    const verdict = check(req, token, at);
    if (!verdict.ok) {
      log(`refused WebSocket: ${verdict.reason}`);
      return refuseUpgrade(socket, verdict.status, verdict.reason);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      relayWebSocket(ws, { connect: opts.connect, ...(opts.allow ? { allow: opts.allow } : {}) });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      wss.close();
      // A port someone else holds is a user-level fact, not a crash: say which and what to do.
      if (err.code === 'EADDRINUSE') reject(new NslabError('busy', `port ${opts.port} on ${host} is taken by another program: stop it, or pick another with --port`, { field: 'port' }));
      else if (err.code === 'EACCES') reject(new NslabError('permission-denied', `port ${opts.port} on ${host} needs privileges: pick one above 1023 with --port`, { field: 'port' }));
      else reject(err);
    });
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  at.port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${at.port}/?token=${token}`,
    host,
    port: at.port,
    token,
    clients: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
