/// <reference types="@webgpu/types" preserve="true" />
/**
 * `backprop-lab/node`: a WebGPU device in Node through Dawn (the optional peer dependency `webgpu`),
 * kept out of the main entry so that browser bundles never see Dawn or `node:fs`.
 */
export { requestNodeDevice, requestNodeAdapter, NoAdapterError, type NodeGpu } from './gpu/node.js';
