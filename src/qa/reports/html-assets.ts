/** The HTML report's style: sober, light and dark. */
export const REPORT_CSS = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --card: #f6f8fa;
  --critical: #a40e26; --high: #cf222e; --medium: #bc4c00; --low: #4d2d00; --info: #0969da; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d;
  --card: #161b22; --critical: #ff7b72; --high: #ffa198; --medium: #ffa657; --low: #e3b341; --info: #79c0ff; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 90rem; padding: 1.5rem; font: 14px/1.5 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
code, pre { font: 12px/1.4 ui-monospace, monospace; word-break: break-all; } pre { white-space: pre-wrap; margin: .25rem 0 0; }
.muted { color: var(--muted); font-weight: normal; }
.status { font-size: .9rem; padding: .1rem .5rem; border-radius: 1rem; vertical-align: middle; border: 1px solid currentColor; }
.status-failed { color: var(--high); } .status-passed { color: #1a7f37; } .status-interrupted { color: var(--medium); }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; min-width: 8rem; }
.card .value { font-size: 1.6rem; font-weight: 600; } .card .label { color: var(--muted); }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
th { font-weight: 600; } .num { text-align: right; } .breakdown { width: auto; }
.sev { font-weight: 600; text-transform: uppercase; font-size: .75rem; }
.sev-critical { color: var(--critical); } .sev-high { color: var(--high); } .sev-medium { color: var(--medium); }
.sev-low { color: var(--low); } .sev-info { color: var(--info); }
.card.sev-critical .value { color: var(--critical); } .card.sev-high .value { color: var(--high); }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin: .5rem 0 1rem; }
.filters input[type=search] { min-width: 18rem; }
img { border: 1px solid var(--line); border-radius: .25rem; }
tr[hidden] { display: none; }
`;

/**
 * The report's only script: shows the filters and hides the findings rows they leave out. It reads the
 * rows the report rendered (never data of its own) and writes only counts and `hidden`.
 */
export const REPORT_SCRIPT = `(() => {
  const form = document.getElementById('filters');
  const rows = Array.from(document.querySelectorAll('#findings tr.finding'));
  const shown = document.getElementById('shown');
  if (form === null) return;
  form.hidden = false;
  const apply = () => {
    const severities = new Set(Array.from(form.querySelectorAll('input[name=severity]:checked'), (box) => box.value));
    const check = form.elements.check.value;
    const text = form.elements.text.value.trim().toLowerCase();
    let count = 0;
    for (const row of rows) {
      const visible = severities.has(row.dataset.severity) && (check === '' || row.dataset.check === check) &&
        (text === '' || row.textContent.toLowerCase().includes(text));
      row.hidden = !visible;
      if (visible) count++;
    }
    shown.textContent = '(' + count + ' of ' + rows.length + ')';
  };
  form.addEventListener('input', apply);
  form.addEventListener('submit', (event) => event.preventDefault());
  apply();
})();`;
