/**
 * Declarations for the parts of `smpp@0.5.1` (a PDU codec and socket layer) that Maskline
 * uses. The package ships no types. Field names follow SMPP 3.4 as the package spells them.
 * Extend this file when you use more of the package; keep it truthful to 0.5.1.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export type CommandName = string;

  export interface DecodedMessage {
    udh?: Buffer[];
    message: string | Buffer;
  }

  /** A PDU: header fields plus the command's params and TLVs as own properties. */
  export class PDU {
    constructor(command: CommandName, options?: Record<string, unknown>);
    constructor(buffer: Buffer);
    command: CommandName;
    command_length: number;
    command_id: number;
    command_status: number;
    sequence_number: number;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): PDU;
    toBuffer(): Buffer;
    static maxLength: number;
    static fromBuffer(buffer: Buffer): PDU | false;
    /** Params and TLVs by name (system_id, short_message, receipted_message_id, ...). */
    [field: string]: unknown;
  }

  export interface SessionOptions {
    host?: string;
    port?: number;
    tls?: boolean;
    url?: string;
    socket?: Socket;
    auto_enquire_link_period?: number;
    [option: string]: unknown;
  }

  export type ResponseCallback = (pdu: PDU) => void;

  export class Session extends EventEmitter {
    constructor(options: SessionOptions);
    socket: Socket;
    sequence: number;
    paused: boolean;
    server?: Server;
    connect(): void;
    /** Returns false (and sends nothing) when the socket is not writable. */
    send(pdu: PDU, responseCallback?: ResponseCallback, sendCallback?: ResponseCallback): boolean;
    pause(): void;
    resume(): void;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    bind_transceiver(options: Record<string, unknown>, cb?: ResponseCallback): boolean;
    bind_transmitter(options: Record<string, unknown>, cb?: ResponseCallback): boolean;
    bind_receiver(options: Record<string, unknown>, cb?: ResponseCallback): boolean;
    submit_sm(options: Record<string, unknown>, cb?: ResponseCallback): boolean;
    deliver_sm(options: Record<string, unknown>, cb?: ResponseCallback): boolean;
    enquire_link(options?: Record<string, unknown>, cb?: ResponseCallback): boolean;
    unbind(options?: Record<string, unknown>, cb?: ResponseCallback): boolean;
    generic_nack(options?: Record<string, unknown>, cb?: ResponseCallback): boolean;
  }

  export class Server extends NetServer {
    sessions: Session[];
  }

  export interface ServerOptions {
    key?: string | Buffer;
    cert?: string | Buffer;
    [option: string]: unknown;
  }

  export function createServer(listener?: (session: Session) => void): Server;
  export function createServer(options: ServerOptions, listener?: (session: Session) => void): Server;
  export function connect(options: SessionOptions, listener?: () => void): Session;
  export function connect(url: string, listener?: () => void): Session;

  /** A PDU field's wire type: read from a raw PDU buffer at an offset, and its encoded size. */
  export interface FieldType {
    read(buffer: Buffer, offset: number, length?: number): unknown;
    size(value: unknown): number;
  }

  export interface CommandDefinition {
    id: number;
    /** The command's name (set on the definition by the package). */
    command: CommandName;
    /** Mandatory parameters, in wire order. */
    params?: Record<string, { type: FieldType }>;
  }

  /** Command definitions by name and by command_id (SMPP 3.4 §5.1.2.1). */
  export const commands: Record<CommandName, CommandDefinition>;
  export const commandsById: Record<number, CommandDefinition | undefined>;

  export const errors: Record<string, number>;
  export const consts: {
    REGISTERED_DELIVERY: Record<string, number>;
    ESM_CLASS: Record<string, number>;
    MESSAGE_STATE: Record<string, number>;
    TON: Record<string, number>;
    NPI: Record<string, number>;
    ENCODING: Record<string, number>;
  };
  export const gsmCoder: {
    encode(value: string, tableId?: number): Buffer;
    decode(value: Buffer, tableId?: number): string;
  };
  export const encodings: Record<
    string,
    { match(value: string): boolean; encode(value: string): Buffer; decode(value: Buffer): string }
  > & { default: string };

  // Status codes are also exported flat, e.g. smpp.ESME_ROK.
  export const ESME_ROK: number;
  export const ESME_RTHROTTLED: number;
  export const ESME_RMSGQFUL: number;
  export const ESME_RBINDFAIL: number;
  export const ESME_RINVPASWD: number;
  export const ESME_RINVSYSID: number;
  export const ESME_RSYSERR: number;
  export const ESME_RINVDSTADR: number;
  export const ESME_RSUBMITFAIL: number;
}
