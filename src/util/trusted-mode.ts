// The mode the CLI makes the state directory and the directories in it with (mkdir's mode, so whatever the
// umask adds): a umask of 002 would make them writable by the group, and the control file's trust check
// (src/util/file-trust.ts, as ssh's StrictModes) would then refuse the CLI's own directories.
export const TRUSTED_DIRECTORY_MODE = 0o755;
