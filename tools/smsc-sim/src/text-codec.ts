/// <reference types="@maskline/smpp-types" preserve="true" />
import { gsm7Length } from '@maskline/core';
import smpp from 'smpp';

/**
 * Text as the simulated SMSC reads and writes it: GSM 03.38 default alphabet (data_coding
 * 0x00, one septet per octet, 0x1B escapes for the extension table) when every character
 * fits, UCS-2 big-endian (0x08) otherwise. The smpp package's own GSM coder is used on
 * purpose: an implementation independent of the plugin's, so tests compare two codecs.
 */
export function encodeText(text: string): { dataCoding: number; bytes: Buffer } {
  if (gsm7Length(text) !== null) return { dataCoding: 0x00, bytes: smpp.gsmCoder.encode(text, 0x00) };
  return { dataCoding: 0x08, bytes: Buffer.from(swapBytes(Buffer.from(text, 'utf16le'))) };
}

function swapBytes(le: Buffer): Buffer {
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return be;
}

/** The smpp package decodes short_message/message_payload to { message } by data_coding. */
export function messageText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (value && typeof value === 'object' && 'message' in value) {
    const message = (value as { message: unknown }).message;
    return typeof message === 'string' ? message : Buffer.isBuffer(message) ? message.toString('latin1') : '';
  }
  return '';
}
