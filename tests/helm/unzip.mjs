// Extracts named entries of a zip file (stored or deflated) with node's zlib alone.
// Usage: node unzip.mjs ARCHIVE DEST_DIR ENTRY...
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const [archive, dest, ...wanted] = process.argv.slice(2);
const zip = fs.readFileSync(archive);

// The end-of-central-directory record sits in the last 64 KiB + 22 bytes.
let eocd = -1;
for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65557); i--) {
  if (zip.readUInt32LE(i) === 0x06054b50) {
    eocd = i;
    break;
  }
}
if (eocd < 0) throw new Error(`${archive}: not a zip file`);
const entries = zip.readUInt16LE(eocd + 10);
let at = zip.readUInt32LE(eocd + 16);
const found = new Set();
for (let n = 0; n < entries; n++) {
  if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${archive}: bad central directory`);
  const method = zip.readUInt16LE(at + 10);
  const compressedSize = zip.readUInt32LE(at + 20);
  const nameLength = zip.readUInt16LE(at + 28);
  const extraLength = zip.readUInt16LE(at + 30);
  const commentLength = zip.readUInt16LE(at + 32);
  const localHeader = zip.readUInt32LE(at + 42);
  const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
  at += 46 + nameLength + extraLength + commentLength;
  if (!wanted.includes(name)) continue;
  const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
  const data = zip.subarray(dataStart, dataStart + compressedSize);
  let content;
  if (method === 0) content = data;
  else if (method === 8) content = zlib.inflateRawSync(data);
  else throw new Error(`${name}: compression method ${method} not supported`);
  const out = path.join(dest, name);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, content, { mode: 0o755 });
  found.add(name);
}
for (const name of wanted) {
  if (!found.has(name)) throw new Error(`${archive}: no entry ${name}`);
}
