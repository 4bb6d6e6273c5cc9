// Lists a program reads from a file or its standard input that choose what it runs with or which files it
// reads: what xargs reads from -a's file (a process substitution too) or puts in place of BSD -J's string, and
// the list of files tar, bsdtar and zip archive (-T -, -@), written in an option cluster, tar's old style or
// given as <(…). A value in such a list is refused when the config loads; the same forms with fixed input stay
// accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeShellTemplate, renderShellScript } from '../../../src/targets/shell-script.ts';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

const render = (script: string, x: string) => renderShellScript(script, { x });

test('what xargs reads from -a <(…) is its input: a value there naming a file or choosing what runs is refused', () => {
  const forms: Array<[string, RegExp]> = [
    [
      'xargs -a <(echo {{x}}) rm',
      /\{\{x\}\} \(character 17\) is inside <\(…\), whose lines xargs -a reads as its input, which xargs puts after "rm" as its last arguments, where rm deletes/,
    ],
    ['xargs --arg-file <(echo {{x}}) rm', /inside <\(…\), whose lines xargs -a reads .* after "rm"/],
    ['xargs -ra <(echo {{x}}) rm -f', /inside <\(…\), whose lines xargs -a reads .* after "-r rm -f"/],
    ['xargs -a <(printf "%s\\n" {{x}}) -I{} cp app.tgz {}', /in place of \{\} in "\{\}", where cp writes/],
    [
      'xargs -a <(echo {{x}}) sh -c',
      /inside <\(…\), whose lines xargs -a reads as its input, which would make it the program, subcommand or script xargs runs/,
    ],
    ['xargs -a <(echo {{x}}) sudo', /which would make it the program, subcommand or script xargs runs/],
  ];
  for (const [script, message] of forms) assertScriptRefused(script, message);
});

test('what xargs reads from -a <(…) into a program that takes it as arguments is checked once rendered', () => {
  const script = 'xargs -a <(echo {{x}}) kubectl delete pod';
  assertScriptAccepted(script);
  assert.throws(() => render(script, '--all'), /it starts with "-", which kubectl would read as an option/);
  assert.doesNotThrow(() => render(script, 'web-1'));
  for (const fixed of [
    'xargs -a <(git ls-files) rm -f',
    'xargs -a files.txt rm -f',
    'xargs -a <(echo {{x}}) echo',
  ])
    assertScriptAccepted(fixed);
});

test("BSD xargs -J's string takes what xargs reads: a value there naming a file or the program is refused", () => {
  assertScriptRefused(
    'echo {{x}} | xargs -J % rm % x',
    /piped into xargs, which xargs puts in place of % in "%", where rm deletes/,
  );
  assertScriptRefused('echo {{x}} | xargs -J% cp % /srv/', /in place of % in "%", where cp/);
  assertScriptRefused('echo {{x}} | xargs -J % %', /the program, subcommand or script xargs runs/);
  assertScriptRefused('echo {{x}} | xargs -J % sh -c %', /the program, subcommand or script xargs runs/);
  // Where the program takes it as arguments, they are checked once rendered, cut at blanks.
  const script = 'echo {{x}} | xargs -J % kubectl delete pod %';
  assertScriptAccepted(script);
  assert.throws(() => render(script, '--all'), /it starts with "-"/);
  assert.throws(() => render(script, 'web-1 --all'), /several arguments of kubectl/);
  assert.doesNotThrow(() => render(script, 'web-1'));
  assertScriptAccepted('git ls-files | xargs -J % rm -f %');
});

test('the list of files tar, bsdtar or zip archives read from standard input takes no value, however written', () => {
  const tar =
    /piped into (tar|bsdtar), which (tar|bsdtar) -T - reads as the names of the files it archives, one a line/;
  for (const script of [
    'echo {{x}} | tar -cf a.tar -T-',
    'echo {{x}} | tar -cT - -f a.tar',
    'echo {{x}} | tar cfT a.tar -',
    'echo {{x}} | tar -czf a.tgz --files-from=-',
    'echo {{x}} | tar --files-from /dev/stdin -cf a.tar',
    'echo {{x}} | bsdtar -cf a.tar -T -',
    'echo {{x}} | bsdtar -cf a.tar -T-',
  ])
    assertScriptRefused(script, tar);
  const zip = /piped into zip, which zip -@ reads as the names of the files it archives, one a line/;
  for (const script of [
    'echo {{x}} | zip -q@ a.zip',
    'echo {{x}} | zip -r@ a.zip',
    'echo {{x}} | zip a.zip -@',
  ])
    assertScriptRefused(script, zip);
  assertScriptRefused(
    'tar -cf a.tar -T <(echo {{x}})',
    /\{\{x\}\} \(character 25\) is inside <\(…\), which tar -T - reads as the names of the files it archives/,
  );
  assertScriptRefused('tar cfT a.tar <(echo {{x}})', /inside <\(…\), which tar -T - reads/);
});

