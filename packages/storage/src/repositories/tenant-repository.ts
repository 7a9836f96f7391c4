import { uuidv7 } from '@maskline/core';
import type pg from 'pg';

export interface TenantRecord {
  id: string;
  name: string;
  createdAt: Date;
}

export class TenantRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(name: string, id: string = uuidv7()): Promise<string> {
    await this.pool.query('INSERT INTO tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [
      id,
      name,
    ]);
    return id;
  }

  async list(): Promise<TenantRecord[]> {
    const result = await this.pool.query<{ id: string; name: string; created_at: Date }>(
      'SELECT id, name, created_at FROM tenants ORDER BY created_at, id',
    );
    return result.rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
  }

  async exists(id: string): Promise<boolean> {
    const result = await this.pool.query('SELECT 1 FROM tenants WHERE id = $1', [id]);
    return (result.rowCount ?? 0) > 0;
  }
}
