import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { ExitCode } from './exit-codes.js';
import { createProgram } from './main.js';

/** Every command of the tree, the program first, with its path (`flotilla jobs submit`). */
function* commands(command: CommandUnknownOpts, path: string): Generator<[string, CommandUnknownOpts]> {
  yield [path, command];
  for (const sub of command.commands) yield* commands(sub, `${path} ${sub.name()}`);
}

/** The whole `--help` text of a command, as commander prints it (the text added before and after too). */
function helpOf(command: CommandUnknownOpts): string {
  let text = '';
  command.configureOutput({ writeOut: (chunk) => (text += chunk), writeErr: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

describe('--help', () => {
  it('names no document users do not have, for any command', () => {
    const program = createProgram(new AbortController().signal, { exitCode: ExitCode.Ok, json: false });
    const seen: string[] = [];
    for (const [path, command] of commands(program, 'flotilla')) {
      const help = helpOf(command);
      expect(help, path).toContain('Usage:');
      expect(help, path).not.toMatch(/DESIGN/i);
      seen.push(path);
    }
    expect(seen).toEqual(expect.arrayContaining(['flotilla', 'flotilla serve', 'flotilla jobs submit']));
  });
});
