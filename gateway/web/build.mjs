#!/usr/bin/env node
// Builds the dashboard: checks src/types.ts against the proto, type-checks with tsc, bundles with esbuild into
// content-hashed files under <outdir>/assets, and writes <outdir>/index.html
// that references them. Usage: node build.mjs [--outdir DIR] [--no-typecheck]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? resolve(args[i + 1]) : fallback;
};
const outdir = option('--outdir', join(here, 'dist'));

// The JSON types follow the proto (a proto change fails the build here).
try {
  execFileSync(process.execPath, [join(here, 'scripts', 'check-types.mjs')], { stdio: 'inherit' });
} catch {
  process.exit(1);
}

if (!flag('--no-typecheck')) {
  const tsc = join(here, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '--noEmit', '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });
  } catch {
    console.error('build.mjs: type check failed');
    process.exit(1);
  }
}

// Old hashed files would otherwise be embedded forever.
rmSync(outdir, { recursive: true, force: true });
mkdirSync(join(outdir, 'assets'), { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: join(here, 'src', 'main.tsx') },
  bundle: true,
  minify: !flag('--no-minify'),
  sourcemap: false,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(outdir, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => '/' + relative(outdir, resolve(p)).split('\\').join('/'));
const js = outputs.find((p) => p.endsWith('.js'));
const css = outputs.find((p) => p.endsWith('.css'));
if (!js || !css) {
  console.error('build.mjs: esbuild produced no app JS or CSS', outputs);
  process.exit(1);
}

copyFileSync(join(here, 'src', 'favicon.svg'), join(outdir, 'favicon.svg'));

// No inline script or style: the gateway's CSP forbids both.
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Uptime Monitor</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${css}">
<script type="module" src="${js}"></script>
</head>
<body>
<div id="app"><noscript>Uptime Monitor needs JavaScript.</noscript></div>
</body>
</html>
`;
writeFileSync(join(outdir, 'index.html'), html);

let total = 0;
for (const [p, o] of Object.entries(result.metafile.outputs)) {
  total += o.bytes;
  console.log(`  ${relative(outdir, resolve(p)).padEnd(36)} ${(o.bytes / 1024).toFixed(1).padStart(7)} KiB`);
}
console.log(`build.mjs: ${outputs.length} assets, ${(total / 1024).toFixed(1)} KiB -> ${outdir}`);
