/**
 * The built-in authoritative DNS server: UDP and TCP (RFC 1035 §4.2.2 two-byte length prefix) listeners
 * on one address/port, answering from a {@link RecordSource}.
 *
 * Speed: a response depends only on the snapshot and on the query bytes after the 2-byte id, so each
 * snapshot gets a bounded response cache keyed on those bytes; a hit costs one copy and an id patch.
 * Swapping the snapshot drops the cache (the key is the snapshot object), so updates are visible to the
 * next query.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket as TcpSocket } from 'node:net';
import { respond, type DnsTransport } from './dns-responder.js';
import type { DnsSnapshot, RecordSource } from './record-source.js';

/** Minimal structured logger (pino-compatible subset). */
export interface DnsLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

/** Server options. */
export interface DnsServerOptions {
  /** Bind address; default `127.0.0.1`. */
  address?: string;
  /** Port; 0 = ephemeral (read the bound port from {@link DnsServer.port}); default 53. */
  port?: number;
  /** Serve TCP too (needed for truncated answers); default true. */
  tcp?: boolean;
  /** EDNS UDP payload cap in bytes; default 1232. */
  maxUdpPayload?: number;
  /** Response-cache entries per snapshot and transport; default 10,000 (0 disables). */
  cacheSize?: number;
  /** Idle TCP connections are closed after this many ms; default 10,000. */
  tcpIdleMs?: number;
  logger?: DnsLogger;
}

/** Counters for metrics exporters. */
export interface DnsServerStats {
  queries: number;
  cacheHits: number;
  dropped: number;
  truncated: number;
}

/** The authoritative server. `start()` binds, `stop()` closes every socket. */
export class DnsServer {
  readonly stats: DnsServerStats = { queries: 0, cacheHits: 0, dropped: 0, truncated: 0 };
  private udp?: Socket;
  private tcp?: Server;
  private readonly tcpSockets = new Set<TcpSocket>();
  private boundPort = 0;
  private cacheFor?: DnsSnapshot;
  private readonly cache: Record<DnsTransport, Map<string, Buffer>> = { udp: new Map(), tcp: new Map() };
  private readonly opts: Required<Omit<DnsServerOptions, 'logger'>> & { logger?: DnsLogger };

  constructor(
    private readonly source: RecordSource,
    options: DnsServerOptions = {},
  ) {
    this.opts = {
      address: options.address ?? '127.0.0.1',
      port: options.port ?? 53,
      tcp: options.tcp ?? true,
      maxUdpPayload: options.maxUdpPayload ?? 1232,
      cacheSize: options.cacheSize ?? 10_000,
      tcpIdleMs: options.tcpIdleMs ?? 10_000,
      logger: options.logger,
    };
  }

  /** The bound port (after `start()`). */
  get port(): number {
    return this.boundPort;
  }

  /** The bind address. */
  get address(): string {
    return this.opts.address;
  }

  /** Binds UDP then TCP on the same port. With port 0, retries a few ports if TCP's is taken. */
  async start(): Promise<{ address: string; port: number }> {
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket({ type: isIPv6(this.opts.address) ? 'udp6' : 'udp4', reuseAddr: false });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(this.opts.port, this.opts.address, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      const port = udp.address().port;
      if (this.opts.tcp) {
        try {
          this.tcp = await this.listenTcp(port);
        } catch (error) {
          udp.close();
          if (this.opts.port === 0 && attempt < 5) continue;
          throw error;
        }
      }
      this.udp = udp;
      this.boundPort = port;
      udp.on('message', (msg, rinfo) => this.onUdp(msg, rinfo));
      udp.on('error', (error) => this.opts.logger?.warn({ err: error.message }, 'dns udp socket error'));
      this.opts.logger?.info({ address: this.opts.address, port }, 'dns server listening');
      return { address: this.opts.address, port };
    }
  }

  /** Closes the listeners and open TCP connections. */
  async stop(): Promise<void> {
    for (const s of this.tcpSockets) s.destroy();
    this.tcpSockets.clear();
    await Promise.all([
      new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve())),
    ]);
    this.udp = undefined;
    this.tcp = undefined;
  }

  /**
   * Answers one message as if received on `transport` (what the listeners call; public for specs).
   * Returns undefined when the message is dropped.
   */
  handle(msg: Buffer, transport: DnsTransport): Buffer | undefined {
    this.stats.queries++;
    const snapshot = this.source.snapshot();
    if (snapshot !== this.cacheFor) {
      this.cacheFor = snapshot;
      this.cache.udp.clear();
      this.cache.tcp.clear();
    }
    const cache = this.cache[transport];
    const key = msg.length >= 12 && this.opts.cacheSize > 0 ? msg.toString('latin1', 2) : undefined;
    if (key !== undefined) {
      const hit = cache.get(key);
      if (hit) {
        this.stats.cacheHits++;
        const out = Buffer.allocUnsafe(hit.length);
        hit.copy(out);
        out[0] = msg[0]!;
        out[1] = msg[1]!;
        return out;
      }
    }
    const out = respond(msg, snapshot, transport, { maxUdpPayload: this.opts.maxUdpPayload });
    if (!out) {
      this.stats.dropped++;
      return undefined;
    }
    if (out.length >= 4 && out[2]! & 0x02) this.stats.truncated++;
    if (key !== undefined) {
      if (cache.size >= this.opts.cacheSize) cache.clear();
      cache.set(key, out);
      // hand out a copy so the cached template is never mutated by the id patch above
      return Buffer.from(out);
    }
    return out;
  }

  private onUdp(msg: Buffer, rinfo: RemoteInfo): void {
    let out: Buffer | undefined;
    try {
      out = this.handle(msg, 'udp');
    } catch (error) {
      this.opts.logger?.warn({ err: (error as Error).message }, 'dns udp query failed');
      return;
    }
    if (out) this.udp?.send(out, rinfo.port, rinfo.address);
  }

  private listenTcp(port: number): Promise<Server> {
    const server = createServer((socket) => this.onTcp(socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.address, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  private onTcp(socket: TcpSocket): void {
    this.tcpSockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.opts.tcpIdleMs, () => socket.destroy());
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (pending.length < 2 + len) break;
        const msg = pending.subarray(2, 2 + len);
        pending = pending.subarray(2 + len);
        let out: Buffer | undefined;
        try {
          out = this.handle(msg, 'tcp');
        } catch (error) {
          this.opts.logger?.warn({ err: (error as Error).message }, 'dns tcp query failed');
          socket.destroy();
          return;
        }
        if (!out) {
          socket.destroy(); // undecodable stream: the framing can no longer be trusted
          return;
        }
        const prefix = Buffer.allocUnsafe(2);
        prefix.writeUInt16BE(out.length, 0);
        socket.write(Buffer.concat([prefix, out]));
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.tcpSockets.delete(socket));
  }
}
