/**
 * Babel settings dependency-cruiser reads TypeScript with. The project compiles with TypeScript 7
 * (no JavaScript compiler API), so dependency-cruiser parses .ts through @babel/preset-typescript.
 * Type-only imports (`import type`, `export type … from`) are kept as imports: a layer rule holds
 * for types too (adapters/ must not even name a model type).
 */
function keepTypeImports() {
  const asValue = (path) => {
    if (path.node.importKind === 'type' || path.node.importKind === 'typeof') path.node.importKind = 'value';
    if (path.node.exportKind === 'type') path.node.exportKind = 'value';
    for (const s of path.node.specifiers ?? []) {
      if (s.importKind === 'type' || s.importKind === 'typeof') s.importKind = 'value';
      if (s.exportKind === 'type') s.exportKind = 'value';
    }
  };
  // Program.enter of a plugin runs before the preset's, which drops type-only imports there.
  const kinds = new Set(['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration']);
  return { visitor: { Program: { enter(path) { for (const p of path.get('body')) if (kinds.has(p.node.type)) asValue(p); } } } };
}

module.exports = {
  babelrc: false,
  configFile: false,
  plugins: [keepTypeImports],
  presets: [[require.resolve('@babel/preset-typescript'), { onlyRemoveTypeImports: true }]],
};
