/** Replaced at build time with package.json's version. */
declare const __NSLAB_VERSION__: string | undefined;
export const VERSION: string = typeof __NSLAB_VERSION__ === 'string' ? __NSLAB_VERSION__ : '0.0.0-dev';
