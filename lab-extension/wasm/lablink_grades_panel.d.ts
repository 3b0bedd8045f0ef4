// The part of the grades panel's web glue (wasm-bindgen `--target web`, copied into this folder
// by `cargo xtask dist`) that the extension calls; see crates/grades-panel/src/lib.rs.

/** Fetches and instantiates the Wasm (emitted by webpack as an asset beside the bundle). */
export default function init(): Promise<unknown>;

export interface MountOptions {
  /** The grading service's base URL: a path on this origin or an http(s) URL. */
  serviceUrl: string;
  /** Every string the panel shows, translated (see src/labels.ts). */
  labels: Record<string, string>;
  /** The student table's height in CSS pixels. */
  height?: number;
}

export interface PanelHandle {
  unmount(): void;
  free(): void;
}

/** Shows the panel in `element`; throws an Error naming a bad option. */
export function mount(element: Element, options: MountOptions): PanelHandle;

export function version(): string;
