import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The LISTEN/NOTIFY channel on which registry changes of one schema reach every process. */
export function registryNotifyChannel(schema: string): string {
  return `ubernetes_registry_${schema}`.slice(0, 63);
}

/** Sends PostgreSQL notifications (delivered to every LISTENing connection at commit; ids only). */
@Injectable()
export class PgNotifier {
  constructor(private readonly dataSource: DataSource) {}

  async notify(channel: string, payload: string): Promise<void> {
    await this.dataSource.query(`SELECT pg_notify($1, $2)`, [channel, payload]);
  }
}
