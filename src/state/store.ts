// Where the environment record is kept. One interface, two places: a local file (CLI, demo) and GitHub
// (Action, App). A store never throws on what it reads back: a forged, stale or corrupt record comes back
// as a refusal with its reason code, which the caller reports and does not act on.
import type { EnvironmentRecord, RefusalCode } from './record.ts';

export type StateRead =
  | {
      ok: true;
      /** Undefined when the environment has no record yet (its first deployment). */
      record: EnvironmentRecord | undefined;
      /** Where it was read, for logs: a path, or `check run 123 on deployment 45`. */
      source: string;
      /**
       * On GitHub, which of the keys the read was given the record verified under (0: the first). During a
       * rotation of the App's marker key it names the key its writer (the deploy job) holds, which the App
       * signs that rollout's control requests with: the job verifies them under that key alone.
       */
      keyIndex?: number;
    }
  | {
      ok: false;
      code: RefusalCode;
      message: string;
      source: string;
      /**
       * Where the refused record is moved once a new record is written in its place (the file store moves it
       * aside). Undefined: a write leaves it where it was read (on GitHub, its own deployment's check run).
       */
      kept?: string;
      /**
       * The record is a newer deploy-action's (a later record schema): what it says (an unfinished rollout and
       * how to undo it, slots due for teardown) only that version knows, so it is never replaced here, even
       * where a `current` command says what is live.
       */
      newer?: true;
      /**
       * A `state_misplaced` record's place, as its signature says (on GitHub): the repository, environment and
       * deployment it was genuinely signed for.
       */
      signedFor?: { repository: string; environment: string; deploymentId: string };
    };

export interface WriteOptions {
  /**
   * The record changes what a recovery would have to do (traffic is about to move, a slot was retired, the
   * rollout ended): the caller waits for it to be stored before it goes on. Other writes may be coalesced.
   */
  durable?: boolean;
  /**
   * With `durable`: resolve only on the store's final answer, however long its own retries take, never on a
   * wait that ran out with the record still on its way (the GitHub store's `durableWaitMs`). The record a run
   * confirms before it acts on it being stored (finalize, before on_success and the old slot's teardown).
   */
  settle?: boolean;
}

export interface StateStore {
  read(environment: string): Promise<StateRead>;
  /**
   * Stores the record; resolves once stored (or once given up on, which the store reports itself). A refused
   * record is never written over: it stays where it was read, or is moved to its refusal's `kept` first.
   */
  write(record: EnvironmentRecord, options?: WriteOptions): Promise<void>;
}
