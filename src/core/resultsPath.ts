/**
 * Whether a path names a results file: `<eval>.results.jsonl`, as `resultsPathFor` (promptLab/results.ts)
 * names them, in any case. The one test the editor uses: a results file is the judge's input,
 * never a training dataset. Outside promptLab/ so activation can tell one without evaluating
 * the results file's reader and its schema.
 */
export function isResultsPath(path: string): boolean {
  return /\.results\.jsonl$/i.test(path);
}
