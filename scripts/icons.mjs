// Draws the nslab icon (three namespaces joined by veth links on a dark tile) as PNGs in the freedesktop
// hicolor sizes, into build/icons/<n>x<n>.png, which electron-builder's linux targets install. No image
// tool is needed: the pixels are computed here and written with node:zlib.
// Usage: node scripts/icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};

/** RGBA pixels for one size; coordinates are in a 0..1 square so every size has the same picture. */
function pixels(n) {
  const nodes = [[0.3, 0.32], [0.7, 0.32], [0.5, 0.72]];
  const links = [[0, 1], [0, 2], [1, 2]];
  const out = Buffer.alloc(n * n * 4);
  const segDist = (px, py, [ax, ay], [bx, by]) => {
    const dx = bx - ax, dy = by - ay;
    const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(px - ax - t * dx, py - ay - t * dy);
  };
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const px = (x + 0.5) / n, py = (y + 0.5) / n;
      // Rounded tile.
      const r = 0.18, cx = Math.min(Math.max(px, r), 1 - r), cy = Math.min(Math.max(py, r), 1 - r);
      const inTile = Math.hypot(px - cx, py - cy) <= r;
      let rgba = inTile ? [0x1e, 0x29, 0x3b, 255] : [0, 0, 0, 0];
      if (inTile && links.some(([a, b]) => segDist(px, py, nodes[a], nodes[b]) < Math.max(0.035, 1.2 / n))) rgba = [0x5e, 0xea, 0xd4, 255];
      if (nodes.some(([nx, ny]) => Math.hypot(px - nx, py - ny) < 0.13)) rgba = [0x38, 0xbd, 0xf8, 255];
      if (nodes.some(([nx, ny]) => Math.hypot(px - nx, py - ny) < 0.07) && n >= 32) rgba = [0xf8, 0xfa, 0xfc, 255];
      out.set(rgba, (y * n + x) * 4);
    }
  }
  return out;
}

export function png(n) {
  const raw = pixels(n);
  const rows = Buffer.alloc(n * (n * 4 + 1));
  for (let y = 0; y < n; y++) raw.copy(rows, y * (n * 4 + 1) + 1, y * n * 4, (y + 1) * n * 4);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(n, 0);
  ihdr.writeUInt32BE(n, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync('build/icons', { recursive: true });
  for (const n of ICON_SIZES) writeFileSync(`build/icons/${n}x${n}.png`, png(n));
  console.log(`wrote build/icons/{${ICON_SIZES.map((n) => `${n}x${n}`).join(',')}}.png`);
}
