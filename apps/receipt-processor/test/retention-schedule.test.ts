import type { Logger } from '@maskline/core';
import type { PurgeReport } from '@maskline/storage';
import { describe, expect, it } from 'vitest';
import { RetentionSchedule } from '../src/retention/retention-schedule.js';

function recordingLogger(lines: { level: string; fields: object; msg: string }[]): Logger {
  const logger: Logger = {
    info: (fields: object, msg: string) => lines.push({ level: 'info', fields, msg }),
    warn: (fields: object, msg: string) => lines.push({ level: 'warn', fields, msg }),
    error: (fields: object, msg: string) => lines.push({ level: 'error', fields, msg }),
    debug: () => {},
    child: () => logger,
  } as unknown as Logger;
  return logger;
}

const report: PurgeReport = {
  tenantId: 't1',
  bodiesAnonymised: 3,
  messagesDeleted: 1,
  receiptsDeleted: 1,
  mappingsPurged: 0,
  webhookEventsPurged: 2,
  sandboxMessagesDeleted: 0,
};

describe('the retention schedule', () => {
  it('logs what each purge did, by counts', async () => {
    const lines: { level: string; fields: object; msg: string }[] = [];
    const schedule = new RetentionSchedule({ run: async () => [report] }, recordingLogger(lines), 60_000);
    expect(await schedule.runOnce()).toEqual([report]);
    expect(lines).toEqual([{ level: 'info', fields: report, msg: 'retention purge' }]);
  });

  it('survives a failed purge (the next interval retries)', async () => {
    const lines: { level: string; fields: object; msg: string }[] = [];
    const schedule = new RetentionSchedule(
      {
        run: async () => {
          throw new Error('database gone');
        },
      },
      recordingLogger(lines),
      60_000,
    );
    expect(await schedule.runOnce()).toEqual([]);
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'retention purge failed; next interval retries' });
    await schedule.stop();
  });
});
