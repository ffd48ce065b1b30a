// torch.warnings: Python's `warnings` module, for torch-node's own warnings and the user's.
//
// Why not process.emitWarning: Node prints a warning on a later tick, so a synchronous script sees
// all of its warnings after all of its output (the tutorial printed torchvision's `pretrained`
// warnings after its five epochs). Python prints at the call; so does this module: to stderr,
// synchronously, in Python's format, the location then the source line:
//
//   /home/me/train.js:3: UserWarning: The parameter 'pretrained' is deprecated since 0.13 ...
//     const resnet18 = models.resnet18({ pretrained: true });
//
// The location is the user's code that called torch-node: torch-node's own frames are skipped (as
// Python 3.12's `skip_file_prefixes`), then `stacklevel` counts from there. The filters are Python's:
// `(action, message, category, module, lineno)`, the first match wins, else the default action
// 'default' shows a warning once per (message, category, module, lineno), so once per call site.
// What differs from Python, and why:
//   - `module` is the file of the call site, or '__main__' for the main script (and `node -e`):
//     JS has no module names. The default filters are Python's, so a DeprecationWarning shows only
//     when the main script itself triggers it (PEP 565), and PendingDeprecationWarning never.
//   - NODE_NO_WARNINGS=1, --no-warnings (and --no-deprecation for DeprecationWarning) silence the
//     printing, as they silence Node's own warnings; filters, 'error' and recording still apply.
//   - A `message`/`module` string is a regular expression matched at the start, as Python's
//     re.match (message case-insensitively); a RegExp is used as it is.
//
// This file must not load the native addon: torch.hub uses it in processes that never need LibTorch.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

// ---- categories (Python's Warning hierarchy) ---------------------------------------------------

/** The base class of the warning categories. `String(w)` is the message, as Python's `str(w)`. */
export class Warning extends Error {
  constructor(message = '') {
    super(message);
    this.name = new.target.name;
  }
  toString(): string { return this.message; }
}
export class UserWarning extends Warning {}
export class DeprecationWarning extends Warning {}
export class PendingDeprecationWarning extends Warning {}
export class FutureWarning extends Warning {}
export class RuntimeWarning extends Warning {}

export type WarningCategory = new (message?: string) => Warning;

function isCategory(c: unknown): c is WarningCategory {
  return typeof c === 'function' && (c === Warning || c.prototype instanceof Warning);
}

function checkCategory(c: unknown, what: string): WarningCategory {
  if (!isCategory(c)) throw new TypeError(`${what} must be a Warning subclass, not ${typeof c === 'function' ? `'${c.name}'` : typeof c}`);
  return c;
}

// ---- filters --------------------------------------------------------------------------------

export type Action = 'default' | 'error' | 'ignore' | 'always' | 'module' | 'once';
const ACTIONS: readonly Action[] = ['default', 'error', 'ignore', 'always', 'module', 'once'];

export interface Filter {
  action: Action;
  message: RegExp | null;
  category: WarningCategory;
  module: RegExp | null;
  lineno: number;
}

/** The filters, first match wins (Python's `warnings.filters`). Change them through the functions below. */
export const filters: Filter[] = [];
/** What applies when no filter matches. */
const defaultaction: Action = 'default';

// Bumped on every change of `filters`: the once-per-call-site registry is cleared with it, as
// Python's `_filters_mutated` (so `catch_warnings` and a new filter see warnings shown before).
let _version = 0;
const _registry = new Set<string>();
let _registry_version = 0;
/** Python's `onceregistry`: never cleared. */
const _onceregistry = new Set<string>();

function _filters_mutated(): void { _version++; }

function _pattern(p: string | RegExp, flags: string): RegExp | null {
  if (p instanceof RegExp) return p;
  return p ? new RegExp(`^(?:${p})`, flags) : null;
}

const _same = (a: RegExp | null, b: RegExp | null) => a === b || (a !== null && b !== null && a.source === b.source && a.flags === b.flags);

