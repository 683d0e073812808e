#!/usr/bin/env node
// Builds the dashboard: checks src/types.ts against the proto, type-checks with tsc, bundles with esbuild into
// content-hashed files under <outdir>/assets, and writes <outdir>/index.html
// that references them. A second, independent entry point, src/status/main.tsx
// (the public status page, none of the dashboard's code), becomes
// <outdir>/status.html with its own assets/status-HASH.{js,css}.
// Usage: node build.mjs [--outdir DIR] [--no-typecheck]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
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
  entryPoints: { app: join(here, 'src', 'main.tsx'), status: join(here, 'src', 'status', 'main.tsx') },
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
// Each entry's JS and CSS, by the name esbuild gives them ([name]-[hash]).
const entryFiles = (name) => {
  const own = outputs.filter((p) => p.startsWith(`/assets/${name}-`));
  const js = own.find((p) => p.endsWith('.js'));
  const css = own.find((p) => p.endsWith('.css'));
  if (!js || !css) {
    console.error(`build.mjs: esbuild produced no ${name} JS or CSS`, outputs);
    process.exit(1);
  }
  return { js, css };
};
const app = entryFiles('app');
const status = entryFiles('status');

copyFileSync(join(here, 'src', 'favicon.svg'), join(outdir, 'favicon.svg'));

// No inline script or style: the gateway's CSP forbids both. Asset paths are
// absolute: status.html is served at /status/{slug}.
const shell = ({ title, js, css, noscript }) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${css}">
<script type="module" src="${js}"></script>
</head>
<body>
<div id="app"><noscript>${noscript}</noscript></div>
</body>
</html>
`;
writeFileSync(join(outdir, 'index.html'), shell({ title: 'Uptime Monitor', ...app, noscript: 'Uptime Monitor needs JavaScript.' }));
writeFileSync(join(outdir, 'status.html'), shell({ title: 'Status', ...status, noscript: 'This status page needs JavaScript.' }));

let total = 0;
for (const [p, o] of Object.entries(result.metafile.outputs)) {
  total += o.bytes;
  console.log(`  ${relative(outdir, resolve(p)).padEnd(36)} ${(o.bytes / 1024).toFixed(1).padStart(7)} KiB`);
}
const gz = (p) => gzipSync(readFileSync(join(outdir, p))).length;
const statusGz = gz(status.js) + gz(status.css);
console.log(`build.mjs: ${outputs.length} assets, ${(total / 1024).toFixed(1)} KiB -> ${outdir}`);
console.log(`build.mjs: status page ${(statusGz / 1024).toFixed(1)} KiB gzipped (JS ${(gz(status.js) / 1024).toFixed(1)}, CSS ${(gz(status.css) / 1024).toFixed(1)})`);
