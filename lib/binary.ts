// Which addon binary to load: a local build or a prebuild, chosen by the
// LibTorch present at run time. This file picks the LibTorch variant (version,
// CPU or CUDA); node-gyp-build picks the file inside that variant's prebuilds
// root (platform, arch, Node ABI, libc). No addon is loaded here, so the choice
// is testable on fake trees.
import * as fs from 'node:fs';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };

/** A LibTorch found on this machine (see scripts/libtorch.js). */
export interface LibTorchFound {
  source: string;
  version: string | null;
  libDir: string;
  cuda: boolean;
  /** The CUDA version of a CUDA LibTorch ("12.4"), null when CPU-only or not recorded. */
  cuda_version?: string | null;
}

/** What a binary was built against, from its build record or its variant folder. */
export interface BinaryInfo {
  path: string;
  kind: 'local build' | 'prebuild';
  torch_version: string | null;
  cuda: boolean;
  cuda_version?: string | null;
  lib_dir: string | null;
}

/**
 * "1.13.0a0", "1.13.1", "2.13.0+cpu" -> "1.13": LibTorch's C++ ABI changes
 * between minor versions (Debian's sonames are libtorch_cpu.so.1.13), so a
 * binary matches every patch release of its minor version.
 */
export function minorVersion(v: string | null | undefined): string | null {
  const m = v ? /^(\d+)\.(\d+)/.exec(v) : null;
  return m ? `${m[1]}.${m[2]}` : null;
}

/**
 * Prebuilds live in one prebuildify output folder per LibTorch variant:
 *   prebuilds/libtorch-<major.minor>-<cpu|cu<XY>>/prebuilds/<platform>-<arch>/node.abi<N>.<libc>.node
 * e.g. libtorch-2.5-cpu, libtorch-2.5-cu124 (CUDA 12.4; "cuda" where a CUDA
 * LibTorch records no version). node-gyp-build only understands platform,
 * arch, runtime and ABI tags, and among same-ABI files in one folder returns
 * the alphabetically first: hence the variant is a folder of its own, never a
 * tag in the file name.
 */
export function variantName(torchVersion: string | null, cuda: boolean, cudaVersion: string | null = null): string | null {
  const v = minorVersion(torchVersion);
  if (!v) return null;
  if (!cuda) return `libtorch-${v}-cpu`;
  const cu = cudaVersion ? /^(\d+)\.(\d+)/.exec(cudaVersion) : null;
  return `libtorch-${v}-${cu ? `cu${cu[1]}${cu[2]}` : 'cuda'}`;
}

export interface Variant { torch_version: string; cuda: boolean; cuda_version: string | null }

export function parseVariantName(name: string): Variant | null {
  const m = /^libtorch-(\d+\.\d+)-(?:(cpu)|(cuda)|cu(\d+)(\d))$/.exec(name);
  if (!m) return null;
  return { torch_version: m[1], cuda: !m[2], cuda_version: m[4] ? `${Number(m[4])}.${m[5]}` : null };
}

/** The folder npm run prebuild writes to (prebuildify --out) and node-gyp-build resolves. */
export function variantRoot(root: string, torchVersion: string | null, cuda: boolean, cudaVersion: string | null = null): string | null {
  const name = variantName(torchVersion, cuda, cudaVersion);
  return name ? path.join(root, 'prebuilds', name) : null;
}

/** The variant a prebuild file belongs to, from its path; null for a file outside the layout. */
export function prebuildVariant(file: string): Variant | null {
  const parts = path.resolve(file).split(path.sep);
  // .../libtorch-1.13-cpu/prebuilds/linux-x64/node.abi115.glibc.node
  return parts.length >= 4 && parts[parts.length - 3] === 'prebuilds' ? parseVariantName(parts[parts.length - 4]) : null;
}

/** The prebuild node-gyp-build picks for this process in the LibTorch variant found, if any. */
export function findPrebuild(root: string, torch: LibTorchFound): BinaryInfo | null {
  const dir = variantRoot(root, torch.version, torch.cuda, torch.cuda_version ?? null);
  if (!dir || !fs.existsSync(dir)) return null;
  let file: string;
  try {
    file = nodeGypBuild.resolve(dir);
  } catch {
    return null; // none for this platform, arch, Node ABI or libc: describeMismatch lists what there is
  }
  // node-gyp-build falls back to a prebuilds/ folder beside the node executable: not ours.
  if (path.relative(dir, file).startsWith('..')) return null;
  return { path: file, kind: 'prebuild', torch_version: minorVersion(torch.version), cuda: torch.cuda, cuda_version: torch.cuda_version ?? null, lib_dir: null };
}

