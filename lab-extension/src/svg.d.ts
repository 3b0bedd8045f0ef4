// SVG files imported as their text (@jupyterlab/builder's webpack loads them as source).
declare module '*.svg' {
  const svgstr: string;
  export default svgstr;
}
