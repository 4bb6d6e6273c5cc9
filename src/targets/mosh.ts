// How mosh reads its words (mosh [OPTIONS] [--] [USER@]HOST [COMMAND…]): Getopt::Long, any unique prefix of a long
// option, its value after "=" or in the next word. The host is an ssh destination (ssh-destinations.ts); the
// command's first word is the program mosh-server runs on the host (its words are quoted for the remote shell and
// run as they are); --ssh is the command mosh splits and runs to reach the host (ssh's options, ProxyCommand
// among them), --server the command line the remote shell runs, --client the program run here (remote-tools.ts).
// Pure.
import { longOptions, type OptionGrammar, type ReadOption, readOptions } from './option-words.ts';

const MOSH_GRAMMAR: OptionGrammar = {
  long: longOptions(
    ['client', 'server', 'ssh', 'predict', 'port', 'family', 'bind-server', 'experimental-remote-ip'],
    ['predict-overwrite', 'ssh-pty', 'no-ssh-pty', 'no-init', 'local', 'fake-proxy', 'help', 'version'],
  ),
  shortValues: 'p',
  permute: true,
};

/** mosh's options (`words[at]` is mosh), its host and the first word of the command it runs there. */
export function moshWords(
  words: readonly string[],
  at: number,
): { options: ReadOption[]; host?: number; program?: number } {
  const { options, operands } = readOptions(words, at + 1, MOSH_GRAMMAR);
  return {
    options,
    ...(operands[0] !== undefined && { host: operands[0] }),
    ...(operands[1] !== undefined && { program: operands[1] }),
  };
}
