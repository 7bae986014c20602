// Entry of out/node/spawner.mjs: the helper's spawner (see spawner.ts). Requests on stdin, answers on stdout
// (through an asynchronous pipe socket: node writes process.stdout to a pipe synchronously, which would stall
// every other program's start while the helper is slow to read a large answer).
import { Socket } from 'node:net';
import { spawnerMain } from './spawner-main.js';

const output = new Socket({ fd: 1, readable: false });
// the helper is gone (EPIPE): nothing to answer to
output.on('error', () => process.exit(0));
// A Ctrl-C in the terminal that runs the helper reaches its whole process group; the helper decides what
// happens (it may still run programs while it stops) and this process ends when the helper closes stdin.
process.on('SIGINT', () => undefined);
spawnerMain({ input: process.stdin, write: (frame) => void output.write(frame), exit: () => process.exit(0) });
