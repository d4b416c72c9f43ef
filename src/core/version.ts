declare const __TUNELAB_VERSION__: string;

/** The extension's version, from package.json, put in at build time. */
export const VERSION: string = __TUNELAB_VERSION__;
