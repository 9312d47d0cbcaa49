/**
 * The emulator's Node-only parts as the other rooms see them (index.ts is the rest, and
 * Node-free, for the web extension's bundles): host files read bounded.
 */
export { readFileBoundedAsync } from './hosts/host-files';
