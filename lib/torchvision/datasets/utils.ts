// torchvision.datasets.utils (0.14): integrity checks, downloads, extraction.
// Downloads go through torch.hub's downloader (temporary file, renamed when
// complete, redirects, proxies), then the md5 is checked as torchvision does.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { unzipSync } from 'fflate';
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
 * it: the formats the MNIST family downloads. Returns the folder (zip) or the file (gz).
 */
export function extract_archive(from_path: string, to_path: string | null = null, remove_finished = false): string {
  to_path ??= path.dirname(from_path);
  let out: string;
  if (from_path.endsWith('.zip')) {
    const root = path.resolve(to_path);
    for (const [name, data] of Object.entries(unzipSync(fs.readFileSync(from_path)))) {
      const dst = path.resolve(root, name);
      // a member naming a path outside the folder ("../x", "/etc/x") is refused, as Python's zipfile does by sanitizing
      if (dst !== root && !dst.startsWith(root + path.sep)) throw new Error(`unsafe path in ${from_path}: ${name}`);
      if (name.endsWith('/')) { fs.mkdirSync(dst, { recursive: true }); continue; }
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      fs.writeFileSync(dst, data);
    }
    out = to_path;
  } else if (from_path.endsWith('.gz') && !from_path.endsWith('.tar.gz')) {
    out = path.join(to_path, path.basename(from_path).slice(0, -3));
    fs.writeFileSync(out, zlib.gunzipSync(fs.readFileSync(from_path)));
  } else {
    throw new Error(`Archive type of '${from_path}' is not supported: only .zip and .gz files can be extracted`);
  }
  if (remove_finished) fs.unlinkSync(from_path);
  return out;
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
