/**
 * Built-in DNS server benchmark.
 * 1. In-process: time per `DnsServer.handle()` for a cached answer and for an uncached one (the
 *    responder path: decode, resolve, encode).
 * 2. Over loopback UDP with `dnsperf` (Debian package `dnsperf`): queries/s and latency for a query mix
 *    over 100 federated services (zone/region/global A, CNAME chains, SRV, TXT, NXDOMAIN), next to
 *    CoreDNS's published ≈33,700 qps on 2 vCPUs. Skipped (and said so) when dnsperf is not installed.
 * `DNS_BENCH_SECONDS` (default 10) sets the dnsperf run length.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { DnsServer, InMemoryRecordSource, planRecords, type PlanInput } from '#libs/dns';
import { latencyFigures, measure, type BenchResult } from './bench-kit.js';

const SUFFIX = 'bench.example';
/** CoreDNS's own published figure (coredns.io performance notes, 2 vCPUs). */
const COREDNS_QPS = 33_700;

function benchFederation(): PlanInput {
  return {
    federation: 'fed',
    suffix: SUFFIX,
    ownerId: 'bench',
    services: Array.from({ length: 100 }, (_, i) => ({
      namespace: 'bench',
      name: `svc-${i}`,
      ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
      endpoints: [
        { cluster: 'c1', region: 'r1', zones: ['z1'], healthy: true, ingress: [{ ip: `10.1.${i}.1` }] },
        { cluster: 'c2', region: 'r1', zones: ['z2'], healthy: true, ingress: [{ ip: `10.2.${i}.1` }] },
        { cluster: 'c3', region: 'r2', zones: ['z3'], healthy: false, ingress: [{ ip: `10.3.${i}.1` }] },
      ],
    })),
  };
}

function queryLines(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 100; i++) {
    const base = `svc-${i}.bench.fed.svc`;
    lines.push(
      `${base}.${SUFFIX} A`,
      `${base}.r1.${SUFFIX} A`,
      `${base}.z1.r1.${SUFFIX} A`,
      `${base}.z3.r2.${SUFFIX} A`, // CNAME → CNAME → A
      `_http._tcp.${base}.${SUFFIX} SRV`,
      `_ubernetes-owner.${base}.${SUFFIX} TXT`,
      `${base}.${SUFFIX} AAAA`, // NODATA
      `missing-${i}.bench.fed.svc.${SUFFIX} A`, // NXDOMAIN
    );
  }
  return lines;
}

function run_(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => resolve({ code: -1, stdout, stderr: stderr + String(e) }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Parses dnsperf's summary ("Queries per second:", "Average Latency (s):", "Queries lost:"). */
export function parseDnsperf(out: string): { qps: number; avgLatencyS: number; minS: number; maxS: number; stddevS: number; lostPct: number; completed: number } | undefined {
  const qps = out.match(/Queries per second:\s+([\d.]+)/);
  const lat = out.match(/Average Latency \(s\):\s+([\d.]+)\s+\(min ([\d.]+), max ([\d.]+)\)/);
  if (!qps || !lat) return undefined;
  return {
    qps: Number(qps[1]),
    avgLatencyS: Number(lat[1]),
    minS: Number(lat[2]),
    maxS: Number(lat[3]),
    stddevS: Number(out.match(/Latency StdDev \(s\):\s+([\d.]+)/)?.[1] ?? NaN),
    lostPct: Number(out.match(/Queries lost:\s+\d+ \(([\d.]+)%\)/)?.[1] ?? NaN),
    completed: Number(out.match(/Queries completed:\s+(\d+)/)?.[1] ?? NaN),
  };
}

/** Runs the DNS benchmarks. */
export async function run(): Promise<BenchResult[]> {
  const source = new InMemoryRecordSource();
  source.setRecords(SUFFIX, planRecords(benchFederation()));
  const results: BenchResult[] = [];

  // 1. in-process responder cost
  const lines = queryLines();
  const queries = lines.map((l, i) => {
    const [name, type] = l.split(' ');
    return dnsPacket.encode({ type: 'query', id: i, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: name!, type: type as 'A' }] });
  });
  const cached = new DnsServer(source, { port: 0 });
  const uncached = new DnsServer(source, { port: 0, cacheSize: 0 });
  let k = 0;
  const hit = await measure(() => cached.handle(queries[k++ % queries.length]!, 'udp'), { iterations: 200_000, warmup: 20_000 });
  k = 0;
  const miss = await measure(() => uncached.handle(queries[k++ % queries.length]!, 'udp'), { iterations: 50_000, warmup: 5_000 });
  results.push({ name: 'handle(), response cache hit', figures: latencyFigures(hit) });
  results.push({ name: 'handle(), no cache (decode+resolve+encode)', figures: latencyFigures(miss) });

  // 2. dnsperf over loopback UDP
  const probe = await run_('dnsperf', ['-h']);
  if (probe.code === -1) {
    results.push({ name: 'dnsperf UDP loopback', figures: { note: 'SKIPPED: dnsperf not installed (apt-get install -y dnsperf)', 'CoreDNS ref qps': COREDNS_QPS } });
    return results;
  }
  const server = new DnsServer(source, { address: '127.0.0.1', port: 0 });
  const { port } = await server.start();
  const dir = mkdtempSync(join(tmpdir(), 'dns-bench-'));
  const queryFile = join(dir, 'queries.txt');
  writeFileSync(queryFile, `${lines.join('\n')}\n`);
  const seconds = String(Number(process.env.DNS_BENCH_SECONDS ?? 10));
  try {
    const runs = [
      { label: 'throughput: 8 clients, 200 outstanding', args: ['-c', '8', '-T', '2', '-q', '200'], seconds, compare: true },
      // one query in flight: round-trip latency without queueing (dnsperf paces -q 1 slowly, so its qps is meaningless)
      { label: 'latency: 1 client, 1 outstanding', args: ['-c', '1', '-T', '1', '-q', '1'], seconds: String(Math.max(1, Math.round(Number(seconds) / 2))), compare: false },
    ];
    for (const r of runs) {
      const out = await run_('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', queryFile, '-l', r.seconds, ...r.args]);
      const parsed = parseDnsperf(out.stdout);
      if (!parsed) {
        results.push({ name: `dnsperf ${r.label}`, figures: { note: `FAILED: could not parse dnsperf output (exit ${out.code}): ${out.stderr.slice(0, 200)}` } });
        continue;
      }
      results.push({
        name: `dnsperf UDP loopback, ${r.label} (${r.seconds} s)`,
        figures: {
          qps: r.compare ? Math.round(parsed.qps) : 'n/a',
          'avg latency': `${(parsed.avgLatencyS * 1000).toFixed(3)} ms`,
          'min/max': `${(parsed.minS * 1000).toFixed(3)}/${(parsed.maxS * 1000).toFixed(1)} ms`,
          lost: `${parsed.lostPct}%`,
          ...(r.compare ? { 'CoreDNS ref qps (2 vCPU)': COREDNS_QPS, 'vs CoreDNS': `${(parsed.qps / COREDNS_QPS).toFixed(2)}x` } : {}),
        },
      });
    }
    results.push({
      name: `server counters (1 Node thread; dnsperf shares the ${availableParallelism()} CPUs)`,
      figures: { queries: server.stats.queries, 'cache hits': server.stats.cacheHits, dropped: server.stats.dropped },
    });
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
