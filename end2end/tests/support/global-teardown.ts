import type { FullConfig } from '@playwright/test';
import { stopServer } from './server';

export default async function globalTeardown(_config: FullConfig): Promise<void> {
  await stopServer();
}
