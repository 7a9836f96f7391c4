/** At most `limit` tasks at a time per key (e.g. per webhook endpoint), the rest wait in order. */
export class KeyedLimiter {
  private readonly slots = new Map<string, { active: number; waiting: (() => void)[] }>();

  async run<T>(key: string, limit: number, task: () => Promise<T>): Promise<T> {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { active: 0, waiting: [] };
      this.slots.set(key, slot);
    }
    if (slot.active >= limit) await new Promise<void>((resolve) => slot?.waiting.push(resolve));
    slot.active += 1;
    try {
      return await task();
    } finally {
      slot.active -= 1;
      const next = slot.waiting.shift();
      if (next) next();
      else if (slot.active === 0) this.slots.delete(key);
    }
  }
}
