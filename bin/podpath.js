#!/usr/bin/env node
// The command is one CommonJS bundle (see tsup.config.ts): loaded with require, it starts fastest.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('../dist/cli.cjs');
