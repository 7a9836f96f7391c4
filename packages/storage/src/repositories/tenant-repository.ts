import { uuidv7 } from '@maskline/core';
import type pg from 'pg';

export class TenantRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(name: string, id: string = uuidv7()): Promise<string> {
    await this.pool.query('INSERT INTO tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [
      id,
      name,
    ]);
    return id;
  }
}
