/**
 * Whether a URL that receives personal data (a report, a verdict) is acceptable: https, or plain http
 * only to this machine (tests, a local relay).
 */
export function httpsOrLocalhost(url: string): boolean {
  return !url.startsWith('http:') || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/]/.test(url);
}

export const HTTPS_OR_LOCALHOST_ERROR =
  'expected an https URL (plain http only to localhost): the report holds personal data';
