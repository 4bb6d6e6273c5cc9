// gcloud's option tables, in a module that imports nothing: file-reads.ts and task-runners.ts both read them,
// and task-runners.ts spreads one at load. Kept in file-reads.ts they were read before it finished loading
// whenever a module of that import cycle (programs.ts, task-runners.ts, file-reads.ts) was loaded first.
const optionSet = (text: string): ReadonlySet<string> => new Set(text.split(/\s+/).filter(Boolean));

// gcloud storage cp/mv/rsync's options and gcloud's own, and gcloud compute scp's.
export const GCLOUD_WITH_VALUE = optionSet(`
  --additional-headers --content-md5 --manifest-path --storage-class --canned-acl --predefined-acl
  --gzip-in-flight --gzip-local --decryption-keys --encryption-key --cache-control
  --content-disposition --content-encoding --content-language --content-type --custom-time
  --custom-metadata --remove-custom-metadata --update-custom-metadata --if-generation-match
  --if-metageneration-match --retain-until --retention-mode --exclude --project --account
  --billing-project --configuration --flags-file --format --impersonate-service-account --trace-token
  --verbosity --flatten --access-token-file --zone --port --scp-flag --ssh-key-expire-after --strict-host-key-checking --worker
`);
// gcloud builds submit's and functions/run deploy's flags taking a value, and gcloud's own.
export const GCLOUD_BUILD_WITH_VALUE = new Set([
  ...GCLOUD_WITH_VALUE,
  ...optionSet(`
    --config --tag --substitutions --region --gcs-source-staging-dir --gcs-log-dir --machine-type --timeout
    --worker-pool --ignore-file --pack --disk-size --service-account --default-buckets-behavior
    --git-source-dir --git-source-revision --source --runtime --entry-point --trigger-topic
    --trigger-bucket --memory --image --platform --set-env-vars --update-env-vars --env-vars-file
    --max-instances --min-instances --concurrency --cpu --port
  `),
]);
