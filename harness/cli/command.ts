/**
 * The shape of one subcommand. Every subcommand is one `CommandSpec` in its own file under
 * `commands/`, listed once in `commands/index.ts`; the parser, `--help` and the error messages are
 * built from these definitions, so usage text cannot drift from the code.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stdout is a terminal: colours in reports. */
  isTTY: boolean;
  /** stderr is a terminal: an updating progress line (defaults to isTTY). */
  errIsTTY?: boolean;
  /** Width of the terminal stdout writes to (undefined when it is not one): the table fits it. */
  columns?: number;
  /** Width of the terminal stderr writes to, asked at each redraw (it may be resized): the progress line fits it. */
  errColumns?: () => number | undefined;
  env: NodeJS.ProcessEnv;
}

export interface Flag {
  /** Placeholder of the flag's value (`N`, `FILE`); absent, the flag is a switch and takes no value. */
  value?: string;
  describe: string;
  /** Shown in help; the command applies it itself (flags given reach `run`, defaults do not). */
  default?: string;
}

export interface CommandInput {
  /** Flags given on the command line, by name without `--`: a string, or `true` for a switch. */
  flags: Record<string, string | true>;
  /** Positional arguments, in the order of `CommandSpec.args`. */
  args: string[];
  /** `--name value` pairs beyond `flags`, as given (only for commands with `extraFlags`). */
  extra: string[];
  /** The arguments after the subcommand's name, as typed (recorded in results as the command). */
  argv: string[];
}

export interface CommandSpec {
  /** One line, shown in the command list and atop the command's help. */
  summary: string;
  args?: readonly { name: string; describe: string }[];
  flags: Readonly<Record<string, Flag>>;
  /** Help text for flags beyond `flags`, which then reach `run` in `extra`; absent, they are refused. */
  extraFlags?: string;
  /** Does the work and returns the exit code: 0 every claimed guarantee held, 1 one was not, 2 bad usage. */
  run(input: CommandInput, io: Io): Promise<number>;
}
