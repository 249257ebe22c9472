/**
 * A tiny progress indicator for the clusters CLI. On a terminal it redraws one line
 * (`⠋ starting member-1: apiserver (4s)`) ten times a second; elsewhere (CI logs, pipes) it prints the
 * text when it changes and a "still working" line every 10 s, so logs stay short.
 */
export class Spinner {
  private static readonly frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  private text = '';
  private started = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastPrinted = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  private get interactive(): boolean {
    return Boolean(this.stream.isTTY);
  }

  private elapsed(): string {
    return `${Math.round((Date.now() - this.started) / 1000)}s`;
  }

  /** Starts spinning with `text`; the elapsed time counts from here. */
  start(text: string): void {
    this.stopTimer();
    this.text = text;
    this.started = Date.now();
    this.lastPrinted = Date.now();
    if (this.interactive) {
      this.timer = setInterval(() => this.render(), 100);
      this.render();
    } else {
      this.stream.write(`${text} ...\n`);
      this.timer = setInterval(() => {
        if (Date.now() - this.lastPrinted < 10_000) return;
        this.lastPrinted = Date.now();
        this.stream.write(`  ... ${this.text} (${this.elapsed()})\n`);
      }, 1000);
    }
    this.timer.unref();
  }

  /** Changes the text of the running spinner. */
  update(text: string): void {
    if (text === this.text) return;
    this.text = text;
    if (this.interactive) this.render();
    else {
      this.lastPrinted = Date.now();
      this.stream.write(`  ${text} (${this.elapsed()})\n`);
    }
  }

  /** Prints a line above the spinner without disturbing it. */
  log(line: string): void {
    if (this.interactive && this.timer) {
      this.stream.write(`\r\x1b[K${line}\n`);
      this.render();
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends with a success line carrying the elapsed time. */
  succeed(text: string = this.text): void {
    this.finish('✓', text);
  }

  /** Ends with a failure line carrying the elapsed time. */
  fail(text: string = this.text): void {
    this.finish('✗', text);
  }

  private finish(mark: string, text: string): void {
    this.stopTimer();
    const line = `${mark} ${text} (${this.elapsed()})`;
    this.stream.write(this.interactive ? `\r\x1b[K${line}\n` : `${line}\n`);
  }

  private render(): void {
    this.frame = (this.frame + 1) % Spinner.frames.length;
    this.stream.write(`\r\x1b[K${Spinner.frames[this.frame]} ${this.text} (${this.elapsed()})`);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
