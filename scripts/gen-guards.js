'use strict';
// The argument guards' table (dist/guards.json), read from the declarations tsc just wrote
// (dist/**/*.d.ts) with TypeScript's type checker: for every exported function, every
// public method (Python's dunders included) and the constructor of every exported class
// (key 'new'), each positional parameter's kind (kindOf below), whether it may be left
// out, and the tail of a `...args: Rest<[...], Opts>` (restParams). lib/guard.ts checks
// those after a call fails with a JS engine error, so that a wrong value is a TypeError
// naming the function and the argument in the words of Python's argument parser
// ("mse_loss(): argument 'input' (position 1) must be Tensor, not NoneType") rather
// than a JS-internal one ("Cannot read properties of undefined (reading 'join')")
// from deep inside. The TypeScript signature is the one specification: nothing is
// listed by hand. Run by `npm run build:ts` after tsc.
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const dist = path.join(__dirname, '..', 'dist');
// Not read: generated bindings (the binder checks every argument with Python's messages),
// the binder itself, and the ESM wrappers. (Tensor's own methods are guarded by lib/guard.ts's
// receiver check, with these rows.)
const SKIP_FILES = /^(esm|generated)\/|^(binder|native|signatures|guard)\.d\.ts$/;

// Not guarded, by name: helpers the library calls on its hot paths (memory.scope, the
// optimizers' update loops), internal builders, functions that raise Python's own message
// for the same mistake (Module.add_module: "int is not a Module subclass"), and forwards
// that pass any value through as Python's do (Identity, Sequential), and functions their own
// module compares by identity (P2POp's op === isend: a wrapped export is another function).
const SKIP = new Set(['memory:scope', 'generator:setTensorWrapper', 'optim/adam:adamUpdate', 'optim/optimizer:runStep',
  'optim/optimizer:forEachGrad', 'optim/optimizer:isSparseGrad', 'optim/optimizer:newStep', 'nn/modules/pooling2:family',
  'torchvision/models/_utils:loadWeights', 'torchvision/models/_utils:makeBuilder', 'nn/modules/_check:checkConv',
  'nn/module:Module.add_module', 'nn/module:Module.register_module', 'nn/modules/linear:Identity.forward',
  'nn/modules/container:Sequential.forward', 'distributed:isend', 'distributed:irecv']);

/**
 * The check a declared type asks for, as letters (any one fits): 'T' Tensor, 'M' Module,
 * 'F' callable, 'I' iterable (arrays, tuples, Iterable<>), 'L' an iterable of tensors,
 * 'S' string, 'N' number, 'B' boolean; or 'C:<file>:<class>', an instance of that class; '' when some part of the type is none of these (then only a missing required
 * argument is reported). Read from the type checker, so that aliases (`type Hidden =
 * Tensor | [Tensor, Tensor]`, `import { Tensor as TensorClass }`) and subclasses
 * (Parameter, a Module subclass) count as what they stand for.
 */