function _add_filter(f: Filter, append: boolean): void {
  const i = filters.findIndex((g) => g.action === f.action && _same(g.message, f.message) && g.category === f.category &&
    _same(g.module, f.module) && g.lineno === f.lineno);
  if (!append) {
    if (i >= 0) filters.splice(i, 1);
    filters.unshift(f);
  } else if (i < 0) {
    filters.push(f);
  }
  _filters_mutated();
}

function _check_action(action: unknown): Action {
  if (!ACTIONS.includes(action as Action)) throw new Error(`invalid action: ${JSON.stringify(action)}`);
  return action as Action;
}

function _check_lineno(lineno: unknown): number {
  if (!Number.isInteger(lineno) || (lineno as number) < 0) throw new Error('lineno must be an int >= 0');
  return lineno as number;
}

export interface FilterOptions {
  /** A regular expression the start of the message must match (case-insensitive), or a RegExp. */
  message?: string | RegExp;
  /** The category the warning must be (a subclass of). Default: Warning. */
  category?: WarningCategory;
  /** A regular expression the start of the module (the call site's file, or '__main__') must match, or a RegExp. */
  module?: string | RegExp;
  /** The line the warning must come from; 0: any. */
  lineno?: number;
  /** Add at the end instead of the front. */
  append?: boolean;
}

/** Adds a filter (Python's `warnings.filterwarnings`): `filterwarnings('ignore', { message: 'The parameter .pretrained.' })`. */
export function filterwarnings(action: Action, options: FilterOptions = {}): void {
  const { message = '', category = Warning, module = '', lineno = 0, append = false } = options;
  _add_filter({
    action: _check_action(action),
    message: _pattern(message, 'i'),
    category: checkCategory(category, 'category'),
    module: _pattern(module, ''),
    lineno: _check_lineno(lineno),
  }, append);
}

/** Adds a filter that matches every message and module (Python's `warnings.simplefilter`). */
export function simplefilter(action: Action, options: Pick<FilterOptions, 'category' | 'lineno' | 'append'> = {}): void {
  const { category = Warning, lineno = 0, append = false } = options;
  _add_filter({ action: _check_action(action), message: null, category: checkCategory(category, 'category'), module: null, lineno: _check_lineno(lineno) }, append);
}

/** Removes every filter, Python's defaults included (Python's `warnings.resetwarnings`). */
export function resetwarnings(): void {
  filters.length = 0;
  _filters_mutated();
}

// Python's default filters (a release build, no -W options).
filterwarnings('default', { category: DeprecationWarning, module: /^__main__$/, append: true });
simplefilter('ignore', { category: DeprecationWarning, append: true });
simplefilter('ignore', { category: PendingDeprecationWarning, append: true });

// ---- where a warning comes from -------------------------------------------------------------

/** torch-node's own compiled files: frames in them are never the location of a warning. */
const OWN_DIR = __dirname + path.sep;
const MAIN_FILE = process.argv[1] ? path.resolve(process.argv[1]) : null;

interface Location { filename: string; lineno: number; module: string }

function _file_of(name: string): string {
  return name.startsWith('file://') ? fileURLToPath(name) : name;
}

function _is_main(file: string): boolean {
  if (file === '[eval]' || file === '[stdin]') return true;
  if (MAIN_FILE === null) return false;
  return file === MAIN_FILE || file.replace(/\.[cm]?[jt]s$/, '') === MAIN_FILE.replace(/\.[cm]?[jt]s$/, '');
}

/** The user's frames (torch-node's, Node's own and native ones left out), innermost first. */
function _user_frames(): { file: string; line: number }[] {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  let sites: NodeJS.CallSite[];
  try {
    Error.prepareStackTrace = (_e, s) => s;
    Error.stackTraceLimit = Infinity;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, _user_frames);
    sites = holder.stack as NodeJS.CallSite[];
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  const out: { file: string; line: number }[] = [];
  for (const s of sites) {
    const name = s.getFileName() ?? (s.isEval() ? '<eval>' : undefined); // Python says <string> for exec'd code
    const line = s.getLineNumber();
    if (!name || line === null || name.startsWith('node:')) continue;
    let file = _file_of(name);
    if (file.startsWith(OWN_DIR)) continue;
    let lineno = line;
    // With --enable-source-maps, the position in the source the user wrote (a .ts file).
    const entry = findSourceMap(file)?.findEntry(line - 1, (s.getColumnNumber() ?? 1) - 1) as { originalSource?: string; originalLine?: number } | undefined;
    if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
      file = _file_of(entry.originalSource);
      lineno = entry.originalLine + 1;
    }
    out.push({ file, line: lineno });
  }
  return out;
}

