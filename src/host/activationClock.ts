/**
 * When the extension bundle began to evaluate its modules. extension.ts imports this module
 * before any other, so this line runs first; activate() measures activation from here.
 */
export const evaluationStart = performance.now();
