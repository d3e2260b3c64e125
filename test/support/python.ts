import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';

/** The bundled Python folder: the kit and the seed's reference writers. */
export const PYTHON_DIR = resolve(import.meta.dirname, '../../strategies/python');

const canImport = (modules: string) => spawnSync('python3', ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;

function whyMissing(modules: string): string | undefined {
  if (spawnSync('python3', ['--version'], { stdio: 'ignore' }).error) return 'python3 is not installed';
  if (!canImport(modules)) return `python3 cannot import ${modules}: pip install -r strategies/python/requirements.txt`;
  return undefined;
}

/**
 * Why Python tests cannot run here (undefined when they can): the kit needs python3, the reference
 * writers pandas and pyarrow. Where PARQUET_CHAOS_REQUIRE_PYTHON is set (.ci/run, which installs
 * them), a missing one is an error instead of a skip.
 */
export function pythonMissing(modules = 'json'): string | undefined {
  const missing = whyMissing(modules);
  if (missing && process.env.PARQUET_CHAOS_REQUIRE_PYTHON) throw new Error(`PARQUET_CHAOS_REQUIRE_PYTHON is set but ${missing}`);
  if (missing) console.warn(`skipped: ${missing}`);
  return missing;
}

/** The record schema the harness's init carries (PROTOCOL-v1.md, section 1). */
export const RECORD_SCHEMA = [
  ['id', 'string'], ['worker', 'int64'], ['seq', 'int64'], ['model', 'string'], ['test_name', 'string'], ['score', 'double'],
  ['latency_ms', 'int64'], ['ok', 'bool'], ['payload', 'string'], ['created_at', 'int64'], ['checksum', 'string'],
].map(([name, type]) => ({ name, type, ...(name === 'created_at' ? { unit: 'us' } : {}) }));

export function initMessage(role: string, cellDir: string, options: Record<string, unknown> = {}) {
  return {
    type: 'init', protocol: 1, role, index: 0, run_id: 'test', cell_id: 'cell', process_id: '4242_20261207_120000',
    data_dir: join(cellDir, 'data'), state_dir: join(cellDir, 'state'), options, seed: 1, schema: RECORD_SCHEMA,
  };
}

export type Message = Record<string, unknown> & { type: string };

/**
 * A stand-in for the harness's side of writer protocol 1 (no adapter): starts a Python program, sends
 * lines to its stdin and hands over each line of its stdout as parsed JSON, in order.
 */
export class ProtocolPeer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stderr: string[] = [];
  private readonly lines: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private ended = false;
  readonly exited: Promise<number | null>;

  constructor(script: string, cwd = PYTHON_DIR) {
    this.child = spawn('python3', ['-B', script], { cwd, env: { ...process.env, PYTHONPATH: PYTHON_DIR } });
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve(line);
      } else this.lines.push(line);
    }).on('close', () => {
      this.ended = true;
      this.waiting?.(undefined);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  send(message: object): void {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  /** The next stdout line, parsed (undefined once stdout has closed). */
  async next(): Promise<Message | undefined> {
    const line = this.lines.shift() ?? (this.ended ? undefined : await new Promise<string | undefined>((resolve) => { this.waiting = resolve; }));
    return line === undefined ? undefined : (JSON.parse(line) as Message);
  }

  /** Every message up to the next one of `types`, answering `point`s with `continue`; [collected..., that one]. */
  async until(...types: string[]): Promise<Message[]> {
    const seen: Message[] = [];
    for (;;) {
      const message = await this.next();
      if (!message) throw new Error(`stdout closed before ${types.join('/')}; got ${JSON.stringify(seen)}; stderr: ${this.stderr.join('')}`);
      seen.push(message);
      if (types.includes(message.type)) return seen;
      if (message.type === 'point') this.send({ type: 'continue' });
    }
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