function _location(stacklevel: number): Location {
  const f = _user_frames()[Math.max(1, stacklevel) - 1];
  if (f === undefined) return { filename: '<unknown>', lineno: 0, module: '<unknown>' };
  return { filename: f.file, lineno: f.line, module: _is_main(f.file) ? '__main__' : f.file };
}

const _lines = new Map<string, string[] | null>();

/** Line `lineno` of `filename`, or '' (Python's linecache.getline). */
function getline(filename: string, lineno: number): string {
  if (!_lines.has(filename)) {
    let lines: string[] | null = null;
    try {
      lines = fs.readFileSync(filename, 'utf8').split(/\r?\n/);
    } catch {
      lines = null;
    }
    _lines.set(filename, lines);
  }
  return _lines.get(filename)?.[lineno - 1] ?? '';
}

// ---- showing ---------------------------------------------------------------------------------

/** A warning as `catch_warnings({ record: true })` records it (Python's `warnings.WarningMessage`). */
export interface WarningMessage {
  /** The Warning instance; `String(w.message)` is the text. */
  message: Warning;
  category: WarningCategory;
  filename: string;
  lineno: number;
  /** The source line, trimmed (null when it cannot be read; Python leaves it to formatwarning). */
  line: string | null;
}

/** `<file>:<line>: <Category>: <message>`, then the source line indented, as Python's `warnings.formatwarning`. */
export function formatwarning(message: string | Warning, category: WarningCategory, filename: string, lineno: number, line: string | null = null): string {
  let s = `${filename}:${lineno}: ${category.name}: ${String(message)}\n`;
  const src = (line ?? getline(filename, lineno)).trim();
  if (src) s += `  ${src}\n`;
  return s;
}

function _node_silenced(category: WarningCategory): boolean {
  const flag = (f: string) => process.execArgv.includes(f) || ` ${process.env.NODE_OPTIONS ?? ''} `.includes(` ${f} `);
  if (process.env.NODE_NO_WARNINGS === '1' || flag('--no-warnings')) return true;
  return (category === DeprecationWarning || category.prototype instanceof DeprecationWarning) && (process.noDeprecation || flag('--no-deprecation'));
}

function _print(m: WarningMessage): void {
  if (_node_silenced(m.category)) return;
  try {
    process.stderr.write(formatwarning(m.message, m.category, m.filename, m.lineno, m.line));
  } catch {
    // Python's showwarning ignores an unwritable stderr too.
  }
}

/** Where a shown warning goes: printed, or into the log of the innermost recording catch_warnings. */
let _show: (m: WarningMessage) => void = _print;

// ---- warn -----------------------------------------------------------------------------------

// Registry keys tell categories apart by identity, not by name.
const _category_ids = new WeakMap<WarningCategory, number>();
let _categories = 0;
function _category_id(c: WarningCategory): number {
  let id = _category_ids.get(c);
  if (id === undefined) _category_ids.set(c, (id = ++_categories));
  return id;
}

export interface WarnOptions {
  /** Default: UserWarning (or the class of `message` when it is a Warning). */
  category?: WarningCategory;
  /** 1: the line that called into torch-node (or called `warn`); 2: its caller; ... Default: 1. */
  stacklevel?: number;
}

/**
 * Issues a warning (Python's `warnings.warn`): printed to stderr at once, unless a filter says
 * otherwise, once per call site by default. `warn(message, category?, stacklevel?)` or
 * `warn(message, { category, stacklevel })`; `message` may be a Warning instance.
 */
