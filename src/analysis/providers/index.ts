// Builds the configured providers.
import type { Fetch } from '../http.ts';
import type { Sleep } from '../retry.ts';
import type { ProviderConfig } from '../schema.ts';
import { createCommandProvider } from './command.ts';
import { createHttpProber } from './http-prober.ts';
import { createLogsProvider } from './logs.ts';
import { createPrometheusProvider } from './prometheus.ts';
import type { MetricProvider } from './provider.ts';

export interface ProviderDeps {
  fetch?: Fetch;
  sleep?: Sleep;
  now?: () => number;
  hrnow?: () => number;
  /** Where a provider's warnings go (the job log). */
  warn?: (message: string) => void;
}

export function createProvider(
  name: string,
  config: ProviderConfig,
  deps: ProviderDeps = {},
): MetricProvider {
  switch (config.type) {
    case 'prometheus':
      return createPrometheusProvider(name, config, deps);
    case 'http':
      return { ...createHttpProber(name, config, deps), continuous: true };
    case 'command':
      return createCommandProvider(name, config, deps);
    case 'logs':
      return createLogsProvider(name, config, deps);
  }
}
