#!/usr/bin/env node
// The `delinkcious` command. Sources are TypeScript, loaded through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
