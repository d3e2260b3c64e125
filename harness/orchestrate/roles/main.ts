/**
 * Entry point of every child process the orchestrator spawns: `node main.js '<RoleConfig JSON>'`.
 * Exit code 0 on a clean end; 1 with the error on stderr otherwise.
 */
import { asError, ChaosError } from '../../sdk/errors.js';
import { runBackground, runFinalize } from './background.js';
import { RoleConfigSchema } from './config.js';
import { parseWith } from '../../sdk/schema.js';
import { exitWithParent } from './runtime.js';
import { runWriter } from './writer.js';

async function main(): Promise<void> {
  const config = parseWith(RoleConfigSchema, JSON.parse(process.argv[2] ?? '{}'), 'role configuration', 'E_USAGE');
  exitWithParent(config);
  switch (config.role) {
    case 'writer':
      return runWriter(config);
    case 'merger':
    case 'consumer':
      return runBackground(config, config.role);
    case 'finalize':
      return runFinalize(config);
  }
}

// A strategy promise that never settles drains the event loop: say so instead of exiting 0 silently.
process.once('beforeExit', () => {
  process.stderr.write('Error: the role stopped with work pending: a strategy promise never settled\n');
  process.exit(1);
});

main().then(
  () => process.exit(0),
  (thrown: unknown) => {
    const error = asError(thrown);
    // A ChaosError's code goes in brackets: the orchestrator reads it back from stderr.
    const code = error instanceof ChaosError ? ` [${error.code}]` : '';
    process.stderr.write(`${error.name}${code}: ${error.message}\n`);
    process.exit(1);
  },
);
