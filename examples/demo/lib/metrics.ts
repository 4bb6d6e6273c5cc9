// The demo service's Prometheus metrics, in the text exposition format (version 0.0.4). Small enough that a
// client library would be more code to configure than this.

export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',');
  return body ? `{${body}}` : '';
}

/** Prometheus renders +Inf and numbers in Go's float syntax; JS's default is accepted for finite numbers. */
function num(n: number): string {
  if (n === Infinity) return '+Inf';
  return String(n);
}

export class ServiceMetrics {
  readonly #version: string;
  /** The slot or instance the process serves: tells apart two processes of one version (a fresh baseline). */
  readonly #slot: string | undefined;
  readonly #requests = new Map<string, number>(); // by status code
  readonly #bucketCounts = DURATION_BUCKETS.map(() => 0);
  #durationSum = 0;
  #durationCount = 0;

  constructor(version: string, slot?: string) {
    this.#version = version;
    this.#slot = slot;
  }

  observe(statusCode: number, durationSeconds: number): void {
    const code = String(statusCode);
    this.#requests.set(code, (this.#requests.get(code) ?? 0) + 1);
    DURATION_BUCKETS.forEach((le, i) => {
      if (durationSeconds <= le) this.#bucketCounts[i]! += 1;
    });
    this.#durationSum += durationSeconds;
    this.#durationCount += 1;
  }

  render(residentMemoryBytes: number): string {
    const v = this.#version;
    const slot: Record<string, string> = this.#slot === undefined ? {} : { slot: this.#slot };
    const lines: string[] = [
      '# HELP http_requests_total HTTP requests answered, by status code.',
      '# TYPE http_requests_total counter',
    ];
    for (const [code, count] of [...this.#requests].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`http_requests_total${labels({ code, version: v, ...slot })} ${count}`);
    }
    lines.push(
      '# HELP http_request_duration_seconds Time to answer an HTTP request.',
      '# TYPE http_request_duration_seconds histogram',
    );
    DURATION_BUCKETS.forEach((le, i) => {
      lines.push(
        `http_request_duration_seconds_bucket${labels({ version: v, ...slot, le: num(le) })} ${this.#bucketCounts[i]}`,
      );
    });
    lines.push(
      `http_request_duration_seconds_bucket${labels({ version: v, ...slot, le: '+Inf' })} ${this.#durationCount}`,
      `http_request_duration_seconds_sum${labels({ version: v, ...slot })} ${num(this.#durationSum)}`,
      `http_request_duration_seconds_count${labels({ version: v, ...slot })} ${this.#durationCount}`,
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${residentMemoryBytes}`,
    );
    return lines.join('\n') + '\n';
  }
}