let checker;
const derives = (t, name) => {
  for (let seen = 0; t && seen < 32; seen++) {
    if (t.symbol && t.symbol.name === name) return true;
    const bases = t.isClassOrInterface && t.isClassOrInterface() ? checker.getBaseTypes(t) : [];
    t = bases.find((b) => b.symbol && b.symbol.flags & ts.SymbolFlags.Class);
  }
  return false;
};
function kindOf(typeNode) {
  if (!typeNode) return { kind: '', nullable: false };
  let nullable = false;
  const letters = new Set();
  const visit = (t) => {
    const f = t.flags;
    if (f & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)) { nullable = true; return true; }
    if (f & ts.TypeFlags.Union) return t.types.every(visit);
    if (f & (ts.TypeFlags.StringLike)) return letters.add('S');
    if (f & (ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike)) return letters.add('N');
    if (f & ts.TypeFlags.BooleanLike) return letters.add('B');
    if (!(f & ts.TypeFlags.Object)) return false;
    if (derives(t, 'Tensor')) return letters.add('T');
    if (derives(t, 'Module')) return letters.add('M');
    if (checker.isArrayType(t) || checker.isTupleType(t) || t.symbol && /^(Iterable|IterableIterator|ReadonlyArray)$/.test(t.symbol.name)) {
      // a list of tensors ('L'): its elements are checked too
      const el = checker.isTupleType(t) ? null : checker.getTypeArguments(t)[0];
      return letters.add(el && !(el.flags & ts.TypeFlags.Union) && el.flags & ts.TypeFlags.Object && derives(el, 'Tensor') ? 'L' : 'I');
    }
    // an instance of one of the package's classes: 'C:<file>:<class>' (alone, or with None)
    const decl = t.symbol && t.symbol.flags & ts.SymbolFlags.Class && t.symbol.valueDeclaration;
    if (decl && ts.isClassDeclaration(decl) && decl.getSourceFile().fileName.startsWith(dist) && isExported(decl)) {
      const file = path.relative(dist, decl.getSourceFile().fileName).replace(/\.d\.ts$/, '');
      if (!SKIP_FILES.test(`${file}.d.ts`)) return letters.add(`C:${file}:${t.symbol.name}`);
    }
    if (t.symbol && t.symbol.name === 'Function' || checker.getSignaturesOfType(t, ts.SignatureKind.Call).length && !checker.getPropertiesOfType(t).length) return letters.add('F');
    return false;
  };
  const ok = visit(checker.getTypeFromTypeNode(typeNode));
  // A plain boolean/number/string alone is left to the function (Python's parser converts those loosely).
  if (!ok || letters.size === 0 || [...letters].every((l) => l === 'B')) return { kind: '', nullable };
  const cls = [...letters].filter((l) => l.startsWith('C:'));
  if (cls.length) return { kind: letters.size === 1 ? cls[0] : '', nullable }; // a class alone (or None), else unchecked
  return { kind: [...letters].sort().join(''), nullable };
}

/** [name, kind, optional, nullable] per leading positional parameter (up to the first rest parameter). */
function paramsOf(decl) {
  const out = [];
  for (const p of decl.parameters) {
    if (p.dotDotDotToken && ts.isIdentifier(p.name)) { out.push(...restParams(p)); break; }
    if (p.dotDotDotToken || !ts.isIdentifier(p.name)) break;
    if (p.name.text === 'this') continue;
    const k = kindOf(p.type);
    out.push([p.name.text, k.kind, !!p.questionToken || !!p.initializer, k.nullable]);
  }
  return out;
}

/**
 * `...args: Rest<[A, B], Opts>` (nn/common.ts: the rest by position, or the options by name):
 * the positions take their names from Opts's members, in order, as far as each member is
 * declared the same kind as the position (then the name is surely the one Python has there).
 * All optional.
 */
function restParams(p) {
  const t = p.type;
  if (!t || !ts.isTypeReferenceNode(t) || t.typeName.getText() !== 'Rest' || !t.typeArguments || t.typeArguments.length !== 2 ||
    !ts.isTupleTypeNode(t.typeArguments[0])) return [];
  const props = checker.getPropertiesOfType(checker.getTypeFromTypeNode(t.typeArguments[1]));
  const out = [];
  t.typeArguments[0].elements.forEach((el, j) => {
    if (out.length !== j) return;
    let node = ts.isNamedTupleMember(el) ? el.type : el;
    if (ts.isOptionalTypeNode(node)) node = node.type;
    const prop = props[j];
    const decl = prop && prop.valueDeclaration;
    if (!decl || !decl.type) return;
    const k = kindOf(node), kp = kindOf(decl.type);
    if (k.kind !== kp.kind) return;
    out.push([prop.name, k.kind, true, k.nullable || kp.nullable]);
  });
  return out;
}

/**
 * One table row per name from all of its overloads: a position is checked only where
 * every overload declares the same kind there (where they differ, only that it is there);
 * optional where any overload lets it be left out. null when nothing is checked.
 */
