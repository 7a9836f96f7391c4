import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePromtool } from '@maskline/local-infra';
import { describe, expect, it } from 'vitest';

const docs = join(dirname(fileURLToPath(import.meta.url)), '../../../docs');
const rules = join(docs, 'observability/alerts.yml');

/**
 * The alert rules against recorded metrics: `promtool test rules` (Debian's prometheus
 * package, installed when missing as the other tools are) runs every alert of
 * docs/observability/alerts.yml over series that must fire and series that must not.
 */
const metricsIn = (text: string) => new Set(text.match(/\b(maskline|http_server)_[a-z_]+/g));
/** A metric's documented name: a histogram's series add _bucket, _count, _sum. */
const family = (name: string) => name.replace(/_(bucket|count|sum)$/, '');

describe('Prometheus alert rules', () => {
  const promtool = ensurePromtool((line) => console.log(line));
  const run = (...args: string[]) =>
    execFileSync(promtool, args, { cwd: dirname(rules), encoding: 'utf8', stdio: 'pipe' });

  it('are valid rules', () => {
    expect(run('check', 'rules', 'alerts.yml')).toMatch(/SUCCESS: 9 rules found/);
  });

  it('fire, and stay quiet, as the recorded series say', () => {
    expect(run('test', 'rules', 'alerts.test.yml')).toMatch(/SUCCESS/);
  });

  it('use only metrics the apps export (docs/observability.md)', () => {
    const documented = readFileSync(join(docs, 'observability.md'), 'utf8');
    const used = metricsIn(readFileSync(rules, 'utf8'));
    expect(used.size).toBeGreaterThanOrEqual(8);
    for (const metric of used) expect(documented, metric).toContain(`\`${family(metric)}\``);
  });
});

describe('the Grafana dashboard', () => {
  it('queries only documented metrics, one panel per query group', () => {
    const dashboard = JSON.parse(
      readFileSync(join(docs, 'observability/grafana-dashboard.json'), 'utf8'),
    ) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const documented = readFileSync(join(docs, 'observability.md'), 'utf8');
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(12);
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets) {
        const metrics = metricsIn(expr);
        expect(metrics.size, expr).toBeGreaterThan(0);
        for (const metric of metrics) expect(documented, metric).toContain(`\`${family(metric)}\``);
      }
    }
  });
});
