/**
 * The prompt-file parser's bundle (dist/promptFiles.js): parsePromptFile and the yaml package,
 * loaded when a prompt file is first checked (providers/promptDiagnostics.ts), not at activation.
 */
export { parsePromptFile } from '../core/prompts/promptFile';
