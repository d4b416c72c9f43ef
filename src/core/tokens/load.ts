/**
 * Loading the tokenizers on demand. They are megabytes of vocabulary (`dist/tokenizers.js`), so
 * the extension and the CLI load them only when a rule first needs a count; this module is the
 * tiny, pure part every host shares.
 */
import type { TokenCounter } from '../lint/types';

/**
 * Loads the token counter: in a host, a `require` of `dist/tokenizers.js` (beside the host's own
 * bundle, by a computed path so the bundler leaves it out), whose export `tokenizers` it returns.
 */
export type TokenizerLoader = () => Promise<TokenCounter>;

/**
 * Wraps a loader so it runs at most once while it succeeds: every caller gets the same promise.
 * A failed load is forgotten, so a later call tries again instead of failing for the session.
 */
export function lazyCounter(loader: TokenizerLoader): TokenizerLoader {
  let loading: Promise<TokenCounter> | undefined;
  return () => {
    loading ??= loader().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
}
