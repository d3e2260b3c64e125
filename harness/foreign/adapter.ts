import type { BackgroundRoleKind, StrategyContext, StrategyDefinition, WriterHandle } from '../sdk/strategy.js';
import { manifestGuarantees, manifestOptions, type Manifest, type OptionValue } from './manifest.js';
import { ForeignSession } from './session.js';

type Options = Record<string, OptionValue>;

/** What the harness knows of a strategy loaded from a manifest (beside its StrategyDefinition). */
export interface ForeignInfo {
  manifest: Manifest;
  /** Absolute path of the manifest file: role processes load the same one. */
  path: string;
}

/** A session whose failure also ends its child: the role process is about to exit with the error. */
async function guarded<T>(session: ForeignSession, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    session.kill();
    throw error;
  }
}

function writer(info: ForeignInfo, ctx: StrategyContext, options: Options): WriterHandle {
  let session: ForeignSession | undefined;
  const live = () => session!;
  return {
    open: async () => {
      session = new ForeignSession(info.manifest, info.path, 'writer', ctx);
      await guarded(live(), () => live().init(options));
    },
    write: (record) => guarded(live(), () => live().write(record)),
    close: () => guarded(live(), () => live().close()),
  };
}

function background(info: ForeignInfo, kind: BackgroundRoleKind) {
  return (ctx: StrategyContext, options: Options) => {
    let session: ForeignSession | undefined;
    // Started and greeted before the cell's go, as writers are: a program that takes seconds to load
    // (pandas on a busy machine) would otherwise start working after the writers had finished.
    const open = async () => {
      session = new ForeignSession(info.manifest, info.path, kind, ctx);
      await guarded(session, () => session!.init(options));
    };
    return {
      open,
      run: async (signal: AbortSignal) => {
        if (!session) await open();
        await guarded(session!, () => session!.runUntil(signal));
      },
    };
  };
}

/**
 * A manifest as an ordinary StrategyDefinition: the harness's role processes, writer loop, ledger,
 * faults and checker work unchanged; each role's work is done by the manifest's command for it,
 * spoken to over writer protocol 1.
 */
export function strategyFromManifest(info: ForeignInfo): StrategyDefinition<Options> {
  const { manifest } = info;
  const roles: NonNullable<StrategyDefinition<Options>['roles']> = {};
  if (manifest.roles.merger) roles.merger = background(info, 'merger');
  if (manifest.roles.consumer) roles.consumer = background(info, 'consumer');
  return {
    name: manifest.name,
    summary: manifest.summary,
    options: manifestOptions(manifest),
    guarantees: (options) => manifestGuarantees(manifest, options),
    writer: (ctx, options) => writer(info, ctx, options),
    roles,
    ...(manifest.roles.finalize ? {
      finalize: async (ctx: StrategyContext, options: Options) => {
        const session = new ForeignSession(manifest, info.path, 'finalize', ctx);
        await guarded(session, async () => {
          await session.init(options);
          await session.done();
        });
      },
    } : {}),
    points: manifest.points,
    foreign: true,
  };
}
