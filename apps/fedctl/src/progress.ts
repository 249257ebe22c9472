/**
 * A tiny progress indicator for long CLI operations: a spinner on a TTY, plain step lines otherwise
 * (CI logs, pipes). Writes to stderr so stdout stays machine-readable.
 */
export class Progress {
  private readonly frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  private timer?: NodeJS.Timeout;
  private text = '';
  private frame = 0;
  private started = Date.now();
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(private readonly enabled = true) {}

  start(text: string): void {
    if (!this.enabled) return;
    this.stopTimer();
    this.text = text;
    this.started = Date.now();
    if (this.tty) {
      this.timer = setInterval(() => this.render(), 80);
      this.timer.unref();
      this.render();
    } else {
      process.stderr.write(`… ${text}\n`);
    }
  }

  succeed(text = this.text): void {
    this.finish('✓', text);
  }

  fail(text = this.text): void {
    this.finish('✗', text);
  }

  warn(text: string): void {
    this.finish('!', text);
  }

  private finish(mark: string, text: string): void {
    if (!this.enabled) return;
    this.stopTimer();
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    process.stderr.write(`${this.tty ? '\r\x1b[K' : ''}${mark} ${text} (${secs}s)\n`);
  }

  private render(): void {
    const secs = ((Date.now() - this.started) / 1000).toFixed(0);
    process.stderr.write(`\r\x1b[K${this.frames[this.frame++ % this.frames.length]} ${this.text} ${secs}s`);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