test('tar and zip with fixed lists, or a value elsewhere, stay accepted', () => {
  for (const script of [
    'tar -czf app.tgz -C dist .',
    'git ls-files | tar -cf src.tar -T -',
    'git ls-files | tar -cT - -f src.tar',
    'tar -cf src.tar -T <(git ls-files)',
    'git ls-files | zip -q@ src.zip',
    'tar -czf dist/app-{{x}}.tgz -C dist .',
    'echo {{x}} | tar -czvf app.tgz dist',
    'echo {{x}} | zip -r app.zip dist',
  ])
    assertScriptAccepted(script);
});

test("xargs' options end at its program: what it appends to sed -i, rm -i or grep -I names the files they write or read", () => {
  assertScriptRefused(
    'echo {{x}} | xargs sed -i s/a/b/',
    /piped into xargs, which xargs puts after "sed -i s\/a\/b\/" as its last arguments, where sed -i writes a local file/,
  );
  assertScriptRefused(
    'echo {{x}} | xargs -r sed -i -e s/a/b/',
    /after "-r sed -i -e s\/a\/b\/" .* where sed -i writes/,
  );
  assertScriptRefused('echo {{x}} | xargs rm -i', /after "rm -i" as its last arguments, where rm deletes/);
  assertScriptRefused('echo {{x}} | xargs grep -I needle', /after "grep -I needle" .* where grep prints/);
  // -I's, -i's and -J's strings are still read among xargs' own options, in a cluster too.
  assertScriptRefused('echo {{x}} | xargs -0I{} rm {}', /in place of \{\} in "\{\}", where rm deletes/);
  assertScriptRefused('echo {{x}} | xargs -i rm {}', /in place of \{\} in "\{\}", where rm deletes/);
  // A sed s command xargs fills is code: "b/w FILE" writes a file, "b/e" runs a command.
  assertScriptRefused(
    "echo {{x}} | xargs -I{} sed -i 's/a/{}/' app.conf",
    /piped into xargs, which would make it the program, subcommand or script xargs runs, or its code/,
  );
  for (const script of [
    'git ls-files "*.conf" | xargs sed -i s/a/b/',
    'git ls-files | xargs -I{} sed -i "s/a/b/" {}.bak',
    "sed -i 's/version: .*/version: {{x}}/' app.yaml",
    'echo {{x}} | xargs -I{} ./deploy.sh {}',
    'echo {{x}} | xargs -n1 ./deploy.sh -i',
  ])
    assertScriptAccepted(script);
});

