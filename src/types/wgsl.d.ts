// WGSL files imported as text by the browser bundle (esbuild's text loader, scripts/build-browser.mjs).
declare module '*.wgsl' {
  const source: string;
  export default source;
}