export function warn(message: string | Warning, ...args: [WarningCategory?, number?] | [WarnOptions]): void {
  const opts: WarnOptions = args.length === 1 && args[0] !== null && typeof args[0] === 'object'
    ? args[0] as WarnOptions : { category: args[0] as WarningCategory | undefined, stacklevel: args[1] as number | undefined };
  let category: WarningCategory;
  if (message instanceof Warning) {
    category = message.constructor as WarningCategory;
  } else {
    category = opts.category === undefined || opts.category === null ? UserWarning : checkCategory(opts.category, 'category');
    message = new category(String(message));
  }
  const { filename, lineno, module } = _location(opts.stacklevel ?? 1);
  warn_explicit(message, category, filename, lineno, module);
}

/** Python's `warnings.warn_explicit`: a warning from a given location, through the filters. */
export function warn_explicit(message: string | Warning, category: WarningCategory, filename: string, lineno: number, module: string | null = null): void {
  if (module === null) module = filename.replace(/\.[cm]?[jt]s$/, '') || '<unknown>';
  if (message instanceof Warning) category = message.constructor as WarningCategory;
  else message = new (checkCategory(category, 'category'))(String(message));
  const text = message.message;
  if (_registry_version !== _version) {
    _registry.clear();
    _registry_version = _version;
  }
  const key = `${module}\0${lineno}\0${_category_id(category)}\0${text}`;
  if (_registry.has(key)) return;

  const f = filters.find((g) => (g.message === null || g.message.test(text)) &&
    (g.category === category || category.prototype instanceof g.category) &&
    (g.module === null || g.module.test(module!)) && (g.lineno === 0 || g.lineno === lineno));
  const action = f ? f.action : defaultaction;
  if (action === 'ignore') return;
  if (action === 'error') throw message;
  if (action === 'once') {
    _registry.add(key);
    const oncekey = `${_category_id(category)}\0${text}`;
    if (_onceregistry.has(oncekey)) return;
    _onceregistry.add(oncekey);
  } else if (action === 'module') {
    _registry.add(key);
    const altkey = `${module}\x000\0${_category_id(category)}\0${text}`;
    if (_registry.has(altkey)) return;
    _registry.add(altkey);
  } else if (action === 'default') {
    _registry.add(key);
  }
  _show({ message, category, filename, lineno, line: getline(filename, lineno).trim() || null });
}

// ---- catch_warnings ----------------------------------------------------------------------------

export interface CatchWarningsOptions {
  /** Record the warnings shown inside instead of printing them. */
  record?: boolean;
  /** A `simplefilter(action, { category, lineno, append })` applied inside (Python 3.11's catch_warnings arguments). */
  action?: Action;
  category?: WarningCategory;
  lineno?: number;
  append?: boolean;
}

/**
 * Runs `fn` with the filters (and the printing) saved before and restored after, as Python's
 * `with warnings.catch_warnings(record=...):`. With `record: true`, the warnings shown inside are
 * collected instead of printed: `fn` gets the list as it fills, and catch_warnings returns it;
 * otherwise it returns what `fn` returns. An async `fn` is awaited before restoring (a Promise comes back).
 */
export function catch_warnings(fn: (log: WarningMessage[]) => Promise<unknown>, options: CatchWarningsOptions & { record: true }): Promise<WarningMessage[]>;
export function catch_warnings(fn: (log: WarningMessage[]) => unknown, options: CatchWarningsOptions & { record: true }): WarningMessage[];
export function catch_warnings<T>(fn: () => T, options?: CatchWarningsOptions): T;
export function catch_warnings(fn: (log: WarningMessage[]) => unknown, options: CatchWarningsOptions = {}): unknown {
  if (typeof fn !== 'function') throw new TypeError('catch_warnings(fn, options): fn must be a function');
  const saved_filters = filters.slice();
  const saved_show = _show;
  const log: WarningMessage[] = [];
  let pending = false;
  try {
    _filters_mutated();
    if (options.record) _show = (m) => { log.push(m); };
    if (options.action !== undefined) simplefilter(options.action, { category: options.category, lineno: options.lineno, append: options.append });
    const result = fn(log);
    if (result instanceof Promise) {
      pending = true;
      return result.finally(restore).then((v) => (options.record ? log : v));
    }
    return options.record ? log : result;
  } finally {
    if (!pending) restore();
  }

  function restore(): void {
    filters.splice(0, filters.length, ...saved_filters);
    _filters_mutated();
    _show = saved_show;
  }
}
