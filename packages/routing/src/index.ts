export { chooseRoute } from './choose-route.js';
export * from './message-router.js';
export { messagePrice, unitPrice } from './prices.js';
export { routeMatches } from './route-match.js';
export * from './route-table.js';
export * from './route-types.js';
