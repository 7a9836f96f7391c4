/** A plugin name: lower-case words joined by "-", starting with a letter (becomes carrier-<name>). */
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_LENGTH = 40;

export interface CarrierNames {
  /** "acme-sms": the plugin id and the folder's suffix. */
  name: string;
  /** "AcmeSms": class names. */
  Name: string;
  /** "acmeSms": value names. */
  camelName: string;
}

export class CarrierNameError extends Error {
  override name = 'CarrierNameError';
}

/** Validate a name and derive the spellings the templates use; throws CarrierNameError. */
export function carrierNames(input: string): CarrierNames {
  const name = input.trim();
  if (name.startsWith('carrier-'))
    throw new CarrierNameError(`give the name without "carrier-" (e.g. ${name.slice('carrier-'.length)})`);
  if (name.length > MAX_LENGTH || !NAME.test(name))
    throw new CarrierNameError(
      `"${input}" is not a plugin name: lower-case letters, digits and single "-" between words, starting with a letter, at most ${MAX_LENGTH} characters`,
    );
  const words = name.split('-');
  const Name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return { name, Name, camelName: Name[0]!.toLowerCase() + Name.slice(1) };
}
