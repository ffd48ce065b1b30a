// torchvision.datasets.utils (0.14): integrity checks, downloads, extraction.
// Downloads go through torch.hub's downloader (temporary file, renamed when
// complete, redirects, proxies), then the md5 is checked as torchvision does.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { download_url_to_file_sync } from '../../hub';
import { expanduser } from './vision';

export function calculate_md5(fpath: string, chunk_size = 1024 * 1024): string {
  const md5 = crypto.createHash('md5');
  const fd = fs.openSync(fpath, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunk_size);
    let n: number;
    while ((n = fs.readSync(fd, buf, 0, chunk_size, null)) > 0) md5.update(buf.subarray(0, n));
  } finally { fs.closeSync(fd); }
  return md5.digest('hex');
}

export function check_md5(fpath: string, md5: string): boolean { return md5 === calculate_md5(fpath); }

export function check_integrity(fpath: string, md5: string | null = null): boolean {
  if (!fs.existsSync(fpath) || !fs.statSync(fpath).isFile()) return false;
  return md5 === null ? true : check_md5(fpath, md5);
}

/** Downloads `url` into `root` (as `filename`), skipping a file already there with the right md5. */
export function download_url(url: string, root: string, filename: string | null = null, md5: string | null = null): void {
  root = expanduser(root);
  filename ||= path.basename(url);
  const fpath = path.join(root, filename);
  fs.mkdirSync(root, { recursive: true });
  if (check_integrity(fpath, md5)) {
    console.log(`Using downloaded and verified file: ${fpath}`);
    return;
  }
  console.log(`Downloading ${url} to ${fpath}`);
  download_url_to_file_sync(url, fpath, { progress: true });
  if (!check_integrity(fpath, md5)) throw new Error('File not found or corrupted.');
}

/** "'a', 'b'": how torchvision lists valid values in messages. */
export const iterable_to_str = (it: Iterable<unknown>): string => `'${[...it].map(String).join("', '")}'`;

/** A string argument that must be one of `valid_values` (RangeError: Python's ValueError). */
export function verify_str_arg(value: unknown, arg: string | null = null, valid_values: Iterable<string> | null = null, custom_msg: string | null = null): string {
  if (typeof value !== 'string') {
    throw new RangeError(arg === null ? `Expected type str, but got type ${typeof value}.` : `Expected type str for argument ${arg}, but got type ${typeof value}.`);
  }
  if (valid_values !== null && ![...valid_values].includes(value)) {
    throw new RangeError(custom_msg ?? `Unknown value '${value}' for argument ${arg}. Valid values are {${iterable_to_str(valid_values)}}.`);
  }
  return value;
}

/**
 * Extracts a .zip archive (its files, keeping their folders) or decompresses a .gz file next to
 * it, or extracts a (gzipped) tar archive: the formats the MNIST and CIFAR families download.
 * Returns the folder (zip, tar) or the file (gz).
 */
export function extract_archive(from_path: string, to_path: string | null = null, remove_finished = false): string {
  to_path ??= path.dirname(from_path);
  let out: string;
  if (from_path.endsWith('.zip')) {
    const root = path.resolve(to_path);
    // fflate is required here, not at load: every process that loads torchvision would pay for it.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { unzipSync } = require('fflate') as typeof import('fflate');
    for (const [name, data] of Object.entries(unzipSync(fs.readFileSync(from_path)))) {
      const dst = path.resolve(root, name);
      // a member naming a path outside the folder ("../x", "/etc/x") is refused, as Python's zipfile does by sanitizing
      if (dst !== root && !dst.startsWith(root + path.sep)) throw new Error(`unsafe path in ${from_path}: ${name}`);
      if (name.endsWith('/')) { fs.mkdirSync(dst, { recursive: true }); continue; }
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      fs.writeFileSync(dst, data);
    }
    out = to_path;
  } else if (/\.(tar|tar\.gz|tgz)$/.test(from_path)) {
    let data: Uint8Array = fs.readFileSync(from_path);
    if (!from_path.endsWith('.tar')) data = zlib.gunzipSync(data);
    extract_tar(data, to_path, from_path);
    out = to_path;
  } else if (from_path.endsWith('.gz')) {
    out = path.join(to_path, path.basename(from_path).slice(0, -3));
    fs.writeFileSync(out, zlib.gunzipSync(fs.readFileSync(from_path)));
  } else {
    throw new Error(`Archive type of '${from_path}' is not supported: only .zip, .tar, .tar.gz, .tgz and .gz files can be extracted`);
  }
  if (remove_finished) fs.unlinkSync(from_path);
  return out;
}

/** Where an archive member goes: inside `root`, or an error (Python's tarfile 'data' filter refuses these too). */
function memberPath(root: string, name: string, archive: string): string {
  const dst = path.resolve(root, name);
  if (dst !== root && !dst.startsWith(root + path.sep)) throw new Error(`unsafe path in ${archive}: ${name}`);
  return dst;
}

/** A ustar/GNU/pax tar archive's files and folders, written under `to_path`; links and devices are refused. */
function extract_tar(data: Uint8Array, to_path: string, archive: string): void {
  const root = path.resolve(to_path);
  const text = (b: Uint8Array): string => { const z = b.indexOf(0); return Buffer.from(z < 0 ? b : b.subarray(0, z)).toString('utf8'); };
  const octal = (b: Uint8Array): number => {
    const s = text(b).trim();
    if (!/^[0-7]*$/.test(s)) throw new Error(`${archive}: bad tar header (size '${s}')`);
    return s ? parseInt(s, 8) : 0;
  };
  let pos = 0, longName: string | null = null;
  while (pos + 512 <= data.length) {
    const h = data.subarray(pos, pos + 512);
    if (h.every((b) => b === 0)) break;  // end-of-archive block
    const size = octal(h.subarray(124, 136));
    const type = String.fromCharCode(h[156] || 0x30);
    const body = pos + 512;
    if (body + size > data.length) throw new Error(`${archive}: truncated tar archive`);
    const content = data.subarray(body, body + size);
    pos = body + Math.ceil(size / 512) * 512;
    let name = longName ?? (h[345] && text(h.subarray(257, 263)).startsWith('ustar')
      ? `${text(h.subarray(345, 500))}/${text(h.subarray(0, 100))}` : text(h.subarray(0, 100)));
    if (type === 'L') { longName = text(content); continue; }
    if (type === 'x') {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.from(content).toString('utf8'));
      if (m) longName = m[1];
      continue;
    }
    if (type === 'g') continue;
    longName = null;
    if (type === '5') { fs.mkdirSync(memberPath(root, name, archive), { recursive: true }); continue; }
    if (type !== '0' && type !== '7') throw new Error(`${archive}: tar member ${name} of type '${type}' (links, devices) is not extracted`);
    name = memberPath(root, name, archive);
    fs.mkdirSync(path.dirname(name), { recursive: true });
    fs.writeFileSync(name, content);
  }
}

export function download_and_extract_archive(url: string, download_root: string, extract_root: string | null = null,
  filename: string | null = null, md5: string | null = null, remove_finished = false): void {
  download_root = expanduser(download_root);
  extract_root ??= download_root;
  filename ||= path.basename(url);
  download_url(url, download_root, filename, md5);
  const archive = path.join(download_root, filename);
  console.log(`Extracting ${archive} to ${extract_root}`);
  extract_archive(archive, extract_root, remove_finished);
}
