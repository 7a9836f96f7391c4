import { createHmac } from 'node:crypto';

/**
 * Twilio's request signature (X-Twilio-Signature): base64(HMAC-SHA1(auth token, the full
 * URL Twilio called + every POST parameter's name and value, sorted by name)). Parameters
 * of the same name keep their order. See Twilio's "Webhooks security" documentation.
 */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const names = [...new Set(params.keys())].sort();
  let data = url;
  for (const name of names) {
    for (const value of params.getAll(name)) data += name + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}
