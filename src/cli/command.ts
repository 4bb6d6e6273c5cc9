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
    const known = (name: string) => this.options.some((o) => o.long === name || o.short === name);
    const name0 = equals > 2 ? flag.slice(0, equals) : flag;
    const others = known(name0) ? undefined : this.otherCommandsWith(name0);
    if (others) return this.error(others, { code: 'commander.unknownOption' });
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

  /**
   * An option this command does not have but its sibling commands do (`promote --reason`, which is abort's):
   * named as theirs, rather than with the nearest of this command's own (commander said "Did you mean --json?").
   */
  private otherCommandsWith(flag: string): string | undefined {
    if (!flag.startsWith('-') || !this.parent) return undefined;
    const owners = this.parent.commands.filter(
      (command) =>
        command !== this && command.options.some((option) => option.long === flag || option.short === flag),
    );
    if (owners.length === 0) return undefined;
    const names = owners.map((command) => command.name());
    const also = names.slice(1, 4).join(', ') + (names.length > 4 ? ` and ${names.length - 4} more` : '');
    const more = names.length > 1 ? ` (also ${also})` : '';
    return `error: unknown option '${flag}': ${this.name()} has no such option; it is an option of ${names[0]}${more}: see deploy-action ${this.name()} --help`;
  }
}
