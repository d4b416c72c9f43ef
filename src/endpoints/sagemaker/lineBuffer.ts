/**
 * Turns the byte chunks of a streamed reply (SageMaker PayloadParts) into complete text lines.
 * Containers split their JSON lines anywhere, even inside a multi-byte UTF-8 character, so the
 * bytes go through one streaming `TextDecoder` and only text up to a line end is released.
 */
export class LineBuffer {
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';

  /** Appends bytes; returns the lines they complete, without their `\n` or `\r\n`. */
  push(bytes: Uint8Array): string[] {
    this.pending += this.decoder.decode(bytes, { stream: true });
    return this.take();
  }

  /** Ends the stream; returns what is left as a last line (if it is not empty). */
  end(): string[] {
    this.pending += this.decoder.decode();
    const lines = this.take();
    const rest = stripCr(this.pending);
    this.pending = '';
    if (rest !== '') lines.push(rest);
    return lines;
  }

  private take(): string[] {
    const lines: string[] = [];
    let at = this.pending.indexOf('\n');
    while (at !== -1) {
      lines.push(stripCr(this.pending.slice(0, at)));
      this.pending = this.pending.slice(at + 1);
      at = this.pending.indexOf('\n');
    }
    return lines;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