test('lists, commands and configs other tools read on standard input take no value', () => {
  const forms: Array<[string, RegExp]> = [
    [
      'echo {{x}} | gsutil cp -I gs://b/',
      /piped into gsutil, which gsutil cp -I reads as the names of the files it sends/,
    ],
    ['echo {{x}} | gsutil -m cp -rI gs://b/', /which gsutil cp -I reads as the names of the files it sends/],
    [
      'echo {{x}} | gcloud storage cp -I gs://b/',
      /piped into gcloud, which gcloud storage cp -I reads as the names of the files it sends/,
    ],
    [
      'echo {{x}} | cpio -o > a.cpio',
      /piped into cpio, which cpio -o reads as the names of the files it archives/,
    ],
    ['echo {{x}} | cpio -pdm /srv', /which cpio -o reads as the names of the files it archives or copies/],
    ['cpio -idv <<< {{x}}', /here-string fed to cpio, which cpio -i reads as the archive it extracts/],
    [
      'ftp -n host <<EOF\nput {{x}}\nEOF',
      /here-document fed to ftp, which ftp reads as its commands, one a line \(put FILE sends a file of the runner, get writes one, !COMMAND runs a command in a local shell\)/,
    ],
    ['echo "put {{x}}" | lftp host', /piped into lftp, which lftp reads as its commands/],
    [
      'echo "put {{x}}" | smbclient //h/s -U u',
      /piped into smbclient, which smbclient reads as its commands/,
    ],
    [
      'echo {{x}} | wget --config=/dev/stdin https://h/',
      /piped into wget, which wget reads as its config \(--config\): each line sets an option/,
    ],
    ['wget --config <(echo "post_file = {{x}}") https://h/', /inside <\(…\), which wget reads as its config/],
    [
      'ssh -F <(echo "ProxyCommand {{x}}") host',
      /inside <\(…\), which ssh reads as its config \(-F\): a line could set ProxyCommand or LocalCommand/,
    ],
    // scp and sftp hand -F to the ssh they run.
    ['scp -F <(echo {{x}}) a host:b', /inside <\(…\), which scp reads as its config \(-F\)/],
    ['scp -F /dev/stdin a host:b <<< {{x}}', /here-string fed to scp, which scp reads as its config \(-F\)/],
    ['echo {{x}} | scp -F - a host:b', /piped into scp, which scp reads as its config \(-F\)/],
  ];
  for (const [script, message] of forms) assertScriptRefused(script, message);
});

test("lftp's and smbclient's -c commands are code: a value there could add !COMMAND", () => {
  const forms: Array<[string, string]> = [
    ['lftp -c "open host; put {{x}}"', 'lftp -c'],
    ['lftp -e "mirror -R dist /srv/{{x}}; quit" host', 'lftp -e'],
    ['smbclient //h/s -c "put {{x}}"', 'smbclient -c'],
    ['smbclient //h/s --command="put {{x}}"', 'smbclient --command'],
  ];
  for (const [script, how] of forms) assertScriptRefused(script, new RegExp(`inside the code "${how}" runs`));
});

test('those tools with fixed lists, commands or configs, and a value where it is checked, stay accepted', () => {
  for (const script of [
    'gsutil cp dist/app.tgz gs://bucket/{{x}}/',
    'git ls-files dist | gsutil -m cp -I gs://bucket/',
    'gcloud storage cp dist/app.tgz gs://bucket/{{x}}/',
    'find dist | cpio -o > dist.cpio',
    'cpio -i -F dist.cpio',
    'smbclient //h/s -U u -c "put dist/app.tgz"',
    "ftp -n host <<'EOF'\nput dist/app.tgz\nEOF",
    'wget --config ./deploy.wgetrc https://h/{{x}}/app.tgz',
    'ssh -F ./ssh_config host ./deploy.sh {{x}}',
  ])
    assertScriptAccepted(script);
});

test('GNU parallel puts each item in its command as xargs does: a value there naming a file is refused', () => {
  const forms: Array<[string, RegExp]> = [
    [
      'parallel rm ::: {{x}}',
      /\{\{x\}\} \(character 17\) is in an argument after ::: of parallel, which parallel puts after "rm" as its last arguments, where rm deletes/,
    ],
    [
      'parallel -j 4 cp app.tgz {} ::: a {{x}}',
      /after ::: of parallel, which parallel puts in place of \{\} in "\{\}", where cp writes/,
    ],
    [
      'parallel "curl -d @{} https://h/" ::: {{x}}',
      /in place of \{\} in "@\{\}", where curl -d may read a local file/,
    ],
    [
      'echo {{x}} | parallel rm',
      /piped into parallel, which parallel puts after "rm" as its last arguments, where rm deletes/,
    ],
    [
      'parallel sed -i s/a/b/ <<< {{x}}',
      /here-string fed to parallel, which parallel puts after "sed -i s\/a\/b\/"/,
    ],
  ];
  for (const [script, message] of forms) assertScriptRefused(script, message);
  for (const script of [
    'parallel ./deploy.sh ::: {{x}}',
    'parallel -j 4 ./deploy.sh {} ::: {{x}}',
    'echo {{x}} | parallel ./deploy.sh',
    'parallel rm ::: dist/a dist/b',
    'ls dist | parallel rm dist/{}',
    'echo {{x}} | parallel rm ::: dist/a',
  ])
    assertScriptAccepted(script);
});

