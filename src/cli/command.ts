// The CLI's commander Command: as commander's own, but an unknown long option written with its value
// (`--environmnt=production`) gets the "Did you mean" its spaced form (`--environmnt production`) gets.
import { Command } from 'commander';

/** commander's unknownOption (not in its typings): reports `flag` as unknown and exits through error(). */
type UnknownOption = (this: Command, flag: string) => void;
const commanderUnknownOption = (Command.prototype as unknown as { unknownOption: UnknownOption })
  .unknownOption;

export class CliCommand extends Command {
  override createCommand(name?: string): CliCommand {
    return new CliCommand(name);
  }

  /**
   * commander compares the whole argument, value included, with the options it knows: `--environmnt=x` was
   * close enough to --environment, `--environmnt=production` was not, and got no suggestion. The option's
   * name alone is compared, and named (its value, which may be a secret, is not repeated). A known option
   * given a value it does not take (`--json=true`) is named as that, not as unknown.
   */
  unknownOption(flag: string): void {
    const equals = flag.startsWith('--') ? flag.indexOf('=') : -1;
    if (equals <= 2) return commanderUnknownOption.call(this, flag);
    const name = flag.slice(0, equals);
    const commands: Command[] = [];
    for (let command = this.parent; command; command = command.parent) commands.push(command);
    for (const command of [this as Command, ...commands]) {
      const option = command.options.find((candidate) => candidate.long === name);
      if (option) {
        return this.error(`error: option '${option.flags}' takes no value: write ${name} alone`, {
          code: 'commander.unknownOption',
        });
      }
    }
    return commanderUnknownOption.call(this, name);
  }
}
