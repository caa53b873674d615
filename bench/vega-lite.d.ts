// vega-lite publishes its types through package.json "exports" only, which this project's
// `moduleResolution: node` does not read: the one function the chart uses, typed here.
declare module 'vega-lite' {
  export function compile(spec: object): { spec: import('vega').Spec };
}
