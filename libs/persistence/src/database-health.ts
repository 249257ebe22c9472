import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Readiness check of the database: one round trip. */
@Injectable()
export class DatabaseHealth {
  constructor(private readonly dataSource: DataSource) {}

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
