import type { CarrierPrice, RoutePrice } from './route-types.js';

/** The carrier's price for one segment to `destination`: the longest matching prefix wins. */
export function unitPrice(
  prices: readonly CarrierPrice[],
  carrierId: string,
  destination: string,
): CarrierPrice | null {
  let best: CarrierPrice | null = null;
  for (const p of prices) {
    if (p.carrierId !== carrierId || !destination.startsWith(p.prefix)) continue;
    if (!best || p.prefix.length > best.prefix.length) best = p;
  }
  return best;
}

/** The price of the whole message (all its segments), or null when the carrier has none. */
export function messagePrice(
  prices: readonly CarrierPrice[],
  carrierId: string,
  destination: string,
  segments: number,
): RoutePrice | null {
  const unit = unitPrice(prices, carrierId, destination);
  return unit ? { micros: unit.priceMicros * Math.max(1, segments), currency: unit.currency } : null;
}
