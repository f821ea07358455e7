import type { FullConfig } from '@playwright/test';
import { baseURL, startServer } from './server';

export default async function globalSetup(_config: FullConfig): Promise<void> {
  await startServer();
  process.env.MD_BASE_URL = baseURL;
}
