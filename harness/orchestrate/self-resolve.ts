import { register } from 'node:module';

/** The name plugins import the harness by. */
export const PACKAGE_NAME = 'parquet-chaos';

/**
 * The library entry of the harness that is running: harness/index.ts when it runs from source (under
 * tsx), dist/harness/index.js when it runs compiled. Plugins then share this copy's modules.
 */
export function runningEntry(here = import.meta.url): string {
  return new URL(here.endsWith('.ts') ? '../index.ts' : '../index.js', here).href;
}

/*
 * A Node module-resolution hook (module.register) in plain JavaScript, so that it loads the same way
 * from source and from dist: `import … from 'parquet-chaos'` resolves to the running entry, from any
 * importer in any folder. Without it a plugin outside the project cannot find the package at all
 * (Node looks for it in node_modules folders above the plugin), and one inside gets dist/ even when
 * the harness runs from source.
 */
const HOOK = `
let entry;
export async function initialize(data) { entry = data.entry; }
export async function resolve(specifier, context, next) {
  // The rest of the chain resolves the entry's URL, so a loader such as tsx still sees it.
  return next(specifier === ${JSON.stringify(PACKAGE_NAME)} ? entry : specifier, context);
}
`;

let registered = false;

/** Makes `parquet-chaos` resolve to the running harness for every module this process imports from now on. */
export function resolvePackageForPlugins(): void {
  if (registered) return;
  register(`data:text/javascript,${encodeURIComponent(HOOK)}`, { data: { entry: runningEntry() } });
  registered = true;
}
