/** The gate as JUnit XML (CI systems read it natively): one test case per cell × correctness, metric and counter, and per positive control. */
import { describeCounter, describeMetric, GATE_COUNTERS, GATE_METRICS, type GateMetric } from '../harness/analyze/gate.js';
import type { GateResult } from '../harness/result/gate-result.js';

/**
 * Escaped for XML 1.0, and without the characters it cannot hold at all (C0 controls but tab, newline
 * and carriage return; lone surrogates; U+FFFE, U+FFFF): a strategy's error message may carry them, and
 * one of them makes the whole report unreadable to a CI system.
 */
const xml = (s: string) => s
  .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
  .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Case {
  className: string;
  name: string;
  failure?: { type: string; message: string; body: string };
  skipped?: string;
}

export function renderGateJunit(result: GateResult): string {
  const cases: Case[] = result.controls.map((c) => ({
    className: 'parquet-chaos.gate.controls', name: `${c.name}: ${c.strategy} × ${c.scenario} is caught`,
    ...(c.caught ? {} : { failure: { type: 'control missed', message: `positive control not caught: ${c.found} ${c.expects.join(' or ')}${c.why ? ` (${c.why})` : ''}`, body: `Replay: ${c.replay}\nCell folder: ${c.dir}` } }),
  }));
  if (result.stopped) cases.push({ className: 'parquet-chaos.gate', name: 'the gate ran to the end', failure: { type: 'stopped', message: 'stopped, not judged', body: result.stopped } });
  for (const cell of result.cells) {
    const className = `parquet-chaos.gate.${cell.strategy === undefined ? '' : `${cell.strategy.replace(/^.*\//, '')}.`}${cell.scenario}.w${cell.workers}`;
    cases.push({
      className, name: 'correctness',
      ...(cell.correctness.length === 0 ? {} : {
        failure: {
          type: 'correctness', message: `${cell.correctness.length} failing repeat(s)`,
          body: cell.correctness.map((f) => `${f.side} ${f.strategy} repeat ${f.repeat} (seed ${f.seed}): ${f.problems.join(', ')}\nReplay: ${f.replay}\nCell folder: ${f.dir}`).join('\n\n'),
        },
      }),
    });
    for (const m of cell.metrics) {
      const name = GATE_METRICS[m.metric as GateMetric]?.label ?? m.metric;
      const evidence = `${describeMetric(m)}\nbase: ${JSON.stringify(cell.samples.filter((s) => s.side === 'base').map((s) => s.metrics[m.metric as GateMetric]))}\nhead: ${JSON.stringify(cell.samples.filter((s) => s.side === 'head').map((s) => s.metrics[m.metric as GateMetric]))}`;
      if (result.stopped) cases.push({ className, name, skipped: 'the gate stopped before its plan was measured: not judged' });
      else if (m.answer === 'regressed') cases.push({ className, name, failure: { type: 'regressed', message: describeMetric(m), body: evidence } });
      else if (m.answer === 'inconclusive' && !result.config.inconclusiveOk) cases.push({ className, name, failure: { type: 'inconclusive', message: `inconclusive after ${cell.pairs} pairs`, body: evidence } });
      else if (m.answer === 'inconclusive') cases.push({ className, name, skipped: `inconclusive after ${cell.pairs} pairs: ${describeMetric(m)}` });
      else cases.push({ className, name });
    }
    for (const c of cell.counters) {
      cases.push({ className, name: GATE_COUNTERS[c.counter].label, ...(c.answer === 'regressed' ? { failure: { type: 'regressed', message: describeCounter(c), body: describeCounter(c) } } : {}) });
    }
  }
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped).length;
  const body = cases.map((c) => {
    const open = `    <testcase classname="${xml(c.className)}" name="${xml(c.name)}"`;
    if (c.failure) return `${open}>\n      <failure type="${xml(c.failure.type)}" message="${xml(c.failure.message)}">${xml(c.failure.body)}</failure>\n    </testcase>`;
    if (c.skipped) return `${open}>\n      <skipped message="${xml(c.skipped)}"/>\n    </testcase>`;
    return `${open}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="parquet-chaos gate" tests="${cases.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="gate ${xml(result.config.base ?? result.baseline?.file ?? '(no base)')} → ${xml(result.config.head)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" timestamp="${xml(result.startedAt)}">`,
    ...body,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
