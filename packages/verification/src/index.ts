export type { CandidateShape } from './candidates.js';
export {
  type ExtractedCode,
  type ExtractedCodeDetail,
  type ExtractionReason,
  extractVerificationCode,
  extractVerificationCodeDetailed,
} from './extract-code.js';
