// out/node/dockerproxy.mjs: nslab's docker-proxy. dockerd starts one `docker-proxy -proto tcp -host-ip
// 0.0.0.0 -host-port P -container-ip C -container-port Q` per published port; it accepts on the host's
// every address (127.0.0.1 included, which no DNAT rule reaches: OUTPUT skips 127.0.0.0/8, and a
// container's hairpin connection is RETURNed in nat DOCKER) and copies bytes to the container. Same
// flags; the first word after the script is nslab's marker, by which the helper finds and ends it.
import { createServer, connect } from 'node:net';

function flag(name: string): string {
  const i = process.argv.indexOf(`-${name}`);
  const value = i > 0 ? process.argv[i + 1] : undefined;
  if (value === undefined) {
    process.stderr.write(`dockerproxy: missing -${name}\n`);
    process.exit(2);
  }
  return value;
}

const hostIp = flag('host-ip');
const hostPort = Number(flag('host-port'));
const containerIp = flag('container-ip');
const containerPort = Number(flag('container-port'));

const server = createServer({ pauseOnConnect: true }, (client) => {
  const upstream = connect({ host: containerIp, port: containerPort }, () => {
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});
server.on('error', (err) => {
  process.stderr.write(`dockerproxy: ${err.message}\n`);
  process.exit(1);
});
server.listen({ host: hostIp, port: hostPort });
