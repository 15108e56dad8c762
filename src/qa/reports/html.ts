import { createHash } from 'node:crypto';
import { SEVERITIES, type Finding, type QaReport } from '../report.js';
import { html as h } from './escape.js';
import { REPORT_CSS, REPORT_SCRIPT } from './html-assets.js';

/** The most pages a finding lists in its row before "N more" (the JSON has them all). */
const MAX_PAGES_LISTED = 50;

/**
 * The report as one HTML file a person reads in a browser: the summary, findings by severity and check,
 * the findings table with filters (severity, check, text), screenshots, the fixed findings against a
 * baseline, and the pages tested and not tested. Everything is rendered here, escaped (a crawled page
 * controls its title, messages and URLs); the only script filters the rendered rows, allowed by its hash
 * in the page's Content-Security-Policy, which also forbids every request but the report folder's images.
 * It works with JavaScript off (no filters then).
 */
export function renderHtml(report: QaReport): string {
  const { run, summary } = report;
  const scriptHash = createHash('sha256').update(REPORT_SCRIPT).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src 'self' file: data:; base-uri 'none'; form-action 'none'`;
  const urls = (run.config['urls'] as readonly string[] | undefined) ?? [];
  const checks = [...new Set(report.findings.map((one) => one.check))];
  const ordered = [...report.findings].sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.check.localeCompare(b.check),
  );
  const cards = [
    card('pages tested', summary.pages_tested),
    card('not tested', summary.pages_not_tested),
    ...SEVERITIES.map((severity) => card(severity, summary.findings_by_severity[severity], severity)),
  ].join('');
  const baseline = report.baseline;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Flotilla QA ${h(run.id)}: ${h(summary.status)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>Flotilla QA <span class="status status-${h(summary.status)}">${h(summary.status)}</span></h1>
<p>Run <code>${h(run.id)}</code> of ${urls.map((url) => `<code>${h(url)}</code>`).join(', ')} · ${h(run.started_at)} → ${h(run.finished_at)}</p>
${baseline === undefined ? '' : `<p>Against the baseline <code>${h(baseline.run_id)}</code>: ${baseline.new} new, ${baseline.persisting} persisting, ${baseline.fixed.length} fixed${baseline.new_only ? ' (only new findings fail the run)' : ''}.</p>`}
</header>
<main>
<section class="cards">${cards}</section>
<section>
<h2>By check</h2>
${breakdown(report, checks)}
</section>
<section>
<h2>Findings <span id="shown" class="muted"></span></h2>
<form id="filters" class="filters" hidden>
${SEVERITIES.map((severity) => `<label><input type="checkbox" name="severity" value="${severity}" checked> ${severity}</label>`).join('\n')}
<label>check <select name="check"><option value="">all</option>${checks.map((check) => `<option>${h(check)}</option>`).join('')}</select></label>
<label>search <input type="search" name="text" placeholder="title, URL, selector…"></label>
</form>
${ordered.length === 0 ? '<p>No findings.</p>' : findingsTable(ordered, baseline !== undefined)}
</section>
${baseline === undefined || baseline.fixed.length === 0 ? '' : `<section><h2>Fixed since the baseline</h2>${fixedTable(baseline.fixed)}</section>`}
<section>
<h2>Pages tested (${report.pages.length})</h2>
<table><thead><tr><th>URL</th><th>status</th><th>load ms</th><th>title</th></tr></thead><tbody>
${report.pages.map((page) => `<tr><td><code>${h(page.url)}</code></td><td>${page.status ?? '–'}</td><td>${page.load_ms ?? '–'}</td><td>${h(page.title ?? '')}</td></tr>`).join('\n')}
</tbody></table>
</section>
<section>
<h2>Not tested (${report.not_tested.length})</h2>
${
  report.not_tested.length === 0
    ? '<p>None.</p>'
    : `<table><thead><tr><th>URL</th><th>reason</th></tr></thead><tbody>
${report.not_tested.map((one) => `<tr><td><code>${h(one.url)}</code></td><td>${h(one.reason)}</td></tr>`).join('\n')}
</tbody></table>`
}
</section>
</main>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

function card(label: string, value: number, severity?: string): string {
  return `<div class="card${severity === undefined ? '' : ` sev-${severity}`}"><div class="value">${value}</div><div class="label">${h(label)}</div></div>`;
}

/** A severity × check table of counts. */
function breakdown(report: QaReport, checks: readonly string[]): string {
  if (checks.length === 0) return '<p>No findings.</p>';
  const rows = checks.map((check) => {
    const mine = report.findings.filter((one) => one.check === check);
    const cells = SEVERITIES.map((severity) => {
      const count = mine.filter((one) => one.severity === severity).length;
      return `<td class="num">${count === 0 ? '' : count}</td>`;
    }).join('');
    return `<tr><th scope="row">${h(check)}</th>${cells}<td class="num">${mine.length}</td></tr>`;
  });
  return `<table class="breakdown"><thead><tr><th>check</th>${SEVERITIES.map((one) => `<th class="num">${one}</th>`).join('')}<th class="num">all</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function findingsTable(findings: readonly Finding[], baselined: boolean): string {
  const rows = findings.map((one) => {
    const listed = one.affected_urls.slice(0, MAX_PAGES_LISTED);
    const more = one.affected_urls.length - listed.length;
    const pages =
      one.affected_urls.length <= 1
        ? `<code>${h(one.url)}</code>`
        : `<details><summary><code>${h(one.url)}</code> and ${one.affected_urls.length - 1} more page${one.affected_urls.length === 2 ? '' : 's'}</summary><ul>${listed.map((url) => `<li><code>${h(url)}</code></li>`).join('')}${more > 0 ? `<li>… and ${more} more (see report.json)</li>` : ''}</ul></details>`;
    const screenshot =
      one.screenshot === null
        ? ''
        : `<a href="${h(one.screenshot)}"><img src="${h(one.screenshot)}" alt="Screenshot of ${h(one.title)}" loading="lazy" width="160"></a>`;
    return `<tr class="finding" data-severity="${one.severity}" data-check="${h(one.check)}">
<td><span class="sev sev-${one.severity}">${one.severity}</span></td>
<td>${h(one.check)}<br><span class="muted">${h(one.rule)}</span></td>
<td><strong>${h(one.title)}</strong><br>${h(one.message)}${one.help_url === null ? '' : `<br><a href="${h(safeHref(one.help_url))}" rel="noreferrer noopener">about this rule</a>`}</td>
<td>${pages}</td>
<td>${one.selector === null ? '' : `<code>${h(one.selector)}</code>`}${one.snippet === null ? '' : `<pre>${h(one.snippet)}</pre>`}</td>
<td>${screenshot}</td>${baselined ? `<td>${h(one.baseline ?? '')}</td>` : ''}
</tr>`;
  });
  return `<table id="findings"><thead><tr><th>severity</th><th>check</th><th>finding</th><th>pages</th><th>element</th><th>screenshot</th>${baselined ? '<th>baseline</th>' : ''}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

function fixedTable(fixed: readonly Finding[]): string {
  return `<table><thead><tr><th>severity</th><th>check</th><th>finding</th><th>page</th></tr></thead><tbody>${fixed
    .map(
      (one) =>
        `<tr><td><span class="sev sev-${one.severity}">${one.severity}</span></td><td>${h(one.check)}/${h(one.rule)}</td><td>${h(one.title)}</td><td><code>${h(one.url)}</code></td></tr>`,
    )
    .join('')}</tbody></table>`;
}

/** An http(s) link as given; anything else (a `javascript:` URL a report was given) as `#`. */
function safeHref(url: string): string {
  return /^https?:\/\//i.test(url) ? url : '#';
}