/** Every prebuild file for this platform and arch, in every variant (for messages and the fast path). */
export function listPrebuilds(root: string, platform = process.platform, arch = process.arch): string[] {
  const top = path.join(root, 'prebuilds');
  if (!fs.existsSync(top)) return [];
  return fs.readdirSync(top).filter((v) => parseVariantName(v)).sort().flatMap((v) => {
    const dir = path.join(top, v, 'prebuilds', `${platform}-${arch}`);
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.node')).sort().map((f) => path.join(dir, f)) : [];
  });
}

export function localBuild(root: string): BinaryInfo | null {
  const file = path.join(root, 'build', 'Release', 'torch_node.node');
  if (!fs.existsSync(file)) return null;
  let rec: { torch_version?: string; cuda?: boolean; cuda_version?: string | null; libtorch_lib_dir?: string } = {};
  const recFile = path.join(root, 'build', 'torch-node-build.json');
  if (fs.existsSync(recFile)) {
    try { rec = JSON.parse(fs.readFileSync(recFile, 'utf8')); } catch { /* an unreadable record counts as none */ }
  }
  return { path: file, kind: 'local build', torch_version: rec.torch_version ?? null, cuda: !!rec.cuda, cuda_version: rec.cuda_version ?? null,
    lib_dir: rec.libtorch_lib_dir ?? null };
}

/**
 * Same LibTorch variant: major.minor version, CPU/CUDA, and the CUDA version
 * where both record one (a binary linked against one CUDA runtime's LibTorch
 * is not loaded on another's).
 */
export function matches(b: BinaryInfo, torch: LibTorchFound): boolean {
  const v = minorVersion(b.torch_version);
  if (v === null || v !== minorVersion(torch.version) || b.cuda !== torch.cuda) return false;
  return !b.cuda_version || !torch.cuda_version || minorVersion(b.cuda_version) === minorVersion(torch.cuda_version);
}

/**
 * The binary for the LibTorch found: a matching local build first (it was made
 * on this machine), then the prebuild of that variant for this Node. A binary
 * of another variant is never picked: the caller reports what there is instead.
 */
export function chooseBinary(root: string, torch: LibTorchFound): BinaryInfo | null {
  const local = localBuild(root);
  if (local && matches(local, torch)) return local;
  return findPrebuild(root, torch);
}

function cudaLabel(cuda: boolean, cudaVersion: string | null | undefined): string {
  return cuda ? ` CUDA${cudaVersion ? ` ${cudaVersion}` : ''}` : ' CPU';
}

export function describeMismatch(root: string, torch: LibTorchFound): string {
  const local = localBuild(root);
  const here = `${process.platform}-${process.arch}`;
  const have = [
    ...(local ? [`a local build for LibTorch ${local.torch_version ?? '(unknown)'}${cudaLabel(local.cuda, local.cuda_version)} (${local.path})`] : []),
    ...listPrebuilds(root).map((f) => {
      const v = prebuildVariant(f);
      return `a prebuild for LibTorch ${v?.torch_version}${cudaLabel(!!v?.cuda, v?.cuda_version)} (${path.relative(root, f)})`;
    }),
  ];
  return [
    `torch-node: no binary matches the LibTorch found: ${torch.version ?? '(unknown version)'}${torch.cuda ? ` with${cudaLabel(true, torch.cuda_version)}` : ' (CPU)'} from ${torch.source} (${torch.libDir}), ` +
      `on ${here}, Node ABI ${process.versions.modules}.`,
    have.length ? `Available: ${have.join('; ')}.` : `No local build and no prebuild for ${here}.`,
    `A prebuild is used when prebuilds/${variantName(torch.version, torch.cuda, torch.cuda_version ?? null) ?? 'libtorch-<version>-<cpu|cu<XY>>'}/prebuilds/${here}/ has one for this Node ABI.`,
    'Fix: `npm rebuild torch-node` builds one for this LibTorch (needs cmake and a C++17 compiler),',
    'or install the LibTorch version a binary was built for.',
  ].join('\n');
}

/** Is the LibTorch a local build recorded still where it was? */
export function recordedLibTorchPresent(b: BinaryInfo): boolean {
  if (!b.lib_dir) return false;
  const names = process.platform === 'darwin' ? ['libtorch_cpu.dylib'] : process.platform === 'win32' ? ['torch_cpu.dll'] : ['libtorch_cpu.so'];
  return fs.existsSync(b.lib_dir) && fs.readdirSync(b.lib_dir).some((f) => names.some((n) => f.startsWith(n)));
}
