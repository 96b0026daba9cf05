#!/usr/bin/env node
// The `xp` binary. Runs the TypeScript sources through tsx's loader, which also loads the
// project's TypeScript analysis plugins and macro helpers, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
