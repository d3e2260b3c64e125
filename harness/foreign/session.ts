import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as v from 'valibot';
import { ChaosError } from '../sdk/errors.js';
import { issuePath } from '../sdk/schema.js';
import { RECORD_COLUMNS, type TestRecord } from '../sdk/records.js';
import type { RoleKind, StrategyContext } from '../sdk/strategy.js';
import { deadlines, type Manifest, type OptionValue } from './manifest.js';
import { CHILD_MESSAGE_TYPES, ChildMessageSchema, PROTOCOL_VERSION, type ChildMessage, type HarnessMessage } from './protocol.js';
import { sampleChild, trackChild } from './child-usage.js';
import { kitPythonPath } from './bundled.js';

/** The record schema every `init` carries: the columns, their types, created_at's unit. */
const RECORD_SCHEMA = RECORD_COLUMNS.map((name) => {
  switch (name) {
    case 'worker': case 'seq': case 'latency_ms': return { name, type: 'int64' as const };
    case 'created_at': return { name, type: 'int64' as const, unit: 'us' as const };
    case 'score': return { name, type: 'double' as const };
    case 'ok': return { name, type: 'bool' as const };
    default: return { name, type: 'string' as const };
  }
});

type Answer = Extract<ChildMessage, { type: 'init_ok' | 'ok' | 'fail' | 'info' | 'close_ok' | 'done' }>;

