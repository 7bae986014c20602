// Entry of out/node/probe.mjs, started inside a node's namespace (`ip netns exec … node probe.mjs`): one TCP
// connect or one UDP datagram from a chosen source port, so the trace can match it. Prints one JSON line.
//   probe.mjs tcp|udp ADDR DPORT SPORT TIMEOUT_MS
import { createSocket } from 'node:dgram';
import { Socket } from 'node:net';

const [proto, host, dportArg, sportArg, timeoutArg] = process.argv.slice(2);
const dport = Number(dportArg);
const sport = Number(sportArg);
const timeoutMs = Number(timeoutArg);
const done = (ok: boolean, detail: string): never => {
  process.stdout.write(`${JSON.stringify({ ok, detail })}\n`);
  process.exit(0);
};

if (proto === 'tcp') {
  const socket = new Socket();
  const timer = setTimeout(() => done(false, `no answer from ${host}:${dport} within ${timeoutMs} ms`), timeoutMs);
  socket.once('connect', () => {
    clearTimeout(timer);
    socket.destroy();
    done(true, `connected to ${host}:${dport}`);
  });
  socket.once('error', (e: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    done(false, e.code === 'ECONNREFUSED' ? `${host}:${dport} refused the connection` : `${e.code ?? 'error'}: ${e.message}`);
  });
  socket.connect({ host, port: dport, localPort: sport });
} else if (proto === 'udp') {
  const socket = createSocket('udp4');
  const timer = setTimeout(() => done(true, `sent a datagram to ${host}:${dport}; no reply within ${timeoutMs} ms`), timeoutMs);
  socket.once('message', () => {
    clearTimeout(timer);
    done(true, `${host}:${dport} replied`);
  });
  socket.once('error', (e: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    done(false, e.code === 'ECONNREFUSED' ? `${host}:${dport}: port unreachable` : `${e.code ?? 'error'}: ${e.message}`);
  });
  socket.bind(sport, () => {
    socket.connect(dport, host, () => socket.send('nslab trace probe\n'));
  });
} else {
  done(false, `unknown probe protocol ${proto}`);
}
