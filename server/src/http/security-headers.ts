import type { Request, RequestHandler } from 'express';

export interface SecurityHeaderOptions {
  /**
   * Apollo's landing page is served at GET /graphql when introspection is on. It sets its own
   * Content-Security-Policy in a <meta> tag (scripts and styles by a per-response nonce, from
   * Apollo's CDN); /graphql then gets a header policy that adds only what a <meta> policy
   * cannot say (frame-ancestors) and nothing that would block the page.
   */
  landingPage?: boolean;
}

/** One Host header value we are willing to repeat in a policy: a host name or address, with a port. */
const SAFE_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The policy for the web client and everything else this server answers: scripts only from
 * this origin (the built client has no inline script); styles may be inline, because Solid
 * writes `style` attributes; the API and websockets only to this origin; never framed.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const sockets = host && SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** For Apollo's landing page, which brings its own script and style policy (see above). */
const LANDING_PAGE_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'";

/**
 * Security headers on every response: CSP, no MIME sniffing, no framing, no referrer, an
 * isolated browsing context, and HSTS when the request came over TLS (directly, or through a
 * proxy the `trust proxy` setting trusts to say so in X-Forwarded-Proto).
 */
export function securityHeaders(options: SecurityHeaderOptions = {}): RequestHandler {
  return (req: Request, res, next) => {
    const landing = options.landingPage === true && (req.path === '/graphql' || req.path.startsWith('/graphql/'));
    res.setHeader('content-security-policy', landing ? LANDING_PAGE_POLICY : contentSecurityPolicy(req.headers.host));
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-resource-policy', 'same-origin');
    if (req.secure) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
    next();
  };
}