interface Waiter {
  what: string;
  accepts: ReadonlySet<Answer['type']>;
  resolve(message: Answer): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** A line quoted in an error: short, on one line. */
function quote(line: string): string {
  const text = JSON.stringify(line);
  return text.length > 120 ? `${text.slice(0, 117)}…"` : text;
}

/**
 * One foreign process speaking writer protocol 1 (docs/protocol.md) for one harness role process. It
 * starts the manifest's command for the role (in the role process's own process group, so that a
 * fault's group kill or pause takes both), hands its stderr to a file in the cell's logs/, drains its
 * stdout continuously and judges every line: anything the protocol does not allow ends the session
 * with an E_PROTOCOL error naming the line, which fails the role, so the cell's verdict is `unknown`.
 */
export class ForeignSession {
  private readonly child: ChildProcess;
  private readonly limits: ReturnType<typeof deadlines>;
  readonly stderrPath: string;
  private failure: ChaosError | undefined;
  private waiter: Waiter | undefined;
  private lineNo = 0;
  private pending = '';
  /** Lines are handled one after another: a `point` is answered before the next line is looked at. */
  private queue: Promise<void> = Promise.resolve();
  private started = false;
  private exitExpected = false;
  private readonly sent = new Set<string>();
  private readonly answered = new Set<string>();
  private inFlight: string | undefined;
  private closing = false;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(private readonly manifest: Manifest, manifestPath: string, private readonly kind: RoleKind, private readonly ctx: StrategyContext) {
    const role = manifest.roles[kind];
    if (!role) throw new ChaosError('E_PLUGIN', `manifest ${manifestPath} has no ${kind} role`);
    this.limits = deadlines(manifest);
    const logs = join(dirname(ctx.dataDir), 'logs');
    this.stderrPath = join(logs, `${kind}-${ctx.role.index}-${ctx.role.pid}.foreign.stderr`);
    // stderr straight into the file: no pipe to fill, every byte kept even if this process is killed.
    const stderr = openSync(this.stderrPath, 'a');
    const [program, ...args] = role.command;
    this.child = spawn(program!, args, {
      cwd: dirname(manifestPath), stdio: ['pipe', 'pipe', stderr],
      env: { ...process.env, PYTHONPATH: kitPythonPath(), ...role.env, PARQUET_CHAOS_PROTOCOL: String(PROTOCOL_VERSION) },
    });
    closeSync(stderr);
    if (this.child.pid !== undefined) trackChild(this.child.pid);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        if (this.child.pid !== undefined) sampleChild(this.child.pid);
        resolve({ code, signal });
        // Every stdout line has been queued by now ('close' comes after the streams end).
        void this.queue.then(() => {
          if (!this.exitExpected) this.protocolError(`exited (${signal ? `signal ${signal}` : `code ${code}`}) ${this.waiter ? `while the harness waited for ${this.waiter.what}` : 'before the harness ended it'}${this.stderrTail()}`);
        });
      });
    });
    this.child.once('error', (error) => this.protocolError(`could not be started (${role.command.join(' ')} in ${dirname(manifestPath)}): ${error.message}`));
    // Writes to a child that is gone fail with EPIPE: its exit is what gets reported.
    this.child.stdin!.on('error', () => {});
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => this.receive(chunk));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends `init` and waits for `init_ok` within the init deadline. */
  async init(options: Record<string, OptionValue>): Promise<void> {
    const cellDir = dirname(this.ctx.dataDir);
    const ctx = this.ctx;
    this.send({
      type: 'init', protocol: PROTOCOL_VERSION, role: this.kind, index: ctx.role.index,
      run_id: basename(dirname(dirname(cellDir))), cell_id: `${basename(dirname(cellDir))}/${basename(cellDir)}`,
      process_id: ctx.role.processId, data_dir: ctx.dataDir, state_dir: ctx.stateDir, options,
      seed: ctx.random.int(2 ** 31), schema: RECORD_SCHEMA,
    });
    await this.expect('init_ok', ['init_ok'], this.limits.initMs);
  }

  /** Hands one record over; resolves with the ids the child says are durable now (fail: throws; info: none). */
  async write(record: TestRecord): Promise<readonly string[]> {
    this.sent.add(record.id);
    this.inFlight = record.id;
    this.send({ type: 'write', id: record.id, record: { ...record, created_at: Number(record.created_at) } });
    const answer = await this.expect(`the answer to write ${record.id}`, ['ok', 'fail', 'info'], this.limits.recordMs);
    if (answer.type === 'fail') throw new Error(`${this.name()} says ${record.id} was not saved: ${answer.error}`);
    if (answer.type === 'info') {
      // Indeterminate: no ack, no fail line; the checker counts it neither lost nor acked.
      this.ctx.count('indeterminate');
      this.ctx.log(`${record.id} indeterminate (info): ${answer.error}`);
      return [];
    }
    return answer.type === 'ok' ? answer.acks ?? [answer.id] : [];
  }

  /** `close`: waits for `close_ok` (the ids it made durable), then for a clean exit. */
  async close(): Promise<readonly string[]> {
    this.closing = true;
    this.send({ type: 'close' });
    const answer = await this.expect('close_ok', ['close_ok'], this.limits.recordMs);
    await this.awaitCleanExit(this.limits.stopMs, 'after close_ok');
    return answer.type === 'close_ok' ? answer.acks : [];
  }

  /** Finalize: waits for `done` (no deadline but the cell's), then for a clean exit. */
  async done(): Promise<void> {
    await this.expect('done', ['done'], 0);
    await this.awaitCleanExit(this.limits.stopMs, 'after done');
  }

  /** Background roles: runs until `signal` aborts, then `stop` and a clean exit within the stop deadline. */
  async runUntil(signal: AbortSignal): Promise<void> {
    const aborted = new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    // Any exit before `stop` is a protocol error (reported by the exit handler): wait for either.
    const failed = new Promise<void>((_, reject) => { this.onFailure = reject; });
    failed.catch(() => {});
    this.throwIfFailed();
    await Promise.race([aborted, failed]);
    this.exitExpected = true;
    this.send({ type: 'stop' });
    await this.awaitCleanExit(this.limits.stopMs, 'after stop');
  }

  /** Ends the child at once (the role is ending on an error). */
  kill(): void {
    this.exitExpected = true;
    this.child.kill('SIGKILL');
  }

  private onFailure: ((error: Error) => void) | undefined;

  private async awaitCleanExit(ms: number, when: string): Promise<void> {
    this.exitExpected = true;
    this.throwIfFailed();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ms); });
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    await this.queue;
    this.throwIfFailed();
    if (result === 'timeout') {
      this.child.kill('SIGKILL');
      throw this.fail(`did not exit within ${ms} ms ${when}; killed`);
    }
    if (result.code !== 0) throw this.fail(`exited (${result.signal ? `signal ${result.signal}` : `code ${result.code}`}) ${when}, expected code 0${this.stderrTail()}`);
  }

  private name(): string {
    return `${this.manifest.name} (pid ${this.child.pid ?? '?'})`;
  }

  private send(message: HarnessMessage): void {
    if (this.failure) throw this.failure;
    this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /** Waits for one of `accepts` (0 ms: no deadline of its own). */
  private expect(what: string, accepts: Answer['type'][], ms: number): Promise<Answer> {
    this.throwIfFailed();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.protocolError(`sent no ${what} within ${ms} ms${accepts.includes('ok') ? ' (the record is indeterminate: neither acked nor lost)' : ''}; killed${this.stderrTail()}`);
      }, ms > 0 ? ms : 2 ** 31 - 1);
      this.waiter = { what, accepts: new Set(accepts), resolve, reject, timer };
    });
  }

  private fail(message: string): ChaosError {
    this.failure ??= new ChaosError('E_PROTOCOL', `${this.name()} ${message}`);
    return this.failure;
  }

  /** A broken protocol: the error is kept (the next call throws it), the waiter rejected and the child killed. */
  private protocolError(message: string): void {
    if (this.failure) return;
    const error = this.fail(message);
    this.exitExpected = true;
    this.child.kill('SIGKILL');
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.onFailure?.(error);
  }

  private receive(chunk: string): void {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      const n = ++this.lineNo;
      this.queue = this.queue.then(() => this.handle(line, n)).catch((error: unknown) => this.protocolError(`stdout line ${n}: ${(error as Error).message}`));
    }
  }

  private async handle(line: string, n: number): Promise<void> {
    if (this.failure) return;
    const at = `stdout line ${n} ${quote(line)}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.protocolError(`${at} is not JSON (protocol messages only on stdout: logs belong on stderr)`);
      return;
    }
    const type = (json as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !(CHILD_MESSAGE_TYPES as readonly string[]).includes(type)) {
      this.protocolError(`${at}: unknown message type ${JSON.stringify(type)} (expected one of ${CHILD_MESSAGE_TYPES.join(', ')})`);
      return;
    }
    const parsed = v.safeParse(ChildMessageSchema, json);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      this.protocolError(`${at}: bad '${type}' message: ${issuePath(issue) || 'message'}: ${issue.message}`);
      return;
    }
    const message = parsed.output;
    if (!this.started && message.type !== 'init_ok') {
      this.protocolError(`${at}: the first message must be init_ok, got '${message.type}'`);
      return;
    }
    switch (message.type) {
      case 'count':
        this.ctx.count(message.name, message.n);
        return;
      case 'lock': {
        const stats = this.ctx.lock.stats;
        stats.waitsMs.push(message.wait_ms);
        if (message.outcome === 'acquired') stats.acquisitions++;
        else stats.timeouts++;
        return;
      }
      case 'point':
        if (!this.manifest.points.includes(message.name)) {
          this.protocolError(`${at}: point '${message.name}' is not among the manifest's points (${this.manifest.points.join(', ') || 'none'})`);
          return;
        }
        // The harness's crash-point machinery: it may kill or stop this whole process group right here.
        await this.ctx.io.point(message.name);
        this.send({ type: 'continue' });
        return;
      case 'init_ok':
        if (this.started) return this.protocolError(`${at}: a second init_ok`);
        if (message.protocol !== PROTOCOL_VERSION) return this.protocolError(`${at}: speaks protocol ${message.protocol}, the harness speaks ${PROTOCOL_VERSION}`);
        for (const point of message.points ?? []) {
          if (!this.manifest.points.includes(point)) return this.protocolError(`${at}: point '${point}' is not among the manifest's points (${this.manifest.points.join(', ') || 'none'})`);
        }
        this.started = true;
        return this.deliver(message, at);
      case 'ok': case 'fail': case 'info': {
        // One write in flight at a time, each answered before the next is sent: an id other than the
        // one in flight was either answered already or never sent.
        if (this.answered.has(message.id)) return this.protocolError(`${at}: a second answer for ${message.id}${this.inFlight ? ` (the write in flight is ${this.inFlight})` : ''}`);
        if (message.id !== this.inFlight) return this.protocolError(`${at}: '${message.type}' for id '${message.id}', which was never sent (ackWithoutAttempt)`);
        const unsent = message.type === 'ok' ? (message.acks ?? []).find((id) => !this.sent.has(id)) : undefined;
        if (unsent !== undefined) return this.protocolError(`${at}: acks id '${unsent}', which was never sent (ackWithoutAttempt)`);
        this.answered.add(message.id);
        this.inFlight = undefined;
        return this.deliver(message, at);
      }
      case 'close_ok': {
        if (!this.closing) return this.protocolError(`${at}: close_ok before close was sent`);
        const unsent = message.acks.find((id) => !this.sent.has(id));
        if (unsent !== undefined) return this.protocolError(`${at}: acks id '${unsent}', which was never sent (ackWithoutAttempt)`);
        return this.deliver(message, at);
      }
      case 'done':
        if (this.kind !== 'finalize') return this.protocolError(`${at}: 'done' is finalize's answer, this is a ${this.kind}`);
        return this.deliver(message, at);
    }
  }

  private deliver(message: Answer, at: string): void {
    const waiter = this.waiter;
    if (!waiter || !waiter.accepts.has(message.type)) {
      this.protocolError(`${at}: '${message.type}' was not expected${waiter ? ` (the harness waits for ${waiter.what})` : ''}`);
      return;
    }
    this.waiter = undefined;
    clearTimeout(waiter.timer);
    waiter.resolve(message);
  }

  /** The last lines the child wrote to stderr, for an error message. */
  private stderrTail(): string {
    let text = '';
    try {
      text = readFileSync(this.stderrPath, 'utf8').slice(-2000);
    } catch {
      return '';
    }
    const tail = text.trim().split('\n').slice(-3).join(' | ');
    return tail ? `; its stderr ends: ${tail}` : '';
  }
}
