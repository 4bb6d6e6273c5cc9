// What a cloud build builds is what runs, as docker build's context: az acr build/run's source and -f, gcloud
// builds submit's source and --config, gcloud app deploy's deployables; and an attestation's generator= (bake's
// --set TARGET.attest=, --sbom, --provenance; docker build's --attest, --sbom, --provenance) is an image that runs
// on the build's results. A template there is refused when the config loads, even after a fixed directory (a
// plain word picks another service of the checkout), while values as data (tags, build arguments) stay accepted.
import { test } from 'node:test';
import { assertAccepted, assertRefused } from '../../helpers/command-checks.ts';

const CHOOSES = /its value would choose the project whose scripts, dependencies and build code run/;

test('a template in the source or build file of az acr build/run, gcloud builds submit or gcloud app deploy is refused', () => {
  for (const [argv, how] of [
    [
      ['az', 'acr', 'build', '-r', 'registry', '-t', 'app:1', 'services/{{x}}'],
      'the source az acr build uploads',
    ],
    [['az', 'acr', 'run', '-r', 'registry', 'tasks/{{x}}'], 'the source az acr run uploads'],
    [['az', 'acr', 'build', '-r', 'registry', '-f', '{{x}}', '.'], 'the value of az acr build -f'],
    [
      ['az', 'acr', 'build', '-r', 'registry', '--file=docker/{{x}}.Dockerfile', '.'],
      'the value of az acr build -f',
    ],
    [['gcloud', 'builds', 'submit', 'services/{{x}}'], 'the source gcloud builds submit uploads'],
    [
      ['gcloud', 'beta', 'builds', 'submit', '--tag', 'gcr.io/p/app:1', 'services/{{x}}'],
      'the source gcloud builds submit',
    ],
    [['gcloud', 'builds', 'submit', '--config', '{{x}}', '.'], 'the value of gcloud builds submit --config'],
    [
      ['gcloud', 'builds', 'submit', '--config=cloudbuild-{{x}}.yaml', '.'],
      'the value of gcloud builds submit --config',
    ],
    [['gcloud', 'app', 'deploy', '{{x}}'], 'what gcloud app deploy deploys'],
    [['gcloud', 'app', 'deploy', 'services/{{x}}/app.yaml', '--quiet'], 'what gcloud app deploy deploys'],
    [['gcloud', 'app', 'deploy', 'app.yaml', 'app-{{x}}.yaml', '-v', '1'], 'what gcloud app deploy deploys'],
  ] as Array<[string[], string]>) {
    assertRefused(argv, new RegExp(`is in ${how}`));
    assertRefused(argv, CHOOSES);
  }
});

test('a template in an attestation of a build (its generator= runs) is refused', () => {
  for (const [argv, how] of [
    [
      ['docker', 'buildx', 'bake', 'app', '--set', 'app.attest=type=sbom,generator={{x}}'],
      'the attest docker buildx bake --set app.attest sets',
    ],
    [
      ['docker', 'buildx', 'bake', 'app', '--sbom=generator={{x}}'],
      'the attestation docker buildx bake --sbom',
    ],
    [
      ['docker', 'buildx', 'bake', '--provenance', 'mode={{x}}', 'app'],
      'the attestation docker buildx bake --provenance',
    ],
    [
      ['docker', 'buildx', 'build', '--attest', 'type=sbom,generator={{x}}', '.'],
      'the value of docker --attest',
    ],
    [['docker', 'build', '--sbom=true,generator={{x}}', '.'], 'the value of docker --sbom'],
    [['podman', 'build', '--provenance', 'mode=max,{{x}}', '.'], 'the value of podman --provenance'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in ${how}`));
  // A value as data in a cloud build or an attested build (a tag, a build argument, a version) stays accepted.
  for (const argv of [
    ['az', 'acr', 'build', '-r', 'registry', '-t', 'app:{{x}}', '--build-arg', 'V={{x}}', '.'],
    ['az', 'acr', 'build', '-r', 'registry', '-t', 'app:1', 'https://github.com/o/r.git#{{x}}'],
    ['gcloud', 'builds', 'submit', '--tag', 'gcr.io/p/app:{{x}}', '.'],
    ['gcloud', 'builds', 'submit', '--config', 'cloudbuild.yaml', '--substitutions', '_VERSION={{x}}', '.'],
    ['gcloud', 'builds', 'submit', 'gs://bucket/src-{{x}}.tgz'],
    ['gcloud', 'app', 'deploy', 'app.yaml', '--version', '{{x}}'],
    ['gcloud', 'app', 'deploy', 'app.yaml', '-v', '{{x}}', '--project', 'p'],
    ['docker', 'buildx', 'bake', 'app', '--set', 'app.args.VERSION={{x}}', '--sbom=true'],
    ['docker', 'build', '--provenance=mode=max', '--sbom=true', '-t', 'app:{{x}}', '.'],
  ])
    assertAccepted(argv);
});
