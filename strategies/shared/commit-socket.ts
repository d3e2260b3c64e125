import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { StrategyContext } from '../../harness/sdk/strategy.js';

/**
 * The local socket between a group-commit strategy's writers and its committer, and its framing.
 *
 * The address is in Linux's abstract socket namespace (a leading NUL): no file in state/ (whose path
 * could pass the 108-byte limit of a socket path), nothing a killed committer leaves behind, and free
 * again the moment the process holding it dies, so a restarted committer listens at once. It is named
 * after the cell's state folder, so cells running side by side never meet.
 *
 * Writer → committer: one line a record, `{id} {record as a segment line}`. Committer → writer: one
 * line a durable record, `{id}`. Ids (`w3-17`) hold no space and no newline; a record's JSON no newline.
 */
export function commitAddress(ctx: StrategyContext): string {
  return `\0parquet-chaos-group-commit-${createHash('sha256').update(ctx.stateDir).digest('hex').slice(0, 32)}`;
}

/**
 * Calls `onLine` with every whole line a socket receives; a trailing part (its sender died in the
 * middle of a write) is never passed on.
 */
export function readLines(socket: Socket, onLine: (line: string) => void): void {
  let rest = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line !== '') onLine(line);
  });
}
