// Which addon binary to load: a local build or a prebuild, chosen by the
// LibTorch present at run time. Pure functions over file names and LibTorch
// facts, so that the choice is testable without loading anything.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A LibTorch found on this machine (see scripts/libtorch.js). */
export interface LibTorchFound {
  source: string;
  version: string | null;
  libDir: string;
  cuda: boolean;
}

/** What a binary was built against, from its build record or its prebuild tags. */
export interface BinaryInfo {
  path: string;
  kind: 'local build' | 'prebuild';
  torch_version: string | null;
  cuda: boolean;
  lib_dir: string | null;
  /** Node's module ABI (process.versions.modules) a prebuild is for; null: any. */
  node_abi?: string | null;
}

/** "1.13.0a0", "2.13.0+cpu" -> "1.13.0": versions that share an ABI compare equal. */
export function baseVersion(v: string | null | undefined): string | null {
  if (!v) return null;
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  return m ? `${m[1]}.${m[2]}.${m[3] ?? '0'}` : null;
}

/**
 * Prebuild names: torch-node.libtorch-<version>.<cpu|cuda>.abi<N>[.<libc>].node
 * in prebuilds/<platform>-<arch>/ (prebuildify's layout; the LibTorch tags are
 * part of the name given to prebuildify because node-gyp-build cannot tell
 * LibTorch builds apart). The addon uses V8 weak handles (native/addon.cpp), whose
 * ABI is not stable across Node versions: hence the Node ABI tag.
 */
export function parsePrebuildName(file: string): { torch_version: string; cuda: boolean; node_abi: string | null } | null {
  const m = /^torch-node\.libtorch-(\d+\.\d+\.\d+)\.(cpu|cuda)((?:\.[\w-]+)*)\.node$/.exec(path.basename(file));
  if (!m) return null;
  const abi = /\.abi(\d+)(?:\.|$)/.exec(m[3]);
  return { torch_version: m[1], cuda: m[2] === 'cuda', node_abi: abi ? abi[1] : null };
}

export function prebuildName(torchVersion: string, cuda: boolean): string {
  return `torch-node.libtorch-${baseVersion(torchVersion)}.${cuda ? 'cuda' : 'cpu'}`;
}

export function listPrebuilds(root: string, platform = process.platform, arch = process.arch): BinaryInfo[] {
  const dir = path.join(root, 'prebuilds', `${platform}-${arch}`);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).flatMap((f) => {
    const tags = parsePrebuildName(f);
    return tags ? [{ path: path.join(dir, f), kind: 'prebuild' as const, ...tags, lib_dir: null }] : [];
  });
}

export function localBuild(root: string): BinaryInfo | null {
  const file = path.join(root, 'build', 'Release', 'torch_node.node');
  if (!fs.existsSync(file)) return null;
  let rec: { torch_version?: string; cuda?: boolean; libtorch_lib_dir?: string } = {};
  const recFile = path.join(root, 'build', 'torch-node-build.json');
  if (fs.existsSync(recFile)) {
    try { rec = JSON.parse(fs.readFileSync(recFile, 'utf8')); } catch { /* an unreadable record counts as none */ }
  }
  return { path: file, kind: 'local build', torch_version: rec.torch_version ?? null, cuda: !!rec.cuda, lib_dir: rec.libtorch_lib_dir ?? null };
}

export function matches(b: BinaryInfo, torch: LibTorchFound, nodeAbi = process.versions.modules): boolean {
  return baseVersion(b.torch_version) !== null && baseVersion(b.torch_version) === baseVersion(torch.version) &&
    b.cuda === torch.cuda && (b.node_abi == null || b.node_abi === nodeAbi);
}

/**
 * The binary for the LibTorch found: a matching local build first (it was made
 * on this machine), then a matching prebuild. A binary of another version is
 * never picked: the caller reports both versions instead.
 */
export function chooseBinary(local: BinaryInfo | null, prebuilds: BinaryInfo[], torch: LibTorchFound): BinaryInfo | null {
  if (local && matches(local, torch)) return local;
  return prebuilds.find((p) => matches(p, torch)) ?? null;
}

export function describeMismatch(local: BinaryInfo | null, prebuilds: BinaryInfo[], torch: LibTorchFound): string {
  const have = [
    ...(local ? [`a local build for LibTorch ${local.torch_version ?? '(unknown)'}${local.cuda ? ' CUDA' : ''} (${local.path})`] : []),
    ...prebuilds.map((p) => `a prebuild for LibTorch ${p.torch_version}${p.cuda ? ' CUDA' : ' CPU'}${p.node_abi ? ` and Node ABI ${p.node_abi}` : ''} (${path.basename(p.path)})`),
  ];
  return [
    `torch-node: no binary matches the LibTorch found: ${torch.version ?? '(unknown version)'}${torch.cuda ? ' with CUDA' : ' (CPU)'} from ${torch.source} (${torch.libDir}), on Node ABI ${process.versions.modules}.`,
    have.length ? `Available: ${have.join('; ')}.` : 'No local build and no prebuild for this platform.',
    'Fix: `npm rebuild torch-node` builds one for this LibTorch (needs cmake and a C++17 compiler),',
    `or install the LibTorch version a binary was built for.`,
  ].join('\n');
}

/** Is the LibTorch a local build recorded still where it was? */
export function recordedLibTorchPresent(b: BinaryInfo): boolean {
  if (!b.lib_dir) return false;
  const names = process.platform === 'darwin' ? ['libtorch_cpu.dylib'] : process.platform === 'win32' ? ['torch_cpu.dll'] : ['libtorch_cpu.so'];
  return fs.existsSync(b.lib_dir) && fs.readdirSync(b.lib_dir).some((f) => names.some((n) => f.startsWith(n)));
}
