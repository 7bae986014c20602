export * from './actions.js';
export * from './probes.js';
export * from './schema.js';
export * from './text.js';
export * from './modes.js';
