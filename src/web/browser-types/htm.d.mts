// The page imports htm's ES module (served as /vendor/htm.mjs through the import map). htm's own
// types (htm/dist/htm.d.ts) are written as an ES module inside a CommonJS package, so under
// NodeNext they describe `require('htm')`, not the ES module; tsconfig.check.json maps 'htm' here.
// Checked against htm 3.1.1.

/** `htm.bind(h)` makes the `html` template tag; a template with several root elements gives an array. */
declare const htm: {
  bind<HResult>(
    h: (...args: never[]) => HResult,
  ): (strings: TemplateStringsArray, ...values: unknown[]) => HResult | HResult[];
};
export default htm;
