// Types for the two arquero internals the CSV reader uses (arquero ships them as plain JS
// under src/, with no exports map; the same tokenizer backs arquero's fromCSV).
declare module 'arquero/src/format/stream/pipeline.js' {
  export function pipelineSync<T>(source: T, transformers: unknown[]): unknown;
}
declare module 'arquero/src/format/stream/delimited-text-stream.js' {
  export function delimitedTextTransformer(delimiter?: string): unknown;
}
