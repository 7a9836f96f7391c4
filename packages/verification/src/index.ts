export type { CandidateShape } from './candidates.js';
export {
  type ExtractedCode,
  type ExtractedCodeDetail,
  type ExtractionReason,
  extractVerificationCode,
  extractVerificationCodeDetailed,
} from './extract-code.js';
export {
  DEFAULT_PUMPING_THRESHOLDS,
  MAX_RANGE_DIGITS,
  MIN_RANGE_DIGITS,
  type NumberRange,
  numberRange,
  type PumpingThresholds,
  type PumpingVerdict,
  pumpingVerdict,
  type RangeCounts,
} from './pumping.js';
export {
  generateVerificationCode,
  hashVerificationCode,
  MAX_CODE_LENGTH,
  MIN_CODE_LENGTH,
  verificationCodeMatches,
} from './verification-code.js';
export {
  type CheckOutcome,
  checkOutcome,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_SENDS,
  RESEND_COOLDOWN_MS,
  VERIFICATION_STATUSES,
  type VerificationStatus,
} from './verification-outcome.js';
export {
  BUILT_IN_TEMPLATES,
  isVerificationLocale,
  renderVerificationMessage,
  type TemplateProblem,
  VERIFICATION_LOCALES,
  type VerificationLocale,
  type VerificationMessageInput,
  VerificationTemplateError,
  validateTemplate,
} from './verification-templates.js';
