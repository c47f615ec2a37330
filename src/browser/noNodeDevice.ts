/**
 * Stands in for src/webgpu/device.ts (Dawn in Node) in the browser bundle: browsers get their
 * device from navigator.gpu, so reaching this is a bug in the backend choice, said clearly.
 */
import { RuntimeFailure } from '../errors.js';

export async function createNodeDevice(): Promise<never> {
  throw new RuntimeFailure('Dawn (npm webgpu) is for Node; in a browser the device comes from navigator.gpu');
}
