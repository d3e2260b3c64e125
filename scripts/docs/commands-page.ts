/** docs/commands.md: every command's `--help`, as the CLI prints it, from the command table. */
import { main } from '../../harness/cli/cli.js';
import { commands } from '../../harness/cli/commands/index.js';
import { generatedNotice } from './markdown.js';

/** What `parquet-chaos ARGS` prints on stdout for an 80-column reader (help goes to stdout). */
export async function helpText(args: string[]): Promise<string> {
  let out = '';
  await main(args, { out: (t) => { out += t; }, err: () => undefined, isTTY: false, columns: 80, env: {} });
  return out;
}

export async function commandsPage(): Promise<string> {
  const sections = [`# Command reference\n\n${generatedNotice('the command table, harness/cli/commands/')}`];
  sections.push('Every command, flag and default below is the output of `parquet-chaos COMMAND --help`. ' +
    'Defaults ← `--config FILE` (a JSON object of flag names) ← flags. An unknown flag is refused with the closest valid name; ' +
    'a bad value is refused before anything runs (exit 2), naming the flag, the value and what was expected.');
  sections.push(`\`\`\`\n$ parquet-chaos --help\n${(await helpText(['--help'])).trimEnd()}\n\`\`\``);
  for (const name of Object.keys(commands)) {
    sections.push(`## \`${name}\`\n\n\`\`\`\n$ parquet-chaos ${name} --help\n${(await helpText([name, '--help'])).trimEnd()}\n\`\`\``);
  }
  return `${sections.join('\n\n')}\n`;
}
