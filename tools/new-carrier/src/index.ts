export { CarrierNameError, type CarrierNames, carrierNames } from './carrier-name.js';
export {
  CarrierExistsError,
  fill,
  type GeneratedCarrier,
  generateCarrier,
  TEMPLATES_DIR,
} from './generate.js';
