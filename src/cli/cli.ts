import { VERSION } from '../core/version';

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const HELP = `tunelab ${VERSION} — datasets and prompts for fine-tuning

Usage: tunelab <command> [options]

Commands:
  help        Show this help
  version     Print the version

Options:
  -h, --help     Show this help
  -v, --version  Print the version
`;

/** Runs the CLI on its arguments (without `node` and the script) and returns the exit code. */
export function runCli(argv: readonly string[], io: CliIo): number {
  const [first] = argv;
  if (first === undefined || first === 'help' || first === '-h' || first === '--help') {
    io.out(HELP);
    return 0;
  }
  if (first === 'version' || first === '-v' || first === '--version') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const what = first.startsWith('-') ? 'option' : 'command';
  io.err(`tunelab: unknown ${what} '${first}'. Run 'tunelab --help' to see the commands.\n`);
  return 2;
}