test('the list file tar -T reads when it creates is a file it reads: a value choosing it is refused or checked', () => {
  assertScriptRefused(
    'tar -cf a.tar -T {{x}}',
    /\{\{x\}\} \(character 18\) is in the name of the local file tar -T reads the names of the files it packs from/,
  );
  const script = 'tar -cf a.tar -T lists/{{x}}.txt';
  assertScriptAccepted(script);
  assert.throws(
    () => render(script, '../../etc/passwd'),
    /tar -T reads the names of the files it packs from/,
  );
  assert.doesNotThrow(() => render(script, 'web'));
});

// Extracting, listing or comparing, -T names a file whose lines are members: tar prints each the archive lacks
// ("Not found in archive"), so a value choosing the file would print a file of the runner to the log.
test('the list file tar -T reads in every mode is a file it reads: a value choosing it is refused or checked', () => {
  for (const script of [
    'tar -x -T {{x}}',
    'tar -xf a.tar --files-from={{x}}',
    'tar -xf a.tar --files-from {{x}}',
    'tar xfT a.tar {{x}}',
    'tar -tf a.tar -T {{x}}',
    'tar --extract -f a.tar -T {{x}}',
  ])
    assertScriptRefused(
      script,
      /\{\{x\}\} \(character \d+\) is in the name of the local file tar -T reads the names of the members it extracts or lists from \(\{\{x\}\}\): its value would choose a file of the runner whose lines tar prints to the job's log/,
    );
  const script = 'tar -xf a.tar -T lists/{{x}}.txt';
  assertScriptAccepted(script);
  assert.throws(
    () => render(script, '../../etc/passwd'),
    /tar -T reads the names of the members it extracts/,
  );
  assert.doesNotThrow(() => render(script, 'web'));
  assertScriptRefused(
    'echo {{x}} | tar -xf a.tar -T -',
    /piped into tar, which tar -T - reads as the names of the members it extracts or lists, one a line/,
  );
  for (const script of [
    'tar -xf a.tar -T members.txt',
    'tar -xf a.tar {{x}}',
    'tar -xf app-{{x}}.tar -C build/',
  ])
    assertScriptAccepted(script);
});

test('a file after parallel :::: is read for its items: a value naming it is refused, one inside <(…) as fed', () => {
  assertScriptRefused(
    'parallel ./deploy.sh :::: lists/{{x}}.txt',
    /is in the name of a file after :::: of parallel \(lists\/\{\{x\}\}\.txt\), whose lines parallel gives its command as arguments/,
  );
  assertScriptRefused(
    'parallel rm :::: <(echo {{x}})',
    /is in an argument after :::: of parallel, which parallel puts after "rm" as its last arguments, where rm deletes/,
  );
  for (const script of [
    'parallel ./deploy.sh :::: targets.txt',
    'parallel ./deploy.sh :::: <(echo {{x}})',
    'parallel ./deploy.sh :::: targets.txt ::: {{x}}',
  ])
    assertScriptAccepted(script);
});

test('OPTION=<(…) is one word for the shell: the list or config the option reads from the substitution', () => {
  for (const [script, message] of [
    [
      'curl --config=<(echo "upload-file = {{x}}") https://h/',
      /\{\{x\}\} \(character 37\) is inside <\(…\), which curl reads as its config \(curl --config\)/,
    ],
    [
      'tar -cf a.tar --files-from=<(echo {{x}})',
      /inside <\(…\), which tar -T - reads as the names of the files/,
    ],
    [
      'rsync -a --files-from=<(echo {{x}}) . host:/srv/',
      /inside <\(…\), which rsync --files-from - reads as the names of the files it sends/,
    ],
  ] as Array<[string, RegExp]>)
    assertScriptRefused(script, message);
  for (const script of ['tar -cf a.tar --files-from=<(git ls-files)', 'diff --label=x <(echo {{x}}) b.txt'])
    assertScriptAccepted(script);
});

