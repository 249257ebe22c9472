/** Prints the demo's story: titles, steps with elapsed time, details, and outcomes. */
export class Narrator {
  private readonly started = Date.now();

  private stamp(): string {
    return `[${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)}s]`;
  }

  title(text: string): void {
    process.stdout.write(`\n=== ${text} ===\n`);
  }
  step(text: string): void {
    process.stdout.write(`${this.stamp()} → ${text}\n`);
  }
  detail(text: string): void {
    process.stdout.write(`           ${text}\n`);
  }
  ok(text: string): void {
    process.stdout.write(`${this.stamp()} ✓ ${text}\n`);
  }
  fail(text: string): void {
    process.stderr.write(`${this.stamp()} ✗ ${text}\n`);
  }
}
