import { describe, expect, it } from 'vitest';
import { readImportCsv, validateImportRows } from '../src/pool/number-import.js';

describe('validateImportRows', () => {
  it('accepts good rows with default capabilities and reports each bad row by number and field', () => {
    const { rows, errors } = validateImportRows([
      { number: '+447911200001', country: 'gb' },
      { number: '07700 900002', country: 'GB' },
      { number: '+447911200003', country: 'GBR' },
      { number: '+447911200004', country: 'GB', capabilities: ['sms-mt', 'voice'] },
      { number: '+447911200005', country: 'GB', capabilities: 'sms-mo', region: 'London' },
      { number: '+447911200001', country: 'GB' },
      'not an object',
      { number: '+447911200006', country: 'GB', colour: 'red' },
      { number: '+447911200007', country: 'GB', region: '<script>' },
    ]);
    expect(rows).toEqual([
      { row: 1, e164: '+447911200001', country: 'GB', capabilities: ['sms-mt', 'sms-mo'], region: null },
      { row: 5, e164: '+447911200005', country: 'GB', capabilities: ['sms-mo'], region: 'London' },
    ]);
    expect(errors.map((e) => [e.row, e.field, e.code])).toEqual([
      [2, 'number', 'invalid_phone_number'],
      [3, 'country', 'invalid_request'],
      [4, 'capabilities', 'invalid_request'],
      [6, 'number', 'virtual_number_exists'],
      [7, null, 'invalid_request'],
      [8, 'colour', 'invalid_request'],
      [9, 'region', 'invalid_request'],
    ]);
  });

  it('never echoes a submitted number in an error message', () => {
    const { errors } = validateImportRows([{ number: '+4477009', country: 'GB' }]);
    expect(JSON.stringify(errors)).not.toContain('4477009');
  });
});

describe('readImportCsv', () => {
  it('reads a header row, trims cells and splits capabilities', () => {
    const raw = readImportCsv(
      'Number, Country ,capabilities,region\n+447911200001,GB,sms-mt;sms-mo,\n\n+447911200002 ,GB,sms-mo,North\n',
    );
    const { rows, errors } = validateImportRows(raw);
    expect(errors).toEqual([]);
    expect(rows.map((r) => [r.row, r.e164, r.capabilities, r.region])).toEqual([
      [1, '+447911200001', ['sms-mt', 'sms-mo'], null],
      [2, '+447911200002', ['sms-mo'], 'North'],
    ]);
  });

  it('throws on a file it cannot read (ragged rows)', () => {
    expect(() => readImportCsv('number,country\n+447911200001,GB,extra\n')).toThrow();
  });
});
