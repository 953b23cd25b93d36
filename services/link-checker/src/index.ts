export { linkChecker } from './main.ts';
export { DefaultLinkChecker, type LinkCheckOutcome, type LinkCheckerOptions, type Publish } from './checker.ts';
export { checkUrl, userAgent, type CheckUrlOptions } from './check-url.ts';
export type { CheckResult } from './check-result.ts';
export {
  createAddressPolicy,
  isNonPublicAddress,
  systemResolver,
  type AddressPolicy,
  type AddressPolicyOptions,
  type ResolvedAddress,
  type Resolver,
} from './ssrf-guard.ts';
export { registerLinkCheckerRoutes } from './transport/http.ts';
