/**
 * Text normalisation for code extraction. NFKC folds full-width digits, letters and
 * punctuation (`１２３４`, `：`, `，`, `［`) into their ASCII forms, so one set of patterns
 * covers both; line breaks and tabs become plain spaces.
 */
export function normalizeMessage(text: string): string {
  return text.normalize('NFKC').replace(/[\t\r\n\v\f\u00a0\u3000]/g, ' ');
}

/** Replaces `text[start, end)` with spaces, keeping every other offset where it was. */
export function blankOut(text: string, start: number, end: number): string {
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
}