// The script reader keeps --opt=<(…) one word, the option's value a process substitution: every rule reads it as
// it reads --opt <(…), and the command inside is checked as any other.
test('--opt=<(…) is one word whose value is the substitution: read as --opt <(…) is', () => {
  for (const [script, message] of [
    [
      'kubectl apply --filename=<(echo {{x}})',
      /is in the value of kubectl --filename, which chooses the code or config that runs \(--filename=<\(echo \{\{x\}\}\)\): what <\(…\) writes is that code/,
    ],
    [
      'helm upgrade app ./chart --values=<(echo {{x}})',
      /is in the value of helm --values, which chooses the code or config that runs \(--values=<\(echo \{\{x\}\}\)\): what <\(…\) writes/,
    ],
    [
      'xargs --arg-file=<(echo {{x}}) rm',
      /is inside <\(…\), whose lines xargs -a reads as its input, which xargs puts after "rm"/,
    ],
    ['./deploy.sh --config=<(cat {{x}})', /is in the name of the local file cat prints/],
    ['./deploy.sh --out=>(tee {{x}})', /is in the name of the local file tee writes/],
    ['./deploy.sh --opt=<(sh -c {{x}})', /is inside the script of "sh -c"/],
  ] as Array<[string, RegExp]>)
    assertScriptRefused(script, message);
  for (const [split, glued] of [
    ['kubectl apply -f <(echo {{x}})', 'kubectl apply --filename=<(echo {{x}})'],
    ['xargs --arg-file <(echo {{x}}) rm', 'xargs --arg-file=<(echo {{x}}) rm'],
  ] as const)
    assert.deepEqual(
      analyzeShellTemplate(glued).ok,
      analyzeShellTemplate(split).ok,
      `${glued} is read as ${split} is`,
    );
  const script = 'xargs --arg-file=<(echo {{x}}) ./deploy.sh';
  assertScriptAccepted(script);
  assert.throws(() => renderShellScript(script, { x: '--all' }), /starts with "-"/);
  assert.doesNotThrow(() => renderShellScript(script, { x: 'web' }));
  for (const script of ['diff --label=<(echo {{x}}) a b', './deploy.sh --values=<(echo {{x}})'])
    assertScriptAccepted(script);
});

// parallel -a <(…) (--arg-file, -a<(…), --arg-file=<(…)) reads its items from what the inside writes, as
// `… | parallel CMD` reads them; with --pipe or --pipepart that is the input its jobs read.
test('what parallel reads from -a <(…) is its items: refused where they would be code or name a file', () => {
  const forms: Array<[string, RegExp]> = [
    [
      'parallel -a <(echo {{x}}) sh -c',
      /inside <\(…\), whose lines parallel -a reads as its items, which would make them the program/,
    ],
    [
      'parallel -a <(echo {{x}}) kubectl apply -f',
      /inside <\(…\), whose lines parallel -a reads as its items/,
    ],
    [
      'parallel -a <(echo {{x}}) rm',
      /whose lines parallel -a reads as its items, which parallel puts after "rm" .*where rm deletes/,
    ],
    ['parallel --arg-file <(echo {{x}}) sh -c', /whose lines parallel -a reads as its items/],
    ['parallel -a<(echo {{x}}) sh -c', /whose lines parallel -a reads as its items/],
    ['parallel --arg-file=<(echo {{x}}) sh -c', /whose lines parallel -a reads as its items/],
    [
      'parallel --pipe -a <(echo {{x}}) sh',
      /parallel --pipe cuts into blocks and gives to its jobs \(sh\), which runs it as code/,
    ],
    ['parallel --pipepart -a <(echo {{x}}) sh', /gives to its jobs \(sh\), which runs it as code/],
    [
      "ssh host 'parallel -a <(echo {{x}}) sh -c'",
      /inside <\(…\) in the command ssh runs through the remote host's shell .*whose lines parallel -a reads/,
    ],
    ["ssh host 'xargs -a <(echo {{x}}) sh -c'", /whose lines xargs -a reads as its input/],
    ["ssh host 'xargs -a <(echo {{x}}) rm'", /where rm deletes or moves away a file on the remote host/],
  ];
  for (const [script, message] of forms) assertScriptRefused(script, message);
  // Into a program that takes them as arguments: checked once rendered as items.
  const script = 'parallel -a <(echo {{x}}) kubectl delete pod';
  assertScriptAccepted(script);
  assert.throws(
    () => render(script, '--all'),
    /fed to parallel, which makes it an argument of kubectl: it starts with "-"/,
  );
  assert.doesNotThrow(() => render(script, 'web-1'));
  for (const fixed of ['parallel -a <(git ls-files) rm -f', 'parallel --pipe -a <(echo {{x}}) wc -l'])
    assertScriptAccepted(fixed);
});
