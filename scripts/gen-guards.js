'use strict';
// The argument guards' table (dist/guards.json), read from the declarations tsc just wrote
// (dist/**/*.d.ts): for every exported function and every public method of an exported
// class, the positional parameters whose declared type is a Tensor, a Module or a
// function. lib/guard.ts checks those at the call, so that a wrong value is a TypeError
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
 * 'F' callable, 'I' iterable (arrays, tuples, Iterable<>), 'S' string, 'N' number, 'B'
 * boolean; null when some part of the type is none of these (nothing is checked then).
 */
function kindOf(typeNode) {
  if (!typeNode) return null;
  let nullable = false;
  const letters = new Set();
  const visit = (p) => {
    while (ts.isParenthesizedTypeNode(p)) p = p.type;
    if (ts.isUnionTypeNode(p)) return p.types.every(visit);
    if (p.kind === ts.SyntaxKind.UndefinedKeyword || ts.isLiteralTypeNode(p) && p.literal.kind === ts.SyntaxKind.NullKeyword) { nullable = true; return true; }
    if (ts.isFunctionTypeNode(p)) return letters.add('F');
    if (ts.isArrayTypeNode(p) || ts.isTupleTypeNode(p) || ts.isTypeOperatorNode(p) && (ts.isArrayTypeNode(p.type) || ts.isTupleTypeNode(p.type))) return letters.add('I');
    if (p.kind === ts.SyntaxKind.StringKeyword || ts.isLiteralTypeNode(p) && ts.isStringLiteral(p.literal) || ts.isTemplateLiteralTypeNode(p)) return letters.add('S');
    if (p.kind === ts.SyntaxKind.NumberKeyword || p.kind === ts.SyntaxKind.BigIntKeyword || ts.isLiteralTypeNode(p) && ts.isNumericLiteral(p.literal)) return letters.add('N');
    if (p.kind === ts.SyntaxKind.BooleanKeyword || ts.isLiteralTypeNode(p) && (p.literal.kind === ts.SyntaxKind.TrueKeyword || p.literal.kind === ts.SyntaxKind.FalseKeyword)) return letters.add('B');
    if (!ts.isTypeReferenceNode(p)) return false;
    const name = p.typeName.getText().replace(/^.*\./, '');
    if (name === 'Iterable' || name === 'Array' || name === 'ReadonlyArray') return letters.add('I');
    if (p.typeArguments) return false;
    if (name === 'Tensor') return letters.add('T');
    if (name === 'Module') return letters.add('M');
    if (name === 'Function') return letters.add('F');
    return false;
  };
  if (!visit(typeNode) || letters.size === 0) return null;
  // A plain boolean/number/string alone is left to the function (Python's parser converts those loosely).
  if ([...letters].every((l) => l === 'B')) return null;
  return { kind: [...letters].sort().join(''), nullable };
}

/** [name, kind, optional, nullable] per leading positional parameter (up to the first rest parameter). */
function paramsOf(decl) {
  const out = [];
  for (const p of decl.parameters) {
    if (p.dotDotDotToken || !ts.isIdentifier(p.name)) break;
    if (p.name.text === 'this') continue;
    const k = kindOf(p.type);
    out.push(k ? [p.name.text, k.kind, !!p.questionToken, k.nullable] : [p.name.text, null, !!p.questionToken, false]);
  }
  return out;
}

/**
 * One table row per name from all of its overloads: a position is checked only where
 * every overload declares the same kind there; optional where any overload lets it be
 * left out. null when nothing is checked.
 */
function merge(decls) {
  const lists = decls.map(paramsOf);
  const n = Math.max(...lists.map((l) => l.length));
  const checks = [];
  for (let i = 0; i < n; i++) {
    const at = lists.map((l) => l[i]);
    const first = at[0];
    if (!first || !first[1] || at.some((a) => !a || a[1] !== first[1])) continue;
    // a later overload may take an options object here: the guard then stops at a kwargs object
    checks.push([i, first[0], first[1], at.some((a) => a[2]) ? 1 : 0, at.some((a) => a[3]) ? 1 : 0]);
  }
  return checks.length ? checks : null;
}

const isExported = (node) => (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export) !== 0;
const isPrivate = (m) => (ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 ||
  (m.name && /^[_#]/.test(m.name.getText()));

/** Marked `@internal` in its doc comment. */
const isInternal = (node) => ts.getJSDocTags(node).some((t) => t.tagName.text === 'internal');

function scan(file, rel) {
  const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
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
      const rows = {};
      for (const [k, decls] of methods) { const c = merge(decls); if (c) rows[k] = c; }
      if (Object.keys(rows).length) classes[st.name.text] = rows;
    }
  }
  const functions = {};
  for (const [k, decls] of fns) { const c = merge(decls); if (c) functions[k] = c; }
  return { functions, classes };
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

const table = {};
for (const rel of walk(dist).sort()) {
  const t = scan(path.join(dist, rel), rel.replace(/\.d\.ts$/, ''));
  if (Object.keys(t.functions).length || Object.keys(t.classes).length) table[rel.replace(/\.d\.ts$/, '')] = t;
}
fs.writeFileSync(path.join(dist, 'guards.json'), JSON.stringify(table) + '\n');
