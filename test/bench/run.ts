/**
 * `npm run bench`: runs every benchmark module listed below (one line each, so benchmarks written in
 * parallel never edit the same lines) and prints each module's results as a table. Arguments select
 * benchmarks by the start of their title, case-insensitive (`node dist/test/bench/run.js propagation`
 * runs only the propagation benchmark); none runs them all.
 */
import { printTable, type BenchResult } from './bench-kit.js';

interface BenchModule {
  title: string;
  load: () => Promise<{ run: () => Promise<BenchResult[]> }>;
}

const benches: BenchModule[] = [
  { title: 'placement planner: time per plan()', load: () => import('./placement.bench.js') },
  { title: 'built-in DNS server: in-process and dnsperf over loopback', load: () => import('./dns.bench.js') },
  { title: 'failover: kill -STOP of a member → NotReady, survivors updated/ready, DNS withdrawn', load: () => import('./failover.bench.js') },
  { title: 'DNS propagation: member endpoint change → changed DNS answer', load: () => import('./dns-propagation.bench.js') },
  { title: 'propagation: 500 FederatedDeployments → 3 members (watch)', load: () => import('./propagation.bench.js') },
];

const prefixes = process.argv.slice(2).map((a) => a.toLowerCase());
const selected = prefixes.length ? benches.filter((b) => prefixes.some((p) => b.title.toLowerCase().startsWith(p))) : benches;
if (selected.length === 0) process.stderr.write(`no benchmark title starts with ${prefixes.join(' or ')}\n`);

let failed = selected.length === 0;
for (const bench of selected) {
  try {
    const { run } = await bench.load();
    printTable(bench.title, await run());
  } catch (error) {
    failed = true;
    process.stderr.write(`bench "${bench.title}" failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
