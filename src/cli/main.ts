import { runCli } from './cli';

// A reader that stops early (`tunelab lint … | head`) closes the pipe: stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const finish = (code: number): void => {
  process.exitCode = code;
};

try {
  const result = runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    stdout: process.stdout,
    env: process.env,
    cwd: process.cwd(),
  });
  if (typeof result === 'number') finish(result);
  else result.then(finish, crash);
} catch (err) {
  crash(err);
}

function crash(err: unknown): void {
  process.stderr.write(`tunelab: unexpected error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 2;
}
