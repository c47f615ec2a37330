// The package's Node entry is CommonJS under "type": "module" and does not load as ESM; its
// self-contained ESM build does, with the same API as the package's own types.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
