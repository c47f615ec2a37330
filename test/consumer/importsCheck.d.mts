// Types of test/consumer/importsCheck.mjs, for test/consumer/readmeBlocks.test.ts under `strict`.

/** The package a specifier names ('@scope/name/x' → '@scope/name', 'name/x' → 'name'); null for a relative or absolute path. */
export declare function packageOf(specifier: string): string | null;

/** Throws one line naming the installed files that import a package outside dependencies and peerDependencies; else a note. */
export declare function checkImports(pkgDir: string): Promise<string>;
