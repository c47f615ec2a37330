// onnxruntime-node 1.17.0 (the last release whose install downloads nothing: later ones fetch CUDA
// libraries from NuGet on linux/x64) ships without its dist/index.d.ts. Its API is the one of
// onnxruntime-common, which it re-exports; this gives the tests those types.
declare module 'onnxruntime-node' {
  export * from 'onnxruntime-common';
}
