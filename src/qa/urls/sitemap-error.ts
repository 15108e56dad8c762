import { SourceError, type SourceErrorDetails, type SourceIssue } from '../../core/index.js';

/** Where a sitemap's problem is: a line and column for a syntax error. */
export type SitemapIssue = SourceIssue;

/**
 * A document a site serves as a sitemap is not one: empty, larger than the protocol allows, not XML
 * (with the line and column of the syntax error), or XML of another kind (an RSS feed, an HTML page,
 * with the root element found). The crawl reports it and goes on without the sitemap's URLs.
 */
export class SitemapError extends SourceError<SitemapIssue> {
  /** The sitemap's URL, when the caller gave it. */
  readonly url: string | undefined;

  constructor(message: string, details: SourceErrorDetails<SitemapIssue> & { url?: string } = {}) {
    const { url, ...where } = details;
    super('E_SITEMAP', message, where);
    this.url = url;
  }

  /** The document at `url` is not a sitemap because of `reason`, found at `line`:`column` when known. */
  static because(reason: string, where: { url?: string; line?: number; column?: number } = {}): SitemapError {
    const { url, line, column } = where;
    const at = line === undefined ? '' : column === undefined ? ` (line ${line})` : ` (${line}:${column})`;
    const subject = url === undefined ? 'Not a sitemap' : `Not a sitemap: ${url}`;
    return new SitemapError(`${subject}${at}: ${reason}`, { url, line, column });
  }
}
