import { VERSION } from '../core/version';
import type { OutStream } from './output';

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The stream behind `out`, for output that can be large (batched, with backpressure) and for colours on a terminal. */
  readonly stdout?: OutStream;
  /** The environment (NO_COLOR); the process's when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The directory paths are relative to and tunelab.jsonc is looked up from; the process's when absent. */
  readonly cwd?: string;
}

export const HELP = `tunelab ${VERSION} — datasets and prompts for fine-tuning

Usage: tunelab <command> [options]

Commands:
  lint        Lint JSON Lines datasets (tunelab lint --help for its options)
  generate    Generate question/answer pairs from a topics file into a dataset
              (tunelab generate --help for its options)
  judge       Judge two columns of an eval run's results file with an LLM judge
              (tunelab judge --help for its options)
  help        Show this help
  version     Print the version

Options:
  -h, --help     Show this help
  -v, --version  Print the version
`;

/**
 * Runs the CLI on its arguments (without `node` and the script) and returns the exit code:
 * at once for help and version, as a promise for commands that read files.
 */
export function runCli(argv: readonly string[], io: CliIo): number | Promise<number> {
  const [first] = argv;
  if (first === undefined || first === 'help' || first === '-h' || first === '--help') {
    io.out(HELP);
    return 0;
  }
  if (first === 'version' || first === '-v' || first === '--version') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  // Loaded on demand, so help and version do not pay for the lint engine's start-up, nor lint
  // for the model clients.
  if (first === 'lint') return import('./lint').then((m) => m.runLint(argv.slice(1), io));
  if (first === 'generate') return import('./generate').then((m) => m.runGenerate(argv.slice(1), io));
  if (first === 'judge') return import('./judge').then((m) => m.runJudgeCommand(argv.slice(1), io));
  const what = first.startsWith('-') ? 'option' : 'command';
  io.err(`tunelab: unknown ${what} '${first}'. Run 'tunelab --help' to see the commands.\n`);
  return 2;
}
