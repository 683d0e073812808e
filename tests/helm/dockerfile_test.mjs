// Checks deploy/Dockerfile's package lists, since no Docker daemon runs here to build it:
//  - the build stage installs every package of the "build" group of scripts/bootstrap.sh, and
//    nothing bootstrap.sh does not name;
//  - each runtime stage (the binary it copies from build/bin) installs what the shared libraries
//    of that binary need: `ldd build/bin/X` mapped to Debian packages with `dpkg -S` must be
//    covered by the stage's packages, the slim base image (priority "required") and their
//    dependencies; and it installs nothing beyond that, but CA certificates and time zones.
// A binary not built yet is skipped, saying so. Environment: UPTIME_SOURCE_DIR, UPTIME_BIN_DIR.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.env.UPTIME_SOURCE_DIR ?? path.resolve(here, '../..');
const binDir = process.env.UPTIME_BIN_DIR ?? path.join(source, 'build/bin');
const failures = [];
const fail = (m) => {
  failures.push(m);
  console.log(`FAIL ${m}`);
};

// Packages a runtime image may carry without a library of its binary needing them.
const NON_LIBRARY_PACKAGES = new Set(['ca-certificates', 'tzdata']);

// ---- the Dockerfile: stages, their parents, their packages and the binary each copies ----

function parseDockerfile(text) {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const stages = new Map();
  let stage = null;
  for (const raw of lines) {
    const line = raw.trim();
    let m = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (m) {
      stage = { name: m[2] ?? m[1], parent: m[1], packages: [], binary: null };
      stages.set(stage.name, stage);
      continue;
    }
    if (!stage || line.startsWith('#')) continue;
    if (/^RUN\s/i.test(line)) {
      for (const command of line.split(/&&|;/)) {
        m = /apt-get\s+install\s+(.*)$/.exec(command);
        if (m) stage.packages.push(...m[1].trim().split(/\s+/).filter((t) => t && !t.startsWith('-')));
      }
    }
    m = /^COPY\s+--from=build\s+\/build\/bin\/(\S+)/i.exec(line);
    if (m) stage.binary = m[1];
  }
  return stages;
}

// A stage's packages with those of the stages it is built FROM.
function stagePackages(stages, name) {
  const s = stages.get(name);
  if (!s) return [];
  return [...s.packages, ...stagePackages(stages, s.parent)];
}

// ---- scripts/bootstrap.sh: the PACKAGES=( ... ) groups and every package it names ----

function parseBootstrap(text) {
  const block = /PACKAGES=\(([\s\S]*?)\n\)/.exec(text);
  if (!block) throw new Error('scripts/bootstrap.sh: no PACKAGES=( ... ) list');
  const groups = new Map();
  let group = '';
  for (const line of block[1].split('\n')) {
    const comment = /^\s*#\s*(.*)$/.exec(line);
    if (comment) {
      group = comment[1].trim();
      continue;
    }
    const names = line.trim().split(/\s+/).filter(Boolean);
    if (names.length) groups.set(group, [...(groups.get(group) ?? []), ...names]);
  }
  const all = new Set([...groups.values()].flat());
  for (const m of text.matchAll(/PACKAGES\+=\(([^)]*)\)/g)) {
    for (const p of m[1].trim().split(/\s+/)) all.add(p);
  }
  return { groups, all };
}

// ---- Debian: which package holds a file, and what a set of packages pulls in ----

// Owning package of each file, in one dpkg-query call (one per file is slow on a busy machine).
function packagesOf(files) {
  const candidates = new Map();  // candidate path -> file
  for (const file of files) {
    const real = fs.realpathSync(file);
    for (const f of [file, real]) {
      candidates.set(f, file);
      // usr-merge: dpkg may know the file under /lib while the loader names /usr/lib, or back.
      if (f.startsWith('/usr/lib/')) candidates.set(f.slice(4), file);
      if (f.startsWith('/lib/')) candidates.set(`/usr${f}`, file);
    }
  }
  const r = spawnSync('dpkg-query', ['-S', ...candidates.keys()], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const owners = new Map();
  for (const line of r.stdout.split('\n')) {
    const m = /^([^:]+)(?::[a-z0-9]+)?(?:, [^:]+)*: (\/.*)$/.exec(line);
    if (!m || !candidates.has(m[2])) continue;
    owners.set(candidates.get(m[2]), m[1].split(',')[0].trim());
  }
  return owners;
}

// Pre-Depends and Depends of every installed package (alternatives all count).
const dependsOfInstalled = new Map(
  execFileSync('dpkg-query', ['-W', '-f=${Package}\t${Pre-Depends}, ${Depends}\n'], { encoding: 'utf8', maxBuffer: 16 << 20 })
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [pkg, deps] = line.split('\t');
      return [pkg, deps.split(/[,|]/).map((d) => d.trim().split(/[\s:(]/)[0]).filter(Boolean)];
    }),
);
const dependsOf = (pkg) => dependsOfInstalled.get(pkg) ?? [];

