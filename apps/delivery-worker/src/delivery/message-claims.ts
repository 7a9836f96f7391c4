/**
 * The messages this process is delivering now (claimed, not yet recorded or handed on). A
 * second job of the same message here (a restore after Redis lost its jobs, while the
 * batch still runs) waits for the first, then loads it and finds it past `queued`: the
 * carrier is not sent it twice by one process.
 */
export class MessageClaims {
  readonly #inProgress = new Map<string, Promise<void>>();

  /**
   * Waits until none of `ids` is claimed, then claims them all at once (never holding some
   * while waiting for others: two jobs cannot deadlock). Returns the release of one claim.
   */
  async claim(ids: readonly string[]): Promise<(id: string) => void> {
    for (;;) {
      const busy = ids.flatMap((id) => this.#inProgress.get(id) ?? []);
      if (busy.length === 0) break;
      await Promise.all(busy);
    }
    const ends = new Map<string, () => void>();
    for (const id of ids) {
      this.#inProgress.set(id, new Promise<void>((resolve) => ends.set(id, resolve)));
    }
    return (id) => {
      const end = ends.get(id);
      if (!end) return;
      ends.delete(id);
      this.#inProgress.delete(id);
      end();
    };
  }
}