function merge(decls) {
  const lists = decls.map(paramsOf);
  const n = Math.max(...lists.map((l) => l.length));
  const checks = [];
  for (let i = 0; i < n; i++) {
    const at = lists.map((l) => l[i]);
    const first = at[0];
    if (at.some((a) => !a)) break; // an overload ends here: nothing after it is required of every call
    const kind = at.every((a) => a[1] === first[1]) ? first[1] : '';
    // a later overload may take an options object here: the guard then stops at a kwargs object
    checks.push([i, first[0], kind, at.some((a) => a[2]) ? 1 : 0, at.some((a) => a[3]) ? 1 : 0]);
  }
  // nothing to check: every position of any type and left out freely
  while (checks.length && checks[checks.length - 1][2] === '' && checks[checks.length - 1][3]) checks.pop();
  return checks.length ? checks : null;
}

const isExported = (node) => (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export) !== 0;
const isPrivate = (m) => (ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 ||
  (m.name && /^[_#]/.test(m.name.getText()) && !/^__\w+__$/.test(m.name.getText())); // Python's dunders are public

/** Marked `@internal` in its doc comment. */
const isInternal = (node) => ts.getJSDocTags(node).some((t) => t.tagName.text === 'internal');

function scan(file, rel) {
  const src = program.getSourceFile(file);
  const fns = new Map(), classes = {};
  for (const st of src.statements) {
    if (ts.isFunctionDeclaration(st) && st.name && isExported(st) && !isInternal(st) && !SKIP.has(`${rel}:${st.name.text}`)) {
      if (!fns.has(st.name.text)) fns.set(st.name.text, []);
      fns.get(st.name.text).push(st);
    } else if (ts.isVariableStatement(st) && isExported(st)) {
      // `export const dropout1d = featureDropout(...)`: declared as a function type
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.type && ts.isFunctionTypeNode(d.type) && !isInternal(st) && !SKIP.has(`${rel}:${d.name.text}`)) {
          fns.set(d.name.text, [d.type]);
        }
      }
    } else if (ts.isClassDeclaration(st) && st.name && isExported(st)) {
      const methods = new Map();
      for (const m of st.members) {
        if (!ts.isMethodDeclaration(m) || !ts.isIdentifier(m.name) || isPrivate(m) || isInternal(m) ||
          SKIP.has(`${rel}:${st.name.text}.${m.name.text}`)) continue;
        const key = (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Static ? 'static ' : '') + m.name.text;
        if (!methods.has(key)) methods.set(key, []);
        methods.get(key).push(m);
      }
      // The constructor, its own or the one it inherits (under the key 'new'): lib/guard.ts wraps the class.
      const ctors = checker.getTypeOfSymbolAtLocation(checker.getSymbolAtLocation(st.name), st).getConstructSignatures().map((sg) => sg.declaration);
      if (ctors.length && ctors.every((d) => d && ts.isConstructorDeclaration(d) && !isInternal(d) &&
        !(ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected))) &&
        !SKIP.has(`${rel}:${st.name.text}.constructor`)) methods.set('new', ctors);
      const rows = {};
      for (const [k, decls] of methods) { const c = merge(decls); if (c) rows[k] = c; }
      if (Object.keys(rows).length) classes[st.name.text] = rows;
    }
  }
  const functions = {};
  for (const [k, decls] of fns) { const c = merge(decls); if (c) functions[k] = c; }
  return { functions, classes };
}

/** Every declaration file (the checker resolves types across all of them). */
function walkAll(dir) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

function walk(dir, rel = '') {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(path.join(dir, e.name), r));
    else if (e.name.endsWith('.d.ts') && !SKIP_FILES.test(r)) out.push(r);
  }
  return out;
}

const files = walk(dist).sort();
const program = ts.createProgram(walkAll(dist), { noEmit: true, skipLibCheck: true, types: [], strict: true, target: ts.ScriptTarget.ES2022 });
checker = program.getTypeChecker();
const table = {};
for (const rel of files) {
  const t = scan(path.join(dist, rel), rel.replace(/\.d\.ts$/, ''));
  if (Object.keys(t.functions).length || Object.keys(t.classes).length) table[rel.replace(/\.d\.ts$/, '')] = t;
}
fs.writeFileSync(path.join(dist, 'guards.json'), JSON.stringify(table) + '\n');