function closure(packages) {
  const seen = new Set();
  const todo = [...packages];
  while (todo.length) {
    const p = todo.pop();
    if (seen.has(p)) continue;
    seen.add(p);
    todo.push(...dependsOf(p));
  }
  return seen;
}

// What debian:bookworm-slim holds: the packages of priority "required".
function basePackages() {
  const out = execFileSync('dpkg-query', ['-W', '-f=${Package} ${Priority}\n'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.endsWith(' required')).map((l) => l.split(' ')[0]);
}

function libraryPackages(binary) {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libraries = [];
  for (const line of out.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libraries.push(m[1]);
  }
  const owners = packagesOf(libraries);
  const packages = new Map();  // package -> libraries
  for (const lib of libraries) {
    const pkg = owners.get(lib);
    if (!pkg) {
      fail(`${path.basename(binary)}: no Debian package holds ${lib}`);
      continue;
    }
    packages.set(pkg, [...(packages.get(pkg) ?? []), path.basename(lib)]);
  }
  return packages;
}

// ---- the checks ----

const dockerfile = parseDockerfile(fs.readFileSync(path.join(source, 'deploy/Dockerfile'), 'utf8'));
const bootstrap = parseBootstrap(fs.readFileSync(path.join(source, 'scripts/bootstrap.sh'), 'utf8'));

const buildStage = dockerfile.get('build');
if (!buildStage) {
  fail('deploy/Dockerfile: no stage named build');
} else {
  const buildGroup = bootstrap.groups.get('build') ?? [];
  if (!buildGroup.length) fail('scripts/bootstrap.sh: no "# build" group in PACKAGES');
  const installed = new Set(buildStage.packages);
  for (const p of buildGroup) {
    if (!installed.has(p)) fail(`the build stage lacks ${p} (in the build group of scripts/bootstrap.sh)`);
  }
  for (const p of installed) {
    if (!bootstrap.all.has(p)) fail(`the build stage installs ${p}, which scripts/bootstrap.sh does not name`);
  }
  console.log(`ok   build stage: ${installed.size} packages, agreeing with scripts/bootstrap.sh`);
}

const base = basePackages();
const runtimes = [...dockerfile.values()].filter((s) => s.binary);
const expectedBinaries = ['uptime-coordinator', 'uptime-agent', 'uptime-gateway', 'uptimectl'];
for (const b of expectedBinaries) {
  if (!runtimes.some((s) => s.binary === b)) fail(`deploy/Dockerfile: no runtime stage copies ${b}`);
}
for (const stage of runtimes) {
  const binary = path.join(binDir, stage.binary);
  const listed = stagePackages(dockerfile, stage.name);
  if (!fs.existsSync(binary)) {
    console.log(`SKIP stage ${stage.name}: ${binary} does not exist yet, so its packages are NOT checked`);
    continue;
  }
  const needed = libraryPackages(binary);
  const covered = closure([...listed, ...base]);
  for (const [pkg, libs] of needed) {
    if (!covered.has(pkg)) fail(`stage ${stage.name}: ${stage.binary} loads ${libs.join(', ')} from ${pkg}, which the stage does not install`);
  }
  // Nothing beyond what the binary loads: each listed package holds a library it loads.
  for (const pkg of stage.packages) {
    if (NON_LIBRARY_PACKAGES.has(pkg)) continue;
    if (!needed.has(pkg)) {
      fail(`stage ${stage.name}: installs ${pkg}, but ${stage.binary} loads no library from it`);
    }
  }
  console.log(`ok   stage ${stage.name}: ${stage.binary} loads libraries of ${needed.size} packages, all installed`);
}

if (failures.length) {
  console.log(`\n${failures.length} failure(s)`);
  process.exit(1);
}
console.log('\ndockerfile: all passed');
