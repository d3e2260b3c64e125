/**
 * The command line: builds the parser from the command table (`commands/index.ts`), runs the chosen
 * command and returns its exit code: 0 every claimed guarantee held, 1 one was broken (or could not
 * be checked), 2 bad usage, 70 an internal error (internal-error.ts). Parsing, `--help`, `--version` and closest-name suggestions are commander's.
 */
import { Command, CommanderError, Option } from 'commander';
import { ChaosError } from '../sdk/errors.js';
import { toolVersion } from '../measure/package-info.js';
import type { CommandInput, CommandSpec, Io } from './command.js';
import { commands } from './commands/index.js';
import { INTERNAL_ERROR_EXIT, internalErrorMessage } from './internal-error.js';

export type { Io } from './command.js';

const EXIT_CODES = `Exit codes: 0 every claimed guarantee held, 1 a claimed guarantee was broken or could not be checked, 2 bad usage, ${INTERNAL_ERROR_EXIT} internal error (a bug in parquet-chaos).`;

/** The commander program for the table; `onRun` receives the chosen command and its input. */
function buildProgram(io: Io, onRun: (name: string, input: Omit<CommandInput, 'argv'>) => void): Command {
  const program = new Command('parquet-chaos')
    .description('Chaos-testing harness for concurrent Parquet write strategies.')
    .version(toolVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: () => undefined, outputError: () => undefined, getOutHelpWidth: () => io.columns ?? 80 })
    .addHelpText('after', `\n${EXIT_CODES}`);
  for (const [name, spec] of Object.entries(commands) as [string, CommandSpec][]) {
    const command = program.command(name).description(spec.summary).helpOption('-h, --help', 'show this help');
    for (const arg of spec.args ?? []) command.argument(`<${arg.name}>`, arg.describe);
    for (const [flag, def] of Object.entries(spec.flags)) {
      const option = new Option(def.value === undefined ? `--${flag}` : `--${flag} <${def.value}>`, def.describe);
      command.addOption(def.default === undefined ? option : option.default(def.default, def.default));
    }
    if (spec.extraFlags !== undefined) command.allowUnknownOption().allowExcessArguments().addHelpText('after', `\n${spec.extraFlags}`);
    command.action((...received: unknown[]) => {
      const self = received.at(-1) as Command;
      const args = self.args.slice(0, spec.args?.length ?? 0);
      const flags: CommandInput['flags'] = {};
      // Only flags given: defaults are the command's to apply (a config file sits between the two).
      for (const option of self.options) {
        const key = option.attributeName();
        if (self.getOptionValueSource(key) === 'cli') flags[option.long!.slice(2)] = self.getOptionValue(key) as string | true;
      }
      onRun(name, { flags, args, extra: self.args.slice(args.length) });
    });
  }
  return program;
}

/** A commander parse error in our words, with where to look next. */
function usageMessage(error: CommanderError, argv: readonly string[]): string {
  const text = error.message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)');
  const name = argv.find((a) => a in commands);
  if (error.code === 'commander.unknownCommand') return `${text}; commands: ${Object.keys(commands).join(', ')}`;
  return `${text}; see 'parquet-chaos ${name === undefined ? '' : `${name} `}--help'`;
}

export async function main(argv: string[], io: Io): Promise<number> {
  let chosen: { spec: CommandSpec; input: CommandInput } | undefined;
  const program = buildProgram(io, (name, input) => {
    chosen = { spec: (commands as Record<string, CommandSpec>)[name]!, input: { ...input, argv: argv.slice(argv.indexOf(name) + 1) } };
  });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 2;
    }
    program.parse(argv, { from: 'user' });
    return chosen === undefined ? 0 : await chosen.spec.run(chosen.input, io);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version, `help`
      io.err(`parquet-chaos: ${usageMessage(error, argv)}\n`);
      return 2;
    }
    if (!(error instanceof ChaosError)) {
      // Not an error the harness raises on purpose: the tool's own fault, with its own exit code.
      io.err(`${internalErrorMessage(error)}\n`);
      return INTERNAL_ERROR_EXIT;
    }
    io.err(`parquet-chaos: ${error.message}\n`);
    // Our errors are bad usage, but for a disk that failed under the harness (the run stopped cleanly).
    return error.code !== 'E_DISK' ? 2 : 1;
  }
}
